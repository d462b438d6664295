"""Loading a CRM export (contacts and an optional activity log) into canonical frames.

The contacts frame comes back with canonical column names for its roles — ``contact_id``,
``created_at``, ``closed_at``, ``status`` (``open`` / ``won`` / ``lost``) — and every other
column as an attribute: numbers written as text converted with the format decided for their
column (``data.attributes``), the rest as read. An attribute that already bears a canonical
name without having that role is renamed with the suffix ``_attr``. The activity log comes
back as ``contact_id``, ``occurred_at``, ``activity_type``.

Every date column is read with one format decided from all its values (``data.dates``), every
id as exact text (``data.contract.canonical_ids``); what reading changed is reported in the
notes (``data.reading``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from leadscore.config import Config
from leadscore.data.activities import activities_frame, known_ids, late_activities
from leadscore.data.attributes import convert_numbers
from leadscore.data.contract import (
    canonical_ids,
    check_ids,
    decide_dates,
    parse_dates,
    require_columns,
    require_rows,
)
from leadscore.data.numbers import decide_number_format, parse_numbers
from leadscore.data.outcomes import (
    WonDeals,
    apply_won_deals,
    export_end,
    missing_close_dates,
    status_from_column,
)
from leadscore.data.reading import Reading
from leadscore.errors import InputError
from leadscore.io.tables import decimal_hint, read_table, row_number
from leadscore.memory import empty_like

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

    def take(self, name: str) -> Any:
        """Hand over one of the frames (``"contacts"``, ``"activities"``): returned and no
        longer held here (an empty frame, or None for the activities), so whoever takes it
        decides when its memory goes. The empty frame holds none of its data
        (``memory.empty_like``)."""
        frame = getattr(self, name)
        setattr(self, name, None if name == "activities" else empty_like(frame))
        return frame


def _order_key(frame: pd.DataFrame, column: str, path: str, reading: Reading) -> pd.Series:
    """Values that order rows in time: the row order, numbers (also written as text), or
    dates."""
    if column == ROW_ORDER:
        return pd.Series(np.arange(len(frame), dtype=float), index=frame.index)
    require_columns(frame, [column], path)
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    fmt = decide_number_format(values, column=column, decimal=reading.decimal, hint=reading.hint)
    numbers = parse_numbers(values, fmt)
    filled = (values.astype("string").str.strip().fillna("") != "").to_numpy()
    if filled.any() and numbers[filled].notna().all():
        return numbers
    return parse_dates(frame, column, path, reading=reading)


Table: TypeAlias = str | Path | pd.DataFrame
FRAME_NAMES = {"contacts": "contacts (DataFrame)", "activities": "activities (DataFrame)"}


def source_name(table: Table, role: str) -> str:
    """How messages name a table: its path, or 'contacts (DataFrame)' for a frame."""
    return FRAME_NAMES[role] if isinstance(table, pd.DataFrame) else str(table)


def id_columns(cfg: Config, role: str) -> tuple[str, ...]:
    """The columns of a table read as text exactly as written, from typed files too: ids,
    join keys and the ``[predict] keep`` columns passed through to the output."""
    if role == "activities":
        return (cfg.activities.contact_id,)
    keys = (cfg.contacts.id, *(j.on for j in cfg.joins), *cfg.predict.keep)
    return tuple(dict.fromkeys(c for c in keys if c))


def reading_for(table: Table, cfg: Config, role: str) -> Reading:
    """A fresh ``Reading`` of a table: the config's settings and the file's decimal hint."""
    hint = None if isinstance(table, pd.DataFrame) else decimal_hint(table)
    return Reading.of(cfg, role, hint)


def date_columns(cfg: Config, role: str, columns: list[str]) -> list[str]:
    """The date columns among a table's ``columns`` (for deciding their formats first)."""
    c = cfg.contacts
    wanted = [cfg.activities.occurred_at] if role == "activities" else [c.created_at, c.closed_at]
    return [col for col in [*wanted, AS_OF] if col and col in columns]


def batched_reading(path: Path, cfg: Config, role: str, *, batch_rows: int) -> Reading:
    """The ``Reading`` of a file read in batches, its date formats decided up front from the
    first batches that tell them (``data.contract.decide_dates``)."""
    from leadscore.io.batches import header, iter_table

    reading = reading_for(path, cfg, role)
    sheet = cfg.activities.sheet if role == "activities" else cfg.contacts.sheet
    dates = date_columns(cfg, role, header(path, sheet))
    if dates:
        batches = iter_table(path, missing_values=cfg.features.missing_values, columns=dates,
                             batch_rows=batch_rows, sheet=sheet)  # fmt: skip
        decide_dates((frame for _, frame in batches), dates, reading, str(path))
    return reading


def _read(table: Table, cfg: Config, role: str) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):  # a caller's frame: rows numbered from 1, as read
        return table.reset_index(drop=True)
    sheet = cfg.activities.sheet if role == "activities" else cfg.contacts.sheet
    text = id_columns(cfg, role)
    columns: list[str] | None = None
    coded: tuple[str, ...] = ()
    if role == "activities":  # only the three columns read: a log's others are not needed
        from leadscore.io.batches import header

        a = cfg.activities
        wanted = [a.contact_id, a.occurred_at, a.activity_type]
        # one missing: every column read, so the error lists the columns the file has
        columns = wanted if set(wanted) <= set(header(table, sheet)) else None
        # a handful of types over millions of rows (``activities_frame`` folds them by code)
        coded = (a.activity_type,) if a.activity_type not in (a.contact_id, a.occurred_at) else ()
    return read_table(table, missing_values=cfg.features.missing_values, text=text,
                      sheet=sheet, columns=columns, coded=coded)  # fmt: skip


def load_won_deals(cfg: Config, base: str | Path) -> WonDeals | None:
    """The ``[won_deals]`` table's ids and won dates (None without the section).

    A contact with several won deals is won at the earliest.
    """
    rule = cfg.won_deals
    if rule is None:
        return None
    path = Path(rule.file) if Path(rule.file).is_absolute() else Path(base) / rule.file
    key = rule.id or cfg.contacts.id
    wanted = [key] + ([rule.won_at] if rule.won_at else [])
    table = read_table(path, missing_values=cfg.features.missing_values, text=(key,),
                       sheet=rule.sheet)  # fmt: skip
    require_columns(table, wanted, path)
    ids = canonical_ids(table[key])
    won_at = None
    if rule.won_at:
        dates = parse_dates(table, rule.won_at, path, reading=Reading.of(cfg, "contacts"))
        won_at = dates.groupby(ids.to_numpy()).min()
    return WonDeals(pd.Index(ids.dropna().unique()), won_at, str(path))


def load_contacts(
    path: Table, cfg: Config, *, require_outcome: bool, notes: list[str] | None = None
) -> pd.DataFrame:
    """Read and validate the contacts table; return it with canonical role columns.

    Tables configured in ``[[joins]]`` are joined on first, outcomes from ``[won_deals]``
    applied (notes go to ``notes``). Without an id column (``[contacts] id = ""``) rows are
    named by their row number. ``[contacts] order_by`` adds the canonical ``order_key``.

    Raises:
        InputError: a required column is missing, an id is empty or duplicated, a date is
            unreadable, an outcome value is unknown, or a closed contact has no close date.
    """
    frame = _read(path, cfg, "contacts")
    base = Path(".") if isinstance(path, pd.DataFrame) else Path(path).parent
    reading = reading_for(path, cfg, "contacts")
    name = source_name(path, "contacts")
    if cfg.joins:
        from leadscore.data.join import join_tables

        frame, join_notes = join_tables(
            frame, cfg.joins, base, main_path=name, missing_values=cfg.features.missing_values
        )
        if notes is not None:
            notes.extend(join_notes)
    won = load_won_deals(cfg, base)
    out = contacts_frame(
        frame, cfg, name, require_outcome=require_outcome, reading=reading, won=won
    )
    if notes is not None:
        notes.extend(reading.notes(name))
    return out


def _canonical(frame: pd.DataFrame, cfg: Config, path: str, reading: Reading) -> pd.DataFrame:
    """The role columns under their canonical names, parsed: id, order, dates, status."""
    c = cfg.contacts
    sources = {c.id, c.created_at, c.outcome, c.closed_at} - {None, ""}
    clashes = {
        col: f"{col}_attr" for col in frame.columns if col in CANONICAL and col not in sources
    }
    out = frame.rename(columns=clashes)
    roles: dict[str, str] = {}
    if c.id:
        check_ids(frame, c.id, path)
        roles[c.id] = ID
    else:
        out[ID] = [f"row-{row_number(int(i), path)}" for i in frame.index.to_numpy()]
    if c.order_by:
        out[ORDER] = _order_key(frame, c.order_by, path, reading).to_numpy()
    if c.created_at:
        out[c.created_at] = parse_dates(frame, c.created_at, path, required=True, reading=reading)
        roles[c.created_at] = CREATED
    if c.outcome and c.outcome in frame.columns:
        out[c.outcome] = status_from_column(frame, cfg, path)
        roles[c.outcome] = STATUS
    if c.closed_at and c.closed_at in frame.columns:
        out[c.closed_at] = parse_dates(frame, c.closed_at, path, reading=reading)
        roles[c.closed_at] = CLOSED
    if AS_OF in frame.columns and AS_OF not in roles:  # a flat lead list's own scoring times
        out[AS_OF] = parse_dates(frame, AS_OF, path, reading=reading)
    out = out.rename(columns=roles)
    out[ID] = canonical_ids(out[ID])
    if STATUS not in out:
        out[STATUS] = "open"
    return out


def _attributes(out: pd.DataFrame, cfg: Config) -> list[str]:
    """The attribute columns whose numbers the loader reads (see ``data.attributes``)."""
    f = cfg.features
    skip = {*CANONICAL, AS_OF, *(j.on for j in cfg.joins), *f.categorical, *f.ignore}
    skip |= set(cfg.predict.keep)
    return [col for col in out.columns if col not in skip]


def _closed_before_created(out: pd.DataFrame, cfg: Config, path: str) -> None:
    if CLOSED in out and CREATED in out:
        before = (out[CLOSED].notna() & (out[CLOSED] < out[CREATED])).to_numpy()
        if before.any():
            pos = int(np.flatnonzero(before)[0])
            raise InputError(
                "closed before it was created",
                file=path,
                column=cfg.contacts.closed_at or CLOSED,
                row=row_number(int(out.index[pos]), path),
            )


_CLOSE_RULES = {"export_end": "closed at the export's end", "drop": "left out"}


def _close_dates(out: pd.DataFrame, cfg: Config, path: str, reading: Reading) -> pd.DataFrame:
    """Snapshots need every closed contact's close date (see ``data.outcomes``)."""
    c = cfg.contacts
    if CLOSED not in out and (out[STATUS] == "won").any() and CREATED in out:
        raise InputError(
            "the contacts have dates but no close date: map [contacts] closed_at in the config",
            file=path,
            column=c.closed_at or "closed_at",
        )
    fixed, changed = missing_close_dates(out, cfg, path, export_end(out, cfg))
    what = f"won or lost without a close date, {_CLOSE_RULES.get(c.missing_close_date, '')}"
    reading.count(what, changed, out[ID].rename(c.closed_at or CLOSED), path)
    return fixed


def contacts_frame(
    frame: pd.DataFrame,
    cfg: Config,
    path: str,
    *,
    require_outcome: bool,
    reading: Reading | None = None,
    won: WonDeals | None = None,
) -> pd.DataFrame:
    """Validate a contacts table already read (whole or one batch); canonical role columns.

    ``reading`` carries the formats decided for the table's columns: pass the same one for
    every batch of a file (a fresh one decides from this frame alone). ``won`` holds the
    ``[won_deals]`` table, loaded once.
    """
    reading = reading if reading is not None else Reading.of(cfg, "contacts")
    c = cfg.contacts
    required = ([c.id] if c.id else []) + ([c.created_at] if c.created_at else [])
    if require_outcome and cfg.won_deals is None:
        required.append(c.outcome)
    require_columns(frame, required, path)
    require_rows(frame, path)
    out = _canonical(frame, cfg, path, reading)
    if won is not None:
        out = apply_won_deals(out, won, cfg, export_end(out, cfg))
    _closed_before_created(out, cfg, path)
    if require_outcome and cfg.training.examples != "flat":
        out = _close_dates(out, cfg, path, reading)
    sizes = [r for r in (cfg.roles.company_size, cfg.roles.revenue) if r]
    return convert_numbers(out, _attributes(out, cfg), reading, path,
                           forced=cfg.features.numeric, sizes=sizes)  # fmt: skip


def load_activities(
    path: Table, cfg: Config, contacts: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """Read and validate the activity log; return it canonical, plus notes for the user.

    Activities of contacts absent from the contacts table cannot be used, nor activities
    after ``[contacts] exported_at``; both are counted and reported, never dropped silently.
    Without ``exported_at``, activities after the day of the latest contact date are
    counted and reported (and kept).
    """
    frame = _read(path, cfg, "activities")
    reading = reading_for(path, cfg, "activities")
    name = source_name(path, "activities")
    out = activities_frame(frame, cfg, name, reading)
    del frame  # the log as read: its ids alone are 0.2 GB at 10 M activities
    notes = reading.notes(name)
    known = known_ids(out[ID], contacts[ID])
    if not known.all():
        notes.append(
            f"{name}: {int((~known).sum()):,} of {len(out):,} activities belong to contacts "
            "not in the contacts file and were not used"
        )
        out = out[known]
    notes += late_activities(out, contacts, cfg, name)
    return out.reset_index(drop=True), notes


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
        activities, act_notes = load_activities(activities_path, cfg, contacts)
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
