"""The fitted object that is saved, logged and served: raw rows in, probability, score, tier out.

``LeadScorer`` holds the calibrated scikit-learn pipeline (features → encoding → classifier →
calibrator), the activity spec that turns an activity log into the behavioral columns the
pipeline expects, the tier thresholds, and its reference population (``set_reference``: the
leads it was checked on), which the 1-100 score ranks each probability in. Training and serving use this one object, so they
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
from leadscore.model.drift import reference as drift_reference
from leadscore.model.phrases import factor_reference
from leadscore.model.tiers import assign_tiers, score_reference, scores


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

    def set_reference(
        self,
        rows: pd.DataFrame | None,
        population: str = "held-out rows",
        *,
        features: pd.DataFrame | None = None,
    ) -> None:
        """Record the reference population the score ranks in: the probabilities of ``rows``
        (the leads the model was checked on) at 1,001 quantiles, in ``info``; and how those
        leads spread on each factor, which the reasons are said against ("more than most"),
        and the drift reference of the features as this fitted model makes them.

        Call it once the model is final (after a refit too): the score is the share of these
        leads with a lower probability, so score 90 = more likely than 90 % of them.
        ``features``: those rows already through this model's feature step, when at hand
        (``model.refit`` keeps them instead of the raw rows); then ``rows`` may be None.
        """
        from leadscore.model.calibration import calibrated_from_scores

        if features is None:  # once, for the probability and the spreads
            features = self.features.transform(rows)
        if not len(features):
            p = np.zeros(0)
        elif len(self.estimator.calibrated_classifiers_) == 1:
            decision = Pipeline(self.pipeline.steps[1:]).decision_function(features)
            p = calibrated_from_scores(self.estimator, decision)  # = predict_proba(rows)
        elif rows is not None:
            p = self.predict_proba(rows)  # a calibrator ensemble: each model its own pass
        else:
            raise ValueError("a calibrator ensemble needs the raw reference rows")
        self.info["score_reference"] = {
            "population": population,
            "rows": int(len(features)),
            "quantiles": score_reference(p),
        }
        self.info["factor_reference"] = factor_reference(features)
        self.drift_reference = drift_reference(features)  # as this model sees its features

    def predict_frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        """probability (calibrated), score (1-100 rank in the reference) and tier per row."""
        return self._frame(self.predict_proba(rows), rows.index)

    def _frame(self, p: np.ndarray, index: pd.Index) -> pd.DataFrame:
        reference = (self.info.get("score_reference") or {}).get("quantiles")
        return pd.DataFrame(
            {
                "probability": p,
                "score": scores(p, reference, self.thresholds),
                "tier": assign_tiers(p, self.thresholds),
            },
            index=index,
        )

    def predict_explained(self, rows: pd.DataFrame) -> pd.DataFrame:
        """``predict_frame``'s columns and the reasons (``reason_columns``) from one pass of
        the rows through the model: the contributions' walk also gives the log-odds, which the
        calibrator turns into the same probability ``predict_proba`` gives. A calibrator
        ensemble (several models, each its own log-odds) takes the two passes."""
        from leadscore.model.calibration import calibrated_from_scores
        from leadscore.model.reasons import explained

        if len(rows) == 0 or len(self.estimator.calibrated_classifiers_) != 1:
            return pd.concat([self.predict_frame(rows), self.explain(rows)], axis=1)
        decision, why = explained(self, rows)
        p = calibrated_from_scores(self.estimator, decision)
        return pd.concat([self._frame(p, rows.index), why], axis=1)

    def explain(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The top factors that raised and lowered each row's probability, in words."""
        from leadscore.model.reasons import explain

        return explain(self, rows)

    def output_columns(self, reasons: bool) -> list[str]:
        """The columns ``predict`` writes for this model (besides id and status)."""
        from leadscore.model.reasons import reason_columns

        return ["probability", "score", "tier", *(reason_columns() if reasons else [])]
