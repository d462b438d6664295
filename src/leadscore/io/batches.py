"""Reading tables in batches, for lists larger than memory, parsed as ``tables.read_table`` does.

CSV (also compressed) and Parquet are read a batch at a time; an Excel sheet (at most
1,048,576 rows) is read whole and handed out in batches.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leadscore.errors import InputError, LeadscoreError
from leadscore.io.csvarrow import Spec, iter_frames
from leadscore.io.header import refuse_duplicated
from leadscore.io.tables import (
    arrow_spec,
    check_file,
    compression,
    csv_errors,
    csv_header,
    csv_options,
    input_format,
    open_bytes,
    read_table,
)

BATCH_ROWS = 25_000  # measured: 25,000-row batches beat 100,000 on speed (cache) and memory


def _excel_rows(path: Path) -> int | None:
    """Data rows of an Excel sheet from its stored dimension (None when it keeps none)."""
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        rows = book.worksheets[0].max_row
        book.close()
    except Exception:  # a bad file, or no openpyxl: the reader reports it
        return None
    return None if rows is None else max(int(rows) - 1, 0)


def count_rows(path: str | Path) -> int | None:
    """Data rows of a Parquet file (exact), an Excel sheet (its stored dimension) or a CSV
    file (line count, decompressed; an estimate for ETA)."""
    path = Path(path)
    fmt = input_format(path)
    if fmt == "parquet":
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except Exception:  # a bad file is reported by the reader
            return None
    if fmt == "xlsx":
        return _excel_rows(path)
    lines = 0
    last = b"\n"
    try:
        with open_bytes(path) as handle:
            while chunk := handle.read(16 << 20):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except (OSError, EOFError, InputError, ValueError):
        return None  # a bad file is reported by the reader
    return max(lines - (last == b"\n") + 0, 0)


def _uncompressed_size(path: Path, head: int) -> float:
    """The size of a CSV once decompressed: exact for zip, from the first ``head``
    decompressed bytes' compression ratio for gzip and bz2."""
    import zipfile

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return float(sum(info.file_size for info in archive.infolist()))
    with path.open("rb") as raw:
        if path.suffix.lower() == ".gz":
            import gzip

            stream: Any = gzip.GzipFile(fileobj=raw)
        else:
            import bz2

            stream = bz2.BZ2File(raw)
        read = len(stream.read(head))
        used = max(raw.tell(), 1)
    return path.stat().st_size * read / used


def estimate_rows(path: str | Path) -> int:
    """Data rows of a table: exact for Parquet, estimated for CSV from its first megabyte
    (0 for a missing file: the reader reports it)."""
    path = Path(path)
    if not path.is_file():
        return 0
    fmt = input_format(path)
    if fmt != "csv":
        return count_rows(path) or 0
    try:
        with open_bytes(path) as handle:
            head = handle.read(1 << 20)
        size = float(path.stat().st_size)
        if compression(path) and len(head) == 1 << 20:
            size = _uncompressed_size(path, 4 << 20)
    except (OSError, EOFError, InputError, ValueError):
        return 0  # a bad file is reported by the reader
    if not head:
        return 0
    lines = max(head.count(b"\n"), 1)
    return int(size / (len(head) / lines)) - 1


def iter_table(
    path: str | Path,
    *,
    missing_values: tuple[str, ...] | list[str] = ("",),
    columns: list[str] | None = None,
    batch_rows: int = BATCH_ROWS,
    text: tuple[str, ...] = (),
    sheet: str | None = None,
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield ``(offset, batch)``: the 0-based position of the batch's first row, and the batch.

    Values are parsed as ``io.read_table`` parses them (same CSV options, same missing values:
    CSV values as text; ``text`` columns as text from Excel too; ``sheet`` for Excel).

    Raises:
        InputError: the file is missing, empty, cannot be parsed or names a column twice.
    """
    path = Path(path)
    fmt = input_format(path)
    check_file(path)
    if fmt == "parquet":
        yield from _parquet_frames(path, batch_rows, columns, missing_values)
        return
    if fmt == "xlsx":
        whole = read_table(path, missing_values=missing_values, columns=columns, text=text,
                           sheet=sheet)  # fmt: skip
        for offset in range(0, max(len(whole), 1), batch_rows):
            yield offset, whole.iloc[offset : offset + batch_rows]
        return
    csv_header(path)
    yield from _csv_frames(path, tuple(missing_values), columns, batch_rows)


def _csv_frames(
    path: Path, missing_values: tuple[str, ...], columns: list[str] | None, batch_rows: int
) -> Iterator[tuple[int, pd.DataFrame]]:
    """CSV batches of text cells: read by Arrow while it reads the file as pandas does
    (``io.csvarrow``); from the first batch it cannot, pandas reads the rest."""
    offset = 0
    spec = arrow_spec(path, missing_values, columns)
    if spec is not None:
        frames = _arrow_frames(path, spec, batch_rows)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                return
            except Exception:  # NotForArrow, or a fault pandas reports in its own words
                frames.close()
                break
            yield offset, frame
            offset += len(frame)
    with csv_errors(path):
        options = csv_options(path, list(missing_values), columns)
        reader = pd.read_csv(path, chunksize=batch_rows, **options)
        with reader:
            for frame in reader:
                if frame.index[0] < offset:
                    continue  # read by Arrow already
                frame.columns = [str(c).strip() for c in frame.columns]
                yield int(frame.index[0]), frame


def _arrow_frames(path: Path, spec: Spec, batch_rows: int) -> Generator[pd.DataFrame, None, None]:
    with open_bytes(path) as handle:
        yield from iter_frames(handle, spec, batch_rows)


def _parquet_frames(
    path: Path, batch_rows: int, columns: list[str] | None, missing_values: Iterable[str]
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Parquet batches as frames indexed by file position, placeholders made missing."""
    missing = set(missing_values)
    offset = 0
    try:
        refuse_duplicated(pq.read_schema(path).names, path)
        for batch in _parquet_batches(path, batch_rows, columns):
            frame = batch.to_pandas()
            for col in frame.columns:
                if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                    frame[col] = frame[col].where(~frame[col].isin(missing), np.nan)
            frame.index = pd.RangeIndex(offset, offset + len(frame))
            yield offset, frame
            offset += len(frame)
    except LeadscoreError:
        raise
    except (OSError, pa.ArrowException) as exc:
        raise InputError(f"cannot read Parquet: {exc}", file=str(path)) from None


def _parquet_batches(
    path: Path, batch_rows: int, columns: list[str] | None
) -> Iterator[pa.Table | pa.RecordBatch]:
    """Record batches of ``batch_rows`` rows, read through a buffered stream.

    Reading a whole row group at a time (or ``iter_batches`` with pyarrow's default
    pre-buffering) holds the group's decoded columns: measured, a file written with one
    1,000,000-row group (the default of pandas' ``to_parquet``) peaked at 1,127 MB just to be
    read in 100,000-row batches. With a 1 MB read buffer and no pre-buffering, pages are
    decoded as the batches need them: 592 MB for the same file, 615 MB for all 10 M rows of
    a file with 250,000-row groups, flat whatever the group size.
    """
    reader = pq.ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
    yield from reader.iter_batches(batch_size=batch_rows, columns=columns)


def header(path: str | Path, sheet: str | None = None) -> list[str]:
    """Column names of a table, read without its rows (a name given twice is an error)."""
    path = Path(path)
    fmt = input_format(path)
    check_file(path)
    if fmt == "parquet":
        try:
            return refuse_duplicated(pq.ParquetFile(path).schema_arrow.names, path)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read Parquet: {exc}", file=str(path)) from None
    if fmt == "xlsx":
        from leadscore.io.excel import excel_header

        return excel_header(path, sheet)
    return csv_header(path)
