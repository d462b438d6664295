"""Training's cost controls: the per-step breakdown of ``train --verbose``, the tuning budget
on large exports, and text rules run once per distinct value (same result row by row)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline
from typer.testing import CliRunner

import leadscore
from leadscore.cli import app
from leadscore.config import load_config
from leadscore.features import titles
from leadscore.features.contact import per_distinct, to_number
from leadscore.model import selection
from leadscore.model.steps import Steps

STEPS = ("load", "examples", "leakage guard", "features", "candidates",
         "calibration (held-out rows)", "purge gap scores", "refit", "baseline", "report", "save",
         "total")  # fmt: skip


def test_verbose_train_breaks_time_down_by_step_and_states_the_tuning_budget(
    small_crm, tmp_path, monkeypatch
):
    monkeypatch.setattr(selection, "TUNE_ROWS", 1_500)  # this small export is 'large' here
    args = ["train", str(small_crm["contacts"]), "-a", str(small_crm["activities"]),
            "--model-dir", str(tmp_path / "model"), "--no-mlflow", "--verbose"]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    table = result.output[result.output.index("Steps (") :]
    for step in STEPS:
        cells = r"[\s│|]+\d+\.\d\d[\s│|]+\d+\.\d\d[\s│|]+[\d,]+"  # wall, CPU, peak MB
        assert re.search(re.escape(step) + cells, table), step
    tuned = re.search(r"fitted on ([\d,]+) rows of the ([\d,]+) fit rows \(the tuning budget "
                      r"above 1,500 rows", result.output)  # fmt: skip
    assert tuned, result.output
    part, whole = (int(g.replace(",", "")) for g in tuned.groups())
    assert 0 < part < whole
    assert "measured fit" not in table and "cross-fit" not in table  # not paid above the budget
    # below the budget the calibration is cross-fitted: no step says held-out rows
    monkeypatch.setattr(selection, "TUNE_ROWS", 10**9)
    below = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert below.exit_code == 0, below.output
    table = below.output[below.output.index("Steps (") :]
    assert "calibration (cross-fit)" in table and "purge gap scores" in table
    assert "held-out rows" not in table


def _measured(monkeypatch, budget):
    from leadscore.config import load_config
    from leadscore.data.crm import load_crm
    from leadscore.features.activity import learn_activity_spec
    from leadscore.model.examples import training_rows
    from leadscore.model.measure import measure
    from leadscore.model.spec import TrainSpec

    monkeypatch.setattr(selection, "TUNE_ROWS", budget)
    contacts, activities = leadscore.generate_sample(months=12, contacts_per_month=250, seed=3)
    cfg = load_config(None)
    crm = load_crm(contacts, activities, cfg, require_outcome=True)
    spec = TrainSpec.from_config(cfg)
    act = learn_activity_spec(crm.activities, spec.features.windows_days)
    tr = training_rows(crm.contacts, crm.activities, spec, act)
    ids = tr.examples["contact_id"].to_numpy()
    return tr, ids, measure(tr.rows, tr.y, ids, tr.split, spec)


def test_above_the_budget_the_calibrator_learns_only_from_rows_the_model_never_saw(monkeypatch):
    tr, ids, held = _measured(monkeypatch, 1_500)
    assert len(held.fitted) and len(held.learned)
    assert not set(ids[held.fitted]) & set(ids[held.learned])  # no contact on both sides
    assert not set(held.learned) & set(tr.split.test)
    before = len(tr.split.fit) + len(tr.split.calibration)
    assert len(held.fitted) + len(held.learned) == before  # every learned row on one side
    F = held.features.transform(tr.rows.iloc[held.learned])
    np.testing.assert_allclose(held.scores, held.head.decision_function(F), atol=1e-9)
    assert "held-out scores" in held.method[1]
    # the same split below the budget (every fit row, cross-fitted): the test rows are ranked
    # about as well and the calibrated probabilities are as honest
    _, _, crossed = _measured(monkeypatch, 10**9)
    y_test = tr.y[tr.split.test]
    auc = [roc_auc_score(y_test, m.probs["chosen"]) for m in (held, crossed)]
    assert abs(auc[0] - auc[1]) < 0.02, auc
    mean = [m.probs["chosen"].mean() for m in (held, crossed)]
    assert abs(mean[0] - y_test.mean()) < max(0.02, 2 * abs(mean[1] - y_test.mean())), mean


def test_the_refit_hands_back_the_test_rows_as_its_own_features_make_them(monkeypatch):
    from leadscore.model.refit import refit
    from leadscore.model.spec import TrainSpec

    tr, _, held = _measured(monkeypatch, 10**9)
    test_rows = tr.rows.iloc[tr.split.test]
    shipped = refit(tr.rows, tr.y, tr.split, held, TrainSpec.from_config(load_config(None)))
    # the reference the scores rank in: the test rows, not the raw rows' other parts
    pd.testing.assert_frame_equal(shipped.reference, shipped.features.transform(test_rows))


def test_tuning_rows_keep_whole_contacts_near_the_budget(monkeypatch):
    monkeypatch.setattr(selection, "TUNE_ROWS", 1_000)
    groups = np.repeat(np.array([f"c{i}" for i in range(2_000)], dtype=object), 3)  # 6,000 rows
    rows = selection.tuning_rows(groups, seed=7)
    assert rows is not None and 700 < len(rows) < 1_300
    kept = set(groups[rows])
    assert len(rows) == 3 * len(kept)  # every snapshot of a drawn contact, none of the others
    assert np.array_equal(rows, selection.tuning_rows(groups, seed=7))  # seeded
    assert selection.tuning_rows(groups[:900], seed=7) is None  # below the budget: all rows


def test_text_rules_once_per_distinct_value_give_the_row_by_row_result():
    values = pd.Series(
        ["Head of Sales", "CEO", None, "", "Head of Sales", "  Marketing Intern ", np.nan] * 50,
        index=np.arange(350) * 3,
    )
    seen: list[int] = []

    def counted(v: pd.Series) -> pd.Series:
        seen.append(len(v))
        return titles.seniority(v)

    assert counted(values).equals(per_distinct(values, counted))
    assert seen[-1] <= 5  # the distinct values (blank and missing among them), not 350 rows
    assert titles.function(values).equals(per_distinct(values, titles.function))
    money = pd.Series(["$1,200", "42", "n/a", None, "$1,200"] * 20)
    expected = pd.to_numeric(money.str.replace(r"[$,]", "", regex=True), errors="coerce")
    assert np.allclose(to_number(money), expected, equal_nan=True)


def test_steps_add_up_a_step_entered_twice():
    steps = Steps()
    for _ in range(2):
        with steps.step("fit"):
            sum(range(10_000))
    with steps.step("save"):
        pass
    rows = {r["step"]: r for r in steps.rows()}
    assert list(rows) == ["fit", "save", "total"]
    assert steps.wall["fit"] > 0 and rows["fit"]["cpu_s"] == round(steps.cpu["fit"], 2)
    assert rows["total"]["wall_s"] == round(steps.wall["fit"] + steps.wall["save"], 2)
    assert rows["total"]["peak_mb"] > 0


def test_the_linear_models_cheaper_steps_give_the_same_numbers_bit_for_bit():
    from sklearn.impute import SimpleImputer

    from leadscore.model.estimators import MedianImputer, signed_log, signed_log_in_place

    rng = np.random.default_rng(0)
    X = rng.standard_normal((1_001, 6)) * 1_000
    X[rng.random(X.shape) < 0.3] = np.nan
    X[:, 0], X[:, 1] = np.nan, np.round(X[:, 1])  # all missing; ties
    X[:, 2] = np.where(np.isnan(X[:, 2]), 0.5, X[:, 2])  # never missing when fitted
    new = X.copy()
    new[:5, 2] = np.nan  # ... but missing in new rows: imputed, and no indicator column
    read_only = np.asfortranarray(new)
    read_only.flags.writeable = False
    settings = {"strategy": "median", "add_indicator": True, "keep_empty_features": True}
    for rows in (X, X[:1_000]):  # odd and even counts of present values
        ours, theirs = MedianImputer(**settings).fit(rows), SimpleImputer(**settings).fit(rows)
        assert np.array_equal(ours.statistics_.view(np.int64), theirs.statistics_.view(np.int64))
        for given in (rows, new, read_only, new.astype(np.float32)):
            got, want = ours.transform(given), theirs.transform(given)
            assert got.dtype == want.dtype and got.flags.c_contiguous == want.flags.c_contiguous
            assert np.array_equal(got, want, equal_nan=True)
        assert not np.shares_memory(ours.transform(X), X)  # a new array: the input is kept
    x = np.concatenate([[-0.0, 0.0, np.inf, -np.inf], rng.standard_normal(1_000) * 1e4])
    expected = np.sign(x) * np.log1p(np.abs(x))
    assert np.array_equal(signed_log(x).view(np.int64), expected.view(np.int64))
    y = x.copy()
    assert signed_log_in_place(y) is y  # written over the imputer's own array
    assert np.array_equal(y.view(np.int64), expected.view(np.int64))


def test_the_scaler_gives_the_same_figures_without_a_float64_copy_of_the_design():
    import tracemalloc

    from sklearn.preprocessing import StandardScaler

    from leadscore.model.estimators import ColumnScaler, to_float32

    rng = np.random.default_rng(1)
    for dtype, order, nan in [
        (np.float32, "C", False),
        (np.float32, "F", True),
        (np.float64, "C", True),
        (np.float32, "view", True),  # columns of a wider array
    ]:
        X = rng.standard_normal((5_001, 21)) * rng.uniform(0.1, 1e4, 21) + rng.uniform(
            -1e3, 1e3, 21
        )
        X[:, 3] = 7.0  # a constant column: scale 1
        if nan:
            X[rng.random(X.shape) < 0.1] = np.nan  # counts per column
        if order == "view":
            design = np.zeros((len(X), 30), dtype=dtype)
            design[:, 5:26] = X
            X = design[:, 5:26]
        X = np.asarray(X, dtype=dtype, order="K" if order == "view" else order)
        # scikit-learn's figures for the columns laid out one after the other, whatever the
        # layout given (the linear model's numbers are the design's columns, rows first)
        ours, theirs = ColumnScaler().fit(X), StandardScaler().fit(np.asfortranarray(X))
        for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
            got, want = np.asarray(getattr(ours, name)), np.asarray(getattr(theirs, name))
            assert got.dtype == want.dtype and got.shape == want.shape
            assert np.array_equal(got, want, equal_nan=True), name
        assert np.array_equal(ours.transform(X), theirs.transform(X), equal_nan=True)
    wide = rng.standard_normal((200_000, 40)).astype(np.float32)  # 32 MB
    peaks = []
    for scaler in (ColumnScaler(), StandardScaler()):
        tracemalloc.start()
        scaler.fit(wide)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[0] < wide.nbytes < 2 * wide.nbytes < peaks[1]  # scikit-learn's: float64 X - mean
    # the numbers reach the imputer as a new writeable array, which it need not copy to write
    values = wide[:1_000, :3].astype(float)
    values[5, 0] = np.nan
    frame = pd.DataFrame({c: values[:, j] for j, c in enumerate("abc")})  # one pandas block
    for given in (frame, frame.astype({"a": "Float64"})):  # read-only values from pandas, or not
        numbers = to_float32(given)
        assert numbers.flags.writeable and numbers.flags.f_contiguous
        want = given.to_numpy(np.float32, na_value=np.nan)
        assert np.array_equal(numbers, want, equal_nan=True)


def test_the_linear_design_is_stacked_without_densifying_the_one_hot_part_alone():
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from leadscore.model.estimators import DenseDesign

    rng = np.random.default_rng(4)
    X = pd.DataFrame({"stage": rng.choice(["a", "b", "c"], 500),
                      "region": rng.choice(["n", "s"], 500), "amount": rng.normal(size=500)})  # fmt: skip

    def parts(sparse_output):
        one_hot = OneHotEncoder(handle_unknown="ignore", sparse_output=sparse_output)
        return [("cat", one_hot, ["stage", "region"]), ("num", StandardScaler(), ["amount"])]

    ours = DenseDesign(parts(True), sparse_threshold=0.0).fit(X)
    theirs = ColumnTransformer(parts(False)).fit(X)
    new = X.copy()
    new.loc[:9, "stage"] = "unseen"  # categories the encoder never saw: all-zero columns
    for rows in (X, new):
        got, want = ours.transform(rows), theirs.transform(rows)
        assert isinstance(got, np.ndarray) and got.flags.c_contiguous
        assert np.array_equal(got, want) and got.dtype == want.dtype
    assert np.array_equal(ours.fit_transform(X), theirs.fit_transform(X))


def test_the_logistic_design_is_the_same_values_in_float32_and_scores_the_same_in_any_batch():
    """The logistic model fits on a float32 design (half the memory); its values are the
    float64 design's rounded once, its reference means are float64 sums, and its log-odds are
    float64 and the same whichever batch a row is scored in (engines batch differently)."""
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    from leadscore.model.estimators import CompactDesign, DenseDesign, MeanLogistic

    rng = np.random.default_rng(6)
    n = 3_001
    X = pd.DataFrame({"stage": rng.choice(["a", "b", "c"], n), "amount": rng.normal(size=n) * 1e3,
                      "visits": rng.poisson(3, n).astype(float)})  # fmt: skip
    y = (X["amount"] / 1e3 + (X["stage"] == "b") + rng.normal(size=n) > 0.5).to_numpy(dtype=int)

    def parts():
        one_hot = OneHotEncoder(handle_unknown="ignore", sparse_output=True)
        return [("cat", one_hot, ["stage"]), ("num", StandardScaler(), ["amount", "visits"])]

    wide = DenseDesign(parts(), sparse_threshold=0.0).fit_transform(X)
    compact = CompactDesign(parts(), sparse_threshold=0.0).fit_transform(X)
    assert wide.dtype == np.float64 and compact.dtype == np.float32  # saved models unchanged
    assert np.array_equal(compact, wide.astype(np.float32))
    model = MeanLogistic(C=2.0).fit(compact, y)
    np.testing.assert_array_equal(model.design_mean_, compact.mean(axis=0, dtype=np.float64))
    whole = model.decision_function(compact)
    assert whole.dtype == np.float64
    for cut in (1, 1_000, 2_999):  # each part's last rows: where float32 products differ
        parts_scored = np.concatenate(
            [model.decision_function(compact[:cut]), model.decision_function(compact[cut:])]
        )
        np.testing.assert_allclose(parts_scored, whole, rtol=0, atol=1e-12)
    want = compact.astype(np.float64) @ model.coef_[0].astype(np.float64) + model.intercept_[0]
    np.testing.assert_allclose(whole, want, rtol=0, atol=1e-12)


def test_each_tuned_setting_is_the_model_its_own_pipeline_would_fit():
    """The grid shares one encoding of the rows: every setting's validation scores, and the
    iteration count early stopping found, are those of its own pipeline fitted alone."""
    from sklearn.base import clone

    from leadscore.features.contact import ContactFeatures
    from leadscore.model import estimators

    rng = np.random.default_rng(5)
    n = 3_000
    rows = pd.DataFrame({
        "industry": rng.choice(["retail", "banking", "energy", None], n),
        "employees": np.where(rng.random(n) < 0.2, np.nan, rng.lognormal(4, 1, n)),
        "visits": rng.poisson(2, n).astype(float),
    })  # fmt: skip
    y = (rows["visits"] + (rows["industry"] == "banking") * 2 + rng.normal(0, 1, n)) > 3
    y = y.to_numpy(dtype=int)
    features = ContactFeatures(min_category_count=1).fit(rows, y)
    F = features.transform(rows)
    fit, val = np.arange(n) < 2_000, np.arange(n) >= 2_000
    data = (F[fit], y[fit], F[val], y[val])
    grids = {"logistic": estimators.LOGISTIC_GRID, "hgb": estimators.HGB_GRID}
    for kind, grid in grids.items():
        tuned = selection._tune(kind, grid, features, 0, data, "sigmoid")
        settings = {k: v for k, v in (getattr(tuned.recipe, kind) or {}).items()}
        alone = estimators.head(estimators.BUILDERS[kind](features, seed=0))
        alone[-1].set_params(**{k: v for k, v in settings.items() if k != "max_iter"})
        if kind == "hgb":  # early stopping as a pipeline of its own would run it
            alone[-1].set_params(early_stopping=True, scoring="loss", validation_fraction=None,
                                 n_iter_no_change=estimators.EARLY_STOPPING_ROUNDS)  # fmt: skip
            encode = clone(alone[:-1]).fit(F[fit])
            alone[-1].fit(encode.transform(F[fit]), y[fit], X_val=encode.transform(F[val]),
                          y_val=y[val])  # fmt: skip
            alone.steps[:-1] = encode.steps
            assert settings["max_iter"] == selection.best_iterations(alone)
        else:
            alone.fit(F[fit], y[fit])
        want = alone.decision_function(F[val])
        assert np.array_equal(tuned.val_scores.view(np.int64), want.view(np.int64)), kind
        assert np.array_equal(tuned.head.decision_function(F[val]), want), kind


def test_boosting_predicts_through_its_bins_the_same_log_odds_bit_for_bit():
    from sklearn.ensemble import HistGradientBoostingClassifier

    from leadscore.model.estimators import BinnedBoosting

    rng = np.random.default_rng(1)
    n = 4_000
    X = pd.DataFrame({
        "amount": np.round(rng.lognormal(3, 1, n), 1),  # ties: values equal to bin edges
        "visits": rng.poisson(2, n).astype(float),
        "stage": pd.Series(rng.choice(["a", "b", "c", "d"], n), dtype="category"),
    })  # fmt: skip
    X.loc[rng.random(n) < 0.2, "amount"] = np.nan
    y = (X["visits"] + (X["stage"] == "b") * 2 + rng.normal(0, 1, n) > 3).astype(int)
    settings = {"max_iter": 60, "max_leaf_nodes": 15, "categorical_features": ["stage"],
                "random_state": 0}  # fmt: skip
    ours = BinnedBoosting(**settings).fit(X, y)
    theirs = HistGradientBoostingClassifier(**settings).fit(X, y)
    new = X.sample(2_000, replace=True, random_state=2).reset_index(drop=True)
    new.loc[:9, "stage"] = np.nan  # missing
    new["stage"] = new["stage"].cat.add_categories(["unseen"])
    new.loc[10:19, "stage"] = "unseen"  # a category the model never saw
    new.loc[20:29, "amount"] = [
        np.inf,
        -np.inf,
        0.0,
        -1.0,
        1e12,
        *ours._bin_mapper.bin_thresholds_[1][:5],
    ]
    got, want = ours.decision_function(new), theirs.decision_function(new)
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
    assert np.array_equal(ours.predict_proba(new), theirs.predict_proba(new))


def test_training_lets_go_of_the_export_once_its_rows_are_built(monkeypatch):
    import gc
    import weakref

    from leadscore.config import load_config
    from leadscore.data.crm import load_crm
    from leadscore.jobs.training import fit
    from leadscore.model import refit as refit_module
    from leadscore.model import train as train_module

    contacts, activities = leadscore.generate_sample(months=12, contacts_per_month=120, seed=5)
    cfg = load_config(None)
    crm = load_crm(contacts, activities, cfg, require_outcome=True)

    def data_of(values):  # the array a column's values are a view of, at the bottom
        array = np.asarray(values)
        while array.base is not None and isinstance(array.base, np.ndarray):
            array = array.base
        return array

    refs = [weakref.ref(crm.contacts), weakref.ref(crm.activities),
            weakref.ref(data_of(crm.contacts["created_at"])),  # the frames' data, not
            weakref.ref(data_of(crm.activities["occurred_at"]))]  # only the objects  # fmt: skip
    alive: list[bool] = []
    measure, fit_head = train_module.measure, refit_module.fit_head
    rows_refs: list[weakref.ref] = []

    def spy(rows, *args, **kwargs):  # the model fits start here: the export is no longer needed
        gc.collect()
        alive.append(any(r() is not None for r in refs))
        rows_refs.append(weakref.ref(data_of(rows["n_all_total"])))
        return measure(rows, *args, **kwargs)

    def refit_spy(*args, **kwargs):  # the shipped model's fit: the rows are no longer needed
        gc.collect()
        alive.append(rows_refs[0]() is not None)
        return fit_head(*args, **kwargs)

    monkeypatch.setattr(train_module, "measure", spy)
    monkeypatch.setattr(refit_module, "fit_head", refit_spy)
    result = fit(crm, cfg, release=True)
    assert alive == [False, False]  # freed before the fits (10 M activities: 0.8 GB), and the
    # rows before the refit's (1 M rows: 0.7 GB)
    assert crm.activities is None and len(crm.contacts) == 0 and result.metrics["roc_auc"] > 0.6
    kept = load_crm(contacts, activities, cfg, require_outcome=True)
    fit(kept, cfg)  # without release the caller's export stays whole
    assert len(kept.contacts) == len(contacts) and kept.activities is not None


def test_scoring_many_rows_in_blocks_gives_the_same_log_odds_bit_for_bit(trained, monkeypatch):
    from helpers import rows_of
    from leadscore.model import estimators, measure

    result, crm, _ = trained
    scorer = result.scorer
    F = scorer.features.transform(rows_of(scorer, crm.contacts, crm.activities, "2026-07-01"))
    head = Pipeline(scorer.pipeline.steps[1:])  # the demo's blend: trees and a logistic part
    monkeypatch.setattr(estimators, "DECISION_ROWS", 500)  # the logistic model's float64 blocks
    monkeypatch.setattr(measure, "SCORE_ROWS", 1_000)  # a multiple of them, as shipped
    picked = np.flatnonzero(np.arange(len(F)) % 3 != 1)[:3_500]  # 4 blocks, the last short
    want = head.decision_function(F.iloc[picked])
    got = measure.scores_of(head, F, picked)
    assert got.shape == want.shape and np.array_equal(got.view(np.int64), want.view(np.int64))
    assert np.array_equal(measure.scores_of(head, F), head.decision_function(F))


def test_the_linear_design_imputes_its_numbers_straight_into_its_columns(monkeypatch):
    """The logistic model's numbers are imputed, logged and scaled in the design's own columns
    (no block of them beside the design: a million rows, 0.33 GB): the same design as
    scikit-learn's stacking of the parts."""
    from sklearn.base import clone
    from sklearn.compose import ColumnTransformer

    from leadscore.features.contact import ContactFeatures
    from leadscore.model import design, estimators

    rng = np.random.default_rng(8)
    n = 20_000
    rows = pd.DataFrame({
        "industry": rng.choice(["retail", "banking", "energy", None], n),
        "employees": np.where(rng.random(n) < 0.2, np.nan, rng.lognormal(4, 1, n)),
        "visits": np.where(rng.random(n) < 0.1, np.nan, rng.poisson(2, n)),
        "budget": np.where(rng.random(n) < 0.5, np.nan, rng.lognormal(9, 1, n)),
    })  # fmt: skip
    y = (rows["visits"] + (rows["industry"] == "banking") * 2 + rng.normal(0, 1, n)) > 3
    features = ContactFeatures().fit(rows, y)
    F = features.transform(rows)
    encode = estimators.head(estimators.build_logistic(features)).named_steps["encode"]
    plain = ColumnTransformer([(n, clone(t), c) for n, t, c in encode.transformers],
                              sparse_threshold=0.0)  # fmt: skip
    new = F.iloc[:5_000].copy()
    new.iloc[:50, :] = np.nan  # blank values, and categories the encoder never saw
    blocks: list[np.ndarray] = []  # what the imputer wrote its values and flags into
    impute = design.MedianImputer.transform
    monkeypatch.setattr(design.MedianImputer, "transform", lambda self, X: blocks.append(
        impute(self, X)) or blocks[-1])  # fmt: skip
    for fitted in (None, clone(encode).fit(F)):
        got = clone(encode).fit_transform(F) if fitted is None else fitted.transform(new)
        assert np.shares_memory(blocks[-1], got)  # the imputer's block is the design's columns
        want = plain.fit_transform(F) if fitted is None else plain.transform(new)
        assert got.dtype == np.float32 and got.flags.c_contiguous
        assert np.array_equal(got, want.astype(np.float32))
