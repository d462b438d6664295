"""The reasons as ``predict`` made them before the one-pass path, kept as the tests' reference.

The probability came from the calibrated pipeline's own ``predict_proba`` (one feature
transform and one walk of every tree) and the reasons from a second, separate pass: the
features again, then every tree's compiled ``predict`` on a copy whose leaves hold their
(global) node index, summed by one sparse × dense product of a one-hot leaf matrix with the
per-leaf table of moves; each distinct value of a factor was phrased by ``phrase`` and each
row's ``reasons_json`` written by its own loop. The one-pass path must give the same output,
cell for cell.
"""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.ensemble._hist_gradient_boosting.predictor import TreePredictor
from sklearn.linear_model import LogisticRegression
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

from leadscore.model import phrase_rows, phrases, reasons
from leadscore.model.blend import BaseRate, LogitBlend
from leadscore.model.tree_paths import tree_tables


def hgb_contributions(pipeline: Any, features: pd.DataFrame) -> reasons.Contributions:
    """Saabas contributions of an hgb pipeline (encode → model), the two-pass way."""
    encode, model = pipeline.named_steps["encode"], pipeline.named_steps["model"]
    factors = list(features.columns)
    encoded = encode.transform(features)
    col_factor = np.asarray([factors.index(c) for c in encoded.columns], dtype=int)
    X = np.asarray(model._preprocess_X(encoded, reset=False), dtype=np.float64)
    known, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    tables, id_trees, offset, root_total = [], [], 0, 0.0
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        expected, left, right = tree_tables(nodes)
        root_total += expected[0]
        table = np.zeros((len(nodes), len(factors)))
        for i in range(len(nodes)):
            if not nodes["is_leaf"][i]:
                f = col_factor[int(nodes["feature_idx"][i])]
                for child in (left[i], right[i]):
                    table[child] = table[i]
                    table[child, f] += expected[child] - expected[i]
        tables.append(table)
        ids = nodes.copy()
        ids["value"] = np.arange(len(nodes), dtype=float) + offset
        id_trees.append(
            TreePredictor(ids, predictor.binned_left_cat_bitsets, predictor.raw_left_cat_bitsets)
        )
        offset += len(nodes)
    n_threads = _openmp_effective_n_threads()
    cols = np.column_stack([t.predict(X, known, f_idx_map, n_threads) for t in id_trees])
    cols = cols.astype(np.int64)
    onehot = sparse.csr_matrix(
        (np.ones(cols.size), cols.ravel(), np.arange(0, cols.size + 1, cols.shape[1])),
        shape=(len(X), offset),
    )
    out = onehot @ np.vstack(tables)
    reference = float(np.ravel(model._baseline_prediction)[0] + root_total)
    return reasons.Contributions(
        pd.DataFrame(out, columns=factors, index=features.index), reference
    )


def head_contributions(head: Any, features: pd.DataFrame, ref: Any) -> reasons.Contributions:
    """Contributions of the steps after ``ContactFeatures``, each model family the old way."""
    if isinstance(head, BaseRate):
        zeros = pd.DataFrame(0.0, index=features.index, columns=list(features.columns))
        return reasons.Contributions(zeros, head.log_odds_)
    if isinstance(head, LogitBlend):
        parts = [(w, head_contributions(est, features, ref)) for (_, est), w in
                 zip(head.estimators_, head.weights, strict=True)]  # fmt: skip
        total = parts[0][1].values * parts[0][0]
        for w, part in parts[1:]:
            total = total + part.values * w
        return reasons.Contributions(total, sum(w * p.reference for w, p in parts))
    if isinstance(head[-1], LogisticRegression):
        return reasons.logistic_contributions(head, features, ref)
    return hgb_contributions(head, features)


def row_json(values: np.ndarray, names: np.ndarray, json_top: int) -> list[str]:
    """``reasons_json`` row by row."""
    by_size = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :json_top]
    top_values = np.take_along_axis(np.round(values, 3), by_size, axis=1).tolist()
    quoted = [json.dumps(str(name)) for name in names]
    return [
        "{" + ", ".join(f"{quoted[j]}: {v!r}" for j, v in zip(js, vs, strict=True) if v != 0) + "}"
        for js, vs in zip(by_size.tolist(), top_values, strict=True)
    ]


def phrase_each(factor: str, values: Any, roles: Any = None, ref: Any = None) -> list[str]:
    """``phrase`` called on each value."""
    return [phrases.phrase(factor, v, roles, ref) for v in values]


def predict_then_explain(scorer: Any, rows: pd.DataFrame) -> pd.DataFrame:
    """Probability, score, tier (``predict_frame``: one pass) and the reasons (another)."""
    features = scorer.features.transform(rows)
    steps = scorer.pipeline.steps[1:]
    head = steps[0][1] if len(steps) == 1 else type(scorer.pipeline)(steps)
    contrib = head_contributions(head, features, scorer.info.get("reasons_reference"))
    with (
        mock.patch.object(reasons, "reasons_json", row_json),
        mock.patch.object(phrase_rows, "phrase_many", phrase_each),
    ):
        why = reasons.reasons_frame(
            contrib, features, reasons._roles(scorer), context=reasons.context_of(scorer)
        )
    return pd.concat([scorer.predict_frame(rows), why], axis=1)
