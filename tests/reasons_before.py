"""The reason columns as ``predict`` built them before issue 16 made them cheaper, kept as the
tests' reference (the code of that time, trimmed to what the reason cells need).

Then: two full boolean matrices said which factor may raise and which may lower each row,
``first_columns`` ranked keys masked from them; every factor's distinct values were phrased
in every batch (nothing kept from one batch to the next); ``reasons_json`` found each
distinct number by ``np.unique`` and joined each rank's entries with one Arrow kernel per
rank. The new path must give the same cells, and the same contributions bit for bit.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leadscore.model import phrase_rows
from leadscore.model.phrase_rows import phrase_ids  # unchanged by issue 16: the one in use
from leadscore.model.phrases import in_whole_days, missing_phrase, phrase_many
from leadscore.model.ranking import largest_first
from leadscore.model.reasons import MIN_EFFECT, TOP, ReasonContext, reason_columns


def is_blank(factor: str, values: np.ndarray) -> np.ndarray:
    if values.dtype == object:
        text = pd.Series(values, dtype=object)
        blank = text.isna() | text.isin(["(missing)", "unknown"])
        return blank.to_numpy(dtype=bool)
    return np.isnan(values.astype(float))


def value_groups(column: np.ndarray, bits: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if column.dtype.kind == "f":
        if bits is None:
            _, first, codes = np.unique(column, return_index=True, return_inverse=True)
            return first, codes.ravel()
        _, codes = np.unique(column, return_inverse=True)
        negative_zero = (column == 0) & np.signbit(column)
        kinds, bits = np.unique(bits, return_inverse=True)
        codes = (codes * 2 + negative_zero) * len(kinds) + bits
        _, first, codes = np.unique(codes, return_index=True, return_inverse=True)
        return first, codes.ravel()
    keys = pd.Series(column, dtype=object)
    if bits is not None:
        keys = keys.astype(str) + "|" + pd.Series(bits).astype(str)
    codes, _ = pd.factorize(keys, use_na_sentinel=False)
    return np.unique(codes, return_index=True)[1], codes


class FactorPhrases(phrase_rows.FactorPhrases):
    """The phrases as they were made then: every batch anew, values grouped by sorting (the
    rows' high-intent bits are made as the current class makes them, which did not change)."""

    def __call__(self, j: int, at: np.ndarray) -> tuple[list[str], np.ndarray]:
        name = str(self.names[j])
        column = self.features[name].to_numpy()[at]
        if in_whole_days(name):
            column = np.round(column.astype(float))
        with_intent = "high_intent" in name and bool(self.intent)
        first, codes = value_groups(column, self.bits[at] if with_intent else None)
        blank = is_blank(name, column[first]) if name in self.blanks else np.zeros(len(first), bool)
        said = iter(phrase_many(name, column[first[~blank]], self.roles, self.refs.get(name)))
        texts = []
        for i, blank_i in zip(first.tolist(), blank.tolist(), strict=True):
            if blank_i:
                texts.append(missing_phrase(name, column[i], self.roles, self.blanks[name]))
                continue
            text = next(said)
            if with_intent and self.bits[at[i]]:
                which = [t.replace("_", " ") for b, t in enumerate(self.intent)
                         if self.bits[at[i]] >> b & 1]  # fmt: skip
                base, _, compared = text.partition(" — ")
                text = f"{base} ({', '.join(which)})" + (f" — {compared}" if compared else "")
            texts.append(text)
        return texts, codes


def first_columns(keys: np.ndarray, top: int) -> np.ndarray:
    keys = np.array(keys, dtype=float)
    if np.isnan(keys).any():
        return np.argsort(keys, axis=1, kind="stable")[:, :top]
    out = np.empty((keys.shape[0], min(top, keys.shape[1])), dtype=np.intp)
    rows, taken = np.arange(keys.shape[0]), np.zeros(keys.shape, dtype=bool)
    for k in range(out.shape[1]):
        j = np.argmin(keys, axis=1)
        spent = np.isposinf(keys[rows, j])
        j[spent] = np.argmin(taken[spent], axis=1)
        out[:, k] = j
        keys[rows, j], taken[rows, j] = np.inf, True
    return out


def reasons_json(values: np.ndarray, names: np.ndarray, json_top: int) -> pa.Array:
    by_size = largest_first(values, json_top)
    top = np.round(np.take_along_axis(values, by_size, axis=1), 3)
    if top.size == 0:
        return pa.array(["{}"] * len(values), pa.string())
    distinct, codes = np.unique(top, return_inverse=True)
    said = top != 0
    after = np.zeros_like(said)
    after[:, 1:] = np.logical_or.accumulate(said, axis=1)[:, :-1]
    quoted = [json.dumps(str(name)) + ": " for name in names]
    name = pa.array([*quoted, *(", " + q for q in quoted), ""], pa.string())
    number = pa.array([repr(v) for v in distinct.tolist()] + [""], pa.string())
    name_at = np.where(said, by_size + (after & said) * len(names), 2 * len(names))
    number_at = np.where(said, codes.reshape(top.shape), len(distinct))
    entries = [
        pc.binary_join_element_wise(name.take(name_at[:, k]), number.take(number_at[:, k]), "")
        for k in range(top.shape[1])
    ]
    return pc.binary_join_element_wise("{", *entries, "}", "")


def eligible(features, names, context) -> tuple[np.ndarray, np.ndarray]:
    up = np.ones((len(features), len(names)), dtype=bool)
    down = up.copy()
    for j, name in enumerate(map(str, names)):
        values = features[name].to_numpy()
        if name in context.blanks:
            blank = is_blank(name, values)
            up[:, j] &= ~blank | (context.blanks[name] == "blank converts more")
            down[:, j] &= ~blank | (context.blanks[name] == "blank converts less")
        elif name in context.activity:
            v = values.astype(float)
            up[:, j] &= ~(np.isnan(v) | (v == 0))
    return up, down


def reasons_frame(
    contrib: Any,
    features: pd.DataFrame,
    roles: dict[str, Any] | None = None,
    top: int = TOP,
    json_top: int = 10,
    context: ReasonContext | None = None,
) -> pd.DataFrame:
    """The reason columns, the way ``reasons.reasons_frame`` made them before."""
    context = context or ReasonContext()
    values = np.ascontiguousarray(contrib.values.to_numpy())
    names = np.asarray(contrib.values.columns, dtype=object)
    n = len(values)
    may_up, may_down = eligible(features, names, context)
    up_order = first_columns(-np.where(may_up, values, -np.inf), top)
    down_order = first_columns(np.where(may_down, values, np.inf), top)
    rows = np.arange(n)
    slots: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for k in range(min(top, values.shape[1])):
        for side, order, ok in (("up", up_order, may_up), ("down", down_order, may_down)):
            j_all = order[:, k]
            effect = values[rows, j_all]
            strong = ok[rows, j_all] & (
                effect >= MIN_EFFECT if side == "up" else effect <= -MIN_EFFECT
            )
            slots[f"reason_{side}_{k + 1}"] = (j_all, strong)
    say = FactorPhrases(features, names, roles or {}, context.refs, context.blanks)
    texts, ids = phrase_ids(say, slots, len(names), n)
    table = pa.array(texts, pa.string())
    out: dict[str, Any] = {}
    for column_name in reason_columns(top)[:-1]:
        pick = np.zeros(n, dtype=np.int64)
        if column_name in slots:
            j_all, strong = slots[column_name]
            pick[strong] = ids[j_all[strong], rows[strong]]
        out[column_name] = pd.array(table.take(pick), dtype="str")
    out["reasons_json"] = pd.array(reasons_json(values, names, json_top), dtype="str")
    return pd.DataFrame(out, index=contrib.values.index)
