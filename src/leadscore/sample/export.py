"""The sample CRM export: the generated history cut at the export end, and writing it out."""

from __future__ import annotations

import math
import os
import uuid
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from leadscore.sample._arrow import seconds_to_datetime, take
from leadscore.sample.activities import activities_frame
from leadscore.sample.contacts import contacts_frame
from leadscore.sample.history import generate_month, month_bounds

_ACTIVITY_KEYS = ("act_idx", "act_time", "act_type", "act_detail")


def _check_arguments(
    months: int,
    contacts_per_month: int,
    seed: int,
    start: str,
    shift_from_month: int | None,
    win_shift: float,
) -> pd.Timestamp:
    """Validate ``generate_crm``'s arguments and return ``start`` as a timestamp."""
    if not 1 <= int(months) <= 999:
        raise ValueError(f"months must be between 1 and 999, got {months}")
    if not 1 <= int(contacts_per_month) <= 999_999:
        raise ValueError(
            f"contacts_per_month must be between 1 and 999,999, got {contacts_per_month}"
        )
    if int(seed) < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed}")
    if shift_from_month is not None and int(shift_from_month) < 0:
        raise ValueError(f"shift_from_month must be a non-negative integer, got {shift_from_month}")
    if not math.isfinite(float(win_shift)):
        raise ValueError(f"win_shift must be a finite number, got {win_shift}")
    if shift_from_month is None and float(win_shift) != 0.0:
        raise ValueError(f"win_shift={win_shift} needs shift_from_month (the first shifted month)")
    start_ts = pd.Timestamp(start)
    if start_ts.tzinfo is not None:
        raise ValueError(f"start must be timezone-naive, got {start!r}")
    return start_ts


def _cut_activities(
    month: dict[str, np.ndarray], end: int, first_row: int
) -> dict[str, np.ndarray]:
    """Keep the month's activities before ``end``; number their contacts from ``first_row``."""
    keep = month["act_time"] < end
    for key in _ACTIVITY_KEYS:
        month[key] = month[key][keep]
    month["act_idx"] = month["act_idx"].astype(np.int64) + first_row  # row in contacts
    return month


def _exported_outcome(won: np.ndarray, closed: np.ndarray, end: int) -> tuple[pa.Array, np.ndarray]:
    """Return ``outcome`` and ``closed_at`` as seen at ``end``: blank while still open."""
    is_closed = closed < end
    outcome = take(("won", "lost"), np.where(won, 0, 1), missing=~is_closed)
    closed_at = seconds_to_datetime(np.where(is_closed, closed, 0))
    closed_at[~is_closed] = np.datetime64("NaT")
    return outcome, closed_at


def generate_crm(
    months: int = 18,
    contacts_per_month: int = 1100,
    seed: int = 42,
    start: str = "2025-01-01",
    shift_from_month: int | None = None,
    win_shift: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Generate a synthetic B2B CRM export as it looks at ``start + months``.

    The history is generated month by month from ``np.random.default_rng([seed, m])``, so an
    export with more ``months`` (same ``seed``, ``contacts_per_month``, ``start`` and shift
    arguments) continues the same history; see the ``leadscore.sample`` docstring and
    ``docs/sample-data.md`` for the rules.

    Args:
        months: Number of calendar months of contacts; the export is taken at the end of the
            last one. 1 to 999.
        contacts_per_month: Contacts created in each month. 1 to 999,999.
        seed: Non-negative integer seed.
        start: Start of the first month (any date pandas parses, timezone-naive).
        shift_from_month: First month (0-based) of a "shifted world" whose contacts win
            with ``win_shift`` added to the win model's intercept; ``None`` for no shift.
        win_shift: Added to the win logit from ``shift_from_month`` on (negative: fewer wins).

    Returns:
        ``(contacts, activities)``. ``contacts`` has the columns ``CONTACT_COLUMNS`` sorted by
        ``contact_id`` (= creation order); ``activities`` has ``ACTIVITY_COLUMNS`` sorted by
        ``occurred_at`` then ``contact_id``. Text columns are pandas ``str`` with NaN for
        missing; time columns are ``datetime64[us]`` with NaT for missing.

    Raises:
        ValueError: If an argument is out of range, ``start`` is not a naive timestamp, or
            ``win_shift`` is not 0 without a ``shift_from_month``.
    """
    start_ts = _check_arguments(
        months, contacts_per_month, seed, start, shift_from_month, win_shift
    )
    months, n, seed = int(months), int(contacts_per_month), int(seed)
    shift_from = months if shift_from_month is None else int(shift_from_month)

    bounds = month_bounds(start_ts, months)
    end = int(bounds[-1])
    parts = []
    for m in range(months):
        rng = np.random.default_rng([seed, m])
        shift = float(win_shift) if m >= shift_from else 0.0
        part = generate_month(rng, n, int(bounds[m]), int(bounds[m + 1]), shift)
        parts.append(_cut_activities(part, end, first_row=m * n))

    def cat(key: str) -> np.ndarray:
        return np.concatenate([p[key] for p in parts])

    outcome, closed_at = _exported_outcome(cat("won"), cat("closed"), end)
    contacts = contacts_frame(cat, months, n, outcome, closed_at)
    act_idx, act_time, act_type, act_detail = (cat(key) for key in _ACTIVITY_KEYS)
    parts.clear()  # free the per-month arrays before the activities frame is built
    ids = pa.array(contacts["contact_id"].array)
    return contacts, activities_frame(ids, act_idx, act_time, act_type, act_detail)


def write_crm(
    contacts: pd.DataFrame,
    activities: pd.DataFrame,
    out_dir: str | os.PathLike[str],
    fmt: Literal["csv", "parquet"] = "csv",
) -> tuple[Path, Path]:
    """Write ``contacts.<fmt>`` and ``activities.<fmt>`` into ``out_dir``.

    Each file is written to a temporary file in ``out_dir`` and then moved into place with
    ``os.replace``, so a reader never sees a half-written file. CSV files have a header, no
    index, and times as ``YYYY-MM-DD HH:MM:SS``.

    Args:
        contacts: Contacts frame, e.g. from :func:`generate_crm`.
        activities: Activities frame, e.g. from :func:`generate_crm`.
        out_dir: Folder to write to; created if missing.
        fmt: ``"csv"`` or ``"parquet"``.

    Returns:
        The paths of the contacts file and the activities file.

    Raises:
        ValueError: If ``fmt`` is not ``"csv"`` or ``"parquet"``.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in (("contacts", contacts), ("activities", activities)):
        target = folder / f"{name}.{fmt}"
        tmp = folder / f".{name}.{fmt}.{os.getpid()}.{uuid.uuid4().hex}.tmp"
        try:
            if fmt == "csv":
                frame.to_csv(tmp, index=False, date_format="%Y-%m-%d %H:%M:%S")
            else:
                frame.to_parquet(tmp, index=False, engine="pyarrow")
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        paths.append(target)
    return paths[0], paths[1]
