"""Writing outputs atomically: a temp file beside the target, renamed over it when complete.

A failed or killed run leaves the previous file (or none), never half a file. A file that is
replaced keeps its permission bits, and a new file gets the usual ones (``0666`` less the
umask): ``mkstemp`` creates its temp file ``0600``, so the mode is set before the rename.
Every table leadscore writes goes through ``TableWriter``: CSV text cells a spreadsheet would
run as a formula are neutralised (``csvsafe``) unless turned off; Parquet is written as is.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leadscore.io.tables import table_format


def _atomic_target(path: Path) -> tuple[int, str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _replace(tmp: str, path: Path) -> None:
    """Move ``tmp`` over ``path``, giving it the mode ``path`` had (or a new file's mode)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def write_text(text: str, path: str | Path) -> None:
    """Write a text file atomically."""
    path = Path(path)
    fd, tmp = _atomic_target(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        _replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def schema_of(frame: pd.DataFrame) -> pa.Schema:
    """The Arrow schema of a frame (nullable integers and text kept as such)."""
    return pa.Schema.from_pandas(frame, preserve_index=False).remove_metadata()


class TableWriter:
    """Appends batches to a temp file next to ``path``; ``commit`` renames it over.

    Use as a context manager: the file is committed when the block ends normally and the
    temp file removed when it raises. Every batch must have the schema's columns.
    """

    def __init__(self, path: str | Path, schema: pa.Schema, *, csv_safe: bool = True) -> None:
        self.path = Path(path)
        self.fmt = table_format(self.path)
        self.schema = schema
        self.csv_safe = csv_safe and self.fmt == "csv"
        fd, self.tmp = _atomic_target(self.path)
        os.close(fd)
        self.writer: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append one batch (the columns of the writer's schema, in any order)."""
        table = pa.Table.from_pandas(
            frame[self.schema.names], schema=self.schema, preserve_index=False
        )
        if self.csv_safe:  # our own column names need no neutralising, the cells do
            from leadscore.io.csvsafe import neutralise_table

            table = neutralise_table(table)
        if self.writer is None:
            if self.fmt == "parquet":
                self.writer = pq.ParquetWriter(self.tmp, self.schema)
            else:
                import pyarrow.csv as pacsv

                options = pacsv.WriteOptions(quoting_style="needed")
                self.writer = pacsv.CSVWriter(self.tmp, self.schema, write_options=options)
        self.writer.write_table(table)

    def commit(self) -> None:
        """Close and move the finished file into place."""
        if self.writer is None:
            self.write(self.schema.empty_table().to_pandas())
        self.writer.close()
        _replace(self.tmp, self.path)

    def abort(self) -> None:
        """Close and delete the temp file."""
        if self.writer is not None:
            self.writer.close()
        Path(self.tmp).unlink(missing_ok=True)

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def write_table(
    frame: pd.DataFrame, path: str | Path, *, csv_safe: bool = True, schema: pa.Schema | None = None
) -> None:
    """Write one frame as CSV or Parquet (by suffix) through ``TableWriter``."""
    with TableWriter(path, schema or schema_of(frame), csv_safe=csv_safe) as writer:
        writer.write(frame)
