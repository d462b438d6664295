"""Backtest of the shipping scheme: does refitting on every labelled row cost calibration?

``export_at`` rewinds an export to an earlier moment: the contacts created before it, with the
outcomes known by then (later closes reopened), and the activity before it. ``backtest``
rewinds an export to the start of its own most recent complete window, trains there twice —
the shipped model refit on every labelled row (``[training] refit = true``, the default) and
the measured model alone (``refit = false``) — and scores both on that window, whose outcomes
neither could have seen. Attributes are taken as exported (a CRM keeps no history of them).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from leadscore.features.snapshots import assemble_rows
from leadscore.model.metrics import summarize
from leadscore.model.promotion import evaluation_window
from leadscore.model.spec import TrainSpec
from leadscore.model.train import train


def export_at(
    contacts: pd.DataFrame, activities: pd.DataFrame | None, at: pd.Timestamp
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The export as it stood at ``at`` (canonical columns, see ``data.crm``)."""
    past = contacts[contacts["created_at"] < at].copy()
    later = past["closed_at"].notna() & (past["closed_at"] > at)
    past.loc[later, "status"] = "open"
    past.loc[later, "closed_at"] = pd.NaT
    if activities is None:
        return past, None
    seen = activities["occurred_at"] < at
    return past, activities[seen & activities["contact_id"].isin(past["contact_id"])].copy()


def backtest(
    contacts: pd.DataFrame, activities: pd.DataFrame | None, spec: TrainSpec
) -> dict[str, Any]:
    """Metrics of the refit and the measured model on the window that followed their export."""
    window = evaluation_window(contacts, activities, spec)
    start = pd.Timestamp(window["as_of"].min())
    past, past_activities = export_at(contacts, activities, start)
    keys = window[["contact_id", "as_of"]].reset_index(drop=True)
    y = window["y"].to_numpy(dtype=int)
    out: dict[str, Any] = {"cut": str(start.date()), "rows": int(len(y)), "converted": int(y.sum())}
    for refit in (True, False):
        variant = dataclasses.replace(
            spec, training=spec.training.model_copy(update={"refit": refit})
        )
        result = train(past, past_activities, variant)
        scorer = result.scorer
        p = scorer.predict_proba(assemble_rows(contacts, activities, keys, scorer.activity_spec))
        metrics = summarize(y, np.asarray(p))
        out["refit" if refit else "measured"] = {
            "metrics": metrics,
            "model": scorer.info["model"],
            "trained_on": scorer.info["refit"],
        }
    return out
