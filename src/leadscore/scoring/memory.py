"""The in-memory engine: a whole contacts frame (and its activity log) scored at once."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from leadscore.scoring.core import Behavior, Scorer, activity_log, own_columns, score_batch
from leadscore.scoring.summary import Summary


def holds_own_aggregates(model: Scorer, columns: list[str]) -> bool:
    """True when a lead list already holds every activity aggregate column of the model
    (the flat shape ``features.snapshots.assemble_rows`` writes): they are used as they are."""
    names = model.activity_spec.feature_names()
    return bool(names) and set(names) <= set(columns)


def behavior_for(model: Scorer, columns: list[str], activities: pd.DataFrame | None) -> Behavior:
    """Where a list's aggregates come from: its activity log, its own columns, or none."""
    if activities is None and holds_own_aggregates(model, columns):
        return own_columns
    return activity_log(activities, model.activity_spec)


def score_frame(
    model: Scorer,
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    as_of: pd.Timestamp | None,
    *,
    include_closed: bool = False,
    reasons: bool = False,
    keep: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, Summary]:
    """Score every row of a canonical contacts frame; return the output rows and a summary
    (``keep``: columns passed through, see ``score_batch``)."""
    behavior = behavior_for(model, list(contacts.columns), activities)
    batch = score_batch(
        model, contacts, behavior, as_of, include_closed=include_closed, reasons=reasons,
        keep=keep,
    )  # fmt: skip
    summary = Summary()
    summary.add(batch)
    return batch.out, summary
