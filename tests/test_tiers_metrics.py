"""Tiers, scores and metrics."""

from __future__ import annotations

import numpy as np
import pytest

from leadscore.model.metrics import expected_calibration_error, summarize, top_share
from leadscore.model.tiers import assign_tiers, derive_thresholds, scores


def test_ties_go_to_the_higher_tier():
    th = {"opportunity": 0.3, "prospect": 0.1}
    assert list(assign_tiers(np.array([0.3, 0.1, 0.0999, np.nan]), th)) == [
        "opportunity",
        "prospect",
        "lead",
        "",
    ]


def test_odds_thresholds_mean_the_same_at_any_base_rate():
    low = derive_thresholds(0.02, 1.0, 4.0)
    high = derive_thresholds(0.40, 1.0, 4.0)
    assert low["prospect"] == pytest.approx(0.02)
    assert low["opportunity"] == pytest.approx(0.0755, abs=1e-3)
    assert high["opportunity"] == pytest.approx(0.727, abs=1e-3)  # odds 4 x 0.667 = 2.67
    assert high["opportunity"] < 1


def test_score_is_the_probability_in_percent():
    assert list(scores(np.array([0.0, 0.304, 0.305, 1.0]))) == [0, 30, 31, 100]


def test_ece_is_small_when_calibrated_and_large_when_not():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 0.5, 50_000)
    y = rng.random(50_000) < p
    assert expected_calibration_error(y, p) < 0.01
    assert expected_calibration_error(y, np.clip(p * 1.8, 0, 1)) > 0.1


def test_lift_and_capture_of_a_perfect_ranking():
    y = np.array([1] * 10 + [0] * 90)
    p = np.linspace(1, 0, 100)
    lift, capture = top_share(y, p, 0.10)
    assert lift == pytest.approx(10.0) and capture == pytest.approx(1.0)
    assert summarize(y, p)["roc_auc"] == pytest.approx(1.0)
