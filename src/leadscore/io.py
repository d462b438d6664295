"""Reading and writing tables (CSV and Parquet) and checking them against the data contract.

Row numbers in error messages are spreadsheet rows for CSV (the header is row 1, the first
data row is row 2) and 1-based data rows for Parquet.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from leadscore.errors import InputError

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq"}


def table_format(path: str | Path) -> str:
    """'csv' or 'parquet' from the file name; anything else is an error."""
    suffix = Path(path).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    raise InputError(
        f"unknown file type '{suffix}': use .csv, .tsv, .txt, .parquet or .pq", file=str(path)
    )


def row_number(position: int, path: str | Path) -> int:
    """Human row number of the 0-based data row ``position``."""
    return position + 2 if table_format(path) == "csv" else position + 1


def _sniff_csv(path: Path) -> tuple[str, str]:
    """Return (encoding, delimiter) of a CSV file, from its first bytes."""
    head = path.open("rb").read(64 * 1024)
    if not head.strip():
        raise InputError("file is empty", file=str(path))
    encoding = "utf-8-sig"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if exc.start < len(head) - 4:
            encoding = "latin-1"
        text = (
            head[: exc.start].decode("utf-8-sig")
            if encoding != "latin-1"
            else head.decode("latin-1")
        )
    first_line = text.splitlines()[0] if text.splitlines() else ""
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return encoding, delimiter


@contextmanager
def csv_errors(path: str | Path) -> Iterator[None]:
    """Turn pandas' CSV parsing errors into one-line errors naming the file."""
    try:
        yield
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", file=str(path)) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"cannot parse CSV: {' '.join(str(exc).split())}", file=str(path)
        ) from None


def csv_options(
    path: Path, missing_values: Iterable[str], columns: list[str] | None = None
) -> dict[str, object]:
    """``pd.read_csv`` options for a file: sniffed delimiter and encoding, our missing values.

    Shared by the whole-file reader and the streaming reader, so a value parses the same way
    either way.
    """
    encoding, delimiter = _sniff_csv(path)
    return {
        "sep": delimiter,
        "encoding": encoding,
        "keep_default_na": False,
        "na_values": list(missing_values),
        "skipinitialspace": True,
        "usecols": columns,
        "low_memory": False,
    }


def read_table(
    path: str | Path,
    *,
    missing_values: Iterable[str] = ("",),
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame.

    CSV delimiter (``,`` ``;`` tab ``|``) and encoding (UTF-8 with or without BOM, else
    Latin-1) are detected. Values listed in ``missing_values`` become missing.

    Raises:
        InputError: the file is missing, empty, or cannot be parsed.
    """
    path = Path(path)
    fmt = table_format(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if path.is_dir():
        raise InputError("is a folder, expected a file", file=str(path))
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(path, columns=columns)
        except Exception as exc:  # pyarrow raises many types for a bad file
            raise InputError(f"cannot read Parquet: {exc}", file=str(path)) from None
        missing = set(missing_values)
        for col in frame.columns:
            if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                frame[col] = frame[col].where(~frame[col].isin(missing), np.nan)
        return frame
    with csv_errors(path):
        frame = pd.read_csv(path, **csv_options(path, missing_values, columns))
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


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
        raise InputError("id is empty", file=str(path), column=column, row=row_number(pos, path))
    dup = ids.duplicated()
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        first = int(np.flatnonzero((ids == ids.iloc[pos]).to_numpy())[0])
        raise InputError(
            f"duplicate id {ids.iloc[pos]!r} (first seen in row {row_number(first, path)})",
            file=str(path),
            column=column,
            row=row_number(pos, path),
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
                row=row_number(pos, path),
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
            row=row_number(pos, path),
        ) from None
    if required and parsed.isna().any():
        pos = int(np.flatnonzero(parsed.isna().to_numpy())[0])
        raise InputError("date is empty", file=str(path), column=column, row=row_number(pos, path))
    return parsed


def _atomic_target(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def write_table(frame: pd.DataFrame, path: str | Path, *, csv_safe: bool = False) -> None:
    """Write CSV or Parquet (by suffix) atomically: a temp file renamed over the target.

    With ``csv_safe``, CSV text cells that a spreadsheet would run as a formula are
    neutralised (see ``leadscore.csvsafe``); Parquet is never changed.
    """
    path = Path(path)
    fmt = table_format(path)
    fd, tmp = _atomic_target(path)
    os.close(fd)
    try:
        if fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            if csv_safe:
                from leadscore.csvsafe import neutralise

                frame = neutralise(frame)
            frame.to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(text: str, path: str | Path) -> None:
    """Write a text file atomically."""
    path = Path(path)
    fd, tmp = _atomic_target(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
