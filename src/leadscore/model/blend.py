"""Model heads beyond one pipeline: a blend in log-odds, and the base rate.

``LogitBlend``: ``p = sigmoid(sum_k w_k * logit_k(x))`` of fitted classifiers.

Blending in log-odds rather than in probabilities keeps the model additive in log-odds, so
per-lead reasons stay exact: the blend's contribution of a factor is the weighted sum of the
parts' contributions, and ``reference + sum of contributions`` is still the blend's log-odds
(``contributions``). The weights are chosen on validation rows (``model.selection``); the
blend is calibrated afterwards like any other model, so they need not sum to one.

``BaseRate``: every row gets the conversion rate of the rows it learned from. It is the
candidate every model must beat (``model.selection``): on data whose columns carry no signal
it is the honest model, and its reasons are empty (every contribution is 0).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted


class LogitBlend(ClassifierMixin, BaseEstimator):
    """Weighted sum of the log-odds (``decision_function``) of binary classifiers.

    Args:
        estimators: ``(name, classifier)`` pairs; each classifier has ``decision_function``.
        weights: one weight per classifier.
    """

    def __init__(
        self, estimators: list[tuple[str, Any]] | None = None, weights: tuple[float, ...] = ()
    ) -> None:
        self.estimators = estimators
        self.weights = weights

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> LogitBlend:
        """Fit a clone of every classifier on the same rows."""
        self.estimators_ = [(name, clone(est).fit(X, y)) for name, est in self.estimators or []]
        self.classes_ = np.unique(np.asarray(y))
        return self

    @classmethod
    def of_fitted(cls, estimators: list[tuple[str, Any]], weights: tuple[float, ...]) -> LogitBlend:
        """A blend of classifiers that are already fitted (nothing is refitted)."""
        blend = cls(estimators, tuple(float(w) for w in weights))
        blend.estimators_ = list(estimators)
        blend.classes_ = np.asarray(estimators[0][1].classes_)
        return blend

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The blended log-odds of the positive class."""
        check_is_fitted(self)
        parts = [
            w * est.decision_function(X)
            for (_, est), w in zip(self.estimators_, self.weights, strict=True)
        ]
        return np.sum(parts, axis=0)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities of both classes (uncalibrated)."""
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The class with the higher probability."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def describe(self) -> str:
        """The blend in words: ``0.75 × hgb + 0.25 × logistic (log-odds)``."""
        terms = [
            f"{w:g} × {name}" for (name, _), w in zip(self.estimators_, self.weights, strict=True)
        ]
        return " + ".join(terms) + " (log-odds)"

    def contributions(self, features: pd.DataFrame, reference: list[float] | None = None) -> Any:
        """Exact factor contributions: the weighted sum of each part's (``model.reasons``).

        ``features`` is the ``ContactFeatures`` output; ``reference`` the logistic part's
        training means (``reasons.logistic_reference``), as stored with the model.
        """
        return self.parts(features, reference)[1]

    def parts(
        self, features: pd.DataFrame, reference: list[float] | None = None
    ) -> tuple[np.ndarray, Any]:
        """(blended log-odds, contributions) from one pass of each part over ``features``;
        the log-odds is ``decision_function``'s, bit for bit."""
        from leadscore.model import reasons

        total: pd.DataFrame | None = None
        ref = 0.0
        decisions = []
        for (_, est), w in zip(self.estimators_, self.weights, strict=True):
            decision, part = reasons.head_parts(est.steps, features, reference)
            decisions.append(w * decision)
            total = part.values * w if total is None else total + part.values * w
            ref += w * part.reference
        assert total is not None
        return np.sum(decisions, axis=0), reasons.Contributions(total, ref)


class BaseRate(ClassifierMixin, BaseEstimator):
    """The conversion rate of the training rows, for every row (log-odds in ``decision_function``)."""

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> BaseRate:
        """Learn the rate (clipped away from 0 and 1)."""
        y = np.asarray(y, dtype=float)
        rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6))
        self.log_odds_ = float(np.log(rate / (1 - rate)))
        self.classes_ = np.array([0, 1])
        return self

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """The same log-odds for every row."""
        check_is_fitted(self)
        return np.full(len(X), self.log_odds_)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """The rate for every row."""
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The more common class."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]

    def contributions(self, features: pd.DataFrame, reference: list[float] | None = None) -> Any:
        """No factor moves the probability: every contribution is 0."""
        return self.parts(features, reference)[1]

    def parts(
        self, features: pd.DataFrame, reference: list[float] | None = None
    ) -> tuple[np.ndarray, Any]:
        """(log-odds, contributions): the same log-odds for every row, every contribution 0."""
        from leadscore.model import reasons

        zeros = pd.DataFrame(0.0, index=features.index, columns=list(features.columns))
        return self.decision_function(features), reasons.Contributions(zeros, self.log_odds_)
