"""The phrases a batch's reason cells say (``model.reasons.reasons_frame``): for each factor,
one phrase per group of rows whose value reads alike, and which of them each row says.

The cells index a table of distinct phrases instead of holding a copy each, so the reason
columns are built as Arrow text without a Python string per cell.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from leadscore.model.phrases import in_whole_days, missing_phrase, phrase_many


def is_blank(factor: str, values: np.ndarray) -> np.ndarray:
    """Where a factor's value stands for a blank raw value (title parts say 'unknown')."""
    if values.dtype == object:
        text = pd.Series(values, dtype=object)
        blank = text.isna() | text.isin(["(missing)", "unknown"])
        return blank.to_numpy(dtype=bool)
    return np.isnan(values.astype(float))


def _value_groups(column: np.ndarray, bits: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each group, group of each row) of rows whose phrase reads alike: equal
    values (all blanks one group), and with ``bits`` also the same high-intent types, where
    -0.0 and 0.0 differ as their text does. Numbers are grouped by a sort, other values by
    their hash."""
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


class FactorPhrases:
    """Phrases of one factor for some rows: one ``phrase`` call per distinct value."""

    def __init__(self, features: pd.DataFrame, names: np.ndarray, roles: dict[str, Any],
                 refs: dict[str, dict[str, Any]], blanks: dict[str, str]) -> None:  # fmt: skip
        self.features, self.names, self.roles = features, names, roles
        self.refs, self.blanks = refs, blanks
        # the row's own high-intent activity types, as bits (named in high-intent phrases)
        self.intent = [t for t in roles.get("high_intent") or () if f"n_{t}_total" in features]
        self.bits = np.zeros(len(features), dtype=np.int64)
        for b, t in enumerate(self.intent):
            done = np.nan_to_num(features[f"n_{t}_total"].to_numpy(dtype=float)) > 0
            self.bits |= done.astype(np.int64) << b

    def __call__(self, j: int, at: np.ndarray) -> tuple[list[str], np.ndarray]:
        """(distinct phrases, index of each row's phrase among them) of factor ``j`` for the
        rows ``at``."""
        name = str(self.names[j])
        column = self.features[name].to_numpy()[at]
        if in_whole_days(name):  # the phrase reads round(days): fewer distinct values
            column = np.round(column.astype(float))
        with_intent = "high_intent" in name and bool(self.intent)
        # the same value with other activity types reads differently
        first, codes = _value_groups(column, self.bits[at] if with_intent else None)
        # a group's values are alike, blank or not
        blank = is_blank(name, column[first]) if name in self.blanks else np.zeros(len(first), bool)
        said = iter(phrase_many(name, column[first[~blank]], self.roles,
                                self.refs.get(name)))  # fmt: skip
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


def phrase_ids(
    say: FactorPhrases, slots: dict[str, tuple[np.ndarray, np.ndarray]], factors: int, n: int
) -> tuple[list[str], np.ndarray]:
    """(texts, ids): ``texts[ids[j, i]]`` is row i's phrase of factor j, for each (factor, row)
    some reason column says (``texts[0]`` is ""). One ``say`` call per factor for every row
    that names it, whatever its rank or side (a row's phrase of a factor is the same in
    each); each distinct phrase is one text, which the columns index instead of copying."""
    wanted = np.zeros((factors, n), dtype=bool)
    for j_all, strong in slots.values():
        wanted[j_all[strong], np.flatnonzero(strong)] = True
    texts = [""]
    ids = np.zeros((factors, n), dtype=np.int64)
    for j in np.flatnonzero(wanted.any(axis=1)):
        at = np.flatnonzero(wanted[j])
        said, codes = say(int(j), at)
        ids[j, at] = codes + len(texts)
        texts += said
    return texts, ids
