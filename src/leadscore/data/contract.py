"""The data contract of an export: required columns, rows, exact unique ids, readable dates.

Every check raises an ``InputError`` naming the file, the column and the first offending row.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from leadscore.data.dates import UndecidedOrder, read_date_column
from leadscore.data.reading import Reading
from leadscore.errors import InputError
from leadscore.io.tables import row_number


def _id_text(value: object) -> object:
    """One id cell as text: a whole number without ``.0``; missing stays missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return np.nan
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def canonical_ids(values: pd.Series) -> pd.Series:
    """Ids as the text that identifies a contact everywhere (contacts, activities, joins,
    won deals, the stream and Spark engines): the ONE place that decides when two ids are
    the same contact.

    An id is its text as written: case, leading zeros and inner spaces are kept, so
    ``0257896`` and ``257896``, ``AB 12`` and ``ab 12`` are different contacts. Whitespace
    around it (spaces, tabs, no-break spaces: padding spreadsheets and exports add) is not
    part of it. Ids stored as numbers (Parquet, Excel cells, a DataFrame) are written as
    integers when whole (``1``, never ``1.0``); a missing id stays missing.
    """
    if pd.api.types.is_float_dtype(values) or values.dtype == object:
        text = values.map(_id_text).astype(str)
    else:
        text = values.astype(str)
    return text.str.strip()


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
    """Ids must be present and unique, compared as canonical text; the error names the first
    offending row and shows the id as text."""
    ids = canonical_ids(frame[column])
    empty = (ids.isna() | (ids == "")).to_numpy()
    if empty.any():
        pos = int(np.flatnonzero(empty)[0])
        raise InputError(
            "id is empty",
            file=str(path),
            column=column,
            row=row_number(int(frame.index[pos]), path),
        )
    dup = ids.duplicated().to_numpy()
    if dup.any():
        pos = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((ids == ids.iloc[pos]).to_numpy())[0])
        raise InputError(
            f"duplicate id {str(ids.iloc[pos])!r} (first seen in row "
            f"{row_number(int(frame.index[first]), path)})",
            file=str(path),
            column=column,
            row=row_number(int(frame.index[pos]), path),
        )


def parse_dates(
    frame: pd.DataFrame,
    column: str,
    path: str | Path,
    *,
    required: bool = False,
    reading: Reading | None = None,
) -> pd.Series:
    """A date column as naive UTC timestamps, read with ONE format for the whole column.

    The format is the one ``reading`` already decided for the column (on an earlier batch),
    else decided now from all of the column's values (``data.dates``), settled by the
    config's ``date_format`` / ``dayfirst`` of ``reading.section``, and recorded in
    ``reading`` for the batches to come. Blank cells become NaT (an error when ``required``).

    Raises:
        InputError: a value is unreadable or does not fit the column's format, the order
            (day-first or month-first) cannot be decided, or a required date is empty.
    """
    reading = reading if reading is not None else Reading()
    parsed, fmt = read_date_column(
        frame,
        column,
        path,
        required=required,
        dayfirst=reading.dayfirst,
        date_format=reading.dates.get(column) or reading.date_format,
        section=reading.section,
    )
    if fmt is not None:
        reading.dates.setdefault(column, fmt)
    return parsed


def decide_dates(
    batches: Iterable[pd.DataFrame], columns: Iterable[str], reading: Reading, path: str | Path
) -> None:
    """Decide the format of each date column of a file read in batches, before reading it.

    The first batch decides every column it can. A column whose first-batch dates all fit
    both day-first and month-first is read on, batch by batch (``batches`` should hold only
    the date columns), until a value tells; if none does, the first batch's error stops the
    run, naming the config keys that settle it. A column still blank is decided later, by
    the first batch that holds a value (``parse_dates``).
    """
    columns = list(columns)
    waiting: set[str] | None = None
    undecided: dict[str, UndecidedOrder] = {}
    for frame in batches:
        todo = [c for c in columns if c in frame.columns and c not in reading.dates]
        for column in todo if waiting is None else sorted(waiting & set(todo)):
            try:
                _, fmt = read_date_column(
                    frame, column, path, dayfirst=reading.dayfirst,
                    date_format=reading.date_format, section=reading.section,
                )  # fmt: skip
            except UndecidedOrder as exc:
                undecided.setdefault(column, exc)
                continue
            if fmt is not None:
                reading.dates[column] = fmt
                undecided.pop(column, None)
        waiting = set(undecided)
        if not waiting:
            return
    if undecided:
        raise next(iter(undecided.values()))
