"""Per-lead reasons (leadscore.model.reasons): exact, faithful and readable."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from helpers import rows_of, score_contacts, train
from leadscore.features.snapshots import export_end
from leadscore.model import reasons
from leadscore.model.estimators import build_logistic
from trust_helpers import fast_hgb, small_crm


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    fast_hgb(mp)
    try:
        crm, cfg = small_crm(tmp_path_factory.mktemp("crm"), months=12, per_month=220)
        result = train(crm, cfg)
    finally:
        mp.undo()
    as_of = export_end(crm.contacts, crm.activities) - pd.Timedelta(days=120)
    rows = rows_of(result.scorer, crm.contacts, crm.activities, as_of)
    rows = rows[(crm.contacts["created_at"] < as_of).to_numpy()]
    return result, crm, rows


def test_hgb_contributions_add_up_to_the_model_log_odds(trained):
    result, _, rows = trained
    c = reasons.contributions(result.scorer, rows)
    raw = result.scorer.pipeline.decision_function(rows)
    np.testing.assert_allclose(c.reference + c.values.sum(axis=1).to_numpy(), raw, atol=1e-9)


def test_logistic_contributions_add_up_and_group_one_hot_columns(trained):
    result, _, rows = trained
    features = clone(result.scorer.features).fit(rows)
    pipe = build_logistic(features).fit(rows, (rows["n_all_total"] > 5).to_numpy())
    ref = reasons.logistic_reference(pipe, rows)
    c = reasons.logistic_contributions(pipe, features.transform(rows), ref)
    assert list(c.values.columns) == list(features.feature_names_out_)
    raw = pipe.decision_function(rows)
    np.testing.assert_allclose(c.reference + c.values.sum(axis=1).to_numpy(), raw, atol=1e-9)


def test_neutralising_the_top_positive_factor_lowers_the_probability(trained):
    # given each row's top positive factor, set to its most common training value
    result, _, rows = trained
    pipe = result.scorer.pipeline
    feats = pipe.named_steps["features"].transform(rows)
    c = reasons.contributions(result.scorer, rows).values
    top = c.idxmax(axis=1)
    has_up = c.max(axis=1) > reasons.MIN_EFFECT
    before = pipe[1:].decision_function(feats)
    after = before.copy()
    changed = np.zeros(len(rows), dtype=bool)
    for factor in top[has_up].unique():
        idx = np.flatnonzero(has_up.to_numpy() & (top == factor).to_numpy())
        mode = feats[factor].mode(dropna=False).iloc[0]
        part = feats.iloc[idx].copy()
        differs = ~((part[factor] == mode) | (part[factor].isna() & pd.isna(mode))).to_numpy()
        part[factor] = mode
        after[idx] = pipe[1:].decision_function(part)
        changed[idx] = differs
    # then the log-odds, hence the calibrated probability (a monotone map of it), goes down
    drop = (before - after)[changed]
    assert changed.sum() > 200
    assert (drop > 0).mean() >= 0.9
    probs = result.scorer.estimator.calibrated_classifiers_[0].calibrators[0]
    assert (probs.predict(after[changed]) <= probs.predict(before[changed])).mean() >= 0.9


def test_recent_demo_requests_are_among_the_top_reasons(trained):
    result, crm, rows = trained
    demo = [c for c in rows.columns if c.startswith("days_since_last_demo")]
    assert demo, "the sample CRM has a demo request activity type"
    recent = (rows[demo[0]] <= 60).to_numpy()
    out = reasons.explain(result.scorer, rows[recent])
    up = out[["reason_up_1", "reason_up_2", "reason_up_3"]].agg(" | ".join, axis=1)
    assert recent.sum() >= 10
    assert up.str.contains("demo request").mean() >= 0.8


def test_score_contacts_adds_reason_columns_for_scored_rows_only(trained):
    result, crm, _ = trained
    as_of = export_end(crm.contacts, crm.activities) - pd.Timedelta(days=120)
    out = score_contacts(result.scorer, crm.contacts, crm.activities, as_of, reasons=True)
    cols = [f"reason_up_{k}" for k in (1, 2, 3)] + [f"reason_down_{k}" for k in (1, 2, 3)]
    assert set(cols) | {"reasons_json"} <= set(out.columns)
    scored = out["status"] == "scored"
    assert (out.loc[scored, "reason_up_1"] != "").mean() > 0.9
    assert (out.loc[~scored, "reason_up_1"] == "").all()
    assert out.loc[scored, "reasons_json"].str.startswith("{").all()


@pytest.mark.parametrize(
    ("factor", "value", "expected"),
    [
        ("days_since_last_demo_request", 3.2, "last demo request 3 days ago"),
        ("days_since_last_demo_request", np.nan, "never any demo request"),
        ("n_demo_request_30d", 2.0, "demo request ×2 in the last 30 days"),
        ("n_web_visit_total", 0.0, "no web visit so far"),
        ("employees__band", "1–10", "company of 1–10 employees"),
        ("job_title__seniority", "vp", "job title seniority: VP"),
        ("job_title__decision_maker", 1.0, "decision-maker job title"),
        ("days_since_created", 12.0, "in the CRM for 12 days"),
        ("industry", "Software", "industry = Software"),
        ("industry", "(missing)", "industry not filled in"),
    ],
)
def test_phrases_are_generated_from_the_column_shape(factor, value, expected):
    assert reasons.phrase(factor, value, {"company_size": "employees"}) == expected
