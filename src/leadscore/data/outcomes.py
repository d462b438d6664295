"""Each contact's outcome (open, won, lost) and close date, as exports hold them.

- From the contacts' own outcome column, mapped by ``[contacts] won / lost / open``.
- From a table of won deals (``[won_deals]``): won when the contact's id appears in it,
  closed at its ``won_at``; lost when it does not appear and its own outcome says lost or it
  is older than ``lost_after_days`` at the export's end (closed then at created +
  ``lost_after_days``); open otherwise.
- A won or lost contact without a close date is refused, naming how many and the first rows,
  unless ``[contacts] missing_close_date`` says what to do: ``export_end`` closes it at the
  export's end, ``drop`` leaves it out (both counted in a note). Never a silent open contact.

The export's end is ``[contacts] exported_at``, else the latest created or close date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.choices import MissingCloseDate
from leadscore.config import Config
from leadscore.data.asof import parse_as_of
from leadscore.errors import ConfigError, InputError, LeadscoreError
from leadscore.io.tables import row_number

CREATED, CLOSED, STATUS = "created_at", "closed_at", "status"


@dataclass(frozen=True)
class WonDeals:
    """The won deals of a ``[won_deals]`` table: canonical ids and, by id, when each was won."""

    ids: pd.Index
    won_at: pd.Series | None
    source: str


def status_from_column(frame: pd.DataFrame, cfg: Config, path: str) -> pd.Series:
    """``open`` / ``won`` / ``lost`` from the outcome column; an unknown value is an error."""
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


def stated_end(cfg: Config) -> pd.Timestamp | None:
    """The export's end as the config states it (``[contacts] exported_at``), or None."""
    if not cfg.contacts.exported_at:
        return None
    try:
        return parse_as_of(cfg.contacts.exported_at, option="[contacts] exported_at")
    except LeadscoreError as exc:  # a date the pattern let through, such as 2026-02-30
        raise ConfigError(str(exc)) from None


def export_end(out: pd.DataFrame, cfg: Config) -> pd.Timestamp | None:
    """``[contacts] exported_at``, else the latest created or close date (None: no dates)."""
    stated = stated_end(cfg)
    if stated is not None:
        return stated
    times = [out[c].max() for c in (CREATED, CLOSED) if c in out]
    times = [t for t in times if pd.notna(t)]
    return max(times) if times else None


def apply_won_deals(
    out: pd.DataFrame, won: WonDeals, cfg: Config, end: pd.Timestamp | None
) -> pd.DataFrame:
    """Status and close date from a table of won deals (see the module docstring)."""
    rule = cfg.won_deals
    is_won = out["contact_id"].isin(won.ids).to_numpy()
    status = out[STATUS].where(~is_won, "won")
    closed = out[CLOSED] if CLOSED in out else pd.Series(pd.NaT, index=out.index)
    closed = closed.astype("datetime64[ns]")
    if won.won_at is not None:
        closed = closed.where(~is_won, out["contact_id"].map(won.won_at).to_numpy())
    if rule is not None and rule.lost_after_days and end is not None and CREATED in out:
        deadline = out[CREATED] + pd.Timedelta(days=rule.lost_after_days)
        aged = (status == "open").to_numpy() & (deadline <= end).to_numpy()
        status = status.where(~aged, "lost")
        closed = closed.where(~aged, deadline)
    return out.assign(**{STATUS: status.to_numpy(), CLOSED: closed.to_numpy()})


def missing_close_dates(
    out: pd.DataFrame, cfg: Config, path: str, end: pd.Timestamp | None
) -> tuple[pd.DataFrame, np.ndarray]:
    """Won or lost rows without a close date: refused, closed at the export's end, or left
    out (``[contacts] missing_close_date``); returns the frame and the rows it changed."""
    if CLOSED not in out:
        return out, np.zeros(len(out), dtype=bool)
    lacking = (out[STATUS].isin(["won", "lost"]) & out[CLOSED].isna()).to_numpy()
    if not lacking.any():
        return out, lacking
    rule = cfg.contacts.missing_close_date
    if rule == MissingCloseDate.REFUSE:
        rows = [row_number(int(i), path) for i in out.index[lacking][:5]]
        shown = ", ".join(map(str, rows)) + (", …" if lacking.sum() > len(rows) else "")
        raise InputError(
            f"{int(lacking.sum()):,} won or lost contacts have no close date (rows {shown}); "
            'fill them in, or set [contacts] missing_close_date = "export_end" (closed at '
            'the export\'s end) or "drop" (left out)',
            file=path,
            column=cfg.contacts.closed_at or CLOSED,
        )
    if rule == MissingCloseDate.DROP:
        return out[~lacking], lacking
    if end is None:
        raise InputError(
            "no date tells when the export ended: set [contacts] exported_at", file=path
        )
    return out.assign(**{CLOSED: out[CLOSED].mask(lacking, end)}), lacking
