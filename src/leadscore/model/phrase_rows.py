"""The phrases a batch's reason cells say (``model.reasons.reasons_frame``): for each factor,
one phrase per group of rows whose value reads alike, and which of them each row says.

The cells index a table of distinct phrases instead of holding a copy each, so the reason
columns are built as Arrow text without a Python string per cell.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pandas as pd

from leadscore.model.phrases import in_whole_days, missing_phrase, phrase_many

# Phrases made in earlier batches, per (factor, context): a phrase depends only on the factor,
# the value (and a high-intent factor's activity types), the roles, the factor's reference
# and its blanks' verdict, all in the key, so a kept phrase is the one a new call would make.
# Bounded: a factor whose values rarely repeat (a jittered number) stops adding at
# CACHE_VALUES, and the whole cache is dropped when a new factor context would make more than
# CACHE_FACTORS of them or the kept phrases number CACHE_PHRASES (a served process sees many
# models): at most one model's factors x CACHE_VALUES beyond that.
CACHE_VALUES = 4_096
CACHE_FACTORS = 256
CACHE_PHRASES = 300_000
_SAID: dict[tuple[Any, ...], dict[Any, str]] = {}
# the server answers requests on several threads: one at a time may add a context (counting
# the kept phrases reads every context, which another thread's addition would change)
_ADDING = threading.Lock()


def is_blank(factor: str, values: np.ndarray) -> np.ndarray:
    """Where a factor's value stands for a blank raw value (title parts say 'unknown').
    Text is judged once per distinct value (a category column holds few)."""
    if values.dtype == object:
        codes, distinct = pd.factorize(values)  # missing values: code -1
        blank = pd.Series(distinct, dtype=object).isin(["(missing)", "unknown"]).to_numpy()
        return np.append(blank, True)[codes]
    return np.isnan(values.astype(float))


def _first_of(codes: np.ndarray) -> np.ndarray:
    """The first row of each group, by group, of codes numbered in order of appearance."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.intp)
    new = np.empty(len(codes), dtype=bool)
    new[0], new[1:] = True, codes[1:] > np.maximum.accumulate(codes)[:-1]
    return np.flatnonzero(new)


def _value_groups(column: np.ndarray, bits: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each group, group of each row) of rows whose phrase reads alike: equal
    values (all blanks one group; -0.0 with 0.0), and with ``bits`` also the same high-intent
    types, where -0.0 and 0.0 differ as their text does. Grouped by hashing
    (``pd.factorize``: groups numbered in order of appearance), not by sorting."""
    if column.dtype.kind == "f":
        codes = pd.factorize(column, use_na_sentinel=False)[0]
        if bits is not None:
            negative_zero = (column == 0) & np.signbit(column)
            bit_codes, kinds = pd.factorize(bits)
            key = (codes.astype(np.int64) * 2 + negative_zero) * len(kinds) + bit_codes
            codes = pd.factorize(key)[0]
        return _first_of(codes), codes
    keys = pd.Series(column, dtype=object)
    if bits is not None:
        keys = keys.astype(str) + "|" + pd.Series(bits).astype(str)
    codes = pd.factorize(keys, use_na_sentinel=False)[0]
    return _first_of(codes), codes


def _value_keys(values: np.ndarray, bits: np.ndarray | None) -> list[Any]:
    """A key per value that tells apart every two values a phrase may say differently: a
    number's bits (-0.0 is not 0.0; NaN is one key), a text as it is, anything else by its
    type and ``repr``; with ``bits``, the pair."""
    if values.dtype.kind == "f":
        keys: list[Any] = values.astype(np.float64).view(np.int64).tolist()
    elif values.dtype.kind in "biu":
        keys = values.tolist()
    else:
        keys = [v if type(v) is str else (type(v).__name__, repr(v)) for v in values.tolist()]
    return keys if bits is None else list(zip(keys, bits.tolist(), strict=True))


def _said(key: tuple[Any, ...]) -> dict[Any, str]:
    """The phrases already made for a factor in a context (``key``), by value key."""
    said = _SAID.get(key)
    if said is None:
        with _ADDING:
            if len(_SAID) >= CACHE_FACTORS or sum(map(len, _SAID.values())) >= CACHE_PHRASES:
                _SAID.clear()
            said = _SAID.setdefault(key, {})
    return said


class FactorPhrases:
    """Phrases of one factor for some rows: one ``phrase`` call per distinct value, kept for
    the next batches of the same factor in the same context (``_SAID``)."""

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
        self.context = repr(sorted(roles.items())), tuple(self.intent)

    def __call__(self, j: int, at: np.ndarray) -> tuple[list[str], np.ndarray]:
        """(distinct phrases, index of each row's phrase among them) of factor ``j`` for the
        rows ``at``."""
        name = str(self.names[j])
        column = self.features[name].to_numpy()[at]
        if in_whole_days(name):  # the phrase reads round(days): fewer distinct values
            column = np.round(column.astype(float))
        with_intent = "high_intent" in name and bool(self.intent)
        # the same value with other activity types reads differently
        bits = self.bits[at] if with_intent else None
        first, codes = _value_groups(column, bits)
        values, value_bits = column[first], None if bits is None else bits[first]
        said = _said((name, column.dtype.str, self.blanks.get(name),
                      repr(self.refs.get(name)), *self.context))  # fmt: skip
        keys = _value_keys(values, value_bits)
        found = [said.get(key) for key in keys]
        new = [i for i, text in enumerate(found) if text is None]
        made = self._phrases(name, values[new], None if value_bits is None else value_bits[new])
        for i, text in zip(new[: max(CACHE_VALUES - len(said), 0)], made, strict=False):
            said[keys[i]] = text
        fresh = iter(made)
        return [text if text is not None else next(fresh) for text in found], codes

    def _phrases(self, name: str, values: np.ndarray, bits: np.ndarray | None) -> list[str]:
        """The phrase of each value (each a group's) of factor ``name``; ``bits``: the group's
        high-intent types."""
        # a group's values are alike, blank or not
        blank = is_blank(name, values) if name in self.blanks else np.zeros(len(values), bool)
        said = iter(phrase_many(name, values[~blank], self.roles, self.refs.get(name)))
        texts = []
        for i, blank_i in enumerate(blank.tolist()):
            if blank_i:
                texts.append(missing_phrase(name, values[i], self.roles, self.blanks[name]))
                continue
            text = next(said)
            if bits is not None and bits[i]:
                which = [t.replace("_", " ") for b, t in enumerate(self.intent)
                         if bits[i] >> b & 1]  # fmt: skip
                base, _, compared = text.partition(" — ")
                text = f"{base} ({', '.join(which)})" + (f" — {compared}" if compared else "")
            texts.append(text)
        return texts


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
