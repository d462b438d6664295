"""The two classifiers, each one scikit-learn pipeline from raw contact rows to probability.

- ``hgb``: ``ContactFeatures`` → ordinal-encoded categories → ``HistGradientBoostingClassifier``
  (native missing values and categories, interactions such as "decision-maker *and* demo").
- ``logistic``: ``ContactFeatures`` → one-hot categories, imputed and scaled numbers with
  missing-value indicators → ``LogisticRegression``; the transparent baseline.

The pipelines are built after ``ContactFeatures`` has been fitted once, because the
categorical columns it produces decide the encoders; fitting the pipeline refits it the same.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from leadscore.features.contact import ContactFeatures


def signed_log(x: np.ndarray) -> np.ndarray:
    """sign(x)·log1p(|x|): tames counts and money amounts for the linear model."""
    return np.sign(x) * np.log1p(np.abs(x))


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
    model = HistGradientBoostingClassifier(
        learning_rate=0.05,
        max_iter=300,
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
            (
                "impute",
                SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
            ),
            ("log", FunctionTransformer(signed_log, feature_names_out="one-to-one")),
            ("scale", StandardScaler()),
        ]
    )
    encode = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), cat),
            ("num", numbers, num),
        ]
    )
    model = LogisticRegression(C=0.5, max_iter=2000, random_state=seed)
    return Pipeline([("features", clone(features)), ("encode", encode), ("model", model)])


BUILDERS = {"hgb": build_hgb, "logistic": build_logistic}
