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

Two scikit-learn classes are subclassed here for cost alone, each giving the same numbers as
its parent (tests/test_training_steps.py): ``BinnedBoosting`` predicts through its bins and
``MeanLogistic`` keeps the design's means for the reasons; the linear design's own steps are
in ``model.design``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder
from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
from sklearn.utils.validation import check_is_fitted

from leadscore.features.contact import ContactFeatures

# the linear design's steps, named here too: models saved before ``model.design`` existed
# refer to them in this module
from leadscore.model.design import (  # noqa: F401
    ColumnScaler,
    CompactDesign,
    DenseDesign,
    MedianImputer,
    signed_log,
    signed_log_in_place,
    to_float32,
)

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
            # float32 ones: the design's dtype (a million rows: 28 MB less than float64 ones)
            ("cat", OneHotEncoder(handle_unknown="ignore", dtype=np.float32), cat),
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
