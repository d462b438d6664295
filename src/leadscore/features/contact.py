"""Firmographic and demographic features of a contact row, as a scikit-learn transformer.

``ContactFeatures`` takes the raw per-contact rows (attribute columns as exported, plus the
behavioral aggregates and the ``as_of`` time) and returns model-ready columns. ``fit`` decides,
from the values, what each column is (a column name only ever confirms that name-shaped
values are names of people or companies, see ``features.personal``):

- numbers (also numbers written as text, with thousands separators or currency signs);
- dates, turned into days before ``as_of`` (a date after ``as_of`` becomes missing);
- job-title-like free text, parsed into seniority, decision-maker and function;
- categories: the most frequent levels are kept; rarer ones become ``(other)``, blanks
  ``(missing)`` (missingness is a signal) and levels never seen in training ``(unseen)``;
- excluded: personal data (names of people and companies, phone numbers, e-mail and street
  addresses: recognised by ``features.personal`` or declared in the config), identifiers
  (codes of letters and digits, mostly unique text) and anything the config says to ignore.
  Every exclusion is recorded in ``excluded_`` with its reason; personal ones also in
  ``personal_``. Their values are never kept (no category levels, no drift reference).

Columns named by a role in the config also get derived bands (company size, revenue).
Columns that appear only at prediction time are ignored; ``unexpected_columns`` names them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from leadscore.features import noise, personal, titles
from leadscore.memory import frame_of_blocks

RESERVED = ("contact_id", "status", "closed_at", "as_of", "label", "order_key")
CREATED, AS_OF = "created_at", "as_of"
MISSING, OTHER, UNSEEN = "(missing)", "(other)", "(unseen)"

SIZE_BANDS = (10, 50, 200, 1_000, 5_000)
SIZE_LABELS = ("1–10", "11–50", "51–200", "201–1,000", "1,001–5,000", "5,001+")
REVENUE_BANDS = (1e6, 1e7, 5e7, 2.5e8, 1e9)
REVENUE_LABELS = ("< 1M", "1M–10M", "10M–50M", "50M–250M", "250M–1B", "1B+")

_NUMBER_JUNK = re.compile(r"[\s$€£¥%]|(?<=\d),(?=\d{3}\b)")


def to_number(values: pd.Series) -> pd.Series:
    """Numbers from numbers or text ("1,200", "$5,000", " 42 "); anything else is NaN."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        out = values.astype(float)
    else:
        out = per_distinct(values, _text_to_number)
    infinite = np.isinf(out.to_numpy(dtype=float))  # a mask: replace() cost 4x more per call
    return out.mask(infinite) if infinite.any() else out


def _frame(cols: dict[str, Any], categorical: set[str], index: pd.Index) -> pd.DataFrame:
    """The feature columns as one frame, in order, made of two blocks: the numbers, written
    column by column into one float64 block, each column's own array let go once written;
    and the text. The frame's constructor stacked every column into blocks while the columns
    were still held: with training's counts as float32, each count's float64 copy is a new
    array (the bench's refit features step: 1,929 MB that way, 1,878 this way)."""
    names = list(cols)
    numbers = [i for i, c in enumerate(names) if c not in categorical]
    texts = [i for i, c in enumerate(names) if c in categorical]
    block = np.empty((len(index), len(numbers)), order="F")
    for j, i in enumerate(numbers):
        block[:, j] = cols.pop(names[i])  # its own array goes now, not with the rest
    text = np.empty((len(index), len(texts)), dtype=object, order="F")
    for j, i in enumerate(texts):
        text[:, j] = cols.pop(names[i])
    return frame_of_blocks([(block, numbers), (text, texts)], index, names)


def _text_to_number(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.replace(_NUMBER_JUNK, "", regex=True)
    return pd.to_numeric(text, errors="coerce").astype(float)


def per_distinct(values: pd.Series, parse: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``parse``, a row-by-row rule that reads its values as text (``astype("string")``),
    run once per distinct text and spread back to the rows.

    A training frame repeats each contact's attributes at every snapshot and a column holds
    few distinct values, so the text rules (titles, categories, numbers written as text) run
    on thousands of values instead of a million rows; the result is the same row by row.
    """
    text = values.astype("string")
    codes, uniques = pd.factorize(text, use_na_sentinel=False)
    if len(uniques) >= len(values):
        return parse(values)
    parsed = parse(pd.Series(uniques, dtype="string"))
    out = parsed.iloc[codes]
    out.index = values.index
    return out


def stripped_distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """The present values as stripped text, once per distinct value: (the code of each row of
    ``values.dropna()``, in order; the distinct texts, stripped), so text rules run on the
    distinct values and a row's result is its code's."""
    raw = values.dropna().astype(str)
    codes, distinct = pd.factorize(raw)
    return codes, pd.Series(distinct, dtype=raw.dtype).str.strip()


def _most_spelled(
    spelling: pd.Series, folded: pd.Series, rows: np.ndarray, keys: pd.Index
) -> dict[str, str]:
    """Each key's most frequent spelling over ``rows`` (codes into ``spelling``), as
    ``value_counts().index[0]`` over the key's rows picks it; on a tie, exactly that."""
    counts = np.bincount(rows, minlength=len(spelling))
    table = pd.DataFrame({"key": folded, "text": spelling, "n": counts})
    table = table[table["key"].isin(keys) & (table["n"] > 0)]
    per_key = table.groupby(["key", "text"], sort=False)["n"].sum()
    out = {}
    for key in keys:
        texts = per_key.loc[key]
        best = texts[texts == texts.max()]
        if len(best) == 1:
            out[key] = best.index[0]
        else:  # the tie broken as value_counts breaks it on the rows themselves
            mine = rows[(folded == key).to_numpy(dtype=bool)[rows]]
            out[key] = spelling.take(mine).value_counts().index[0]
    return out


def _share(mask: pd.Series) -> float:
    return float(mask.mean()) if len(mask) else 0.0


def _band(values: pd.Series, edges: tuple[float, ...], labels: tuple[str, ...]) -> np.ndarray:
    """The band label of every number, ``(missing)`` where there is none (one object array)."""
    numbers = values.to_numpy(dtype=float)
    idx = np.clip(np.searchsorted(np.asarray(edges), numbers, side="left"), 0, len(labels) - 1)
    idx[np.isnan(numbers)] = len(labels)
    return np.asarray((*labels, MISSING), dtype=object)[idx]


class ContactFeatures(TransformerMixin, BaseEstimator):
    """Raw contact rows in, model-ready features out (DataFrame in, DataFrame out).

    Args:
        ignore: columns never used.
        personal: columns declared personal data: never used (others are recognised).
        categorical: columns forced to be categories (even if they look personal).
        numeric: columns forced to be numbers.
        company_size: column holding the number of employees (gets size bands).
        revenue: column holding annual revenue (gets revenue bands).
        job_title: column holding job titles (parsed even if it does not look like titles).
        max_categories: at most this many levels are kept per category.
        min_category_count: levels seen fewer times in training become ``(other)``.
    """

    def __init__(
        self,
        ignore: tuple[str, ...] = (),
        personal: tuple[str, ...] = (),
        categorical: tuple[str, ...] = (),
        numeric: tuple[str, ...] = (),
        company_size: str | None = None,
        revenue: str | None = None,
        job_title: str | None = None,
        max_categories: int = 30,
        min_category_count: int = 20,
    ) -> None:
        self.ignore = ignore
        self.personal = personal
        self.categorical = categorical
        self.numeric = numeric
        self.company_size = company_size
        self.revenue = revenue
        self.job_title = job_title
        self.max_categories = max_categories
        self.min_category_count = min_category_count

    # -- fit -----------------------------------------------------------------------------
    def _kind(self, name: str, values: pd.Series) -> str:
        if name in self.personal:
            found = personal.recognise(values, name)
            also = (
                f"; {found.reason()[len('personal data: ') :]}" if found and found.personal else ""
            )
            return "excluded:" + personal.DECLARED + also
        if name in self.numeric:
            return "numeric"
        if name in self.categorical:
            return "categorical"
        if name == self.job_title:
            return "title"
        if values.notna().sum() == 0:
            return "excluded:empty in training"
        if pd.api.types.is_datetime64_any_dtype(values):
            return "date"
        if (found := personal.recognise(values, name)) is not None:
            return "excluded:" + found.reason()
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
            return "numeric"
        return self._text_kind(values)

    def _text_kind(self, values: pd.Series) -> str:
        """Numbers or dates written as text, titles, identifiers or categories: read from the
        present values as stripped text, once per distinct value (``stripped_distinct``)."""
        codes, spelling = stripped_distinct(values)
        filled = (spelling != "").to_numpy(dtype=bool)
        rows = codes[filled[codes]]  # each present row's text, as a code, in order
        if len(rows) == 0:
            return "excluded:empty in training"
        # the rows present.sample(5000, random_state=0) draws (the draw depends on the length)
        drawn = pd.Series(np.arange(len(rows))).sample(min(len(rows), 5000), random_state=0)
        sample = spelling.take(rows[drawn.to_numpy()])
        if _share(to_number(sample).notna()) >= 0.95:
            return "numeric"
        if _share(pd.to_datetime(sample, errors="coerce", format="ISO8601").notna()) >= 0.95:
            if AS_OF in self._columns_seen:
                return "date_text"
            return "excluded:dates, with no as_of time to compare them with"
        distinct = spelling[filled]  # holds every distinct present text, first seen first
        n_unique = distinct.nunique()
        if n_unique > 10 and titles.looks_like_titles(distinct):
            return "title"
        if n_unique > 50 and n_unique / len(rows) > 0.5:
            return "excluded:identifier-like (mostly unique text)"
        return "categorical"

    def fit(self, X: pd.DataFrame, y: object = None) -> ContactFeatures:
        """Learn each column's kind and each category's kept levels."""
        self._columns_seen = set(X.columns)
        self.input_columns_ = [str(c) for c in X.columns]
        self.plan_: dict[str, str] = {}
        self.excluded_: dict[str, str] = {}
        self.personal_: dict[str, str] = {}  # personal data: never features, never stored
        self.levels_: dict[str, dict[str, str]] = {}
        self.rare_hashes_: dict[str, np.ndarray] = {}
        for name in self.input_columns_:
            if name in RESERVED:
                continue
            if name in self.ignore:
                self.excluded_[name] = "ignored by config"
                continue
            if name == CREATED:
                kind = "date" if AS_OF in X.columns else "excluded:no as_of time to compare with"
            else:
                kind = self._kind(name, X[name])
            if kind in ("date", "date_text") and AS_OF not in X.columns:
                kind = "excluded:no as_of time to compare with"
            if kind.startswith("excluded:"):
                self.excluded_[name] = kind.split(":", 1)[1]
                if self.excluded_[name].startswith("personal data"):
                    self.personal_[name] = self.excluded_[name]
                continue
            self.plan_[name] = kind
            if kind == "categorical":
                self.levels_[name], self.rare_hashes_[name] = self._learn_levels(X[name])
        del self._columns_seen
        self._measure_signal(X, y)
        out = self._transform(X.head(0))
        self.feature_names_out_ = list(out.columns)
        self.categorical_columns_ = [c for c in out.columns if out[c].dtype == object]
        self.numeric_columns_ = [c for c in out.columns if c not in self.categorical_columns_]
        return self

    def _measure_signal(self, X: pd.DataFrame, y: object) -> None:
        """With the outcome: pool category columns without out-of-fold signal, and record
        whether each column's blanks predict it (``features.noise``; ``signal_``)."""
        self.pooled_: list[str] = []
        self.signal_: pd.DataFrame | None = None
        if y is None:
            return
        target = np.asarray(y, dtype=float)
        cats = {n: self._levels_of(n, X[n]) for n, k in self.plan_.items() if k == "categorical"}
        blanks = {n: noise.blank(X[n]) for n in self.plan_ if n in X.columns}
        groups = noise.groups_of(X)
        self.signal_ = pd.concat(
            [
                noise.category_signal(cats, target, groups),
                noise.missing_signal(blanks, target, groups),
            ],
            ignore_index=True,
        )
        self.pooled_ = noise.pooled_columns(self.signal_)

    def _learn_levels(self, values: pd.Series) -> tuple[dict[str, str], np.ndarray]:
        """Kept levels (key -> display spelling) and hashes of the rare ones.

        Rare levels are kept only as hashes, so the fitted model holds no raw rare values
        (which are often names or other personal data) yet can tell rare from unseen.
        """
        codes, spelling = stripped_distinct(values)
        folded = spelling.str.casefold()
        rows = codes[(spelling != "").to_numpy(dtype=bool)[codes]]  # rows with text, in order
        counts = folded.take(rows).value_counts()  # the keys of the rows, in order
        kept = counts[counts >= self.min_category_count].head(self.max_categories)
        rare = counts.index.difference(kept.index)
        spelled = _most_spelled(spelling, folded, rows, kept.index)
        levels = {str(k): str(spelled[k]) for k in kept.index}
        return levels, np.unique(pd.util.hash_array(np.asarray(rare, dtype=object)))

    # -- transform -----------------------------------------------------------------------
    def _levels_of(self, name: str, values: pd.Series) -> pd.Series:
        """The kept level, ``(other)``, ``(unseen)`` or ``(missing)`` of every row."""
        return per_distinct(values, lambda distinct: self._categories(name, distinct))

    def _categories(self, name: str, values: pd.Series) -> pd.Series:
        levels = self.levels_[name]
        text = values.astype("string").str.strip()
        keys = text.str.casefold()
        out = keys.map(levels).astype(object)
        seen_rare = keys.notna() & (keys != "") & out.isna()
        if seen_rare.any():
            hashed = pd.util.hash_array(keys[seen_rare].to_numpy(dtype=object))
            rare = np.isin(hashed, self.rare_hashes_[name])
            out[seen_rare.to_numpy()] = np.where(rare, OTHER, UNSEEN)
        out[(keys.isna() | (keys == "")).to_numpy()] = MISSING
        return out

    def _days_before(self, dates: pd.Series, as_of: pd.Series) -> np.ndarray:
        days = (as_of - dates).dt.total_seconds().to_numpy() / 86_400.0
        days[days < 0] = np.nan  # a date after as_of is not known yet
        return days

    def _transform(self, X: pd.DataFrame) -> pd.DataFrame:
        cols: dict[str, object] = {}
        categorical: set[str] = set()
        as_of = pd.to_datetime(X[AS_OF]) if AS_OF in X.columns else None
        for name, kind in self.plan_.items():
            values = X[name] if name in X.columns else pd.Series(np.nan, index=X.index)
            if kind == "numeric":
                num = to_number(values)
                cols[name] = num.to_numpy()
                if name == self.company_size:
                    cols[f"{name}__band"] = _band(num, SIZE_BANDS, SIZE_LABELS)
                    categorical.add(f"{name}__band")
                if name == self.revenue:
                    cols[f"{name}__band"] = _band(num, REVENUE_BANDS, REVENUE_LABELS)
                    categorical.add(f"{name}__band")
            elif kind in ("date", "date_text"):
                dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
                if getattr(dates.dt, "tz", None) is not None:
                    dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
                label = "days_since_created" if name == CREATED else f"days_since__{name}"
                cols[label] = self._days_before(dates, as_of)
            elif kind == "title":
                level, function = titles.seniority_and_function(values)
                cols[f"{name}__seniority"] = level
                cols[f"{name}__function"] = function
                categorical.update((f"{name}__seniority", f"{name}__function"))
                cols[f"{name}__decision_maker"] = titles.decision_maker(pd.Series(level))
            elif name in getattr(self, "pooled_", ()):  # no signal: one level for all
                pooled = np.empty(len(X), dtype=object)
                pooled.fill(noise.POOLED)  # one string for every row (np.full makes one per row)
                cols[name] = pooled
                categorical.add(name)
            else:
                cols[name] = self._levels_of(name, values).to_numpy(dtype=object)
                categorical.add(name)
        return _frame(cols, categorical, X.index)

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Model-ready features for raw rows; columns missing from ``X`` become missing."""
        check_is_fitted(self, "plan_")
        out = self._transform(X)
        if list(out.columns) == self.feature_names_out_:
            return out  # already in order: no copy of the frame
        return out[self.feature_names_out_]

    def unexpected_columns(self, X: pd.DataFrame) -> list[str]:
        """Columns of ``X`` the fitted transformer has never seen (they are ignored)."""
        check_is_fitted(self, "plan_")
        known = set(self.input_columns_) | set(RESERVED)
        return [c for c in X.columns if c not in known]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "plan_")
        return np.asarray(self.feature_names_out_, dtype=object)
