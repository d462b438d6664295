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
    drift_reference: dict[str, Any] | None = None  # training spread per feature (model/drift)

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
        """Raw model rows for ``contacts`` as of one time (a flat model: each row as is)."""
        if self.info.get("examples") == "flat":
            from leadscore.features.flat import flat_rows

            return flat_rows(contacts, activities, self.activity_spec)
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


def row_status(
    contacts: pd.DataFrame, as_of: pd.Timestamp, *, include_closed: bool = False
) -> pd.Series:
    """``scored`` or why a contact row is not scored (closed, created after ``as_of``)."""
    status = pd.Series("scored", index=contacts.index, dtype=object)
    if not include_closed and "status" in contacts:
        closed = contacts["status"].isin(["won", "lost"])
        status[closed] = "not scored: closed (" + contacts.loc[closed, "status"] + ")"
    if "created_at" in contacts:
        future = contacts["created_at"] > as_of
        status[future & (status == "scored")] = "not scored: created after the as-of time"
    return status


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
    status = row_status(contacts, as_of, include_closed=include_closed)
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
        pred, failed, rows = predict_guarded(scorer, todo, acts, as_of)
        out.loc[pred.index, "probability"] = pred["probability"]
        out.loc[pred.index, "score"] = pred["score"]
        out.loc[pred.index, "tier"] = pred["tier"]
        out.loc[failed.index, "status"] = failed
    if reasons and isinstance(scorer, LeadScorer):  # a calibrated scorecard has no factors
        from leadscore.model.reasons import explain, reason_columns

        out = out.join(explain(scorer, rows)) if len(todo) and len(rows) else out
        for col in reason_columns():
            out[col] = out[col].fillna("") if col in out else ""
    return out.reset_index(drop=True)


def _failure(exc: Exception) -> str:
    return f"not scored: features could not be computed ({type(exc).__name__})"


def predict_rows_guarded(scorer: LeadScorer, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Predict model rows (features already assembled): at once, else row by row, so one bad
    row costs only itself; returns the predictions and, for rows set aside, their status."""
    try:
        pred, failed = scorer.predict_frame(rows), pd.Series(dtype=object)
    except Exception:  # noqa: BLE001 - any failure falls back to row-by-row scoring
        parts, reasons = [], {}
        for idx in rows.index:
            try:
                parts.append(scorer.predict_frame(rows.loc[[idx]]))
            except Exception as exc:  # noqa: BLE001
                reasons[idx] = _failure(exc)
        pred = pd.concat(parts) if parts else pd.DataFrame(columns=["probability", "score", "tier"])
        failed = pd.Series(reasons, dtype=object)
    p = pred["probability"].to_numpy(dtype=float)
    bad = ~(np.isfinite(p) & (p >= 0) & (p <= 1))
    if bad.any():  # a probability that is not a finite number in [0, 1] is no score
        extra = pd.Series("not scored: probability is not a number", index=pred.index[bad])
        failed, pred = pd.concat([failed, extra]), pred[~bad]
    return pred, failed


def predict_guarded(
    scorer: LeadScorer,
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    as_of: pd.Timestamp,
) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Predict a batch; rows whose features cannot be computed are set aside, not dropped.

    The batch is scored at once; if that fails, row by row, so one bad row costs only
    itself. A row whose probability is not a finite number between 0 and 1 is not scored
    either. Returns the predictions of the scored rows and, for the others, a status
    ``not scored: ...`` saying why, and the model rows of the scored ones (all indexed like
    ``contacts``).
    """
    failed: dict[Any, str] = {}
    try:
        rows = scorer.rows(contacts, activities, as_of)
    except Exception:  # noqa: BLE001 - any failure falls back to row-by-row features
        parts = []
        for idx in contacts.index:
            try:
                parts.append(scorer.rows(contacts.loc[[idx]], activities, as_of))
            except Exception as exc:  # noqa: BLE001
                failed[idx] = _failure(exc)
        rows = pd.concat(parts) if parts else contacts.iloc[:0]
    pred, unscored = predict_rows_guarded(scorer, rows)
    failed = pd.concat([pd.Series(failed, dtype=object), unscored])
    return pred, failed, rows.loc[pred.index]
