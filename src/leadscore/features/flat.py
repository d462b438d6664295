"""Training examples from one flat table: each closed row is one example.

A flat export (one row per lead, behaviour already summed up in columns such as visits or time
on site) has no history to replay, so there are no snapshots: the label of a row is its
outcome (``won`` = 1, ``lost`` = 0); rows still ``open`` are scored, never trained on. When the
export has a created date, it is the row's ``as_of`` (date columns become "days before
created"); without one the rows carry no time and no date features are derived. An activity
log, if given, is aggregated strictly before ``as_of`` as in the snapshot path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.features.activity import ActivitySpec, aggregate_activities

ID, CREATED, CLOSED, STATUS, AS_OF, LABEL, ORDER = (
    "contact_id",
    "created_at",
    "closed_at",
    "status",
    "as_of",
    "label",
    "order_key",
)


def flat_examples(contacts: pd.DataFrame) -> pd.DataFrame:
    """One example per closed row: ``contact_id``, ``label`` and, when known, ``as_of`` and
    ``order_key`` (the index is the contacts' index, so rows can be looked up)."""
    closed = contacts[STATUS].isin(["won", "lost"]).to_numpy()
    part = contacts[closed]
    examples = pd.DataFrame(
        {ID: part[ID].to_numpy(), LABEL: (part[STATUS] == "won").to_numpy().astype(np.int8)},
        index=part.index,
    )
    if CREATED in part:
        examples[AS_OF] = part[CREATED].to_numpy()
    if ORDER in part:
        examples[ORDER] = part[ORDER].to_numpy()
    return examples


def flat_rows(
    contacts: pd.DataFrame, activities: pd.DataFrame | None, spec: ActivitySpec
) -> pd.DataFrame:
    """The raw rows the model scores for flat contacts (same index as ``contacts``).

    Outcome columns and the order key are never part of the rows. ``as_of`` is the created
    date when there is one; behavioral aggregates are added only when there is an activity log
    and a created date to place each row in time.
    """
    drop = [c for c in (STATUS, CLOSED, ORDER) if c in contacts]
    rows = contacts.drop(columns=drop)
    if CREATED in contacts:
        rows.insert(1, AS_OF, contacts[CREATED].to_numpy())
        if activities is not None and len(spec.types):
            keys = rows[[ID, AS_OF]]
            behavior = aggregate_activities(activities, keys, spec)
            rows = pd.concat([rows, behavior], axis=1)
    return rows
