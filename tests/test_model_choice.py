"""The better model is the one shipped, refit on the newest rows, with tiers the test never
set and a warning when the world moved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import leadscore
from leadscore.config import load_config
from leadscore.features.activity import learn_activity_spec
from leadscore.features.snapshots import export_end
from leadscore.model import reasons
from leadscore.model.backtest import backtest
from leadscore.model.examples import training_rows
from leadscore.model.selection import Candidate, Recipe, choose
from leadscore.model.spec import TrainSpec
from leadscore.model.tiers import derive_thresholds
from trust_helpers import fast_hgb, small_crm


def _candidates(**figures: tuple[float, float]) -> dict[str, Candidate]:
    return {
        name: Candidate(Recipe(name), None, np.zeros(0), {"roc_auc": auc, "log_loss": loss})
        for name, (auc, loss) in figures.items()
    }


def test_the_rule_keeps_the_simpler_model_unless_the_other_one_wins() -> None:
    rate = (0.5, 0.40)  # the base rate: no ranking, the log loss of knowing only the rate
    # boosting ranks better but its probabilities are 2 % worse: the logistic model stays
    c = _candidates(base_rate=rate, logistic=(0.900, 0.300), hgb=(0.910, 0.306),
                    blend=(0.899, 0.301))  # fmt: skip
    chosen, runner_up, reason = choose(c, "auto", 1000)
    assert (chosen, runner_up) == ("logistic", "blend")
    assert "log loss is worse by more than 1%" in reason
    # boosting wins on both, then the blend wins on log loss at an AUC within 0.002
    c = _candidates(base_rate=rate, logistic=(0.900, 0.300), hgb=(0.910, 0.290),
                    blend=(0.9085, 0.285))  # fmt: skip
    assert choose(c, "auto", 1000)[:2] == ("blend", "hgb")
    # forcing a family ships it, and the reason still says what the rule would have done
    chosen, _, reason = choose(c, "logistic", 1000)
    assert chosen == "logistic" and "the rule would choose blend" in reason
    # on data without signal no model beats knowing the rate, and the rate is shipped
    c = _candidates(base_rate=rate, logistic=(0.49, 0.401), hgb=(0.497, 0.399),
                    blend=(0.495, 0.400))  # fmt: skip
    assert choose(c, "auto", 1000)[0] == "base_rate"
    # nor does a ranking a coin could give: AUC 0.52 on 1,000 rows with 300 converted is within
    # 2 standard deviations (0.040) of chance, though its log loss is 1 % better
    c = _candidates(base_rate=rate, logistic=(0.52, 0.396), hgb=(0.51, 0.399),
                    blend=(0.515, 0.398))  # fmt: skip
    chosen, _, reason = choose(c, "auto", 1000, positives=300)
    assert chosen == "base_rate" and "within chance of 0.5" in reason
    assert choose(c, "auto", 1000)[0] == "logistic"  # (the rule alone would take it)


def test_the_choice_is_measured_stored_and_explained(trained) -> None:
    result, _, _ = trained
    info = result.scorer.info
    choice = result.selection
    # the shipped model is the one chosen, the runner-up is measured on the same test rows
    assert info["model"] == choice["chosen"] != choice["runner_up"] == result.baseline_name
    assert set(choice["candidates"]) == {"base_rate", "logistic", "hgb", "blend"}
    assert info["selection"]["reason"] == choice["reason"]
    assert "promotion rule" in choice["reason"] and "validation rows" in choice["reason"]
    assert result.baseline_metrics["rows"] == result.metrics["rows"]
    # the chosen family won its comparisons on the validation rows, by the figures it names
    figures = choice["candidates"][choice["chosen"]]
    assert f"AUC {figures['roc_auc']:.4f}" in choice["reason"]


def test_tier_thresholds_never_read_the_test_labels(trained) -> None:
    # given the rows training learned from (fit and calibration) and the test rows
    result, crm, _ = trained
    cfg = load_config(None)
    spec = TrainSpec.from_config(cfg)
    act = learn_activity_spec(crm.activities, cfg.features.windows_days)
    tr = training_rows(crm.contacts, crm.activities, spec, act)
    learned = np.concatenate([tr.split.fit, tr.split.calibration])
    assert (tr.split.test == result.split.test).all()
    # then the thresholds follow the learned rows' conversion rate, not the test rows'
    expected = derive_thresholds(tr.y[learned].mean(), 1.0, 4.0)
    assert result.scorer.thresholds == pytest.approx(expected)
    test_rate = tr.y[tr.split.test].mean()
    assert abs(test_rate - tr.y[learned].mean()) > 0.005  # the two differ on the sample CRM
    assert "never the test rows" in result.scorer.info["tier_rule"]


def test_the_shipped_model_is_refit_on_every_labelled_row(trained) -> None:
    result, _, _ = trained
    info = result.scorer.info
    assert info["refit"].startswith(f"refit on all {result.data['examples']:,} labelled rows")
    # it learned outcomes up to the end of the export, after its own test rows began
    last_snapshot = pd.Timestamp(result.data["snapshot_dates"][-1])
    until = pd.Timestamp(result.data["outcomes_until"])
    assert until == last_snapshot + pd.Timedelta(days=info["horizon_days"])
    assert until > pd.Timestamp(result.data["test_start"])


def test_a_moved_world_is_named_with_its_size(tmp_path) -> None:
    # given flat rows in time order whose most recent fifth converts four times as often
    rng = np.random.default_rng(1)
    n = 5000
    x = rng.normal(size=n)
    shift = np.where(np.arange(n) >= 0.8 * n, 1.8, 0.0)
    won = rng.random(n) < 1 / (1 + np.exp(-(x - 2.0 + shift)))
    frame = pd.DataFrame({"id": np.arange(n), "x": x, "kind": rng.choice(["a", "b"], n),
                          "outcome": np.where(won, "won", "lost")})  # fmt: skip
    config = tmp_path / "flat.toml"
    config.write_text(
        '[contacts]\nid = "id"\ncreated_at = ""\nclosed_at = ""\norder_by = "@row"\n'
        '[training]\nexamples = "flat"\nmodel = "logistic"\n'
    )
    moved = leadscore.train(frame, config=config, model_dir=tmp_path / "a", mlflow=False)
    # then train warns that the world moved, with both rates and what it did to probabilities
    warning = next(w for w in moved.warnings if w.startswith("the world moved"))
    assert "read too low" in warning and "converted against" in warning
    # and rows whose rate held still train without it
    steady = frame.assign(
        outcome=np.where(rng.random(n) < 1 / (1 + np.exp(-(x - 2))), "won", "lost")
    )
    calm = leadscore.train(steady, config=config, model_dir=tmp_path / "b", mlflow=False)
    assert not [w for w in calm.warnings if w.startswith("the world moved")]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    fast_hgb(mp)
    try:
        yield small_crm(tmp_path_factory.mktemp("crm"), months=12, per_month=220)
    finally:
        mp.undo()


def test_a_blend_explains_itself_exactly(small) -> None:
    crm, cfg = small
    cfg = cfg.model_copy(deep=True)
    cfg.training.model = "blend"
    from helpers import rows_of, train

    result = train(crm, cfg)
    assert result.scorer.info["model"] == "blend"
    as_of = export_end(crm.contacts, crm.activities) - pd.Timedelta(days=120)
    rows = rows_of(result.scorer, crm.contacts, crm.activities, as_of)
    rows = rows[(crm.contacts["created_at"] < as_of).to_numpy()].head(500)
    c = reasons.contributions(result.scorer, rows)
    raw = result.scorer.pipeline.decision_function(rows)
    np.testing.assert_allclose(c.reference + c.values.sum(axis=1).to_numpy(), raw, atol=1e-9)
    assert (reasons.explain(result.scorer, rows)["reason_up_1"] != "").mean() > 0.9


def test_refitting_on_the_newest_rows_does_not_cost_calibration(small) -> None:
    # given the export rewound to the start of its most recent complete window
    crm, cfg = small
    out = backtest(crm.contacts, crm.activities, TrainSpec.from_config(load_config(None)))
    refit, measured = out["refit"]["metrics"], out["measured"]["metrics"]
    # then the model refit on every labelled row is as calibrated on the outcomes that followed
    assert out["rows"] > 1000 and out["converted"] >= 30
    assert refit["ece"] <= measured["ece"] + 0.005
    assert refit["log_loss"] <= measured["log_loss"] * 1.01
    assert refit["roc_auc"] >= measured["roc_auc"] - 0.005
