"""Per-lead reasons (leadscore.model.reasons): exact, faithful and readable."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import two_pass
from helpers import rows_of, score_contacts, train
from leadscore.features.snapshots import export_end
from leadscore.model import phrases, reasons
from leadscore.model.blend import BaseRate, LogitBlend
from leadscore.model.calibration import calibrate
from leadscore.model.estimators import assemble, build_logistic, head
from trust_helpers import fast_hgb, small_crm


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    fast_hgb(mp)
    try:
        crm, cfg = small_crm(tmp_path_factory.mktemp("crm"), months=12, per_month=220)
        cfg.training.model = "hgb"  # these tests are about the boosted model's contributions
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
    ref = reasons.logistic_reference(pipe)  # recorded by the fit: the fit rows' design means
    design = pipe[:-1].transform(rows)
    np.testing.assert_allclose(ref, design.mean(axis=0, dtype=np.float64), rtol=0, atol=1e-12)
    c = reasons.logistic_contributions(pipe, pipe.named_steps["features"].transform(rows), ref)
    assert list(c.values.columns) == list(features.feature_names_out_)
    raw = pipe.decision_function(rows)
    np.testing.assert_allclose(c.reference + c.values.sum(axis=1).to_numpy(), raw, atol=1e-9)
    # and a list of one lead gets the log-odds the model gives it (its design is one row)
    one = rows.iloc[[3]]
    decision, _ = reasons.logistic_parts(pipe, pipe.named_steps["features"].transform(one), ref)
    assert decision.tolist() == pipe.decision_function(one).tolist()


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
    # Saabas contributions follow each tree's path, they are not an intervention: a row whose top
    # factor is industry X may rise when X is replaced by the most common industry if that one
    # converts better still. Measured on this fixture: 0.93 of rows before the refit on every
    # labelled row, 0.88 after (industry is most of the rest); a factor picked at random per row
    # gives 0.16
    assert (drop > 0).mean() >= 0.85
    probs = result.scorer.estimator.calibrated_classifiers_[0].calibrators[0]
    assert (probs.predict(after[changed]) <= probs.predict(before[changed])).mean() >= 0.85


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
        ("days_since_last_demo_request", np.nan, "no demo request yet"),
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
    assert phrases.phrase(factor, value, {"company_size": "employees"}) == expected


def _reference() -> dict:
    """How 1,000 leads spread: 90 % never viewed pricing; 97 % never had a demo."""
    pricing = np.r_[np.zeros(900), np.arange(100) % 5 + 1.0]
    demo = np.r_[np.full(970, np.nan), np.arange(30) * 3.0]
    visits = np.arange(1000) % 20.0
    frame = pd.DataFrame({"n_pricing_page_view_30d": pricing, "days_since_last_demo_request": demo,
                          "n_web_visit_total": visits})  # fmt: skip
    return phrases.factor_reference(frame)


@pytest.mark.parametrize(
    ("factor", "value", "expected"),
    [
        ("n_pricing_page_view_30d", 3.0,
         "pricing page view ×3 in the last 30 days — more than most leads"),
        ("n_pricing_page_view_30d", 0.0, "no pricing page view in the last 30 days — typical"),
        ("days_since_last_demo_request", np.nan, "no demo request yet — typical"),
        ("days_since_last_demo_request", 4.0, "last demo request 4 days ago — most leads have none"),
        ("n_web_visit_total", 9.0, "web visit ×9 so far — typical"),
        ("n_web_visit_total", 19.0, "web visit ×19 so far — more than most leads"),
        ("n_web_visit_total", 0.0, "no web visit so far — most leads have some"),
    ],
)  # fmt: skip
def test_phrases_compare_the_lead_with_the_average_lead(factor, value, expected):
    assert phrases.phrase(factor, value, {}, _reference().get(factor)) == expected


def _one_row_reasons(blank_says: str, effect: float) -> str:
    """The reasons of one lead whose only strong factor is a blank budget worth ``effect``."""
    features = pd.DataFrame({"budget": [np.nan], "n_demo_request_total": [0.0]})
    contrib = reasons.Contributions(
        pd.DataFrame({"budget": [effect], "n_demo_request_total": [0.5 * effect]}), -3.0
    )
    context = reasons.ReasonContext(
        blanks={"budget": blank_says}, activity=frozenset({"n_demo_request_total"})
    )
    out = reasons.reasons_frame(contrib, features, context=context)
    return " | ".join(out.iloc[0, :6])


def test_a_blank_is_a_reason_only_where_blanks_predict_and_in_their_direction():
    # a blank that does not predict the outcome is never named, whichever way the trees moved
    assert "budget" not in _one_row_reasons("not predictive", 0.8)
    assert "budget" not in _one_row_reasons("not predictive", -0.8)
    # a blank that predicts is named with the evidence, only in its own direction
    raised = _one_row_reasons("blank converts more", 0.8)
    assert "budget not filled in — leads without it convert more often" in raised
    assert "budget" not in _one_row_reasons("blank converts less", 0.8)
    lowered = _one_row_reasons("blank converts less", -0.8)
    assert "budget not filled in — leads without it convert less often" in lowered


def test_no_activity_is_never_a_reason_that_raised_a_score():
    # the trees credited "no demo request" with a raise: it is not said as one
    assert "demo" not in _one_row_reasons("not predictive", 0.8)
    # and where it lowered the score it is said against the average lead
    assert "no demo request so far" in _one_row_reasons("not predictive", -0.8)


def _scorer_with(scorer, head, rows, y, method):
    """``scorer`` with another model head after its fitted features, calibrated on ``rows``."""
    pipe = assemble(scorer.features, head)
    info = dict(scorer.info)
    if isinstance(head, Pipeline) and isinstance(head[-1], LogisticRegression):
        info["reasons_reference"] = reasons.logistic_reference(pipe)
    elif isinstance(head, LogitBlend):
        info["reasons_reference"] = reasons.logistic_reference(head.estimators_[1][1])
    return dataclasses.replace(scorer, estimator=calibrate(pipe, rows, y, method), info=info)


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
@pytest.mark.parametrize("kind", ["hgb", "logistic", "blend", "base rate"])
def test_one_pass_gives_the_two_pass_probability_score_tier_and_reasons(trained, kind, method):
    # given the trained scorer with each model head the shipped model may have
    result, _, rows = trained
    scorer = result.scorer
    features = scorer.features.transform(rows)
    y = (rows["n_all_total"] > 5).to_numpy()
    boosted = head(scorer.pipeline)
    logistic = head(build_logistic(scorer.features)).fit(features, y)
    heads = {
        "hgb": boosted,
        "logistic": logistic,
        "blend": LogitBlend.of_fitted([("hgb", boosted), ("logistic", logistic)], (0.7, 0.3)),
        "base rate": BaseRate().fit(features, y),
    }
    scorer = _scorer_with(scorer, heads[kind], rows, y, method)
    # when predict's one pass scores the rows (the contributions' walk gives the log-odds)
    got = scorer.predict_explained(rows)
    # then it gives what predict_proba and a separate explaining pass gave, cell for cell
    want = two_pass.predict_then_explain(scorer, rows)
    assert (
        list(got.columns)
        == list(want.columns)
        == ["probability", "score", "tier", *reasons.reason_columns()]
    )
    np.testing.assert_allclose(got["probability"], want["probability"], rtol=0, atol=1e-12)
    for col in got.columns[1:]:
        assert got[col].tolist() == want[col].tolist(), col
    assert (got["reason_up_1"] != "").any() or kind == "base rate"


def test_many_values_are_phrased_as_each_one_alone(trained):
    # given every factor's values in the fixture's rows, and values on and around each of its
    # reference quantiles (where a comparison changes its words)
    result, _, rows = trained
    features = result.scorer.features.transform(rows)
    refs = result.scorer.info["factor_reference"]
    roles = reasons._roles(result.scorer)
    for factor in features.columns:
        values = features[factor].drop_duplicates().to_numpy()
        ref = refs.get(factor)
        if ref is not None:
            q = np.asarray(ref["quantiles"], dtype=float)
            extra = np.concatenate([q, np.nextafter(q, np.inf), np.nextafter(q, -np.inf)])
            values = np.concatenate([values, extra, [np.nan, 0.0, -1.0]])
        # when they are phrased together, then each reads as phrased alone
        want = [phrases.phrase(factor, v, roles, ref) for v in values]
        assert phrases.phrase_many(factor, values, roles, ref) == want, factor


def test_the_reasons_take_factors_in_the_order_a_stable_sort_gives():
    """``taken_first`` (argmin passes) names the same factors, in the same order, as the
    head of a stable argsort, ties included, and says which of them were eligible; once only
    ineligible factors remain it gives ineligible ones, never a factor twice."""
    from leadscore.model.ranking import taken_first

    rng = np.random.default_rng(0)
    for _ in range(200):
        n, m = rng.integers(1, 40), rng.integers(1, 12)
        values = np.round(rng.standard_normal((n, m)), 1)  # rounded: many ties
        eligible = rng.random((n, m)) < rng.random()
        for keys in (-np.where(eligible, values, -np.inf), np.where(eligible, values, np.inf)):
            for top in (1, 3, 20):
                got, below = taken_first(keys.copy(), top)
                want = np.argsort(keys, axis=1, kind="stable")[:, :top]
                finite = np.isfinite(np.take_along_axis(keys, want, axis=1))
                assert (got[finite] == want[finite]).all()
                assert (np.isinf(np.take_along_axis(keys, got, axis=1)) == ~finite).all()
                assert (below == finite).all()
                assert all(len(set(row)) == len(row) for row in got.tolist())


def test_the_json_takes_the_largest_contributions_in_the_order_a_stable_sort_gives():
    """``largest_first`` (a sort of 64-bit keys that trade the last bits of each size for its
    column) names the head of a stable argsort of the sizes: ties by column, and values that
    differ only in those last bits, inside the head or across its end, in their true order."""
    from leadscore.model.ranking import largest_first

    rng = np.random.default_rng(0)
    eps = np.finfo(float).eps
    for case in range(600):
        n, m = rng.integers(1, 30), rng.integers(1, 100)
        values = rng.standard_normal((n, m))
        if case % 3 == 1:  # ties
            values = np.round(values, 1)
        if case % 3 == 2:  # runs of sizes a few units of the last place apart
            near = rng.standard_normal((n, 1)) * (1 + rng.integers(-20, 20, (n, m)) * eps)
            values = np.where(rng.random((n, m)) < 0.5, near * rng.choice([1, -1], (n, m)), values)
        values[rng.random((n, m)) < 0.3] = 0.0
        for top in (1, 3, 10, m):
            want = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :top]
            assert (largest_first(values, top) == want).all()


def test_the_logistic_design_is_centred_block_by_block_as_in_one_transpose():
    rng = np.random.default_rng(7)
    for rows in (0, 1, reasons.TRANSPOSE_ROWS, 3 * reasons.TRANSPOSE_ROWS + 17):
        X = rng.standard_normal((rows, 9)) * 1e3
        X[rng.random(X.shape) < 0.1] = -0.0
        mean = rng.standard_normal(9)
        want = np.subtract(X.T, mean[:, None], order="C")
        got = reasons.centred_columns(X, mean)
        assert got.flags.c_contiguous and got.shape == want.shape
        assert np.array_equal(got.view(np.int64), want.view(np.int64))
