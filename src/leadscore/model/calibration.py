"""Calibration of a fitted classifier on held-out rows.

One fitted model, frozen, plus a one-dimensional calibrator fitted on rows the model never
saw: prediction costs one model evaluation plus a cheap lookup, unlike a 5-fold ensemble
(five models).

Choosing the method (``calibration = "auto"``): isotonic regression is flexible but overfits
small samples (scikit-learn's documentation warns below about 1,000 rows) and, with rare
conversions, puts exact zeros on the coldest contacts. It is a candidate only with at least
1,000 calibration rows holding at least 100 of each class. Between the candidates, the method
with the lower 5-fold cross-validated log loss *on the calibration rows themselves* (the
frozen model's scores against the outcomes) is chosen, so the choice never looks at the test
rows. Without scores (callers that choose before fitting), isotonic needs 500 of each class.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold

ISOTONIC_MIN_ROWS = 1000
ISOTONIC_MIN_PER_CLASS = 500
ISOTONIC_MIN_PER_CLASS_CV = 100


def cv_log_loss(scores: np.ndarray, y: np.ndarray, seed: int = 0) -> dict[str, float]:
    """5-fold log loss of sigmoid and isotonic maps from model scores to outcomes."""
    p = np.clip(np.asarray(scores, dtype=float), 1e-12, 1 - 1e-12)
    logit = np.log(p / (1 - p)).reshape(-1, 1)
    y = np.asarray(y, dtype=int)
    out = {"sigmoid": 0.0, "isotonic": 0.0}
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    for fit, held in folds.split(logit, y):
        sig = LogisticRegression(C=1e6).fit(logit[fit], y[fit])
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1)
        iso.fit(logit[fit, 0], y[fit])
        for name, q in (
            ("sigmoid", sig.predict_proba(logit[held])[:, 1]),
            ("isotonic", iso.predict(logit[held, 0])),
        ):
            out[name] += log_loss(y[held], np.clip(q, 1e-15, 1 - 1e-15), labels=[0, 1]) * len(held)
    return {k: v / len(y) for k, v in out.items()}


def choose_method(
    y_cal: np.ndarray,
    requested: str = "auto",
    scores: np.ndarray | None = None,
    rows: str = "calibration rows",
) -> tuple[str, str]:
    """(method, why) from the calibration rows and, when given, the model's scores on them
    (``rows`` names them in the sentence)."""
    y = np.asarray(y_cal)
    n, pos = len(y), int(y.sum())
    neg = n - pos
    if requested != "auto":
        return str(requested), f"{requested} (set in config)"
    if scores is not None and n >= ISOTONIC_MIN_ROWS and min(pos, neg) >= ISOTONIC_MIN_PER_CLASS_CV:
        losses = cv_log_loss(scores, y)
        best = min(losses, key=lambda name: losses[name])
        return best, (
            f"{best}: lower 5-fold log loss on the {n:,} {rows} ({pos:,} positives): "
            f"sigmoid {losses['sigmoid']:.4f}, isotonic {losses['isotonic']:.4f}"
        )
    if scores is None and n >= ISOTONIC_MIN_ROWS and min(pos, neg) >= ISOTONIC_MIN_PER_CLASS:
        return "isotonic", (
            f"isotonic: {n:,} {rows} with {pos:,} positives and {neg:,} negatives "
            f"(>= {ISOTONIC_MIN_ROWS:,} rows and >= {ISOTONIC_MIN_PER_CLASS} of each class)"
        )
    need = ISOTONIC_MIN_PER_CLASS_CV if scores is not None else ISOTONIC_MIN_PER_CLASS
    return "sigmoid", (
        f"sigmoid: {n:,} {rows} with {pos:,} positives is too few for isotonic "
        f"(needs >= {ISOTONIC_MIN_ROWS:,} rows and >= {need} of each class)"
    )


def calibrate(
    fitted, X_cal: pd.DataFrame, y_cal: np.ndarray, method: str
) -> CalibratedClassifierCV:
    """Wrap a fitted classifier with a calibrator fitted on ``(X_cal, y_cal)``."""
    calibrated = CalibratedClassifierCV(FrozenEstimator(fitted), method=method)
    return calibrated.fit(X_cal, np.asarray(y_cal))


class ScoreColumn(ClassifierMixin, BaseEstimator):
    """Replays log-odds it is given as its one input column (``decision_function(X) =
    X[:, 0]``), so scikit-learn's own calibrator can be fitted on out-of-fold scores."""

    def fit(self, X: Any, y: np.ndarray) -> ScoreColumn:
        self.classes_ = np.unique(np.asarray(y))
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=float)[:, 0]

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


def calibrate_scores(
    fitted: Any, scores: np.ndarray, y: np.ndarray, method: str
) -> CalibratedClassifierCV:
    """Wrap a fitted classifier with a calibrator fitted on out-of-sample log-odds.

    ``scores`` are log-odds of ``y``'s rows from models that never saw those rows (cross-fitted:
    each from a model fitted without them), so ``fitted`` may itself have learned from every
    row. The result is a ``CalibratedClassifierCV`` around the frozen ``fitted``, exactly like
    ``calibrate`` makes, and predicts from the rows ``fitted`` takes.
    """
    replay = FrozenEstimator(ScoreColumn().fit(None, y))
    column = np.asarray(scores, dtype=float).reshape(-1, 1)
    calibrated = CalibratedClassifierCV(replay, method=method).fit(column, np.asarray(y))
    frozen = FrozenEstimator(fitted)
    calibrated.estimator = frozen
    calibrated.calibrated_classifiers_[0].estimator = frozen
    return calibrated


def calibrated_from_scores(calibrated: CalibratedClassifierCV, scores: np.ndarray) -> np.ndarray:
    """The calibrated probability of the positive class for log-odds the frozen model already
    gave (its ``decision_function``), through scikit-learn's own calibrator code: a twin of
    ``calibrated`` whose model replays ``scores``, so no row goes through the model again."""
    twin = copy.copy(calibrated)
    twin.calibrated_classifiers_ = []
    for part in calibrated.calibrated_classifiers_:
        replay = copy.copy(part)
        replay.estimator = ScoreColumn().fit(None, part.estimator.classes_)
        twin.calibrated_classifiers_.append(replay)
    return twin.predict_proba(np.asarray(scores, dtype=float).reshape(-1, 1))[:, 1]
