"""The cheaper reason columns (issue 16) say what the code before said, cell for cell, on
inputs made to catch the edges: tied and signed-zero contributions, sizes on the ±0.01 line
and on a rounding half, NaN and infinite ones, blanks of every verdict, no activity, repeated
and near values, phrases kept from earlier batches, one row and none."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import reasons_before
from leadscore.model import overlap, phrase_rows, ranking, reasons

ROLES = {"company_size": "employees", "revenue": None, "high_intent": ["demo_request", "meeting"]}
BLANKS = {
    "budget": "blank converts less",
    "employees": "not predictive",
    "employees__band": "blank converts more",
    "job_title__seniority": "blank converts less",
    "industry": "not predictive",
}
ACTIVITY = ["n_demo_request_total", "n_meeting_total", "days_since_last_demo_request",
            "days_since_last_high_intent", "velocity_30d", "n_all_30d"]  # fmt: skip


def _features(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Factor values of each shape phrases know, with blanks, zeros, -0.0 and repeats."""

    def pick(options: list, p_blank: float = 0.2) -> pd.Series:
        out = np.asarray(rng.choice(np.asarray(options, dtype=object), n), dtype=object)
        out[rng.random(n) < p_blank] = None
        return pd.Series(out, dtype=object)  # as ContactFeatures gives categories

    def numbers(options: list) -> np.ndarray:
        return rng.choice(np.asarray(options, dtype=float), n)

    return pd.DataFrame({
        "budget": numbers([np.nan, 0.0, -0.0, 1500.0, 1500.0, 2.5, 99.999, 1e7]),
        "employees": numbers([np.nan, 12.0, 12.0, 250.0, 0.0, -0.0]),
        "employees__band": pick(["1-10", "11-50", "(missing)"]),
        "job_title__seniority": pick(["vp", "c_level", "unknown", "manager"]),
        "industry": pick(["retail", "(other)", "(missing)", "software"], 0.1),
        "n_demo_request_total": numbers([np.nan, 0.0, 0.0, 1.0, 3.0]),
        "n_meeting_total": numbers([0.0, 0.0, 2.0]),
        "days_since_last_demo_request": numbers([np.nan, 0.2, -0.3, 0.5, 1.5, 2.49, 40.0]),
        "days_since_last_high_intent": numbers([np.nan, 0.4, -0.3, 3.0, 3.2, 17.0]),
        "velocity_30d": numbers([0.0, -0.0, 2.0, -3.0, np.nan]),
        "high_intent_score": numbers([0.0, -0.0, -0.0, 1.25, np.nan]),  # said with the types
        "n_all_30d": numbers([0.0, 1.0, 7.0, np.nan]),
    })  # fmt: skip


def _refs(features: pd.DataFrame, shift: float = 0.0) -> dict:
    refs = {}
    for name in features.columns:
        if features[name].dtype == float:
            q = np.linspace(0.0, 20.0, 21) + shift
            refs[name] = {"missing": 0.3, "zero": 0.6, "quantiles": q.tolist()}
    return refs


def _contributions(rng: np.random.Generator, index: pd.Index, columns: list[str], case: str):
    n, m = len(index), len(columns)
    values = np.round(rng.standard_normal((n, m)), 1)  # many exact ties
    values[rng.random((n, m)) < 0.25] = 0.0
    values[rng.random((n, m)) < 0.1] = -0.0
    edges = [0.01, -0.01, 0.0099999, -0.0100001, 0.0005, -0.0005, 0.0015, 1.2345, -2.0005]
    values = np.where(rng.random((n, m)) < 0.2, rng.choice(edges, (n, m)), values)
    if case == "nan" and n:
        values[rng.random((n, m)) < 0.1] = np.nan
    if case == "inf" and n:
        values[rng.random((n, m)) < 0.05] = np.inf
        values[rng.random((n, m)) < 0.05] = -np.inf
    if case == "wide":
        values = values * 1e6
    return reasons.Contributions(pd.DataFrame(values, index=index, columns=columns), 0.0)


@pytest.mark.parametrize("helper", [False, True], ids=["one thread", "json on a helper"])
@pytest.mark.parametrize("case", ["plain", "nan", "inf", "wide"])
@pytest.mark.parametrize("n", [0, 1, 2, 40, 700])
def test_the_reason_cells_are_the_ones_the_code_before_made(case, n, helper, monkeypatch):
    # given batches of factor values and contributions full of edges, said against a context
    # whose reference changes between runs (a phrase kept from one must not leak to the other),
    # on one thread or with reasons_json on the helper thread
    monkeypatch.setattr(overlap, "openmp_threads", lambda: 2 if helper else 1)
    monkeypatch.setattr(reasons, "OVERLAP_ROWS", 1)
    rng = np.random.default_rng(n * 7 + len(case))
    phrase_rows._SAID.clear()
    for batch, shift in enumerate([0.0, 0.0, 5.0]):
        features = _features(rng, n)
        features.index = pd.RangeIndex(batch * n, (batch + 1) * n)
        context = reasons.ReasonContext(
            refs=_refs(features, shift), blanks=BLANKS, activity=frozenset(ACTIVITY)
        )
        contrib = _contributions(rng, features.index, list(features.columns), case)
        # when the reason columns are made, then they are the cells the code before made
        got = reasons.reasons_frame(contrib, features, ROLES, context=context)
        want = reasons_before.reasons_frame(contrib, features, ROLES, context=context)
        pd.testing.assert_frame_equal(got, want)
        assert len(got) == n


def test_a_kept_phrase_is_the_one_a_fresh_batch_makes():
    # given one batch phrased with nothing kept, and the same batch after many others
    rng = np.random.default_rng(3)
    features = _features(rng, 300)
    context = reasons.ReasonContext(refs=_refs(features), blanks=BLANKS, activity=frozenset())
    contrib = _contributions(rng, features.index, list(features.columns), "plain")
    phrase_rows._SAID.clear()
    fresh = reasons.reasons_frame(contrib, features, ROLES, context=context)
    for seed in range(5):
        other = _features(np.random.default_rng(seed), 300)
        reasons.reasons_frame(contrib, other, ROLES, context=context)
    # then the phrases kept from the others change no cell
    pd.testing.assert_frame_equal(reasons.reasons_frame(contrib, features, ROLES, context=context),
                                  fresh)  # fmt: skip
    assert phrase_rows._SAID, "the phrases are kept between batches"


@pytest.mark.parametrize("shape", [(0, 5), (3, 0), (1, 1), (50, 12)])
def test_the_json_numbers_are_those_of_a_sort(shape):
    # given contributions whose rounded values repeat, tie, sign their zeros and span widely
    rng = np.random.default_rng(shape[0])
    values = np.round(rng.standard_normal(shape) * 3, 4)
    values[rng.random(shape) < 0.3] = -0.0
    names = np.asarray([f"f{j}" for j in range(shape[1])], dtype=object)
    for scale in (1.0, 1e5, 1e15):
        got = ranking.reasons_json(values * scale, names, 10).to_pylist()
        want = reasons_before.reasons_json(values * scale, names, 10).to_pylist()
        assert got == want


def test_one_thread_keeps_the_reasons_on_the_calling_thread(monkeypatch):
    # given the thread limit --threads 1 sets, and a batch big enough for the helper thread
    from threadpoolctl import threadpool_limits

    class NoHelper:
        def submit(self, *args):
            raise AssertionError("a helper thread was used with one thread allowed")

    monkeypatch.setattr(overlap, "_HELPER", (os.getpid(), NoHelper()))
    rng = np.random.default_rng(5)
    features = _features(rng, 3 * reasons.OVERLAP_ROWS)
    contrib = _contributions(rng, features.index, list(features.columns), "plain")
    context = reasons.ReasonContext(refs=_refs(features), blanks=BLANKS)
    # when its reasons are made, then they are made on this thread, and are the same cells
    with threadpool_limits(limits={"openmp": 1}):
        got = reasons.reasons_frame(contrib, features, ROLES, context=context)
    want = reasons_before.reasons_frame(contrib, features, ROLES, context=context)
    pd.testing.assert_frame_equal(got, want)


def _reasons_in_child(out) -> None:
    rng = np.random.default_rng(6)
    features = _features(rng, 50)
    contrib = _contributions(rng, features.index, list(features.columns), "plain")
    out.put(reasons.reasons_frame(contrib, features, ROLES)["reasons_json"].tolist())


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_process_gets_its_own_helper_thread(monkeypatch):
    # given a helper thread started in this process (forked children have not its thread)
    import multiprocessing

    monkeypatch.setattr(overlap, "openmp_threads", lambda: 2)
    monkeypatch.setattr(reasons, "OVERLAP_ROWS", 1)
    _reasons_in_child(multiprocessing.Queue())
    # when a forked child makes reasons, then it finishes, with the cells of this process
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_reasons_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0, "the forked child hung or failed"
    mine = multiprocessing.Queue()
    _reasons_in_child(mine)
    assert queue.get(timeout=5) == mine.get(timeout=5)


@pytest.mark.parametrize("binned", [False, True], ids=["float walk", "binned walk"])
def test_the_trees_walked_on_two_threads_give_the_same_sums(binned, monkeypatch):
    # given a boosted model with categories, blanks and many trees, and rows enough for two
    # threads to walk a half each in slices of uneven ends
    from sklearn.ensemble import HistGradientBoostingClassifier

    from leadscore.model import tree_paths
    from leadscore.model.estimators import BinnedBoosting

    rng = np.random.default_rng(8)
    X = np.column_stack([rng.standard_normal((1001, 4)), rng.integers(0, 5, (1001, 1))])
    X[rng.random(X.shape) < 0.1] = np.nan
    y = (np.nan_to_num(X[:, 0]) + rng.standard_normal(1001) > 0).astype(int)
    kind = BinnedBoosting if binned else HistGradientBoostingClassifier
    model = kind(max_iter=30, categorical_features=[4], random_state=0).fit(X, y)
    col_factor = np.array([0, 1, 1, 2, 3])  # two columns add to one factor
    tables = tree_paths.path_tables(model, col_factor, 4)
    walked = np.asarray(model._preprocess_X(X, reset=False), dtype=np.float64)  # as hgb_parts
    monkeypatch.setattr(tree_paths, "WALK_ROWS", 64)
    # when they are walked on one thread and on two
    monkeypatch.setattr(overlap, "openmp_threads", lambda: 1)
    raw_one, out_one = tree_paths.walk(model, walked, tables, 4)
    monkeypatch.setattr(overlap, "openmp_threads", lambda: 2)
    raw_two, out_two = tree_paths.walk(model, walked, tables, 4)
    # then the log-odds are the model's own and the contributions the same, bit for bit
    assert np.array_equal(raw_one, model.decision_function(X))
    assert np.array_equal(raw_two, raw_one)
    assert np.array_equal(out_two, out_one)
    assert np.array_equal(np.signbit(out_two), np.signbit(out_one))


def _tree_by_tree(model, X: np.ndarray, col_factor: np.ndarray, n_factors: int) -> np.ndarray:
    """Saabas contributions as their definition reads: every tree in the model's order adds
    the moves of each row's leaf to every factor, zeros included (rows x factors)."""
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor

    from leadscore.model.tree_paths import _moves

    known, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    out = np.zeros((len(X), n_factors))
    for (predictor,) in model._predictors:
        ids = predictor.nodes.copy()
        ids["value"] = np.arange(len(ids), dtype=float)
        tree = TreePredictor(ids, predictor.binned_left_cat_bitsets,
                             predictor.raw_left_cat_bitsets)  # fmt: skip
        leaf = tree.predict(X, known, f_idx_map, 1).astype(np.intp)
        out += _moves(predictor.nodes, col_factor, n_factors)[0][leaf]
    return out


@pytest.mark.parametrize("binned", [False, True], ids=["float walk", "binned walk"])
def test_the_walk_adds_each_trees_moves_in_the_models_order(binned, monkeypatch):
    # given a boosted model with categories, blanks and many trees, walked in uneven slices
    from sklearn.ensemble import HistGradientBoostingClassifier

    from leadscore.model import tree_paths
    from leadscore.model.estimators import BinnedBoosting

    rng = np.random.default_rng(11)
    X = np.column_stack([rng.standard_normal((700, 4)), rng.integers(0, 5, (700, 1))])
    X[rng.random(X.shape) < 0.1] = np.nan
    y = np.nan_to_num(X[:, 0]) - np.nan_to_num(X[:, 2]) + rng.standard_normal(700) > 0
    kind = BinnedBoosting if binned else HistGradientBoostingClassifier
    model = kind(max_iter=40, categorical_features=[4], random_state=0).fit(X, y.astype(int))
    col_factor = np.array([0, 1, 1, 2, 3])  # two columns add to one factor
    walked = np.asarray(model._preprocess_X(X, reset=False), dtype=np.float64)
    monkeypatch.setattr(tree_paths, "WALK_ROWS", 96)
    monkeypatch.setattr(overlap, "openmp_threads", lambda: 1)
    # when the walk gives the contributions
    tables = tree_paths.path_tables(model, col_factor, 4)
    _, out = tree_paths.walk(model, walked, tables, 4)
    # then they are the tree-by-tree sums, bit for bit (and no factor is left without any)
    want = _tree_by_tree(model, walked, col_factor, 4)
    assert np.array_equal(out, want)
    assert np.array_equal(np.signbit(out), np.signbit(want))
    assert (np.abs(out).sum(axis=0) > 0).all()


def test_the_kept_phrases_stay_bounded(monkeypatch):
    # given small bounds, and batches of many new values in ever new contexts
    monkeypatch.setattr(phrase_rows, "CACHE_VALUES", 50)
    monkeypatch.setattr(phrase_rows, "CACHE_FACTORS", 1000)
    monkeypatch.setattr(phrase_rows, "CACHE_PHRASES", 300)
    phrase_rows._SAID.clear()
    rng = np.random.default_rng(9)
    for shift in range(30):
        features = _features(rng, 200)
        features["budget"] = rng.random(200) * 1e6  # every value new
        context = reasons.ReasonContext(refs=_refs(features, float(shift)), blanks=BLANKS)
        contrib = _contributions(rng, features.index, list(features.columns), "plain")
        got = reasons.reasons_frame(contrib, features, ROLES, context=context)
        # then the cells are still the code before's, and the kept phrases stay bounded
        want = reasons_before.reasons_frame(contrib, features, ROLES, context=context)
        pd.testing.assert_frame_equal(got, want)
        assert len(phrase_rows._SAID) <= 1000
        assert all(len(said) <= 50 for said in phrase_rows._SAID.values())
        assert sum(map(len, phrase_rows._SAID.values())) <= 300 + 50 * len(features.columns)


def test_requests_on_several_threads_keep_phrases_without_a_race(monkeypatch):
    """The server answers on several threads: new factor contexts added at once must not
    break the count of kept phrases (a dictionary read while another thread adds to it)."""
    import sys
    import threading

    monkeypatch.setattr(phrase_rows, "CACHE_FACTORS", 100_000)
    monkeypatch.setattr(phrase_rows, "CACHE_PHRASES", 10**9)
    monkeypatch.setattr(phrase_rows, "_SAID", {})
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often: the race, if any, shows
    errors: list[BaseException] = []

    def add(thread: int) -> None:
        try:
            for i in range(3_000):
                phrase_rows._said((thread, i))
        except RuntimeError as error:
            errors.append(error)

    try:
        threads = [threading.Thread(target=add, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == [] and len(phrase_rows._SAID) == 4 * 3_000
