"""The in-memory engine: a whole contacts frame (and its activity log) scored at once."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from leadscore.io.batches import BATCH_ROWS
from leadscore.scoring.core import Behavior, Scorer, activity_log, own_columns
from leadscore.scoring.pool import score_batches
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
    batch_rows: int = BATCH_ROWS,
    workers: int = 0,
) -> tuple[pd.DataFrame, Summary]:
    """Score every row of a canonical contacts frame; return the output rows and a summary
    (``keep``: columns passed through, see ``score_batch``).

    A list without an activity log (flat rows holding their aggregates, or no behaviour) goes
    through the core in slices of ``batch_rows``, as the streaming engine's batches: the same
    rows out, but one slice's features and reasons held at a time (a 1 M-row flat list in one
    piece held 2.6 GB, 4.5 GB with reasons). With a log, the whole frame is one batch: each
    batch would filter the whole log again. The drift sample is the streaming engine's (a
    uniform share of each batch's scored rows, about 20,000 in all). ``workers``: worker
    processes for the model's part (``scoring.pool``; ``engine.choose_workers`` says how many).
    """
    behavior = behavior_for(model, list(contacts.columns), activities)
    step = max(len(contacts), 1) if activities is not None else max(batch_rows, 1)
    summary, parts = Summary(expected_rows=len(contacts)), []
    slices = (
        contacts.iloc[start : start + step] for start in range(0, max(len(contacts), 1), step)
    )
    for batch in score_batches(
        model, slices, behavior, as_of, workers=workers,
        include_closed=include_closed, reasons=reasons, keep=keep,
    ):  # fmt: skip
        summary.add(batch)
        parts.append(batch.out)
    return (parts[0] if len(parts) == 1 else pd.concat(parts)), summary
