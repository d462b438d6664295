"""Exports as they arrive: Excel workbooks, compressed CSV, other date conventions, broken
headers. The same rows written another way give the same predictions, or one clear error."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exports import error_line, excel_cells, predict, raw_text, rewrite

N = 150  # leads in each list


@pytest.fixture(scope="module")
def export(crm_dir: Path, tmp_path_factory) -> dict:
    """N leads of the tiny sample CRM and their activities, as text, written as CSV."""
    folder = tmp_path_factory.mktemp("export")
    leads = raw_text(crm_dir / "contacts.csv").head(N)
    acts = raw_text(crm_dir / "activities.csv")
    acts = acts[acts["contact_id"].isin(set(leads["contact_id"]))].reset_index(drop=True)
    leads.to_csv(folder / "leads.csv", index=False)
    acts.to_csv(folder / "acts.csv", index=False)
    return {"folder": folder, "leads": leads, "acts": acts}


@pytest.fixture(scope="module")
def baseline(export: dict, model_dir: Path, as_of: str) -> pd.DataFrame:
    folder = export["folder"]
    result, rows = predict(folder / "leads.csv", folder / "acts.csv", model_dir, as_of,
                           folder / "baseline.csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (rows["status"] == "scored").sum() > 20
    return rows


def _same_predictions(rows: pd.DataFrame, baseline: pd.DataFrame) -> None:
    assert rows["contact_id"].tolist() == baseline["contact_id"].tolist()
    assert rows["status"].tolist() == baseline["status"].tolist()
    got = pd.to_numeric(rows["probability"].replace("", None)).to_numpy(dtype=float)
    want = pd.to_numeric(baseline["probability"].replace("", None)).to_numpy(dtype=float)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.zip"])
def test_compressed_csv_gives_the_same_predictions(export, baseline, model_dir, as_of,
                                                   tmp_path, suffix):  # fmt: skip
    leads, acts = tmp_path / f"leads{suffix}", tmp_path / f"acts{suffix}"
    export["leads"].to_csv(leads, index=False)  # compression from the name
    export["acts"].to_csv(acts, index=False)
    for engine in ("memory", "stream"):
        result, rows = predict(leads, acts, model_dir, as_of, tmp_path / "out.csv",
                               "--engine", engine, "--batch-rows", "40")  # fmt: skip
        assert result.exit_code == 0, result.output
        _same_predictions(rows, baseline)


def test_xlsx_with_excel_dates_and_numbers_gives_the_same_predictions(
    export, baseline, model_dir, as_of, tmp_path
):
    pytest.importorskip("openpyxl", reason="reading .xlsx needs openpyxl (pyproject)")
    # given the lead list and its log as workbooks whose dates are Excel dates, numbers
    # numbers, ids text; the contacts on the second sheet, named in the config
    leads, acts = tmp_path / "leads.xlsx", tmp_path / "acts.xlsx"
    with pd.ExcelWriter(leads) as book:
        pd.DataFrame({"note": ["exported from the CRM"]}).to_excel(
            book, sheet_name="About", index=False
        )
        excel_cells(export["leads"]).to_excel(book, sheet_name="Leads", index=False)
    excel_cells(export["acts"]).to_excel(acts, index=False)
    config = tmp_path / "cfg.toml"
    config.write_text('[contacts]\nsheet = "Leads"\n')
    # when it is scored in memory and streamed
    for engine in ("memory", "stream"):
        result, rows = predict(leads, acts, model_dir, as_of, tmp_path / "out.csv",
                               "-c", str(config), "--engine", engine)  # fmt: skip
        # then the predictions are the CSV's
        assert result.exit_code == 0, result.output
        _same_predictions(rows, baseline)


def test_a_missing_sheet_is_named_with_the_sheets_there(export, model_dir, as_of, tmp_path):
    pytest.importorskip("openpyxl", reason="reading .xlsx needs openpyxl (pyproject)")
    leads = tmp_path / "leads.xlsx"
    excel_cells(export["leads"]).to_excel(leads, sheet_name="Sheet1", index=False)
    config = tmp_path / "cfg.toml"
    config.write_text('[contacts]\nsheet = "Leads"\n')
    result, _ = predict(leads, None, model_dir, as_of, tmp_path / "o.csv", "-c", str(config))
    assert "no sheet named 'Leads' (sheets: 'Sheet1')" in error_line(result)


def test_a_day_first_activity_log_gives_the_same_probabilities_as_iso(
    export, baseline, model_dir, as_of, tmp_path
):
    # given the same log written day-first with times (05/01/2025 14:03:00 is 5 January)
    acts = tmp_path / "acts.csv"
    rewrite(export["acts"], "%d/%m/%Y %H:%M:%S", False).to_csv(acts, index=False)
    leads = tmp_path / "leads.csv"
    rewrite(export["leads"], "%d/%m/%Y %H:%M:%S", False).to_csv(leads, index=False)
    for engine in ("memory", "stream"):
        result, rows = predict(leads, acts, model_dir, as_of, tmp_path / "out.csv",
                               "--engine", engine, "--batch-rows", "40")  # fmt: skip
        assert result.exit_code == 0, result.output
        _same_predictions(rows, baseline)


def test_an_ambiguous_date_column_stops_naming_the_key_that_settles_it(
    export, model_dir, as_of, tmp_path
):
    # given a log whose dates all have a day of 12 or less: 05/01 fits both orders
    acts = rewrite(export["acts"], "%d/%m/%Y", False)
    acts = acts[acts["occurred_at"].str[:2].astype(int) <= 12]
    acts.to_csv(tmp_path / "acts.csv", index=False)
    result, _ = predict(export["folder"] / "leads.csv", tmp_path / "acts.csv", model_dir, as_of,
                        tmp_path / "o.csv")  # fmt: skip
    line = error_line(result)
    assert "acts.csv, column 'occurred_at', row 2: cannot tell day-first from month-first" in line
    assert '[activities] date_format = "%d/%m/%Y"' in line and "dayfirst = true" in line
    # and the key it names settles it
    config = tmp_path / "cfg.toml"
    config.write_text("[activities]\ndayfirst = true\n")
    result, _ = predict(export["folder"] / "leads.csv", tmp_path / "acts.csv", model_dir, as_of,
                        tmp_path / "o.csv", "-c", str(config))  # fmt: skip
    assert result.exit_code == 0, result.output


def test_as_of_must_be_iso(export, model_dir, tmp_path):
    result, _ = predict(export["folder"] / "leads.csv", None, model_dir, "01/07/2026",
                        tmp_path / "o.csv")  # fmt: skip
    line = error_line(result)
    assert "--as-of: '01/07/2026' is not an ISO 8601 date" in line
    assert "2026-07-01 (1 July)" in line and "2026-01-07 (7 January)" in line


def test_a_header_naming_a_column_twice_is_refused(export, model_dir, as_of, tmp_path):
    leads = tmp_path / "leads.csv"
    with leads.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*export["leads"].columns, "industry"])
        writer.writerows([[*row, "Retail"] for row in export["leads"].itertuples(index=False)])
    result, _ = predict(leads, None, model_dir, as_of, tmp_path / "o.csv")
    line = error_line(result)
    assert "leads.csv: the header names a column twice: 'industry' (columns 8, 17)" in line


def test_activities_after_the_export_end_are_counted_and_reported(
    export, model_dir, as_of, tmp_path
):
    acts = export["acts"].copy()
    acts.loc[[3, 4], "occurred_at"] = "2031-01-01 10:00:00"
    acts.to_csv(tmp_path / "acts.csv", index=False)
    result, _ = predict(export["folder"] / "leads.csv", tmp_path / "acts.csv", model_dir, as_of,
                        tmp_path / "o.csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"2 of {len(acts):,} activities are dated after the export's end" in result.output
