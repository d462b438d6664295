"""A scorecard with honest probabilities, and the scorecard as the baseline of training.

``ScoreCalibrator`` maps scorecard points to a probability of converting: a logistic curve on
the points (Platt), or isotonic regression when there is enough data for it (the same rule as
``model.calibration.choose_method``). ``train_scorecard`` fits it on the point-in-time snapshot
examples of ``model.train`` and returns a ``ScorecardScorer``: it has the interface of
``LeadScorer`` (``rows``, ``predict_proba``, ``predict_frame``, ``thresholds``, ``info``,
``features``), so ``store.save_model`` and ``tracking.log_training`` handle it like any model.

``scorecard_metrics`` is the baseline row: the scorecard calibrated on the earlier rows and
measured on the same held-out rows as the learned model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from leadscore.errors import NotEnoughDataError
from leadscore.features.activity import ActivitySpec
from leadscore.model.calibration import choose_method
from leadscore.model.examples import examples_of
from leadscore.model.metrics import summarize
from leadscore.model.spec import TrainSpec
from leadscore.model.split import snapshot_split
from leadscore.model.tiers import assign_tiers, tier_table
from leadscore.scorecard.rules import Scorecard

MIN_CALIBRATION_WON = 5


class ScoreCalibrator:
    """Scorecard points → probability of converting (monotone, one-dimensional)."""

    def __init__(self, method: str = "auto") -> None:
        self.method = method

    def fit(self, points: np.ndarray, y: np.ndarray) -> ScoreCalibrator:
        """Fit on points and 0/1 outcomes; ``method_`` and ``why_`` say what was chosen."""
        x = np.asarray(points, dtype=float)
        y = np.asarray(y, dtype=int)
        self.method_, self.why_ = choose_method(y, self.method)
        if self.method_ == "isotonic":
            self.model_ = IsotonicRegression(out_of_bounds="clip", increasing=True)
            self.model_.fit(x, y)
        else:
            self.model_ = LogisticRegression(C=100.0).fit((x / 100.0).reshape(-1, 1), y)
        return self

    def predict(self, points: np.ndarray) -> np.ndarray:
        """Probability per score."""
        x = np.asarray(points, dtype=float)
        if self.method_ == "isotonic":
            p = self.model_.predict(x)
        else:
            p = self.model_.predict_proba((x / 100.0).reshape(-1, 1))[:, 1]
        return np.clip(p, 1e-4, 1 - 1e-4)


def scorecard_metrics(
    card: Scorecard,
    fit_rows: pd.DataFrame,
    y_fit: np.ndarray,
    test_rows: pd.DataFrame,
    y_test: np.ndarray,
    method: str = "auto",
) -> dict[str, float]:
    """Held-out metrics of a scorecard: calibrated on ``fit_rows``, measured on ``test_rows``.

    Rows must hold the columns the rules read: build them with ``card.rows(contacts,
    activities, keys)`` (``card`` validated first). Returns ``metrics.summarize``'s keys.
    """
    fit_points, _ = card.score(fit_rows)
    test_points, _ = card.score(test_rows)
    calibrator = ScoreCalibrator(method).fit(fit_points, y_fit)
    return summarize(y_test, calibrator.predict(test_points))


@dataclass
class _Inputs:
    """The bits of ``ContactFeatures`` that saving, logging and predicting read."""

    input_columns_: list[str]
    plan_: dict[str, str]
    feature_names_out_: list[str]
    excluded_: dict[str, str] = field(default_factory=dict)

    def unexpected_columns(self, X: pd.DataFrame) -> list[str]:
        known = set(self.input_columns_) | {"contact_id", "status", "closed_at", "created_at"}
        return [c for c in X.columns if c not in known]


@dataclass
class ScorecardScorer:
    """A calibrated scorecard, served like a ``LeadScorer``.

    ``predict_frame`` gives probability (calibrated), score (the scorecard's points, 0-100),
    tier and reasons. ``thresholds`` are the probabilities of the config's point thresholds,
    so a tier means the same score band as in ``predict --scorecard``.
    """

    card: Scorecard
    calibrator: ScoreCalibrator
    thresholds: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def activity_spec(self) -> ActivitySpec:
        return self.card.activity_spec()

    @property
    def features(self) -> _Inputs:
        plan: dict[str, str] = {"as_of": "date"}
        for rule in self.card.rules:
            if rule.column:
                numeric = rule.kind == "range" or all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in rule.values
                )
                plan[rule.column] = "numeric" if numeric else "categorical"
        for name in self.activity_spec.feature_names():
            plan[name] = "numeric"
        return _Inputs(list(plan), plan, [r.name for r in self.card.rules])

    def predict_proba(self, rows: pd.DataFrame) -> np.ndarray:
        if len(rows) == 0:
            return np.zeros(0)
        return self.calibrator.predict(self.card.score(rows)[0])

    def predict_frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Calibrated probability, the points as score (0-100), and the tier per row."""
        points, _ = self.card.score(rows)
        p = self.calibrator.predict(points)
        return pd.DataFrame(
            {
                "probability": p,
                "score": pd.array(points, dtype="Int64"),
                "tier": assign_tiers(p, self.thresholds),
            },
            index=rows.index,
        )

    def explain(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The rules that fired, with their points, largest first."""
        return pd.DataFrame({"reasons": self.card.score(rows)[1].to_numpy()}, index=rows.index)

    def output_columns(self, reasons: bool) -> list[str]:
        """probability, score, tier (and the fired rules as ``reasons``)."""
        return ["probability", "score", "tier", *(["reasons"] if reasons else [])]


@dataclass
class PointsScorer:
    """A scorecard used as it is (``predict --scorecard``): points and tiers, no probability.

    The score is the sum of the points that fired (0-100) and the tier comes from the
    scorecard's point thresholds; reasons list the rules that fired.
    """

    card: Scorecard
    thresholds: dict[str, float] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=lambda: {"model": "points scorecard"})

    @property
    def activity_spec(self) -> ActivitySpec:
        return self.card.activity_spec()

    def predict_frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Points (as score) and tier per row."""
        points, _ = self.card.score(rows)
        return pd.DataFrame(
            {"score": pd.array(points, dtype="Int64"), "tier": self.card.tiers(points)},
            index=rows.index,
        )

    def explain(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The rules that fired, with their points, largest first."""
        return pd.DataFrame({"reasons": self.card.score(rows)[1].to_numpy()}, index=rows.index)

    def output_columns(self, reasons: bool) -> list[str]:
        """score and tier (and the fired rules as ``reasons``)."""
        return ["score", "tier", *(["reasons"] if reasons else [])]


@dataclass
class ScorecardTrainResult:
    """What ``train --scorecard`` produced (the fields ``tracking.log_training`` reads)."""

    scorer: ScorecardScorer
    metrics: dict[str, float]
    calibration: str
    evaluated_on: str
    data: dict[str, Any]
    tier_table: pd.DataFrame
    baseline_metrics: dict[str, float] = field(default_factory=dict)


def _held_out(examples: pd.DataFrame, points: np.ndarray, y: np.ndarray, spec: TrainSpec,
              dated: bool) -> tuple[str, dict[str, float] | None]:  # fmt: skip
    """Metrics of the points calibrated on the earlier rows, on the time-ordered test rows
    (None when the test or the earlier rows lack an outcome), and what they were measured on."""
    if dated:
        split = snapshot_split(examples, spec.training)
        earlier = np.concatenate([split.fit, split.calibration])
        if len(np.unique(y[split.test])) == 2 and len(np.unique(y[earlier])) == 2:
            held = ScoreCalibrator(spec.training.calibration).fit(points[earlier], y[earlier])
            metrics = summarize(y[split.test], held.predict(points[split.test]))
            return f"held out: {split.description}", metrics
    return "in-sample (too few outcomes for a held-out test)", None


def train_scorecard(
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    spec: TrainSpec,
    card: Scorecard,
    source: str | None = None,
) -> ScorecardTrainResult:
    """Calibrate a validated scorecard on the export's point-in-time snapshot examples.

    Held-out metrics come from the time-ordered split of ``model.train`` when its test part has
    both outcomes; otherwise they are in-sample, and ``evaluated_on`` says so. The saved
    calibrator is then fitted on every example.

    Raises:
        NotEnoughDataError: fewer than ``MIN_CALIBRATION_WON`` converted examples.
    """
    t = spec.training
    examples, dates = examples_of(contacts, activities, spec, source)
    rows = card.rows(contacts, activities, examples)
    y = examples["label"].to_numpy(dtype=int)
    if y.sum() < MIN_CALIBRATION_WON or (len(y) - y.sum()) < MIN_CALIBRATION_WON:
        raise NotEnoughDataError(
            f"too few outcomes to calibrate the scorecard: {int(y.sum())} converted and "
            f"{int(len(y) - y.sum())} not converted snapshot examples, at least "
            f"{MIN_CALIBRATION_WON} of each are needed; score without probabilities with "
            "leadscore predict --scorecard CONFIG",
            file=source,
        )
    points, _ = card.score(rows)
    calibrator = ScoreCalibrator(t.calibration).fit(points, y)
    evaluated_on, metrics = _held_out(examples, points, y, spec, len(dates) >= 2)
    if metrics is None:
        metrics = summarize(y, calibrator.predict(points))
    p_at = calibrator.predict(np.array([card.prospect, card.opportunity]))
    thresholds = {"prospect": float(p_at[0]), "opportunity": float(p_at[1])}
    p_all = calibrator.predict(points)
    tiers = tier_table(p_all, assign_tiers(p_all, thresholds), y)
    data = {
        "contacts": int(len(contacts)),
        "won": int((contacts["status"] == "won").sum()),
        "lost": int((contacts["status"] == "lost").sum()),
        "examples": int(len(examples)),
        "positives": int(y.sum()),
        "snapshot_dates": [str(d.date()) for d in dates],
    }
    scorer = ScorecardScorer(
        card=card,
        calibrator=calibrator,
        thresholds=thresholds,
        info={
            "model": "scorecard",
            "calibration": calibrator.why_,
            "tier_rule": (
                f"scorecard points: prospect >= {card.prospect:g}, opportunity >= "
                f"{card.opportunity:g} (probabilities {thresholds['prospect']:.3f} and "
                f"{thresholds['opportunity']:.3f})"
            ),
            "horizon_days": t.horizon_days,
            "evaluated_on": evaluated_on,
            "metrics": metrics,
            "tier_table": tiers.to_dict(orient="records"),
            "data": data,
            "rules": [r.name for r in card.rules],
        },
    )
    return ScorecardTrainResult(
        scorer=scorer,
        metrics=metrics,
        calibration=calibrator.why_,
        evaluated_on=evaluated_on,
        data=data,
        tier_table=tiers,
    )
