"""Ranking each row's contributions: which factors a row's reasons name, in which order, and
the ``reasons_json`` cell (``model.reasons.reasons_frame`` builds the sentences around them).
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


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


def reasons_json(values: np.ndarray, names: np.ndarray, json_top: int) -> pa.Array:
    """``{"factor": log-odds, ...}`` of the largest absolute contributions per row (rounded to
    3 decimals; zeros left out), in ``json.dumps``' own layout, as an Arrow text array.

    Built column by column, not cell by cell: each distinct number and name is written once,
    and the k-th entries of every row (after ``, `` when the row said one before; nothing
    for a zero) are joined to the rows by one Arrow kernel. No entry is null: Arrow 25's
    ``binary_join_element_wise`` with ``null_handling="skip"`` drops a row whose inputs are
    all null.
    """
    by_size = np.argsort(-np.abs(values), axis=1, kind="stable")[:, :json_top]
    top = np.take_along_axis(np.round(values, 3), by_size, axis=1)
    if top.size == 0:
        return pa.array(["{}"] * len(values), pa.string())
    distinct, codes = np.unique(top, return_inverse=True)
    said = top != 0
    after = np.zeros_like(said)  # the row said an entry before this one
    after[:, 1:] = np.logical_or.accumulate(said, axis=1)[:, :-1]
    lead_at = (after & said).astype(np.intp)
    name_at = np.where(said, by_size, len(names))  # the last text of each table is ""
    number_at = np.where(said, codes.reshape(top.shape), len(distinct))
    lead = pa.array(["", ", "], pa.string())
    quoted = pa.array([json.dumps(str(name)) + ": " for name in names] + [""], pa.string())
    number = pa.array([repr(v) for v in distinct.tolist()] + [""], pa.string())
    entries = [
        pc.binary_join_element_wise(
            lead.take(lead_at[:, k]), quoted.take(name_at[:, k]), number.take(number_at[:, k]), ""
        )
        for k in range(top.shape[1])
    ]
    return pc.binary_join_element_wise("{", *entries, "}", "")
