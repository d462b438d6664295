"""Reading whole tables (CSV and Parquet): file types, CSV dialects, row numbers in messages.

Row numbers in error messages are spreadsheet rows for CSV (the header is row 1, the first
data row is row 2) and 1-based data rows for Parquet.
"""

from __future__ import annotations

import csv
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
    """Human row number of the 0-based data row ``position``: the spreadsheet row for CSV
    (the header is row 1), the 1-based data row for Parquet and in-memory tables."""
    return position + 2 if Path(path).suffix.lower() in CSV_SUFFIXES else position + 1


def sniff_csv(path: Path) -> tuple[str, str]:
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
    path: Path,
    missing_values: Iterable[str],
    columns: list[str] | None = None,
    text: Iterable[str] = (),
) -> dict[str, object]:
    """``pd.read_csv`` options for a file: sniffed delimiter and encoding, our missing values,
    and ``text`` columns (ids) kept as written ("0257896" stays "0257896", never 257896).

    Shared by the whole-file reader and the streaming reader, so a value parses the same way
    either way.
    """
    encoding, delimiter = sniff_csv(path)
    return {
        "sep": delimiter,
        "encoding": encoding,
        "keep_default_na": False,
        "na_values": list(missing_values),
        "skipinitialspace": True,
        "usecols": columns,
        "low_memory": False,
        "dtype": {c: str for c in text if c},
    }


def check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if path.is_dir():
        raise InputError("is a folder, expected a file", file=str(path))


def read_table(
    path: str | Path,
    *,
    missing_values: Iterable[str] = ("",),
    columns: list[str] | None = None,
    text: Iterable[str] = (),
) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame (``text`` columns read as written).

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
        frame = pd.read_csv(path, **csv_options(path, missing_values, columns, text))
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
