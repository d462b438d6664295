"""The bad-input matrix: every case gives a correct result or a one-line error, never a
traceback, never a silently dropped row.

Each case writes a lead list derived from the tiny sample CRM, runs ``leadscore predict``
through typer's CliRunner and checks the exit code, the message (file, column, row) and that
every input row is in the output with a probability or a ``status`` saying why not.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leadscore.cli import app

WIDE = {"COLUMNS": "400"}
N = 120  # rows of the lead list used by each case


@pytest.fixture(scope="module")
def leads(crm_dir: Path) -> pd.DataFrame:
    """A small lead list: N contacts of the sample CRM, as raw text cells."""
    return pd.read_csv(crm_dir / "contacts.csv", dtype=str, keep_default_na=False).head(N)


@pytest.fixture(scope="module")
def baseline(crm_dir: Path, model_dir: Path, as_of: str, leads, tmp_path_factory) -> pd.DataFrame:
    folder = tmp_path_factory.mktemp("baseline")
    leads.to_csv(folder / "leads.csv", index=False)
    result, out = _predict(folder / "leads.csv", crm_dir, model_dir, as_of, folder)
    assert result.exit_code == 0, result.output
    return out


def _predict(path: Path, crm_dir: Path, model_dir: Path, as_of: str, tmp: Path, *extra: str):
    out = tmp / "predictions.csv"
    args = ["predict", str(path), "-m", str(model_dir), "-o", str(out), "--as-of", as_of]
    args += ["--include-closed", *extra]
    if "--no-activities" in args:
        args.remove("--no-activities")
    elif not any(a in ("-a", "--activities") for a in extra):
        args += ["-a", str(crm_dir / "activities.csv")]
    result = CliRunner().invoke(app, args, env=WIDE)
    frame = pd.read_csv(out, keep_default_na=False) if result.exit_code == 0 else None
    return result, frame


def _assert_clean_error(result, *parts: str) -> str:
    """Exit 2, one line starting 'error:' that names every part, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, result.output
    for part in parts:
        assert part in lines[0], lines[0]
    return lines[0]


def _assert_every_row(result, out: pd.DataFrame, ids: list[str]) -> None:
    """Every input id comes out once; the summary line counts scored and unscored rows."""
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert list(out["contact_id"].astype(str)) == [str(i).strip() for i in ids]
    scored = out["status"] == "scored"
    assert out.loc[scored, "probability"].astype(float).between(0, 1).all()
    assert (out.loc[~scored, "probability"].astype(str) == "").all()
    summary = f"{int(scored.sum()):,} rows scored, {int((~scored).sum()):,} not scored"
    assert summary in result.output


def _write(frame: pd.DataFrame, path: Path, **kwargs) -> Path:
    frame.to_csv(path, index=False, **kwargs)
    return path


# -- errors --------------------------------------------------------------------------------
def test_missing_required_column(leads, crm_dir, model_dir, as_of, tmp_path):
    path = _write(leads.drop(columns=["contact_id"]), tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.csv", "column 'contact_id'", "required column is missing")


def test_empty_file(crm_dir, model_dir, as_of, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(b"")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.csv", "file is empty")


def test_header_only(leads, crm_dir, model_dir, as_of, tmp_path):
    path = _write(leads.head(0), tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.csv", "header but no data rows")


def test_duplicate_ids(leads, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame.loc[10, "contact_id"] = frame.loc[3, "contact_id"]
    path = _write(frame, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.csv", "column 'contact_id'", "row 12", "first seen in row 5")


def test_missing_id(leads, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame.loc[7, "contact_id"] = ""
    path = _write(frame, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.csv", "column 'contact_id'", "row 9", "id is empty")


def test_unparseable_date(leads, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame.loc[20, "created_at"] = "last tuesday-ish"
    path = _write(frame, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.csv", "column 'created_at'", "row 22", "last tuesday-ish")


def test_out_of_range_date(leads, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame.loc[4, "created_at"] = "9999-12-31"
    path = _write(frame, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.csv", "column 'created_at'", "row 6")


def test_unparseable_activity_date(leads, crm_dir, model_dir, as_of, tmp_path):
    acts = pd.read_csv(crm_dir / "activities.csv", dtype=str).head(200)
    acts.loc[50, "occurred_at"] = "soon"
    path = _write(leads, tmp_path / "leads.csv")
    apath = _write(acts, tmp_path / "acts.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path, "-a", str(apath))
    _assert_clean_error(result, "acts.csv", "column 'occurred_at'", "row 52")


def test_wrong_file_as_activities(leads, crm_dir, model_dir, as_of, tmp_path):
    path = _write(leads, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path, "-a", str(path))
    _assert_clean_error(result, "leads.csv", "column 'occurred_at'", "required column is missing")


def test_unknown_file_type(leads, crm_dir, model_dir, as_of, tmp_path):
    path = _write(leads, tmp_path / "leads.json")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.json", "unknown file type '.json'", ".xlsx")


def test_a_csv_named_xlsx_is_not_a_workbook(leads, crm_dir, model_dir, as_of, tmp_path):
    pytest.importorskip("openpyxl", reason="reading .xlsx needs openpyxl (pyproject)")
    path = _write(leads, tmp_path / "leads.xlsx")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.xlsx", "cannot read the workbook")


def test_unknown_outcome_value(leads, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame.loc[2, "outcome"] = "maybe"
    path = _write(frame, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_clean_error(result, "leads.csv", "column 'outcome'", "row 4", "maybe")


# -- correct results -----------------------------------------------------------------------
def test_unknown_extra_columns_are_ignored(leads, baseline, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.assign(favourite_colour="blue", notes="call back")
    path = _write(frame, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    assert "unknown to the model are ignored: favourite_colour, notes" in result.output
    np.testing.assert_allclose(_p(out), _p(baseline))


@pytest.mark.parametrize(
    ("name", "kwargs", "bom"),
    [
        ("semicolon", {"sep": ";"}, False),
        ("tab", {"sep": "\t"}, False),
        ("utf-8 with BOM", {"encoding": "utf-8-sig"}, True),
        ("latin-1", {"encoding": "latin-1"}, False),
    ],
)
def test_delimiters_and_encodings(
    name, kwargs, bom, leads, baseline, crm_dir, model_dir, as_of, tmp_path
):
    frame = leads.copy()
    if name == "latin-1":  # characters that are not ASCII, in a column the model ignores
        frame["first_name"] = frame["first_name"] + "é"
    path = _write(frame, tmp_path / "leads.csv", **kwargs)
    if bom:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    np.testing.assert_allclose(_p(out), _p(baseline))


def test_quoted_newlines(leads, baseline, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame["first_name"] = frame["first_name"] + "\nsecond line, with a comma"
    path = _write(frame, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    np.testing.assert_allclose(_p(out), _p(baseline))


def test_future_created_date_is_not_scored(leads, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame.loc[5, ["created_at", "outcome", "closed_at"]] = ["2099-01-01 00:00:00", "", ""]
    path = _write(frame, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    assert out.loc[5, "status"] == "not scored: created after the as-of time"


def test_thousands_separators(leads, baseline, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    for col in ("employees", "annual_revenue"):
        num = pd.to_numeric(frame[col], errors="coerce")
        frame[col] = num.map(lambda v: "" if pd.isna(v) else f"{v:,.0f}")
    assert frame["annual_revenue"].str.contains(",").any()
    path = _write(frame, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    np.testing.assert_allclose(_p(out), _p(baseline))  # sample values are whole numbers


@pytest.mark.parametrize(
    "values", [["-5", "-1"], ["1e15", "999999999999999999999"], ["inf", "-inf"], ["NaN", "nan"]]
)
def test_odd_numbers_are_scored(values, leads, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame.loc[[0, 1], "employees"] = values
    frame.loc[[2, 3], "annual_revenue"] = values
    frame.loc[[4, 5], "budget"] = values
    path = _write(frame, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    assert (out["status"] == "scored").all()


def test_column_entirely_empty(leads, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.assign(industry="", employees="")
    path = _write(frame, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    assert (out["status"] == "scored").all()


def test_category_never_seen_in_training(leads, baseline, crm_dir, model_dir, as_of, tmp_path):
    frame = leads.copy()
    frame.loc[:9, "industry"] = "Underwater Basket Weaving"
    path = _write(frame, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    assert (out["status"] == "scored").all()
    np.testing.assert_allclose(_p(out)[10:], _p(baseline)[10:])


def test_no_activity_file(leads, crm_dir, model_dir, as_of, tmp_path):
    path = _write(leads, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path, "--no-activities")
    _assert_every_row(result, out, list(leads["contact_id"]))


def test_activities_of_unknown_contacts_are_counted(leads, crm_dir, model_dir, as_of, tmp_path):
    path = _write(leads, tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"]))
    assert "activities belong to contacts not in the contacts file and were not used" in (
        result.output
    )


def test_shuffled_rows_change_no_probability(leads, baseline, crm_dir, model_dir, as_of, tmp_path):
    order = np.random.default_rng(0).permutation(len(leads))
    path = _write(leads.iloc[order], tmp_path / "leads.csv")
    result, out = _predict(path, crm_dir, model_dir, as_of, tmp_path)
    _assert_every_row(result, out, list(leads["contact_id"].iloc[order]))
    merged = out.merge(baseline, on="contact_id", suffixes=("", "_base"))
    assert len(merged) == len(leads)
    np.testing.assert_allclose(
        _p(merged), merged["probability_base"].replace("", np.nan).astype(float), rtol=1e-12
    )


# -- model files ---------------------------------------------------------------------------
def _copy_model(model_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(model_dir, target)
    return target


def test_model_from_another_version(leads, crm_dir, model_dir, as_of, tmp_path):
    model = _copy_model(model_dir, tmp_path)
    meta = json.loads((model / "metadata.json").read_text())
    meta["versions"]["scikit-learn"] = "0.24.2"
    (model / "metadata.json").write_text(json.dumps(meta))
    path = _write(leads, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model, as_of, tmp_path)
    _assert_clean_error(result, "model", "made with scikit-learn 0.24.2", "retrain")


def test_model_of_another_format(leads, crm_dir, model_dir, as_of, tmp_path):
    model = _copy_model(model_dir, tmp_path)
    meta = json.loads((model / "metadata.json").read_text())
    meta["format_version"] = 99
    (model / "metadata.json").write_text(json.dumps(meta))
    path = _write(leads, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model, as_of, tmp_path)
    _assert_clean_error(result, "model format 99")


@pytest.mark.parametrize("damage", ["truncated", "corrupted"])
def test_damaged_model_file_is_refused(damage, leads, crm_dir, model_dir, as_of, tmp_path):
    # a file replaced by a code-running pickle: tests/test_claims.py (unpickler never reached)
    model = _copy_model(model_dir, tmp_path)
    blob = (model / "model.joblib").read_bytes()
    if damage == "truncated":
        blob = blob[: len(blob) // 2]
    else:
        blob = blob[:100] + bytes([blob[100] ^ 0xFF]) + blob[101:]
    (model / "model.joblib").write_bytes(blob)
    path = _write(leads, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model, as_of, tmp_path)
    _assert_clean_error(result, "model.joblib", "checksum mismatch", "refusing to load")


def test_truncated_model_with_matching_checksum(leads, crm_dir, model_dir, as_of, tmp_path):
    from leadscore.io.store import sha256_of

    model = _copy_model(model_dir, tmp_path)
    blob = (model / "model.joblib").read_bytes()
    (model / "model.joblib").write_bytes(blob[: len(blob) // 3])
    meta = json.loads((model / "metadata.json").read_text())
    meta["sha256"] = sha256_of(model / "model.joblib")
    (model / "metadata.json").write_text(json.dumps(meta))
    path = _write(leads, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, model, as_of, tmp_path)
    _assert_clean_error(result, "model.joblib", "cannot load model.joblib")


def test_missing_model_folder(leads, crm_dir, as_of, tmp_path):
    path = _write(leads, tmp_path / "leads.csv")
    result, _ = _predict(path, crm_dir, tmp_path / "nowhere", as_of, tmp_path)
    _assert_clean_error(result, "nowhere", "model not found")


def _p(frame: pd.DataFrame) -> np.ndarray:
    return frame["probability"].replace("", np.nan).astype(float).to_numpy()
