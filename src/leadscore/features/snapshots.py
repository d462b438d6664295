"""Training examples as point-in-time snapshots, and the raw rows the model scores.

A training example is a (contact, ``as_of``) pair: on each snapshot date, every contact that
exists and is still open gives one row, with its features as of that date and the label
"won within ``horizon_days`` after it". Snapshot dates step back every ``every_days`` from the
last date whose label window is fully observed (``export_end - horizon``), so no label is cut
short by the end of the export. A contact lost, or won later than the horizon, is a negative
at that snapshot; one won inside the window is a positive. Snapshots give the model what it
will see in production: contacts at every age, scored on what was known at that time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.features.activity import ActivitySpec, aggregate_activities

ID, CREATED, CLOSED, STATUS, AS_OF, LABEL = (
    "contact_id",
    "created_at",
    "closed_at",
    "status",
    "as_of",
    "label",
)


def snapshot_dates(
    contacts: pd.DataFrame, export_end: pd.Timestamp, horizon_days: int, every_days: int
) -> list[pd.Timestamp]:
    """Snapshot dates, oldest first, each with a fully observed label window."""
    last = (export_end - pd.Timedelta(days=horizon_days)).normalize()
    first = contacts[CREATED].min()
    dates: list[pd.Timestamp] = []
    t = last
    while t > first:
        dates.append(t)
        t -= pd.Timedelta(days=every_days)
    return sorted(dates)


def build_examples(
    contacts: pd.DataFrame, dates: list[pd.Timestamp], horizon_days: int
) -> pd.DataFrame:
    """One row per (contact open at a snapshot date, date) with its 0/1 label."""
    created = contacts[CREATED].to_numpy()
    closed = contacts[CLOSED].to_numpy() if CLOSED in contacts else np.full(len(contacts), np.nan)
    closed = pd.to_datetime(pd.Series(closed)).to_numpy()
    won = (contacts[STATUS] == "won").to_numpy()
    ids = contacts[ID].to_numpy()
    horizon = np.timedelta64(horizon_days, "D")
    parts = []
    for t in dates:
        t64 = np.datetime64(t, "ns")
        still_open = np.isnat(closed) | (closed > t64)
        eligible = (created < t64) & still_open
        label = won & ~np.isnat(closed) & (closed <= t64 + horizon)
        parts.append(
            pd.DataFrame({ID: ids[eligible], AS_OF: t, LABEL: label[eligible].astype(np.int8)})
        )
    if not parts:
        return pd.DataFrame({ID: [], AS_OF: pd.to_datetime([]), LABEL: []})
    return pd.concat(parts, ignore_index=True)


def assemble_rows(
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    keys: pd.DataFrame,
    spec: ActivitySpec,
) -> pd.DataFrame:
    """The raw rows the model scores: attributes + behavioral aggregates as of ``as_of``.

    ``keys`` holds ``contact_id`` and ``as_of`` (one contact may appear at several dates).
    Outcome columns (``status``, ``closed_at``) are never part of the rows.
    """
    attributes = contacts.drop(columns=[c for c in (STATUS, CLOSED) if c in contacts])
    rows = keys[[ID, AS_OF]].merge(attributes, on=ID, how="left", validate="many_to_one")
    rows.index = keys.index
    behavior = aggregate_activities(activities, keys, spec)
    return pd.concat([rows, behavior], axis=1)
