"""The example configs on the shared real data sets (skipped when the data is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leadscore.benchmark import DATASETS, run_one

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LEADSCORE_REAL_DATA") or ROOT / ".." / "shared" / "data")


def _path(name: str) -> Path:
    path = DATA / DATASETS[name]
    if not path.exists():
        pytest.skip(f"real data set {name} not found at {path} (set LEADSCORE_REAL_DATA)")
    return path


def test_education_leads_time_ordered_beats_plain_gb_and_is_calibrated() -> None:
    row = run_one("x_education_leads", _path("x_education_leads"))
    assert row["split"] == "time-ordered by Lead Number"
    assert row["roc_auc"] >= 0.89
    assert row["roc_auc"] > row["plain_gb_roc_auc"]
    assert row["ece"] <= 0.03


def test_b2b_pipeline_scores_every_open_deal_without_leak() -> None:
    row = run_one("maven_crm_pipeline", _path("maven_crm_pipeline"))
    assert row["open"] == row["open_scored"] == 2089
    assert 0.4 < row["roc_auc"] < 0.6  # no close_value / close_date leak lifting it
