"""Per-lead reasons: which factors raised and which lowered each contact's probability.

Contributions are in log-odds of the *uncalibrated* model (the pipeline inside the
calibrator). Calibration is a monotone map of that log-odds, so a factor that raises the
log-odds raises the calibrated probability too and the ranking of factors holds; only the
size in probability points differs.

Methods, both exact and additive (``reference + sum of contributions = model log-odds``):

- **logistic**: contribution of a transformed column = coefficient × (value − training mean
  of that column); the columns a one-hot encoder or a missing-value indicator made from one
  feature are summed back into that feature.
- **hgb**: path-based tree contributions (Saabas): in every tree, each split on the path of a
  row moves the expected value from the node's to the child's; the move is credited to the
  split feature. Node expected values are training-count-weighted means of their leaves, so
  the contributions add up exactly to the model's raw prediction. The path is found by the
  fitted trees' own compiled ``predict`` on a copy of each tree whose leaves hold their node
  index, so categorical bitsets and missing-value routing are exactly the model's; the sum
  over trees is one sparse × dense product. We wrote this rather than use SHAP's
  TreeExplainer because it needs no new dependency, handles HistGradientBoosting's native
  categorical splits the same way the model does, and costs a few model evaluations.
  Saabas contributions are local and exact in sum but, unlike SHAP values, can favour
  features split near the root; the reasons are ranked, not read as exact shares.

The factors are the model-ready columns of ``ContactFeatures`` (one per behavioral aggregate,
band, title part or attribute); phrases are generated from the column name's shape and the
row's value, never from a list of known column names.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from leadscore.features.activity import slug

TOP = 3
MIN_EFFECT = 0.01  # log-odds below which a factor is not worth a reason


@dataclass
class Contributions:
    """Per-row factor contributions (log-odds) and the reference log-odds they add to."""

    values: pd.DataFrame  # rows × factors
    reference: float


# -- contributions ---------------------------------------------------------------------------
def _encode_groups(encode: Any, factors: list[str]) -> np.ndarray:
    """For each output column of the logistic ColumnTransformer, the factor index it comes from."""
    groups: list[int] = []
    index = {f: i for i, f in enumerate(factors)}
    for name, trans, cols in encode.transformers_:
        if name == "remainder" or trans == "drop" or len(cols) == 0:
            continue
        cols = list(cols)
        if name == "cat":
            for col, cats in zip(cols, trans.categories_, strict=True):
                groups += [index[col]] * len(cats)
        else:
            groups += [index[c] for c in cols]
            indicator = trans.named_steps["impute"].indicator_
            if indicator is not None:
                groups += [index[cols[i]] for i in indicator.features_]
    return np.asarray(groups, dtype=int)


def logistic_reference(pipeline: Any, rows: pd.DataFrame) -> list[float]:
    """Training means of the logistic model's transformed columns (store with the model)."""
    X = pipeline[:-1].transform(rows)
    return [float(v) for v in np.asarray(X, dtype=float).mean(axis=0)]


def logistic_contributions(
    pipeline: Any, features: pd.DataFrame, reference: list[float] | None = None
) -> Contributions:
    """Exact contributions of a fitted logistic pipeline; ``features`` = ContactFeatures output."""
    encode, model = pipeline.named_steps["encode"], pipeline.named_steps["model"]
    factors = list(features.columns)
    X = np.asarray(encode.transform(features), dtype=float)
    coef = model.coef_[0]
    mean = np.zeros(X.shape[1]) if reference is None else np.asarray(reference, dtype=float)
    groups = _encode_groups(encode, factors)
    per_column = (X - mean) * coef
    out = np.zeros((len(X), len(factors)))
    np.add.at(out.T, groups, per_column.T) if len(X) else None
    ref = float(model.intercept_[0] + mean @ coef)
    return Contributions(pd.DataFrame(out, columns=factors, index=features.index), ref)


def _tree_tables(nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(expected value per node, left child, right child) of one fitted tree.

    A leaf's expected value is its value; an inner node's is the training-count-weighted mean
    of its children's, so moving down a path changes it by exactly the leaf value in total.
    """
    n = len(nodes)
    left, right = nodes["left"].astype(int), nodes["right"].astype(int)
    leaf = nodes["is_leaf"].astype(bool)
    count = nodes["count"].astype(float)
    expected = nodes["value"].astype(float).copy()
    # children always have larger indices than their parent: fill bottom-up
    for i in range(n - 1, -1, -1):
        if not leaf[i]:
            cl, cr = count[left[i]], count[right[i]]
            total = cl + cr
            expected[i] = (
                (cl * expected[left[i]] + cr * expected[right[i]]) / total
                if total > 0
                else 0.5 * (expected[left[i]] + expected[right[i]])
            )
    return expected, left, right


def hgb_contributions(pipeline: Any, features: pd.DataFrame, chunk: int = 50_000) -> Contributions:
    """Path-based (Saabas) contributions of a fitted HistGradientBoostingClassifier pipeline."""
    from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    encode, model = pipeline.named_steps["encode"], pipeline.named_steps["model"]
    factors = list(features.columns)
    encoded = encode.transform(features)
    col_factor = np.asarray([factors.index(c) for c in encoded.columns], dtype=int)
    X = np.asarray(model._preprocess_X(encoded, reset=False), dtype=np.float64)
    known, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    n_threads = _openmp_effective_n_threads()

    # one row of the table per leaf (over all trees): the sum of moves on its path per factor
    leaf_rows: list[np.ndarray] = []
    id_trees: list[TreePredictor] = []
    offsets: list[int] = []
    root_total = 0.0
    offset = 0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        expected, left, right = _tree_tables(nodes)
        root_total += expected[0]
        table = np.zeros((len(nodes), len(factors)))
        for i in range(len(nodes)):  # parents before children
            if not nodes["is_leaf"][i]:
                f = col_factor[int(nodes["feature_idx"][i])]
                for child in (left[i], right[i]):
                    table[child] = table[i]
                    table[child, f] += expected[child] - expected[i]
        leaf_rows.append(table)
        ids = nodes.copy()
        ids["value"] = np.arange(len(nodes), dtype=float) + offset
        id_trees.append(
            TreePredictor(ids, predictor.binned_left_cat_bitsets, predictor.raw_left_cat_bitsets)
        )
        offsets.append(offset)
        offset += len(nodes)
    table = np.vstack(leaf_rows) if leaf_rows else np.zeros((0, len(factors)))
    out = np.zeros((len(X), len(factors)))
    for start in range(0, len(X), chunk):
        part = X[start : start + chunk]
        cols = np.column_stack(
            [t.predict(part, known, f_idx_map, n_threads) for t in id_trees]
        ).astype(np.int64)
        onehot = sparse.csr_matrix(
            (np.ones(cols.size), cols.ravel(), np.arange(0, cols.size + 1, cols.shape[1])),
            shape=(len(part), offset),
        )
        out[start : start + len(part)] = onehot @ table
    reference = float(np.ravel(model._baseline_prediction)[0] + root_total)
    return Contributions(pd.DataFrame(out, columns=factors, index=features.index), reference)


def contributions(
    scorer: Any, rows: pd.DataFrame, features: pd.DataFrame | None = None
) -> Contributions:
    """Factor contributions (log-odds) of the scorer's uncalibrated model for raw rows
    (``features``: the rows already through the scorer's ``ContactFeatures``, if at hand)."""
    pipeline = scorer.pipeline
    if features is None:
        features = pipeline.named_steps["features"].transform(rows)
    if scorer.info.get("model") == "logistic" or "logistic" in type(pipeline[-1]).__name__.lower():
        ref = scorer.info.get("reasons_reference")
        return logistic_contributions(pipeline, features, ref)
    return hgb_contributions(pipeline, features)


# -- phrases ---------------------------------------------------------------------------------
_COUNT_WINDOW = re.compile(r"^n_(?P<what>.+)_(?P<days>\d+)d$")
_COUNT_TOTAL = re.compile(r"^n_(?P<what>.+)_total$")
_LAST = re.compile(r"^days_since_last_(?P<what>.+)$")


def _words(name: str) -> str:
    return re.sub(r"[_\s]+", " ", str(name)).strip()


def _what(slugged: str) -> str:
    if slugged == "all":
        return "activity"
    if slugged == "high_intent":
        return "high-intent activity"
    return _words(slugged)


def _days(v: float) -> str:
    d = int(round(v))
    return "today" if d == 0 else ("1 day ago" if d == 1 else f"{d:,} days ago")


def _number(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}"


def _in_whole_days(factor: str) -> bool:
    """True for factors whose phrase depends only on the value rounded to whole days."""
    return (
        bool(_LAST.match(factor))
        or factor in ("days_since_first_activity", "days_since_created")
        or factor.startswith("days_since__")
    )


def phrase(factor: str, value: Any, roles: dict[str, Any] | None = None) -> str:
    """A salesperson's sentence for a factor and the row's value of it.

    Args:
        factor: a model-ready column name of ``ContactFeatures``.
        value: the row's value of it (number, category text or missing).
        roles: ``{"company_size": col, "revenue": col}`` to word bands of those columns
            (and ``"high_intent"``: the high-intent activity types, used by ``reasons_frame``).
    """
    roles = roles or {}
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    if m := _COUNT_WINDOW.match(factor):
        what, days = _what(m["what"]), m["days"]
        if missing or value == 0:
            return f"no {what} in the last {days} days"
        return f"{what} ×{_number(value)} in the last {days} days"
    if m := _COUNT_TOTAL.match(factor):
        what = _what(m["what"])
        return f"no {what} so far" if missing or value == 0 else f"{what} ×{_number(value)} so far"
    if m := _LAST.match(factor):
        what = _what(m["what"])
        return f"never any {what}" if missing else f"last {what} {_days(value)}"
    if factor == "days_since_first_activity":
        return "no activity yet" if missing else f"first activity {_days(value)}"
    if factor == "velocity_30d":
        if missing or value == 0:
            return "activity steady over the last 60 days"
        trend = "rising" if value > 0 else "falling"
        return f"activity {trend} ({value:+,.0f} in the last 30 days vs the 30 before)"
    if factor == "n_distinct_types":
        return f"{_number(value)} kinds of activity" if not missing else "no activity yet"
    if factor == "days_since_created":
        return "creation date unknown" if missing else f"in the CRM for {int(round(value)):,} days"
    if factor.startswith("days_since__"):
        col = _words(factor[len("days_since__") :])
        return f"{col} not set" if missing else f"{col} {_days(value)}"
    if factor.endswith("__band"):
        col = factor[: -len("__band")]
        if value == "(missing)" or missing:
            return f"{_words(col)} unknown"
        if col == roles.get("company_size"):
            return f"company of {value} employees"
        if col == roles.get("revenue"):
            return f"annual revenue {value}"
        return f"{_words(col)} {value}"
    if factor.endswith("__seniority"):
        level = {"c_level": "C-level", "vp": "VP", "intern_student": "intern/student"}.get(
            str(value), _words(value)
        )
        return f"{_words(factor[: -len('__seniority')])} seniority: {level}"
    if factor.endswith("__decision_maker"):
        col = _words(factor[: -len("__decision_maker")])
        if missing:
            return f"{col} unknown"
        return f"decision-maker {col}" if value else f"not a decision-maker {col}"
    if factor.endswith("__function"):
        return f"{_words(factor[: -len('__function')])} function: {_words(value)}"
    if isinstance(value, str):
        if value == "(missing)":
            return f"{_words(factor)} not filled in"
        if value in ("(other)", "(unseen)"):
            return f"{_words(factor)}: a rare value"
        return f"{_words(factor)} = {value}"
    if missing:
        return f"{_words(factor)} not filled in"
    return f"{_words(factor)} = {_number(float(value))}"


def reason_columns(top: int = TOP) -> list[str]:
    """The reason columns ``predict`` adds, in order."""
    up = [f"reason_up_{k + 1}" for k in range(top)]
    return up + [f"reason_down_{k + 1}" for k in range(top)] + ["reasons_json"]


def reasons_frame(
    contrib: Contributions,
    features: pd.DataFrame,
    roles: dict[str, str | None] | None = None,
    top: int = TOP,
    json_top: int = 10,
) -> pd.DataFrame:
    """``reason_up_1..top``, ``reason_down_1..top`` sentences and ``reasons_json`` per row.

    ``reasons_json`` maps the ``json_top`` factors with the largest absolute contribution to
    their contribution in log-odds (rounded to 3 decimals).
    """
    values = contrib.values.to_numpy()
    names = np.asarray(contrib.values.columns, dtype=object)
    n = len(values)
    order = np.argsort(-values, axis=1, kind="stable")
    out: dict[str, list[str]] = {f"reason_up_{k + 1}": [""] * n for k in range(top)}
    out.update({f"reason_down_{k + 1}": [""] * n for k in range(top)})
    rows = np.arange(n)
    # the row's own high-intent activity types, as bits (named in high-intent phrases)
    intent = [t for t in (roles or {}).get("high_intent") or () if f"n_{t}_total" in features]
    bits = np.zeros(n, dtype=np.int64)
    for b, t in enumerate(intent):
        bits |= (np.nan_to_num(features[f"n_{t}_total"].to_numpy(dtype=float)) > 0).astype(
            np.int64
        ) << b

    def phrases(j: int, at: np.ndarray) -> np.ndarray:
        """The phrase of factor ``j`` for rows ``at``: one ``phrase`` call per distinct value."""
        name = str(names[j])
        column = features[name].to_numpy()[at]
        if _in_whole_days(name):  # the phrase reads round(days): fewer distinct values
            column = np.round(column.astype(float))
        keys = pd.Series(column, dtype=object)
        with_intent = "high_intent" in name and intent
        if with_intent:  # the same value with other activity types reads differently
            keys = keys.astype(str) + "|" + pd.Series(bits[at]).astype(str)
        codes, _ = pd.factorize(keys, use_na_sentinel=False)
        first = np.unique(codes, return_index=True)[1]
        texts = []
        for i in first:
            v = column[i]
            text = phrase(name, v, roles)
            if with_intent and bits[at[i]]:
                which = [_words(t) for b, t in enumerate(intent) if bits[at[i]] >> b & 1]
                text = f"{text} ({', '.join(which)})"
            texts.append(text)
        return np.asarray(texts, dtype=object)[codes]

    for k in range(min(top, values.shape[1])):
        for side, j_all in (("up", order[:, k]), ("down", order[:, -1 - k])):
            effect = values[rows, j_all]
            strong = effect >= MIN_EFFECT if side == "up" else effect <= -MIN_EFFECT
            column = np.full(n, "", dtype=object)
            for j in np.unique(j_all[strong]):
                at = np.flatnonzero(strong & (j_all == j))
                column[at] = phrases(int(j), at)
            out[f"reason_{side}_{k + 1}"] = column.tolist()
    by_size = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :json_top]
    top_values = np.take_along_axis(np.round(values, 3), by_size, axis=1).tolist()
    quoted = [json.dumps(str(name)) for name in names]  # json.dumps' own layout, built once
    out["reasons_json"] = [
        "{" + ", ".join(f"{quoted[j]}: {v!r}" for j, v in zip(js, vs, strict=True) if v != 0) + "}"
        for js, vs in zip(by_size.tolist(), top_values, strict=True)
    ]
    return pd.DataFrame(out, index=contrib.values.index)


def explain(scorer: Any, rows: pd.DataFrame, top: int = TOP) -> pd.DataFrame:
    """Reasons for raw model rows (as ``LeadScorer.rows`` builds them)."""
    features = scorer.features.transform(rows)
    contrib = contributions(scorer, rows, features)
    f = scorer.features
    spec = getattr(scorer, "activity_spec", None)
    roles = {
        "company_size": f.company_size,
        "revenue": f.revenue,
        "high_intent": [slug(t) for t in spec.high_intent] if spec is not None else [],
    }
    return reasons_frame(contrib, features, roles, top=top)


def importance(contrib: Contributions) -> pd.Series:
    """Global importance: mean absolute contribution per factor, largest first."""
    return contrib.values.abs().mean().sort_values(ascending=False)
