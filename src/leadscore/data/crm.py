"""Loading a CRM export (contacts and an optional activity log) into canonical frames.

The contacts frame comes back with canonical column names for its roles — ``contact_id``,
``created_at``, ``closed_at``, ``status`` (``open`` / ``won`` / ``lost``) — and every other
column unchanged as an attribute. An attribute that already bears a canonical name without
having that role is renamed with the suffix ``_attr``. The activity log comes back as
``contact_id``, ``occurred_at``, ``activity_type``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd

from leadscore.config import Config
from leadscore.data.contract import (
    canonical_ids,
    check_ids,
    parse_dates,
    require_columns,
    require_rows,
)
from leadscore.errors import InputError
from leadscore.io.tables import read_table, row_number

ID, CREATED, CLOSED, STATUS = "contact_id", "created_at", "closed_at", "status"
OCCURRED, TYPE = "occurred_at", "activity_type"
ORDER, AS_OF = "order_key", "as_of"
CANONICAL = (ID, CREATED, CLOSED, STATUS, ORDER)
ROW_ORDER = "@row"


@dataclass
class CRM:
    """A validated CRM export."""

    contacts: pd.DataFrame
    activities: pd.DataFrame | None
    contacts_path: str
    activities_path: str | None = None
    notes: list[str] = field(default_factory=list)


def _status(frame: pd.DataFrame, cfg: Config, path: str) -> pd.Series:
    col = cfg.contacts.outcome
    raw = frame[col]
    text = raw.astype("string").str.strip().str.casefold()
    won = {str(v).strip().casefold() for v in cfg.contacts.won}
    lost = {str(v).strip().casefold() for v in cfg.contacts.lost}
    open_ = {str(v).strip().casefold() for v in cfg.contacts.open} | {""}
    status = pd.Series("open", index=frame.index, dtype=object)
    status[text.isin(won).fillna(False).to_numpy()] = "won"
    status[text.isin(lost).fillna(False).to_numpy()] = "lost"
    known = text.isna() | text.isin(won | lost | open_).fillna(False)
    if not known.all():
        pos = int(np.flatnonzero(~known.to_numpy())[0])
        raise InputError(
            f"outcome {raw.iloc[pos]!r} is not one of won={cfg.contacts.won}, "
            f"lost={cfg.contacts.lost} or blank/open={cfg.contacts.open}; map it in the config",
            file=path,
            column=col,
            row=row_number(int(frame.index[pos]), path),
        )
    return status


def _order_key(frame: pd.DataFrame, column: str, path: str) -> pd.Series:
    """Values that order rows in time: the row order, a number, or a date."""
    if column == ROW_ORDER:
        return pd.Series(np.arange(len(frame), dtype=float), index=frame.index)
    require_columns(frame, [column], path)
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    return parse_dates(frame, column, path)


Table: TypeAlias = str | Path | pd.DataFrame
FRAME_NAMES = {"contacts": "contacts (DataFrame)", "activities": "activities (DataFrame)"}


def source_name(table: Table, role: str) -> str:
    """How messages name a table: its path, or 'contacts (DataFrame)' for a frame."""
    return FRAME_NAMES[role] if isinstance(table, pd.DataFrame) else str(table)


def id_columns(cfg: Config, role: str) -> tuple[str, ...]:
    """The columns of a table that hold ids, read as text exactly as written."""
    if role == "activities":
        return (cfg.activities.contact_id,)
    return tuple(c for c in (cfg.contacts.id, *(j.on for j in cfg.joins)) if c)


def _read(table: Table, cfg: Config, role: str) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):  # a caller's frame: rows numbered from 1, as read
        return table.reset_index(drop=True)
    text = id_columns(cfg, role)
    return read_table(table, missing_values=cfg.features.missing_values, text=text)


def load_contacts(
    path: Table, cfg: Config, *, require_outcome: bool, notes: list[str] | None = None
) -> pd.DataFrame:
    """Read and validate the contacts table; return it with canonical role columns.

    Tables configured in ``[[joins]]`` are joined on first (notes about unmatched keys go to
    ``notes``). Without an id column (``[contacts] id = ""``) rows are named by their row
    number. ``[contacts] order_by`` adds the canonical ``order_key`` column.

    Raises:
        InputError: a required column is missing, an id is empty or duplicated, a date is
            unreadable, or an outcome value is unknown.
    """
    frame = _read(path, cfg, "contacts")
    base = Path(".") if isinstance(path, pd.DataFrame) else Path(path).parent
    path = source_name(path, "contacts")
    if cfg.joins:
        from leadscore.data.join import join_tables

        frame, join_notes = join_tables(
            frame,
            cfg.joins,
            base,
            main_path=path,
            missing_values=cfg.features.missing_values,
        )
        if notes is not None:
            notes.extend(join_notes)
    return contacts_frame(frame, cfg, path, require_outcome=require_outcome)


def contacts_frame(
    frame: pd.DataFrame, cfg: Config, path: str, *, require_outcome: bool
) -> pd.DataFrame:
    """Validate a contacts table already read (whole or one batch); canonical role columns."""
    c = cfg.contacts
    required = ([c.id] if c.id else []) + ([c.created_at] if c.created_at else [])
    if require_outcome:
        required.append(c.outcome)
    require_columns(frame, required, path)
    require_rows(frame, path)
    sources = {c.id, c.created_at, c.outcome, c.closed_at} - {None, ""}
    clashes = {
        col: f"{col}_attr" for col in frame.columns if col in CANONICAL and col not in sources
    }
    out = frame.rename(columns=clashes)
    if c.id:
        check_ids(frame, c.id, path)
        roles = {c.id: ID}
    else:
        positions = frame.index.to_numpy()
        out[ID] = [f"row-{row_number(int(i), path)}" for i in positions]
        roles = {}
    if c.order_by:
        out[ORDER] = _order_key(frame, c.order_by, path).to_numpy()
    if c.created_at:
        out[c.created_at] = parse_dates(frame, c.created_at, path, required=True)
        roles[c.created_at] = CREATED
    if c.outcome in frame.columns:
        out[c.outcome] = _status(frame, cfg, path)
        roles[c.outcome] = STATUS
    if c.closed_at and c.closed_at in frame.columns:
        out[c.closed_at] = parse_dates(frame, c.closed_at, path)
        roles[c.closed_at] = CLOSED
    if AS_OF in frame.columns and AS_OF not in roles:  # a flat lead list's own scoring times
        out[AS_OF] = parse_dates(frame, AS_OF, path)
    out = out.rename(columns=roles)
    out[ID] = canonical_ids(out[ID])
    if STATUS not in out:
        out[STATUS] = "open"
    if CLOSED in out and CREATED in out:
        before = out[CLOSED].notna() & (out[CLOSED] < out[CREATED])
        if before.any():
            pos = int(np.flatnonzero(before.to_numpy())[0])
            raise InputError(
                "closed before it was created",
                file=path,
                column=c.closed_at,
                row=row_number(int(frame.index[pos]), path),
            )
    flat = cfg.training.examples == "flat"
    if (
        require_outcome
        and not flat
        and CLOSED not in out
        and (out[STATUS] == "won").any()
        and CREATED in out
    ):
        raise InputError(
            "the contacts have dates but no close date: map [contacts] closed_at in the config",
            file=path,
            column=c.closed_at or "closed_at",
        )
    return out


def load_activities(
    path: Table, cfg: Config, contact_ids: pd.Series
) -> tuple[pd.DataFrame, list[str]]:
    """Read and validate the activity log; return it canonical, plus notes for the user.

    Activities of contacts absent from the contacts table cannot be used; they are counted
    and reported, never dropped silently.
    """
    frame = _read(path, cfg, "activities")
    path = source_name(path, "activities")
    out = activities_frame(frame, cfg, path)
    notes: list[str] = []
    known = out[ID].isin(set(contact_ids))
    if not known.all():
        notes.append(
            f"{path}: {int((~known).sum()):,} of {len(out):,} activities belong to contacts "
            "not in the contacts file and were not used"
        )
        out = out[known.to_numpy()]
    return out.reset_index(drop=True), notes


def activities_frame(frame: pd.DataFrame, cfg: Config, path: str) -> pd.DataFrame:
    """Validate an activity table already read (whole or one batch); canonical columns."""
    a = cfg.activities
    require_columns(frame, [a.contact_id, a.occurred_at, a.activity_type], path)
    out = pd.DataFrame(
        {
            ID: canonical_ids(frame[a.contact_id]),
            OCCURRED: parse_dates(frame, a.occurred_at, path, required=True),
            TYPE: frame[a.activity_type].astype("string").str.strip().str.casefold(),
        }
    )
    empty_type = out[TYPE].isna() | (out[TYPE] == "")
    if empty_type.any():
        pos = int(np.flatnonzero(empty_type.to_numpy())[0])
        raise InputError(
            "activity type is empty",
            file=path,
            column=a.activity_type,
            row=row_number(int(frame.index[pos]), path),
        )
    out[TYPE] = out[TYPE].astype(str)
    return out


def load_crm(
    contacts_path: Table,
    activities_path: Table | None,
    cfg: Config,
    *,
    require_outcome: bool,
) -> CRM:
    """Read (or take), validate and canonicalise a CRM export: files or DataFrames."""
    notes: list[str] = []
    contacts = load_contacts(contacts_path, cfg, require_outcome=require_outcome, notes=notes)
    activities = None
    if activities_path is not None:
        activities, act_notes = load_activities(activities_path, cfg, contacts[ID])
        notes += act_notes
    return CRM(
        contacts=contacts,
        activities=activities,
        contacts_path=source_name(contacts_path, "contacts"),
        activities_path=None
        if activities_path is None
        else source_name(activities_path, "activities"),
        notes=notes,
    )
