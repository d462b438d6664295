"""Writing outputs atomically: a temp file beside the target, renamed over it when complete.

A failed or killed run leaves the previous file (or none), never half a file. A file that is
replaced keeps its permission bits (``mkstemp`` creates 0600 files; the target's mode, or
the umask's default for a new file, is applied before the rename). CSV text cells a
spreadsheet would run as a formula are neutralised (``csvsafe``); Parquet is written as is.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leadscore.io.tables import table_format


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
                from leadscore.io.csvsafe import neutralise

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


class BatchWriter:
    """Appends result batches to a temp file next to ``path``; ``commit`` renames it over.

    With ``csv_safe``, CSV text cells a spreadsheet would run as a formula are neutralised
    (see ``csvsafe``); Parquet is written as it is.
    """

    def __init__(self, path: str | Path, schema: pa.Schema, *, csv_safe: bool = False) -> None:
        self.path = Path(path)
        self.fmt = table_format(self.path)
        self.schema = schema
        self.csv_safe = csv_safe and self.fmt == "csv"
        fd, self.tmp = _atomic_target(self.path)
        os.close(fd)
        self.writer = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append one batch (the columns of the writer's schema)."""
        if self.csv_safe:
            from leadscore.io.csvsafe import neutralise

            frame = neutralise(frame)
            frame.columns = self.schema.names
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
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
            self.write(pd.DataFrame({name: [] for name in self.schema.names}))
        self.writer.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Close and delete the temp file."""
        if self.writer is not None:
            self.writer.close()
        Path(self.tmp).unlink(missing_ok=True)
