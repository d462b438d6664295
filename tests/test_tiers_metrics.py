"""Tiers, scores and metrics."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import rows_of, score_contacts
from leadscore.io.store import read_metadata
from leadscore.model.metrics import expected_calibration_error, summarize, top_share
from leadscore.model.tiers import assign_tiers, derive_thresholds, score_reference, scores


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


def test_without_a_reference_the_score_is_the_probability_in_percent():
    assert list(scores(np.array([0.0, 0.304, 0.305, 1.0]))) == [0, 30, 31, 100]


def test_the_score_is_the_rank_within_the_reference_population():
    # given a reference population of 10,000 leads with probabilities spread over 0-0.1
    reference = score_reference(np.linspace(0.0, 0.1, 10_000))
    # then a lead more likely than 90 % of them scores 90, the least likely 1, the top 100
    p = np.array([0.0905, 0.0, 0.05, 0.2, np.nan])
    assert list(scores(p, reference)[:4]) == [90, 1, 50, 100]
    assert scores(p, reference)[4] is pd.NA


@settings(max_examples=200, deadline=None)
@given(
    shape=st.floats(0.2, 5.0),
    prospect=st.floats(0.0, 1.0),
    gap=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**31),
)
def test_no_score_value_falls_in_two_tiers_and_scores_sort_like_probabilities(
    shape: float, prospect: float, gap: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    reference = score_reference(rng.beta(shape, 20, 5_000))
    p = np.round(rng.beta(shape, 20, 3_000), 4)  # ties included
    thresholds = {"prospect": prospect * 0.3, "opportunity": prospect * 0.3 + gap * 0.5}
    score = scores(p, reference, thresholds).astype(float)
    tiers = assign_tiers(p, thresholds)
    frame = pd.DataFrame({"score": score, "tier": tiers, "p": p})
    assert frame.groupby("score")["tier"].nunique().max() == 1
    ordered = frame.sort_values("p", kind="stable")
    assert ordered["score"].is_monotonic_increasing
    assert score.min() >= 1 and score.max() <= 100


def test_on_the_demo_scores_spread_the_list_and_every_score_has_one_tier(trained) -> None:
    # given the model make demo trains, scoring the open contacts as of the export date
    result, crm, folder = trained
    out = score_contacts(result.scorer, crm.contacts, crm.activities, "2026-07-01")
    scored = out[out["status"] == "scored"]
    # then no score value holds 5 % of the scored leads (with a 2.6 % conversion rate the
    # probability in percent put 68 % of them at 0)
    assert scored["score"].value_counts(normalize=True).max() < 0.05
    assert scored.groupby("score")["tier"].nunique().max() == 1
    # and the reference the score ranks in is stored with the model
    stored = read_metadata(folder)["score_reference"]
    assert stored["rows"] == len(result.split.test) and len(stored["quantiles"]) == 1001
    # as the model's own probabilities of those rows make it (one feature pass gives both)
    rows = rows_of(result.scorer, crm.contacts, crm.activities, "2026-07-01").iloc[:3_000]
    again = copy.deepcopy(result.scorer)
    again.set_reference(rows)
    want = score_reference(result.scorer.predict_proba(rows))
    assert again.info["score_reference"]["quantiles"] == want
    # training hands the test rows over as the model's features of them (the refit keeps no
    # raw rows): the same reference, spreads and drift
    from_features = copy.deepcopy(result.scorer)
    from_features.set_reference(None, features=result.scorer.features.transform(rows))
    assert from_features.info["score_reference"] == again.info["score_reference"]
    assert from_features.info["factor_reference"] == again.info["factor_reference"]
    assert repr(from_features.drift_reference) == repr(again.drift_reference)


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
