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

import numpy as np
import pandas as pd

from leadscore.config import Config
from leadscore.data.contract import check_ids, parse_dates, require_columns, require_rows
from leadscore.errors import InputError
from leadscore.io.tables import read_table, row_number

ID, CREATED, CLOSED, STATUS = "contact_id", "created_at", "closed_at", "status"
OCCURRED, TYPE = "occurred_at", "activity_type"
ORDER = "order_key"
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

    @property
    def latest_time(self) -> pd.Timestamp | None:
        """The latest time seen anywhere in the export, or None when it has no dates."""
        times = [self.contacts[c].max() for c in (CREATED, CLOSED) if c in self.contacts]
        if self.activities is not None and len(self.activities):
            times.append(self.activities[OCCURRED].max())
        times = [t for t in times if pd.notna(t)]
        return max(times) if times else None

    @property
    def export_end(self) -> pd.Timestamp:
        """The latest time seen anywhere in the export (its 'as exported' moment)."""
        latest = self.latest_time
        if latest is None:
            raise InputError("no dates to place the export in time", file=self.contacts_path)
        return latest


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
            row=row_number(pos, path),
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


def load_contacts(
    path: str | Path, cfg: Config, *, require_outcome: bool, notes: list[str] | None = None
) -> pd.DataFrame:
    """Read and validate the contacts table; return it with canonical role columns.

    Tables configured in ``[[joins]]`` are joined on first (notes about unmatched keys go to
    ``notes``). Without an id column (``[contacts] id = ""``) rows are named by their row
    number. ``[contacts] order_by`` adds the canonical ``order_key`` column.

    Raises:
        InputError: a required column is missing, an id is empty or duplicated, a date is
            unreadable, or an outcome value is unknown.
    """
    path = str(path)
    frame = read_table(path, missing_values=cfg.features.missing_values)
    if cfg.joins:
        from leadscore.data.join import join_tables

        frame, join_notes = join_tables(
            frame,
            cfg.joins,
            Path(path).parent,
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
        positions = np.arange(len(frame))
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
    out = out.rename(columns=roles)
    out[ID] = out[ID].astype(str).str.strip()
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
                row=row_number(pos, path),
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
    path: str | Path, cfg: Config, contact_ids: pd.Series
) -> tuple[pd.DataFrame, list[str]]:
    """Read and validate the activity log; return it canonical, plus notes for the user.

    Activities of contacts absent from the contacts table cannot be used; they are counted
    and reported, never dropped silently.
    """
    path = str(path)
    frame = read_table(path, missing_values=cfg.features.missing_values)
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
            ID: frame[a.contact_id].astype(str).str.strip(),
            OCCURRED: parse_dates(frame, a.occurred_at, path, required=True),
            TYPE: frame[a.activity_type].astype("string").str.strip().str.casefold(),
        }
    )
    empty_type = out[TYPE].isna() | (out[TYPE] == "")
    if empty_type.any():
        pos = int(np.flatnonzero(empty_type.to_numpy())[0])
        raise InputError(
            "activity type is empty", file=path, column=a.activity_type, row=row_number(pos, path)
        )
    out[TYPE] = out[TYPE].astype(str)
    return out


def load_crm(
    contacts_path: str | Path,
    activities_path: str | Path | None,
    cfg: Config,
    *,
    require_outcome: bool,
) -> CRM:
    """Read, validate and canonicalise a CRM export."""
    notes: list[str] = []
    contacts = load_contacts(contacts_path, cfg, require_outcome=require_outcome, notes=notes)
    activities = None
    if activities_path is not None:
        activities, act_notes = load_activities(activities_path, cfg, contacts[ID])
        notes += act_notes
    return CRM(
        contacts=contacts,
        activities=activities,
        contacts_path=str(contacts_path),
        activities_path=str(activities_path) if activities_path else None,
        notes=notes,
    )
