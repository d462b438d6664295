"""Fast unit tests: CSV neutralising, PSI drift, the PII scanner, guarded scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers import score_contacts
from leadscore.data.pii import find_pii
from leadscore.features.activity import ActivitySpec
from leadscore.io.csvsafe import neutralise, neutralise_cell
from leadscore.io.writer import write_table
from leadscore.model import drift


# -- spreadsheet-safe CSV ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1-555-0100", "'+1-555-0100"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("Acme = good", "Acme = good"),
        ("", ""),
    ],
)
def test_neutralise_cell(cell, expected):
    assert neutralise_cell(cell) == expected


def test_numbers_are_not_mangled(tmp_path):
    frame = pd.DataFrame({"id": ["=1+1", "ok"], "p": [-0.5, 0.25], "n": [-3, 4]})
    write_table(frame, tmp_path / "out.csv", csv_safe=True)
    back = pd.read_csv(tmp_path / "out.csv")
    assert list(back["id"]) == ["'=1+1", "ok"]
    assert list(back["p"]) == [-0.5, 0.25] and list(back["n"]) == [-3, 4]
    assert back["n"].dtype.kind == "i"


def test_neutralise_leaves_the_input_alone():
    frame = pd.DataFrame({"id": ["=x"]})
    neutralise(frame)
    assert frame.loc[0, "id"] == "=x"


# -- drift ---------------------------------------------------------------------------------
def _features(rng: np.random.Generator, n: int, shift: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": rng.normal(50 + shift, 10, n),
            "industry": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1]).astype(object),
        }
    )


def test_psi_is_small_for_the_same_distribution_and_large_for_a_shift():
    rng = np.random.default_rng(1)
    ref = drift.reference(_features(rng, 5000))
    same = drift.psi_table(ref, _features(rng, 2000))
    moved = drift.psi_table(ref, _features(rng, 2000, shift=15))
    assert max(same.values()) < drift.MODERATE
    assert moved["age"] > drift.MAJOR
    assert list(drift.shifted(moved)) == ["age"]


def test_psi_counts_new_categories_and_missing_values():
    rng = np.random.default_rng(2)
    ref = drift.reference(_features(rng, 5000))
    batch = _features(rng, 1000)
    batch.loc[:499, "industry"] = "never seen"
    batch.loc[:499, "age"] = np.nan
    table = drift.psi_table(ref, batch)
    assert table["industry"] > drift.MAJOR and table["age"] > drift.MAJOR


def test_reference_holds_no_row_values():
    frame = pd.DataFrame({"x": np.arange(1000, dtype=float)})
    ref = drift.reference(frame)
    assert len(ref["x"]["edges"]) <= drift.N_BINS - 1
    assert sum(ref["x"]["shares"]) == pytest.approx(1.0)


# -- PII scanner ---------------------------------------------------------------------------
def test_find_pii():
    text = (
        "run 2026-07-01 12:00:00 scored 1,234 rows; p=0.1234 v3.17.2\n"
        "contact jane.doe@acme.example called +1-555-1398-148 about Zebulon Quist"
    )
    known = ["Zebulon Quist", "Li", "jane.doe@acme.example", "+1 555 1398 148", "bob@x.example"]
    found = find_pii(text, known)
    assert found == sorted(["jane.doe@acme.example", "+1 555 1398 148", "Zebulon Quist"])
    assert find_pii(b"nothing here 2026-01-02, 0.25 0.75", ["Quist"]) == []


# -- rows whose features cannot be computed ------------------------------------------------
class _Fragile:
    """A scorer that fails on one contact, like a row whose features cannot be computed."""

    activity_spec = ActivitySpec((), (30,), ())
    thresholds: dict = {}
    info: dict = {}

    def output_columns(self, reasons):
        return ["probability", "score", "tier"]

    def predict_frame(self, rows):
        if (rows["contact_id"] == "bad").any():
            raise ValueError("cannot compute")
        p = np.where(rows["contact_id"] == "nan", np.nan, 0.5)
        return pd.DataFrame({"probability": p, "score": 50, "tier": "lead"}, index=rows.index)


def test_unscorable_rows_stay_in_the_output_with_a_reason():
    contacts = pd.DataFrame(
        {
            "contact_id": ["a", "bad", "c", "nan"],
            "created_at": pd.to_datetime(["2025-01-01"] * 4),
            "status": "open",
        }
    )
    out = score_contacts(_Fragile(), contacts, None, pd.Timestamp("2025-06-01"))
    assert list(out["contact_id"]) == ["a", "bad", "c", "nan"]
    assert list(out["status"]) == [
        "scored",
        "not scored: features could not be computed (ValueError)",
        "scored",
        "not scored: probability is not a number",
    ]
    assert out["probability"].isna().tolist() == [False, True, False, True]
