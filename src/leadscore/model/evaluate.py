"""Evaluation beyond the single holdout: k-fold CV and labelled files.

- ``cross_validate``: stratified k-fold of the whole fit-calibrate-predict procedure (each
  training fold is split again into fit and calibration rows), for targets where one holdout
  is too noisy or drift makes it unrepresentative; reported beside the holdout, never instead.
- ``evaluate_labelled``: a saved model's metrics and tier table on a labelled file.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from leadscore.config import TrainingConfig
from leadscore.features.contact import ContactFeatures
from leadscore.features.flat import flat_rows
from leadscore.features.snapshots import assemble_rows
from leadscore.model.calibration import calibrate, choose_method
from leadscore.model.estimators import BUILDERS
from leadscore.model.metrics import summarize
from leadscore.model.split import stratified_split
from leadscore.model.tiers import assign_tiers, tier_table

CV_METRICS = ("roc_auc", "pr_auc", "brier", "log_loss", "ece", "lift_top10", "capture_top10")


def cross_validate(
    rows: pd.DataFrame, y: np.ndarray, features: ContactFeatures, t: TrainingConfig
) -> dict[str, Any]:
    """Stratified k-fold metrics of the configured model (mean and standard deviation)."""
    folds = StratifiedKFold(n_splits=t.cv_folds, shuffle=True, random_state=t.seed)
    per_fold: list[dict[str, float]] = []
    for k, (train_idx, test_idx) in enumerate(folds.split(np.zeros(len(y)), y)):
        inner = stratified_split(
            y[train_idx], test_fraction=t.calibration_fraction, calibration_fraction=0.05, seed=k
        )
        cal_idx = train_idx[inner.test]
        fit_idx = np.setdiff1d(train_idx, cal_idx)
        pipe = BUILDERS[t.model](features, seed=t.seed).fit(rows.iloc[fit_idx], y[fit_idx])
        method, _ = choose_method(y[cal_idx], t.calibration)
        model = calibrate(pipe, rows.iloc[cal_idx], y[cal_idx], method)
        per_fold.append(summarize(y[test_idx], model.predict_proba(rows.iloc[test_idx])[:, 1]))
    out: dict[str, Any] = {
        "folds": t.cv_folds,
        "description": (
            f"stratified {t.cv_folds}-fold cross-validation of fit + calibration "
            f"({len(y):,} rows, seed {t.seed})"
        ),
    }
    for key in CV_METRICS:
        values = np.array([m[key] for m in per_fold])
        out[key] = float(values.mean())
        out[f"{key}_std"] = float(values.std())
    return out


def labelled_rows(
    scorer: Any, contacts: pd.DataFrame, activities: pd.DataFrame | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Raw rows and 0/1 outcomes of the closed (won/lost) contacts of a labelled export.

    A flat model scores each row as exported; a snapshot model scores each contact as of its
    created time (what the model would have said on first contact).
    """
    contacts = contacts[contacts["status"].isin(["won", "lost"])]
    y = (contacts["status"] == "won").to_numpy(dtype=int)
    if scorer.info.get("examples") == "flat":
        return flat_rows(contacts, activities, scorer.activity_spec), y
    keys = pd.DataFrame(
        {"contact_id": contacts["contact_id"].to_numpy(), "as_of": contacts["created_at"]},
        index=contacts.index,
    )
    return assemble_rows(contacts, activities, keys, scorer.activity_spec), y


def evaluate_labelled(
    scorer: Any,
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    source: str | None = None,
) -> dict[str, Any]:
    """Metrics and per-tier table of a saved model on a labelled export."""
    rows, y = labelled_rows(scorer, contacts, activities)
    if len(np.unique(y)) < 2:
        from leadscore.errors import NotEnoughDataError

        raise NotEnoughDataError(
            f"the file has {int(y.sum())} converted and {int(len(y) - y.sum())} not converted "
            "closed rows: both are needed to evaluate",
            file=source,
        )
    p = scorer.predict_proba(rows)
    tiers = tier_table(p, assign_tiers(p, scorer.thresholds), y)
    return {
        "file": source,
        "metrics": summarize(y, p),
        "tiers": tiers.to_dict(orient="records"),
        "thresholds": dict(scorer.thresholds),
    }
