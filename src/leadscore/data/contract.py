"""The data contract of an export: required columns, rows, unique ids and readable dates.

Every check raises an ``InputError`` naming the file, the column and the first offending row.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from leadscore.errors import InputError
from leadscore.io.tables import row_number


def canonical_ids(values: pd.Series) -> pd.Series:
    """Ids as the text that identifies a contact everywhere (contacts, activities, engines).

    The one place that decides when two ids are the same contact.
    """
    return values.astype(str).str.strip()


def require_columns(frame: pd.DataFrame, required: Iterable[str], path: str | Path) -> None:
    """Raise an error naming the first required column the frame lacks."""
    present = list(frame.columns)
    for col in required:
        if col not in frame.columns:
            shown = ", ".join(present[:20]) + (" …" if len(present) > 20 else "")
            raise InputError(
                f"required column is missing (columns found: {shown})", file=str(path), column=col
            )


def require_rows(frame: pd.DataFrame, path: str | Path) -> None:
    """Raise when a file has a header but no data rows."""
    if len(frame) == 0:
        raise InputError("has a header but no data rows", file=str(path))


def check_ids(frame: pd.DataFrame, column: str, path: str | Path) -> None:
    """Ids must be present and unique; the error names the first offending row."""
    ids = frame[column]
    empty = ids.isna() | (ids.astype(str).str.strip() == "")
    if empty.any():
        pos = int(np.flatnonzero(empty.to_numpy())[0])
        raise InputError(
            "id is empty",
            file=str(path),
            column=column,
            row=row_number(int(frame.index[pos]), path),
        )
    dup = ids.duplicated()
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((ids == ids.iloc[pos]).to_numpy())[0])
        raise InputError(
            f"duplicate id {ids.iloc[pos]!r} (first seen in row {row_number(int(frame.index[first]), path)})",
            file=str(path),
            column=column,
            row=row_number(int(frame.index[pos]), path),
        )


def parse_dates(
    frame: pd.DataFrame, column: str, path: str | Path, *, required: bool = False
) -> pd.Series:
    """Parse a date column to naive UTC timestamps; an unparseable value is an error.

    Blank cells become NaT (an error when ``required``). Time-zone-aware values are
    converted to UTC and the zone dropped, so all times compare on one clock.
    """
    raw = frame[column]
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = raw
    else:
        text = raw.astype("string").str.strip()
        try:
            parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
        except (ValueError, TypeError):
            parsed = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
        bad = parsed.isna() & text.notna() & (text != "")
        if bad.any():  # not ISO 8601: try the other common forms, value by value
            retry = pd.to_datetime(text[bad], errors="coerce", format="mixed", utc=True)
            parsed = parsed.copy()
            parsed[bad] = retry
            bad = parsed.isna() & text.notna() & (text != "")
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"cannot read {str(raw.iloc[pos])!r} as a date",
                file=str(path),
                column=column,
                row=row_number(int(frame.index[pos]), path),
            )
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    try:
        parsed = parsed.astype("datetime64[ns]")
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        outside = ((parsed < pd.Timestamp.min) | (parsed > pd.Timestamp.max)).to_numpy()
        pos = int(np.flatnonzero(outside)[0]) if outside.any() else 0
        raise InputError(
            f"date {raw.iloc[pos]!r} is out of range (years 1678 to 2261)",
            file=str(path),
            column=column,
            row=row_number(int(frame.index[pos]), path),
        ) from None
    if required and parsed.isna().any():
        pos = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise InputError(
            "date is empty",
            file=str(path),
            column=column,
            row=row_number(int(frame.index[pos]), path),
        )
    return parsed
