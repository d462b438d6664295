"""The fitted object that is saved, logged and served: raw rows in, probability, score, tier out.

``LeadScorer`` holds the calibrated scikit-learn pipeline (features → encoding → classifier →
calibrator), the activity spec that turns an activity log into the behavioral columns the
pipeline expects, and the tier thresholds. Training and serving use this one object, so they
cannot drift apart; ``scoring.core`` builds its raw rows and calls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from leadscore.features.activity import ActivitySpec
from leadscore.features.contact import ContactFeatures
from leadscore.model.tiers import assign_tiers, scores


@dataclass
class LeadScorer:
    """A trained, calibrated lead scorer."""

    estimator: Any  # CalibratedClassifierCV around the frozen pipeline
    activity_spec: ActivitySpec
    thresholds: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)
    drift_reference: dict[str, Any] | None = None  # training spread per feature (model/drift)

    @property
    def pipeline(self) -> Pipeline:
        """The uncalibrated pipeline inside the calibrator."""
        return self.estimator.calibrated_classifiers_[0].estimator.estimator

    @property
    def features(self) -> ContactFeatures:
        """The fitted feature transformer (first pipeline step)."""
        return self.pipeline.named_steps["features"]

    def predict_proba(self, rows: pd.DataFrame) -> np.ndarray:
        """Calibrated probability of conversion per row."""
        if len(rows) == 0:
            return np.zeros(0)
        return self.estimator.predict_proba(rows)[:, 1]

    def predict_frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        """probability, score (0-100) and tier per row."""
        p = self.predict_proba(rows)
        return pd.DataFrame(
            {"probability": p, "score": scores(p), "tier": assign_tiers(p, self.thresholds)},
            index=rows.index,
        )

    def explain(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The top factors that raised and lowered each row's probability, in words."""
        from leadscore.model.reasons import explain

        return explain(self, rows)

    def output_columns(self, reasons: bool) -> list[str]:
        """The columns ``predict`` writes for this model (besides id and status)."""
        from leadscore.model.reasons import reason_columns

        return ["probability", "score", "tier", *(reason_columns() if reasons else [])]
