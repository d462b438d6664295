"""The two model families, each one scikit-learn pipeline from raw contact rows to probability.

- ``hgb``: ``ContactFeatures`` → ordinal-encoded categories → ``HistGradientBoostingClassifier``
  (native missing values and categories, interactions such as "decision-maker *and* demo").
- ``logistic``: ``ContactFeatures`` → one-hot categories, imputed and scaled numbers with
  missing-value indicators → ``LogisticRegression``; transparent and hard to overfit.

The pipelines are built after ``ContactFeatures`` has been fitted once, because the
categorical columns it produces decide the encoders; fitting the pipeline refits it the same.
``head`` is a pipeline without its feature step (it takes ``ContactFeatures`` output), so the
features of each row are computed once however many candidates are tried
(``model.selection``); ``assemble`` puts the fitted feature step back in front.

Light tuning (``model.selection``) tries the settings below on validation rows: for boosting,
the learning rate and tree size/regularisation, each with its iterations stopped early (at
most the builder's ``max_iter``); for the logistic model, the strength of the L2 penalty.
The grids are small on purpose: together they cost about as much as one boosted model fitted
for the full ``max_iter`` (see docs/trust.md for the measured training time).

Three scikit-learn classes are subclassed for cost alone, each giving the same numbers as its
parent (tests/test_training_steps.py): ``BinnedBoosting`` predicts through its bins,
``DenseDesign`` stacks the linear design without a dense copy of the one-hot part, and
``MeanLogistic`` keeps the design's means for the reasons.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted, validate_data

from leadscore.features.contact import ContactFeatures

HGB_MAX_ITER = 500  # the cap on boosting iterations; early stopping usually ends far sooner
# settings of the boosted model step tried on the validation rows (each stopped early)
HGB_GRID: tuple[dict[str, float], ...] = (
    {"learning_rate": 0.1, "max_leaf_nodes": 7, "min_samples_leaf": 100, "l2_regularization": 1.0},
    {"learning_rate": 0.05, "max_leaf_nodes": 31, "min_samples_leaf": 20, "l2_regularization": 0.0},
)
# inverse L2 strength of the logistic model tried on the validation rows
LOGISTIC_GRID: tuple[dict[str, float], ...] = ({"C": 0.05}, {"C": 0.3}, {"C": 2.0})
# weight of the boosted log-odds in the blend (the logistic model gets the rest)
BLEND_WEIGHTS = (0.25, 0.5, 0.75)
EARLY_STOPPING_ROUNDS = 20  # iterations without a better validation loss before stopping
DECISION_ROWS = 65_536  # rows per block of the logistic model's float64 log-odds (70 MB)
SCALE_COLUMNS = 8  # columns per block of the scaler's float64 means and variances


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
        missing = np.isnan(X)
        width, flags = X.shape[1], missing[:, indicator.features_]
        # np.hstack lays its result out as its parts are laid out (rows or columns first):
        # the same layout, so the scaler's sums after this add in the same order
        probe = np.hstack((X[:2], flags[:2])).flags
        columns_first = probe.f_contiguous and not probe.c_contiguous
        out = np.empty((X.shape[0], width + flags.shape[1]), X.dtype, "F" if columns_first else "C")
        out[:, :width] = X
        np.copyto(out[:, :width], self.statistics_.astype(self._fill_dtype, copy=False),
                  where=missing)  # fmt: skip
        out[:, width:] = flags
        return out


class ColumnScaler(StandardScaler):
    """``StandardScaler`` whose dense fit takes the means and variances ``SCALE_COLUMNS``
    columns at a time. scikit-learn's one pass subtracts the float64 means from the whole
    design at once: for the float32 numbers of ``CompactDesign`` that is a float64 temporary
    twice their size (a million rows: 0.67 GB, the peak of training). Each column's figures
    come from the same code on the same column, so they are the same bit for bit."""

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> ColumnScaler:
        plain = isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind == "f"
        if not plain or sample_weight is not None or X.shape[1] <= SCALE_COLUMNS:
            return super().fit(X, y, sample_weight)
        parts = [
            StandardScaler(copy=self.copy, with_mean=self.with_mean, with_std=self.with_std)
            .fit(X[:, start : start + SCALE_COLUMNS])
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


class BinnedBoosting(HistGradientBoostingClassifier):
    """``HistGradientBoostingClassifier`` that predicts through its own bins: each row is
    mapped once to the uint8 bins the trees were grown on, and the trees are walked on those
    (``predict_binned``, as early stopping does during the fit) instead of on the float64
    values, one tree at a time over every row.

    The same log-odds bit for bit: a row goes left at a split on bin ``b`` exactly when its
    value is ``<=`` the ``b``-th bin threshold, which is the value scikit-learn's raw-value
    walk compares with; missing values take the missing bin, and unknown categories are
    already missing after the model's own category encoder. About 4x faster on 200,000 rows
    (2.3 s against 0.53 s, 137 trees, one thread): the float walk reads eight times the
    memory per row for every tree. Fitting is scikit-learn's own."""

    def _raw_predict(self, X: Any, n_threads: int | None = None) -> np.ndarray:
        if getattr(self, "_in_fit", False):  # already binned: scikit-learn's own path
            return super()._raw_predict(X, n_threads)
        check_is_fitted(self)
        mapper = self._bin_mapper
        binned = mapper.transform(self._preprocess_X(X, reset=False))
        raw = np.zeros(
            (binned.shape[0], self.n_trees_per_iteration_),
            dtype=self._baseline_prediction.dtype,
            order="F",
        )
        raw += self._baseline_prediction
        threads = _openmp_effective_n_threads(n_threads)
        for predictors in self._predictors:  # the trees in scikit-learn's order: same sums
            for k, predictor in enumerate(predictors):
                raw[:, k] += predictor.predict_binned(
                    binned, mapper.missing_values_bin_idx_, threads
                )
        return raw


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
        out = np.zeros((n_samples, sum(X.shape[1] for X in Xs)), dtype)
        start = 0
        for X in Xs:
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


class MeanLogistic(LogisticRegression):
    """``LogisticRegression`` that keeps the mean of each column of the design it learned
    from (``design_mean_``): the reference its reasons are told against (the average lead the
    model saw), taken from the array the fit already holds rather than by encoding the fit
    rows a second time (a million rows: a 1 GB design and 5.5 s at the end of training)."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MeanLogistic:
        super().fit(X, y, sample_weight)
        # summed in float64 whatever the design's dtype (a float32 sum drifts over a million rows)
        self.design_mean_ = np.asarray(X.mean(axis=0, dtype=np.float64), dtype=float).ravel()
        return self

    def decision_function(self, X: Any) -> Any:
        """Log-odds in float64 from a float32 design (``CompactDesign``), a block of rows at a
        time: float32 products would round each row's sum differently with its place in the
        batch (BLAS treats a batch's last rows apart), so two engines batching the same rows
        differently would disagree in the seventh digit."""
        if not (isinstance(X, np.ndarray) and X.dtype == np.float32 and X.ndim == 2):
            return super().decision_function(X)
        check_is_fitted(self)
        coef, intercept = self.coef_.astype(np.float64), self.intercept_.astype(np.float64)
        out = np.empty((X.shape[0], coef.shape[0]))
        for start in range(0, X.shape[0], DECISION_ROWS):
            block = slice(start, start + DECISION_ROWS)
            np.matmul(X[block].astype(np.float64), coef.T, out=out[block])
        out += intercept
        return out.ravel() if coef.shape[0] == 1 else out


def build_hgb(features: ContactFeatures, seed: int = 42) -> Pipeline:
    """Gradient-boosted trees on the fitted feature plan."""
    cat = features.categorical_columns_
    num = features.numeric_columns_
    encode = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=np.nan,
                    encoded_missing_value=np.nan,
                ),
                cat,
            ),
            ("num", "passthrough", num),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    model = BinnedBoosting(
        learning_rate=0.05,
        max_iter=HGB_MAX_ITER,
        max_leaf_nodes=15,
        min_samples_leaf=100,
        l2_regularization=1.0,
        categorical_features=list(cat) if cat else None,
        early_stopping=False,
        random_state=seed,
    )
    return Pipeline([("features", clone(features)), ("encode", encode), ("model", model)])


def build_logistic(features: ContactFeatures, seed: int = 42) -> Pipeline:
    """Regularised logistic regression on the fitted feature plan."""
    cat = features.categorical_columns_
    num = features.numeric_columns_
    numbers = Pipeline(
        [
            ("float32", FunctionTransformer(to_float32, feature_names_out="one-to-one")),
            (
                "impute",
                MedianImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("log", FunctionTransformer(signed_log_in_place, feature_names_out="one-to-one")),
            ("scale", ColumnScaler(copy=False)),  # on the array the step before made
        ]
    )
    encode = CompactDesign(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=True), cat),
            ("num", numbers, num),
        ],
        sparse_threshold=0.0,  # a dense float32 design, without a dense copy of the one-hot
    )
    model = MeanLogistic(C=0.5, max_iter=2000, random_state=seed)
    return Pipeline([("features", clone(features)), ("encode", encode), ("model", model)])


BUILDERS = {"hgb": build_hgb, "logistic": build_logistic}


def head(pipeline: Pipeline) -> Pipeline:
    """The steps after the feature step: a pipeline from ``ContactFeatures`` output."""
    return Pipeline(pipeline.steps[1:])


def assemble(features: ContactFeatures, fitted_head: Any) -> Pipeline:
    """The whole pipeline from raw rows: the fitted features, then the fitted head."""
    steps = fitted_head.steps if isinstance(fitted_head, Pipeline) else [("model", fitted_head)]
    return Pipeline([("features", features), *steps])
