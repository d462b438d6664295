"""The data contract: validated on read, errors name the file, column and row."""

from __future__ import annotations

import pandas as pd
import pytest

from leadscore.config import load_config
from leadscore.data.crm import load_crm
from leadscore.errors import ConfigError, InputError

HEADER = "contact_id,created_at,industry,outcome,closed_at\n"


def _write(tmp_path, text, name="contacts.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(path, activities=None, **kw):
    return load_crm(path, activities, load_config(None), require_outcome=True, **kw)


def test_reads_the_contract_into_canonical_columns(tmp_path):
    path = _write(tmp_path, HEADER + "c1,2025-01-02,Software,won,2025-02-01\nc2,2025-01-03,,,\n")
    crm = _load(path)
    assert list(crm.contacts["status"]) == ["won", "open"]
    assert crm.contacts["closed_at"].iloc[0] == pd.Timestamp("2025-02-01")


def test_missing_required_column_names_file_and_column(tmp_path):
    path = _write(tmp_path, "contact_id,outcome\nc1,won\n")
    with pytest.raises(InputError) as err:
        _load(path)
    assert str(path) in str(err.value) and "column 'created_at'" in str(err.value)


def test_duplicate_id_names_the_row(tmp_path):
    path = _write(tmp_path, HEADER + "c1,2025-01-02,,,\nc2,2025-01-02,,,\nc1,2025-01-05,,,\n")
    with pytest.raises(InputError, match=r"column 'contact_id', row 4: duplicate id 'c1'"):
        _load(path)


def test_unparseable_date_names_column_and_row(tmp_path):
    path = _write(tmp_path, HEADER + "c1,2025-01-02,,,\nc2,not a date,,,\n")
    with pytest.raises(InputError, match=r"column 'created_at', row 3: cannot read 'not a date'"):
        _load(path)


def test_empty_and_header_only_files_are_refused(tmp_path):
    with pytest.raises(InputError, match="file is empty"):
        _load(_write(tmp_path, ""))
    with pytest.raises(InputError, match="no data rows"):
        _load(_write(tmp_path, HEADER))


def test_unknown_outcome_value_is_an_error_not_a_guess(tmp_path):
    path = _write(tmp_path, HEADER + "c1,2025-01-02,,maybe,2025-02-01\n")
    with pytest.raises(InputError, match=r"row 2: outcome 'maybe'"):
        _load(path)


def test_config_maps_another_export(tmp_path):
    path = _write(
        tmp_path,
        "Lead ID;Created;Result;Closed\nL1;02/01/2025;Closed Won;05/02/2025\nL2;03/01/2025;;\n",
    )
    cfg_path = _write(
        tmp_path,
        '[contacts]\nid = "Lead ID"\ncreated_at = "Created"\noutcome = "Result"\n'
        'closed_at = "Closed"\nwon = ["Closed Won"]\nlost = ["Closed Lost"]\ndayfirst = true\n',
        name="cfg.toml",
    )
    crm = load_crm(path, None, load_config(cfg_path), require_outcome=True)
    assert list(crm.contacts["contact_id"]) == ["L1", "L2"]
    assert list(crm.contacts["status"]) == ["won", "open"]
    assert list(crm.contacts["created_at"]) == [
        pd.Timestamp("2025-01-02"),
        pd.Timestamp("2025-01-03"),
    ]


def test_config_typos_are_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown key"):
        load_config(_write(tmp_path, "[contacts]\nidd = 'x'\n", name="bad.toml"))


def test_activities_of_unknown_contacts_are_reported_not_silently_dropped(tmp_path):
    contacts = _write(tmp_path, HEADER + "c1,2025-01-02,,,\n")
    acts = _write(
        tmp_path,
        "contact_id,occurred_at,activity_type\nc1,2025-01-03,web_visit\nzz,2025-01-03,web_visit\n",
        name="acts.csv",
    )
    crm = _load(contacts, acts)
    assert len(crm.activities) == 1
    assert any("1 of 2 activities" in n for n in crm.notes)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_activity_log_reads_its_three_columns_and_folds_types(tmp_path, suffix):
    """A log's other columns are not needed (and not read); types compare stripped and
    case-folded; a missing type is an error."""
    contacts = _write(tmp_path, HEADER + "c1,2025-01-02,,,\nc2,2025-01-02,,,\n")
    log = pd.DataFrame(
        {
            "subject": ["a", "b", "c", "d"],
            "contact_id": ["c1", "c2", "c1", "zz"],
            "occurred_at": ["2025-01-03", "2025-01-04", "2025-01-05", "2025-01-05"],
            "activity_type": [" Demo_Request", "demo_request", "WEB_VISIT", "web_visit"],
        }
    )
    acts = tmp_path / f"acts.{suffix}"
    log.to_csv(acts, index=False) if suffix == "csv" else log.to_parquet(acts, index=False)
    crm = _load(contacts, acts)
    if suffix == "csv":  # a padded header name is forgiven in CSV
        padded = log.rename(columns={"contact_id": " contact_id "})
        padded.to_csv(tmp_path / "padded.csv", index=False)
        assert _load(contacts, tmp_path / "padded.csv").activities.equals(crm.activities)
    assert list(crm.activities.columns) == ["contact_id", "occurred_at", "activity_type"]
    assert list(crm.activities["activity_type"]) == ["demo_request", "demo_request", "web_visit"]
    assert list(crm.activities["contact_id"]) == ["c1", "c2", "c1"]
    assert any("1 of 4 activities" in n for n in crm.notes)
    log.loc[2, "activity_type"] = None
    log.to_csv(acts, index=False) if suffix == "csv" else log.to_parquet(acts, index=False)
    with pytest.raises(InputError, match="activity type is empty"):
        _load(contacts, acts)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_missing_value_placeholder_as_activity_type_is_an_empty_type(tmp_path, suffix):
    """A Parquet log's types are read by distinct value: a placeholder (``N/A``) is still a
    missing type, named by its row, and the other types still fold as in CSV."""
    contacts = _write(tmp_path, HEADER + "c1,2025-01-02,,,\nc2,2025-01-02,,,\n")
    log = pd.DataFrame(
        {
            "contact_id": ["c1", "c2", "c1"],
            "occurred_at": ["2025-01-03", "2025-01-04", "2025-01-05"],
            "activity_type": ["Demo ", "n/a?", "N/A"],
        }
    )
    acts = tmp_path / f"acts.{suffix}"
    log.to_csv(acts, index=False) if suffix == "csv" else log.to_parquet(acts, index=False)
    row = 4 if suffix == "csv" else 3  # a spreadsheet row; a Parquet file's data row
    with pytest.raises(InputError, match=f"column 'activity_type', row {row}: activity type is"):
        _load(contacts, acts)
    log.loc[2, "activity_type"] = "DEMO"
    log.to_csv(acts, index=False) if suffix == "csv" else log.to_parquet(acts, index=False)
    assert list(_load(contacts, acts).activities["activity_type"]) == ["demo", "n/a?", "demo"]
