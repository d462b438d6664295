"""Reading whole tables: CSV (also ``.gz``, ``.bz2``, ``.zip``), Parquet and Excel ``.xlsx``.

CSV values are read as the text the file holds (by Arrow's parser when it reads the file
exactly as pandas' C parser does, ``io.csvarrow``; else by pandas): no column is typed, so
``0257896`` stays ``0257896`` and ``53.900`` stays ``53.900`` until ``leadscore.data`` decides,
per column and from all its values, what they mean. Parquet and Excel cells keep their own
types (an Excel date is a date); id columns named in ``text`` are read as text from Excel too.

Row numbers in error messages are spreadsheet rows for CSV and Excel (the header is row 1,
the first data row is row 2) and 1-based data rows for Parquet. A header that names a column
twice is refused, naming it.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

import numpy as np
import pandas as pd

from leadscore.errors import InputError
from leadscore.io.csvarrow import Spec, quoted_with_space, read_frame
from leadscore.io.header import refuse_duplicated

CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zip": "zip"}
READABLE = ".csv, .tsv, .txt (also .gz, .bz2 or .zip), .parquet, .pq or .xlsx"


def table_format(path: str | Path) -> str:
    """'csv' or 'parquet' from an output file's name; anything else is an error."""
    suffix = Path(path).suffix.lower()
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    raise InputError(
        f"unknown file type '{suffix}': use .csv, .tsv, .txt, .parquet or .pq", file=str(path)
    )


def compression(path: str | Path) -> str | None:
    """The compression of a CSV input from its name (``contacts.csv.gz``: gzip), or None."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if len(suffixes) >= 2 and suffixes[-1] in COMPRESSIONS and suffixes[-2] in CSV_SUFFIXES:
        return COMPRESSIONS[suffixes[-1]]
    return None


def input_format(path: str | Path) -> str:
    """'csv', 'parquet' or 'xlsx' from an input file's name; anything else is an error."""
    suffix = Path(path).suffix.lower()
    if suffix in CSV_SUFFIXES or compression(path):
        return "csv"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in EXCEL_SUFFIXES:
        return "xlsx"
    shown = "".join(Path(path).suffixes[-2:]) or suffix
    raise InputError(f"unknown file type '{shown}': use {READABLE}", file=str(path))


def row_number(position: int, path: str | Path) -> int:
    """Human row number of the 0-based data row ``position``: the spreadsheet row for CSV
    and Excel (the header is row 1), the 1-based data row for Parquet and in-memory tables."""
    name = Path(path)
    spreadsheet = name.suffix.lower() in CSV_SUFFIXES | EXCEL_SUFFIXES or compression(name)
    return position + 2 if spreadsheet else position + 1


@contextmanager
def open_bytes(path: Path) -> Iterator[IO[bytes]]:
    """The bytes of a CSV file, decompressed when its name says so (a zip's only member)."""
    kind = compression(path)
    if kind == "gzip":
        import gzip

        with gzip.open(path, "rb") as handle:
            yield cast(IO[bytes], handle)
    elif kind == "bz2":
        import bz2

        with bz2.open(path, "rb") as handle:
            yield handle
    elif kind == "zip":
        import zipfile

        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.endswith("/")]
            if len(members) != 1:
                raise InputError(
                    f"a .zip must hold exactly one CSV file, this one holds {len(members)}",
                    file=str(path),
                )
            with archive.open(members[0]) as handle:
                yield handle
    else:
        with path.open("rb") as handle:
            yield handle


def sniff_csv(path: Path) -> tuple[str, str]:
    """Return (encoding, delimiter) of a CSV file, from its first bytes."""
    with csv_errors(path), open_bytes(path) as handle:
        head = handle.read(64 * 1024)
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


def decimal_hint(path: str | Path) -> str | None:
    """The decimal mark a file's own convention suggests: ``,`` for a semicolon-separated
    CSV (the European spreadsheet export), ``.`` for a comma-separated one, else None."""
    if not Path(path).is_file() or input_format(path) != "csv":
        return None
    delimiter = sniff_csv(Path(path))[1]
    return {";": ",", ",": "."}.get(delimiter)


@contextmanager
def csv_errors(path: str | Path) -> Iterator[None]:
    """Turn pandas' CSV parsing and decompression errors into one-line errors naming the file."""
    import zipfile

    try:
        yield
    except pd.errors.EmptyDataError:
        raise InputError("file is empty", file=str(path)) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"cannot parse CSV: {' '.join(str(exc).split())}", file=str(path)
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read the file: {exc}", file=str(path)) from None


def csv_options(
    path: Path,
    missing_values: Iterable[str],
    columns: list[str] | None = None,
) -> dict[str, object]:
    """``pd.read_csv`` options for a file: sniffed delimiter and encoding, our missing values,
    and every column read as text, exactly as written ("0257896" stays "0257896", "53.900"
    stays "53.900": ``leadscore.data`` decides what it means).

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
        "usecols": None if columns is None else _named(columns),
        "low_memory": False,
        "dtype": str,
        "compression": compression(path),
    }


def _named(columns: list[str]) -> Callable[[str], bool]:
    """pandas' ``usecols`` for ``columns`` named as every reader names them: stripped (a
    header cell ``"created_at "`` is the column ``created_at``). A column the file lacks is
    left out, for the caller's own check to name."""
    wanted = set(columns)
    return lambda name: str(name).strip() in wanted


def check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if path.is_dir():
        raise InputError("is a folder, expected a file", file=str(path))


def csv_header(path: Path) -> list[str]:
    """The column names of a CSV file, as written (duplicates refused)."""
    return refuse_duplicated(_header_cells(path), path)


def _header_cells(path: Path) -> list[str]:
    """The cells of a CSV file's first row, spaces kept."""
    encoding, delimiter = sniff_csv(path)
    with csv_errors(path), open_bytes(path) as handle:
        text = io.TextIOWrapper(handle, encoding=encoding, newline="")
        return next(csv.reader(text, delimiter=delimiter), [])


def _missing_to_nan(frame: pd.DataFrame, missing_values: Iterable[str]) -> pd.DataFrame:
    """Text cells of a typed table (Parquet, Excel) that hold a missing-value placeholder."""
    missing = set(missing_values)
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            hit = frame[col].isin(missing)
            if hit.any():  # else the column stays as read: no copy of 10 M values for nothing
                frame[col] = frame[col].where(~hit, np.nan)
    return frame


def _read_parquet(path: Path, missing_values: Iterable[str], columns: list[str] | None,
                  coded: tuple[str, ...]) -> pd.DataFrame:  # fmt: skip
    """A Parquet file's columns (``read_table``); ``coded`` text columns as categoricals."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
        refuse_duplicated(schema.names, path)
        written = {str(n).strip(): n for n in schema.names}  # ``columns`` name them stripped
        wanted = None if columns is None else [written.get(c, c) for c in columns]
        texts = (pa.string(), pa.large_string())  # a stored categorical is read as it was
        dictionary = [written[c] for c in coded if c in written
                      and schema.field(written[c]).type in texts]  # fmt: skip
        dictionary = [c for c in dictionary if wanted is None or c in wanted]
        frame = pd.read_parquet(path, columns=wanted, read_dictionary=dictionary or None)
    except InputError:
        raise
    except Exception as exc:  # pyarrow raises many types for a bad file
        raise InputError(f"cannot read Parquet: {exc}", file=str(path)) from None
    return _missing_to_nan(frame, missing_values)  # a categorical of text is text to it


def read_table(
    path: str | Path,
    *,
    missing_values: Iterable[str] = ("",),
    columns: list[str] | None = None,
    text: Iterable[str] = (),
    sheet: str | None = None,
    coded: Iterable[str] = (),
) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file into a DataFrame.

    CSV delimiter (``,`` ``;`` tab ``|``), encoding (UTF-8 with or without BOM, else Latin-1)
    and compression (by name) are detected, and every CSV value is kept as text. Values
    listed in ``missing_values`` become missing. ``text`` columns (ids) are read as text from
    Excel too; ``sheet`` picks an Excel sheet by name (default: the first). ``coded``: text
    columns of few distinct values (an activity log's types) that a Parquet file hands over
    as pandas categoricals of the same text, decoded per distinct value, not per row.

    Raises:
        InputError: the file is missing, empty, cannot be parsed, or names a column twice.
    """
    path = Path(path)
    fmt = input_format(path)
    check_file(path)
    if fmt == "parquet":
        return _read_parquet(path, missing_values, columns, tuple(coded))
    if fmt == "xlsx":
        from leadscore.io.excel import read_excel

        frame = read_excel(path, sheet=sheet, columns=columns, text=tuple(text))
        return _missing_to_nan(frame, missing_values)
    csv_header(path)
    return read_csv_text(path, tuple(missing_values), columns)


def arrow_spec(
    path: Path, missing_values: tuple[str, ...], columns: list[str] | None
) -> Spec | None:
    """How Arrow reads a CSV file as pandas would (``io.csvarrow``), or None: pandas reads it
    (a Latin-1 file, or a trait Arrow reads otherwise)."""
    encoding, delimiter = sniff_csv(path)
    if encoding != "utf-8-sig":
        return None
    stat = path.stat()
    quoted = functools.partial(_quoted, str(path), stat.st_mtime_ns, stat.st_size, delimiter)
    return Spec(_header_cells(path), delimiter, missing_values, columns, quoted)


@functools.lru_cache(maxsize=8)
def _quoted(path: str, mtime_ns: int, size: int, delimiter: str) -> frozenset[str] | None:
    """``csvarrow.quoted_with_space`` of a file, once per version of it (a file is read
    more than once: the dates first, then its rows)."""

    def chunks() -> Iterator[bytes]:
        with open_bytes(Path(path)) as handle:
            while chunk := handle.read(16 << 20):
                yield chunk

    return quoted_with_space(chunks, delimiter)


def read_csv_text(
    path: Path, missing_values: tuple[str, ...], columns: list[str] | None
) -> pd.DataFrame:
    """A CSV file's cells as text (see ``csv_options``): read by Arrow when it reads the file
    exactly as pandas does (``io.csvarrow``: several times faster), else by pandas."""
    spec = arrow_spec(path, missing_values, columns)
    if spec is not None:
        try:
            with open_bytes(path) as handle:
                return read_frame(handle, spec)
        except Exception:  # NotForArrow, or a fault pandas reports in its own words below
            pass
    with csv_errors(path):
        frame = pd.read_csv(path, **csv_options(path, missing_values, columns))
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
