"""Evaluation beyond the single holdout: cross-validation, and a saved model on labelled data.

- ``cross_validate``: the whole procedure (features, model choice, cross-fitted calibration:
  ``model.measure``) on each fold of ``examples.cv_splits`` (forward-chaining in time or
  order, grouped by contact; stratified only without either), for targets where one holdout
  is too noisy or drift makes it unrepresentative; reported beside the holdout, never instead.
- ``evaluate_labelled``: a saved model measured the way training measured it. A snapshot
  model is scored on the export's most recent complete window (``promotion.evaluation_window``:
  snapshot examples, each labelled "won within the model's horizon", the rows training would
  hold out as its test), so its figures compare with the held-out figures of ``train``; rows
  whose label window the model may have learned from (before ``outcomes_until`` in its
  metadata) are counted and measured apart. A flat model scores every closed row as exported.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from leadscore.features.flat import flat_rows
from leadscore.features.snapshots import assemble_rows
from leadscore.model import checks
from leadscore.model.examples import TrainingRows, cv_splits
from leadscore.model.measure import measure
from leadscore.model.metrics import summarize
from leadscore.model.promotion import evaluation_window
from leadscore.model.spec import TrainSpec
from leadscore.model.split import Split
from leadscore.model.tiers import assign_tiers, tier_table

CV_METRICS = ("roc_auc", "pr_auc", "brier", "log_loss", "ece", "lift_top10", "capture_top10")


def fold_problem(y: np.ndarray, fold: Split) -> str | None:
    """Why a fold cannot be used (too few of an outcome in one of its parts), or None."""
    need = {"fit": checks.MIN_FIT, "calibration": checks.MIN_HOLDOUT, "test": checks.MIN_HOLDOUT}
    for part, minimum in need.items():
        idx = getattr(fold, part)
        pos = int(y[idx].sum())
        if min(pos, len(idx) - pos) < minimum:
            return f"its {part} part has {pos} converted of {len(idx):,} rows"
    return None


def cross_validate(tr: TrainingRows, spec: TrainSpec) -> dict[str, Any]:
    """Per-fold, mean and standard deviation of the metrics of the whole procedure (features,
    model choice, cross-fitted calibration: ``model.measure``) on each fold."""
    folds, scheme = cv_splits(tr, spec)
    contacts = tr.examples["contact_id"].to_numpy()
    per_fold, used, skipped, chosen = [], [], [], []
    for fold in folds:
        problem = fold_problem(tr.y, fold)
        if problem:
            skipped.append(f"{fold.description.split(':')[0]} skipped: {problem}")
            continue
        measured = measure(tr.rows, tr.y, contacts, fold, spec)
        per_fold.append(summarize(tr.y[fold.test], measured.probs["chosen"]))
        chosen.append(measured.selection.chosen)
        used.append(f"{fold.description}; chose {measured.selection.chosen}")
    out: dict[str, Any] = {
        "folds": len(per_fold),
        "scheme": scheme,
        "description": (
            f"{scheme} {len(per_fold)}-fold cross-validation of the whole procedure (features, "
            f"model choice, calibration; {len(tr.y):,} rows)"
        ),
        "fold_descriptions": used,
        "skipped": skipped,
        "chosen": chosen,
    }
    for key in CV_METRICS:
        values = np.array([m[key] for m in per_fold]) if per_fold else np.array([np.nan])
        out[key] = float(values.mean())
        out[f"{key}_std"] = float(values.std())
        out[f"{key}_folds"] = [round(float(v), 6) for v in values] if per_fold else []
    return out


def model_spec(scorer: Any, spec: TrainSpec) -> TrainSpec:
    """``spec`` with the training window settings the model was trained with (horizon,
    snapshot cadence, test share), so its evaluation window is built the same way."""
    info = scorer.info
    update = {k: v for k, v in (info.get("window") or {}).items() if v is not None}
    if info.get("horizon_days"):
        update["horizon_days"] = int(info["horizon_days"])
    return dataclasses.replace(spec, training=spec.training.model_copy(update=update))


def overlap(scorer: Any, as_of: pd.Series) -> dict[str, Any] | None:
    """Rows whose label window starts before the last outcome the model learned from."""
    data = scorer.info.get("data") or {}
    until = data.get("outcomes_until") or data.get("test_start")
    if not until or not len(as_of):
        return None
    inside = (pd.to_datetime(as_of) < pd.Timestamp(until)).to_numpy()
    return {"outcomes_until": str(until), "rows": int(inside.sum()), "of": int(len(inside)),
            "mask": inside}  # fmt: skip


def labelled_rows(scorer: Any, contacts: pd.DataFrame, activities: pd.DataFrame | None,
                  spec: TrainSpec, source: str | None = None) -> tuple[pd.DataFrame, np.ndarray, str]:  # fmt: skip
    """Raw rows, 0/1 outcomes and what they are: the most recent complete snapshot window
    for a snapshot model, every closed row for a flat model."""
    if scorer.info.get("examples") == "flat":
        closed = contacts[contacts["status"].isin(["won", "lost"])]
        y = (closed["status"] == "won").to_numpy(dtype=int)
        return (
            flat_rows(closed, activities, scorer.activity_spec),
            y,
            "every closed row, as exported",
        )
    own = model_spec(scorer, spec)
    window = evaluation_window(contacts, activities, own, source)
    keys = window[["contact_id", "as_of"]].reset_index(drop=True)
    rows = assemble_rows(contacts, activities, keys, scorer.activity_spec)
    t = own.training
    what = (
        f"the most recent complete window: {len(window):,} snapshot rows from "
        f"{pd.Timestamp(window['as_of'].min()).date()}, each labelled won within "
        f"{t.horizon_days} days (the rows train holds out, {t.test_fraction:.0%})"
    )
    return rows, window["y"].to_numpy(dtype=int), what


def evaluate_labelled(scorer: Any, contacts: pd.DataFrame, activities: pd.DataFrame | None,
                      spec: TrainSpec, source: str | None = None) -> dict[str, Any]:  # fmt: skip
    """Metrics and tier table of a saved model on a labelled export, measured as training
    measured; rows the model may have learned from are counted and measured apart."""
    rows, y, what = labelled_rows(scorer, contacts, activities, spec, source)
    if len(np.unique(y)) < 2:
        from leadscore.errors import NotEnoughDataError

        raise NotEnoughDataError(
            f"the evaluation rows ({what}) hold {int(y.sum())} converted and "
            f"{int(len(y) - y.sum())} not converted rows: both are needed to evaluate",
            file=source,
        )
    p = scorer.predict_proba(rows)
    tiers = tier_table(p, assign_tiers(p, scorer.thresholds), y)
    report: dict[str, Any] = {
        "file": source, "rows": what, "metrics": summarize(y, p),
        "tiers": tiers.to_dict(orient="records"), "thresholds": dict(scorer.thresholds),
        "trained": scorer.info.get("metrics"), "overlap": None,
    }  # fmt: skip
    seen = (
        overlap(scorer, rows["as_of"]) if "as_of" in rows and what.startswith("the most") else None
    )
    if seen is not None and seen["rows"]:
        fresh = ~seen.pop("mask")
        both = len(np.unique(y[fresh])) == 2
        seen["fresh_metrics"] = summarize(y[fresh], p[fresh]) if both else None
        report["overlap"] = seen
    return report
