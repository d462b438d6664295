"""Ranking each row's contributions: which factors a row's reasons name, in which order, and
the ``reasons_json`` cell (``model.reasons.reasons_frame`` builds the sentences around them).
"""

from __future__ import annotations

import json

import numpy as np


def first_columns(keys: np.ndarray, top: int) -> np.ndarray:
    """The first ``top`` columns of each row in ascending ``keys``, ties by column (the head of
    ``np.argsort(keys, axis=1, kind="stable")``), by ``top`` passes of ``argmin`` instead of
    sorting every row; ``+inf`` keys (not eligible) are never taken before a finite one, and
    once only they remain, the column given is one not taken yet, as the sort would give."""
    keys = np.array(keys, dtype=float)
    if np.isnan(keys).any():  # never for contributions; the sort's order for NaN otherwise
        return np.argsort(keys, axis=1, kind="stable")[:, :top]
    out = np.empty((keys.shape[0], min(top, keys.shape[1])), dtype=np.intp)
    rows, taken = np.arange(keys.shape[0]), np.zeros(keys.shape, dtype=bool)
    for k in range(out.shape[1]):
        j = np.argmin(keys, axis=1)
        spent = np.isposinf(keys[rows, j])  # only +inf left: the first column not taken
        j[spent] = np.argmin(taken[spent], axis=1)
        out[:, k] = j
        keys[rows, j], taken[rows, j] = np.inf, True
    return out


def reasons_json(values: np.ndarray, names: np.ndarray, json_top: int) -> list[str]:
    """``{"factor": log-odds, ...}`` of the largest absolute contributions per row (rounded to
    3 decimals; zeros left out), in ``json.dumps``' own layout; each distinct number is
    written once."""
    by_size = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :json_top]
    top = np.take_along_axis(np.round(values, 3), by_size, axis=1)
    quoted = np.asarray([json.dumps(str(name)) + ": " for name in names], dtype=object)
    distinct, codes = np.unique(top, return_inverse=True)
    number = np.asarray([repr(v) for v in distinct.tolist()], dtype=object)
    cells = (quoted[by_size] + number[codes.reshape(top.shape)]).tolist() if top.size else []
    say = top != 0
    kept = say.sum(axis=1)
    if not (say == (np.arange(top.shape[1]) < kept[:, None])).all():  # zeros not all last
        return ["{" + ", ".join(c for c, s in zip(row, ok, strict=True) if s) + "}"
                for row, ok in zip(cells, say.tolist(), strict=True)]  # fmt: skip
    if not cells:
        return ["{}"] * len(values)
    return ["{" + ", ".join(row[:k]) + "}" for row, k in zip(cells, kept.tolist(), strict=True)]
