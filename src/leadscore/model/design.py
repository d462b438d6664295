"""The logistic model's design: one float32 array from the features, in little memory.

The linear model reads one dense array: the one-hot categories, then the numbers (imputed,
with missing-value indicators, signed-log and scaled). scikit-learn builds each part as its
own array with copies on the way and then stacks them into a third; on a million rows that is
training's largest memory. The steps here give the same array bit for bit
(tests/test_training_steps.py) with fewer copies:

- ``to_float32``: the numbers as one new writeable float32 array, column by column;
- ``MedianImputer``: medians by partition, the imputed values and indicators in one array;
- ``signed_log_in_place`` and ``ColumnScaler(copy=False)`` then work on it in place (the
  scaler's statistics a block of columns at a time);
- ``DenseDesign`` stacks the parts without a dense copy of the one-hot part, and
  ``CompactDesign`` does it in float32.

``model.estimators`` builds the pipelines and names these steps too (models saved before this
module existed refer to them there).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

SCALE_COLUMNS = 8  # columns per block of the scaler's float64 means and variances


@dataclass
class _Slot:
    """Where the design's last part (the numbers) may write its values: the columns after
    ``lead`` of the design a ``CompactDesign`` is building, made when the part asks."""

    rows: int
    lead: int  # the design's columns before the numbers (the one-hot part)
    dtype: Any
    design: np.ndarray | None = None

    def columns(self, rows: int, width: int, dtype: Any) -> np.ndarray | None:
        """The design's last ``width`` columns (zeroed), or None when they do not fit."""
        if self.design is not None or rows != self.rows or np.dtype(dtype) != self.dtype:
            return None
        self.design = np.zeros((rows, self.lead + width), self.dtype)
        return self.design[:, self.lead :]


_SLOT: ContextVar[_Slot | None] = ContextVar("leadscore_design_slot", default=None)


@contextlib.contextmanager
def _slot(rows: int, lead: int | None, dtype: Any) -> Iterator[None]:
    """A slot for the design being built (none when ``lead`` is None: parts stacked as usual)."""
    token = _SLOT.set(None if lead is None else _Slot(rows, lead, np.dtype(dtype)))
    try:
        yield
    finally:
        _SLOT.reset(token)


def signed_log(x: np.ndarray) -> np.ndarray:
    """sign(x)·log1p(|x|): tames counts and money amounts for the linear model.

    Computed in one new array (the same values bit for bit as ``np.sign(x) *
    np.log1p(np.abs(x))``, which held three): on a million training rows the linear model's
    numeric block is the largest array training makes."""
    out = np.abs(x)
    np.log1p(out, out=out)
    np.copysign(out, x, out=out)
    out += 0.0  # -0.0 becomes 0.0, as sign(-0.0) * 0.0 gives
    return out


def signed_log_in_place(x: np.ndarray) -> np.ndarray:
    """``signed_log`` written over ``x`` itself (the same values bit for bit), for the linear
    model's pipeline, where ``x`` is the imputer's own new array: on a million training rows
    a second array of the numeric block is a gigabyte."""
    if x.dtype.kind != "f" or not x.flags.writeable:
        return signed_log(x)
    negative = np.signbit(x)
    np.abs(x, out=x)
    np.log1p(x, out=x)
    np.negative(x, out=x, where=negative)
    x += 0.0  # -0.0 becomes 0.0, as sign(-0.0) * 0.0 gives
    return x


def to_float32(X: Any) -> np.ndarray:
    """The numeric columns as one new, writeable float32 array (columns first, as pandas lays
    out a frame's values), written column by column with no float64 array of them all on the
    way: the first step of the logistic model's numbers, which then impute, log and scale in
    float32 (``CompactDesign``). pandas hands a frame's values back read-only, and the imputer
    then copies them to write (a million rows: 0.25 GB more at the peak of training)."""
    if not hasattr(X, "columns"):
        return np.asarray(X, dtype=np.float32)
    out = np.empty(X.shape, dtype=np.float32, order="F")
    for j in range(X.shape[1]):
        out[:, j] = X.iloc[:, j].to_numpy(dtype=np.float32, na_value=np.nan)
    return out


class MedianImputer(SimpleImputer):
    """``SimpleImputer(strategy="median")`` whose dense fit takes each column's median by
    partition (``np.nanmedian``) instead of scikit-learn's masked full sort: the same medians
    bit for bit (the middle value, or the two middle ones added and halved), at a fraction of
    the cost on a million rows (the full sort was ~10 % of training's CPU)."""

    def _dense_fit(self, X: Any, strategy: Any, missing_values: Any, fill_value: Any) -> Any:
        nan_missing = isinstance(missing_values, float) and np.isnan(missing_values)
        if strategy != "median" or not nan_missing or X.dtype.kind != "f":
            return super()._dense_fit(X, strategy, missing_values, fill_value)
        self._fit_indicator(np.isnan(X))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-missing column
            median = np.nanmedian(X, axis=0)
        median[np.isnan(median)] = 0 if self.keep_empty_features else np.nan
        return median

    def transform(self, X: Any) -> Any:
        """The imputed values and the missing-value indicators written into one new array
        (scikit-learn copies the input, imputes the copy, then stacks it with the indicators
        into a third array: on a million rows, a half-gigabyte copy less). The same array:
        the same values, dtype and memory layout as scikit-learn's ``np.hstack`` gives."""
        nan_missing = isinstance(self.missing_values, float) and np.isnan(self.missing_values)
        indicator = getattr(self, "indicator_", None)
        if not (nan_missing and self.keep_empty_features and indicator is not None):
            return super().transform(X)
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, accept_sparse="csc", dtype=FLOAT_DTYPES,
                          force_writeable=True, ensure_all_finite="allow-nan", copy=False)  # fmt: skip
        if sparse.issparse(X) or X.shape[1] != len(self.statistics_):
            return super().transform(X)  # scikit-learn's own path (and its errors)
        width, flagged = X.shape[1], np.asarray(indicator.features_, dtype=np.intp)
        # np.hstack lays its result out as its parts are laid out (rows or columns first):
        # the same layout as scikit-learn's array (inside a CompactDesign, the design's own)
        probe = np.hstack((X[:2], np.isnan(X[:2][:, flagged]))).flags
        columns_first = probe.f_contiguous and not probe.c_contiguous
        slot = _SLOT.get()  # a CompactDesign being built: its own columns (the same values)
        out = slot.columns(X.shape[0], width + len(flagged), X.dtype) if slot else None
        if out is None:
            out = np.empty(
                (X.shape[0], width + len(flagged)), X.dtype, "F" if columns_first else "C"
            )
        out[:, :width] = X
        fill = self.statistics_.astype(self._fill_dtype, copy=False)
        for j in range(width):  # a column at a time: no mask of every value (1 M rows: 80 MB)
            np.copyto(out[:, j], fill[j], where=np.isnan(X[:, j]))
        for k, j in enumerate(flagged):
            out[:, width + k] = np.isnan(X[:, j])
        return out


class ColumnScaler(StandardScaler):
    """``StandardScaler`` whose dense fit takes the means and variances ``SCALE_COLUMNS``
    columns at a time. scikit-learn's one pass subtracts the float64 means from the whole
    design at once: for the float32 numbers of ``CompactDesign`` that is a float64 temporary
    twice their size (a million rows: 0.67 GB, the peak of training). Each block is laid out
    column after column first (the numbers may be the design's own columns, rows first), so
    its figures are scikit-learn's for those columns bit for bit, whatever the layout given."""

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> ColumnScaler:
        plain = isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind == "f"
        if not plain or sample_weight is not None or X.shape[1] <= SCALE_COLUMNS:
            return super().fit(X, y, sample_weight)
        parts = [
            StandardScaler(copy=self.copy, with_mean=self.with_mean, with_std=self.with_std)
            .fit(np.asfortranarray(X[:, start : start + SCALE_COLUMNS]))
            for start in range(0, X.shape[1], SCALE_COLUMNS)
        ]  # fmt: skip
        seen = np.concatenate([np.broadcast_to(p.n_samples_seen_, p.n_features_in_) for p in parts])
        # an int when every column saw every row, as scikit-learn reduces it
        self.n_samples_seen_ = seen[0] if seen.max() == seen.min() else seen
        for name in ("mean_", "var_", "scale_"):
            values = [getattr(p, name) for p in parts]
            setattr(self, name, None if values[0] is None else np.concatenate(values))
        self.n_features_in_ = X.shape[1]
        return self


class DenseDesign(ColumnTransformer):
    """``ColumnTransformer`` whose dense output is one array written part by part, a sparse
    part (the one-hot categories) as its non-zeros into zeroed columns: the same array as
    ``np.hstack`` of the densified parts, without each part's own dense copy beside it (on a
    million rows, 0.56 GB of one-hot columns at the peak of training)."""

    out_dtype: Any = None  # the dense design's dtype; None: the parts' common dtype

    def _hstack(self, Xs: list[Any], *, n_samples: int) -> Any:
        plain = all(
            isinstance(X, np.ndarray) or (sparse.issparse(X) and X.format == "csr") for X in Xs
        )
        if self.sparse_output_ or not plain or not Xs:
            return super()._hstack(Xs, n_samples=n_samples)
        dtype = self.out_dtype or np.result_type(*(X.dtype for X in Xs))
        width = sum(X.shape[1] for X in Xs)
        out = _in_slot(Xs[-1], (n_samples, width), dtype)  # the numbers are in their columns
        parts = Xs[:-1] if out is not None else Xs
        if out is None:
            out = np.zeros((n_samples, width), dtype)
        start = 0
        for X in parts:
            end = start + X.shape[1]
            if not sparse.issparse(X):
                out[:, start:end] = X
            elif X.has_canonical_format:  # no repeated entries: each non-zero written once
                rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
                out[rows, start + X.indices] = X.data
            else:
                out[:, start:end] = X.toarray()
            start = end
        return out


class CompactDesign(DenseDesign):
    """``DenseDesign`` written in float32, from numbers imputed, logged and scaled in float32
    (``to_float32``): the logistic model then fits in float32 (scikit-learn keeps the design's
    dtype), which halves the largest arrays training makes (a million rows x 135 columns:
    0.54 GB against 1.08, and its numeric block) and the memory its solver reads on every
    iteration; ``MeanLogistic`` still scores in float64.

    What float32 costs: on 250,000 rows the float32 pipeline's validation log-odds differ
    from the float64 one's by at most 0.84 (99th percentile 0.19, median 0.024; 87 solver
    iterations against 83, AUC 0.94009 against 0.94006), where the float64 model itself stops
    up to 8.9 log-odds (99th percentile 1.09, median 0.062) from the optimum its solver
    reaches with a 10,000x tighter tolerance (docs/scale.md)."""

    out_dtype = np.float32

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        """The fitted parts' design, the numbers imputed straight into their columns."""
        with _slot(len(X), self._lead(X), self.out_dtype):
            return super().fit_transform(X, y, **params)

    def transform(self, X: Any, **params: Any) -> Any:
        """The design of ``X``, the numbers imputed straight into their columns."""
        check_is_fitted(self)
        last = self.transformers[-1][0] if self.transformers else None
        indices = getattr(self, "output_indices_", {})
        lead = indices[last].start if last in indices and not self.sparse_output_ else None
        with _slot(len(X), lead, self.out_dtype):
            return super().transform(X, **params)

    def _lead(self, X: Any) -> int | None:
        """The design's columns before its last part (the numbers), from the earlier parts
        fitted on their own columns (the one-hot encoder's categories: a second fit of it,
        about a second on a million rows); None where that cannot be told before the fit."""
        if not isinstance(X, pd.DataFrame) or self.remainder != "drop" or self.sparse_threshold:
            return None
        lead = 0
        for _, part, columns in self.transformers[:-1]:
            names = list(columns) if isinstance(columns, (list, tuple)) else None
            if names is None or not all(isinstance(c, str) for c in names):
                return None
            if names and part != "drop":
                if part == "passthrough":
                    return None
                lead += len(clone(part).fit(X[names]).get_feature_names_out())
        return lead


def _in_slot(X: Any, shape: tuple[int, int], dtype: Any) -> np.ndarray | None:
    """The design of this context's slot when ``X`` is its last columns as handed out (the
    other parts then go before them), else None."""
    slot = _SLOT.get()
    if slot is None or slot.design is None or not isinstance(X, np.ndarray):
        return None
    design, handed = slot.design, slot.design[:, slot.lead :]
    same = (
        design.shape == shape
        and design.dtype == np.dtype(dtype)
        and X.shape == handed.shape
        and X.strides == handed.strides
        and X.ctypes.data == handed.ctypes.data
    )
    return design if same else None
