"""The fitted object that is saved, logged and served: raw rows in, probability, score, tier out.

``LeadScorer`` holds the calibrated scikit-learn pipeline (features → encoding → classifier →
calibrator), the activity spec that turns an activity log into the behavioral columns the
pipeline expects, and the tier thresholds. Training and serving use this one object, so they
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from leadscore.features.activity import ActivitySpec
from leadscore.features.contact import ContactFeatures
from leadscore.features.snapshots import assemble_rows
from leadscore.model.tiers import assign_tiers, scores


@dataclass
class LeadScorer:
    """A trained, calibrated lead scorer."""

    estimator: Any  # CalibratedClassifierCV around the frozen pipeline
    activity_spec: ActivitySpec
    thresholds: dict[str, float]
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def pipeline(self) -> Pipeline:
        """The uncalibrated pipeline inside the calibrator."""
        return self.estimator.calibrated_classifiers_[0].estimator.estimator

    @property
    def features(self) -> ContactFeatures:
        """The fitted feature transformer (first pipeline step)."""
        return self.pipeline.named_steps["features"]

    def rows(
        self, contacts: pd.DataFrame, activities: pd.DataFrame | None, as_of: pd.Timestamp
    ) -> pd.DataFrame:
        """Raw model rows for ``contacts`` as of one time."""
        keys = pd.DataFrame({"contact_id": contacts["contact_id"].to_numpy(), "as_of": as_of})
        keys.index = contacts.index
        return assemble_rows(contacts, activities, keys, self.activity_spec)

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


def score_contacts(
    scorer: LeadScorer,
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    as_of: pd.Timestamp,
    *,
    include_closed: bool = False,
    reasons: bool = False,
) -> pd.DataFrame:
    """Score every contact row; rows that are not scored say why in ``status``.

    Returns one row per input contact, in input order: ``contact_id``, ``probability``,
    ``score``, ``tier``, ``status`` (``scored``, ``not scored: closed (won)``, …); with
    ``reasons``, also ``reason_up_1..3``, ``reason_down_1..3`` and ``reasons_json``.
    """
    status = pd.Series("scored", index=contacts.index, dtype=object)
    if not include_closed and "status" in contacts:
        closed = contacts["status"].isin(["won", "lost"])
        status[closed] = "not scored: closed (" + contacts.loc[closed, "status"] + ")"
    if "created_at" in contacts:
        future = contacts["created_at"] > as_of
        status[future & (status == "scored")] = "not scored: created after the as-of time"
    todo = contacts[status == "scored"]
    out = pd.DataFrame(
        {
            "contact_id": contacts["contact_id"].to_numpy(),
            "probability": np.nan,
            "score": pd.array([pd.NA] * len(contacts), dtype="Int64"),
            "tier": "",
            "status": status.to_numpy(),
        },
        index=contacts.index,
    )
    if len(todo):
        acts = activities
        if activities is not None:
            acts = activities[activities["contact_id"].isin(set(todo["contact_id"]))]
        rows = scorer.rows(todo, acts, as_of)
        pred = scorer.predict_frame(rows)
        out.loc[pred.index, "probability"] = pred["probability"]
        out.loc[pred.index, "score"] = pred["score"]
        out.loc[pred.index, "tier"] = pred["tier"]
    if reasons:
        from leadscore.model.reasons import explain, reason_columns

        out = out.join(explain(scorer, rows)) if len(todo) else out.assign(reasons_json="")
        for col in reason_columns():
            out[col] = out[col].fillna("") if col in out else ""
    return out.reset_index(drop=True)
