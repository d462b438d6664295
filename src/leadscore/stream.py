"""Streaming batch prediction: lead lists and activity logs larger than memory.

``predict_stream`` reads the lead list in batches (Parquet row batches through pyarrow, CSV
chunks through pandas' C parser with the same options as ``io.read_table``), validates each
batch with the same checks as the in-memory path, scores it and appends the result to the
output, so memory holds one batch at a time, whatever the list's length. Output rows come out
in input order, one per input row, with ``status``; the output is written to a temporary file
renamed over the target at the end (a failed run leaves no half file behind).

Activity logs are aggregated per contact without loading them whole, in partitioned passes
with pyarrow only (no new dependency):

1. the contacts' ids are read (id column only) and written, with their global row position,
   into N temporary Parquet partitions by a hash of the id;
2. the activity log is read in batches, validated, and appended to the same N partitions by
   the same hash of its contact id;
3. for each partition, its contacts and their activities are loaded together and
   ``features.activity.aggregate_activities`` (the very function training uses) computes the
   aggregates, stored by row position in a disk-backed array (``numpy.memmap``);
4. the lead list is streamed again in order and scored with its rows of that array.

Memory is bounded by one partition (about ``ACTIVITIES_PER_PARTITION`` activities) plus one
batch; the aggregates are exact because every contact's activities land in its partition.

A lead list in the flat shape (one row per contact with the activity aggregate columns already
computed, as ``features.snapshots.assemble_rows`` returns them) is scored directly: no
activity pass. Such a file is recognised by holding every aggregate column of the model.

Row numbers in errors are global (file rows), never per batch. Ids must be unique across the
whole file: each batch is checked on its own, and across batches through 64-bit hashes of the
ids, sorted once at the end (8 bytes per row); a repeated hash is confirmed on the ids
themselves before it is reported.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leadscore.config import Config
from leadscore.crm import ID, activities_frame, contacts_frame
from leadscore.errors import InputError, LeadscoreError
from leadscore.features.activity import aggregate_activities
from leadscore.io import (
    _atomic_target,
    _sniff_csv,
    csv_errors,
    csv_options,
    require_columns,
    row_number,
    table_format,
)
from leadscore.model.drift import MAX_ROWS as DRIFT_ROWS  # scored rows sampled for drift
from leadscore.model.scorer import LeadScorer, predict_rows_guarded, row_status
from leadscore.model.tiers import TIERS, tier_table

BATCH_ROWS = 25_000  # measured: 25,000-row batches beat 100,000 on speed (cache) and memory
ACTIVITIES_PER_PARTITION = 2_000_000
AS_OF = "as_of"

OUTPUT_SCHEMA = pa.schema(
    [
        ("contact_id", pa.string()),
        ("probability", pa.float64()),
        ("score", pa.int64()),
        ("tier", pa.string()),
        ("status", pa.string()),
    ]
)


@dataclass
class StreamResult:
    """What a streaming run did, for the user's summary."""

    rows: int = 0
    scored: int = 0
    flat: bool = False
    partitions: int = 0
    notes: list[str] = field(default_factory=list)
    tiers: pd.DataFrame | None = None
    seconds: float = 0.0
    latest: pd.Timestamp | None = None  # the latest date seen in the export (staleness check)
    drift_rows: pd.DataFrame | None = None  # a uniform sample of scored model rows (drift)


# ---------------------------------------------------------------- reading in batches


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError("file not found", file=str(path))
    if path.is_dir():
        raise InputError("is a folder, expected a file", file=str(path))


def count_rows(path: str | Path) -> int | None:
    """Data rows of a Parquet file (exact) or a CSV file (line count, an estimate for ETA)."""
    path = Path(path)
    if table_format(path) == "parquet":
        try:
            return pq.ParquetFile(path).metadata.num_rows
        except Exception:  # a bad file is reported by the reader
            return None
    lines = 0
    last = b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(16 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return max(lines - (last == b"\n") + 0, 0)


def estimate_rows(path: str | Path) -> int:
    """Data rows of a table: exact for Parquet, estimated for CSV from its first megabyte
    (0 for a missing file: the reader reports it)."""
    path = Path(path)
    if not path.is_file():
        return 0
    if table_format(path) == "parquet":
        return count_rows(path) or 0
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if not head:
        return 0
    lines = max(head.count(b"\n"), 1)
    return int(path.stat().st_size / (len(head) / lines)) - 1


def iter_table(
    path: str | Path,
    *,
    missing_values: tuple[str, ...] | list[str] = ("",),
    columns: list[str] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield ``(offset, batch)``: the 0-based position of the batch's first row, and the batch.

    Values are parsed as ``io.read_table`` parses them (same CSV options, same missing values).

    Raises:
        InputError: the file is missing, empty or cannot be parsed.
    """
    path = Path(path)
    fmt = table_format(path)
    _check_file(path)
    offset = 0
    missing = set(missing_values)
    if fmt == "parquet":
        try:
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
        return
    with csv_errors(path):
        options = csv_options(path, missing_values, columns)
        reader = pd.read_csv(path, chunksize=batch_rows, **options)
        with reader:
            for frame in reader:
                frame.columns = [str(c).strip() for c in frame.columns]
                yield offset, frame
                offset += len(frame)


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


def header(path: str | Path) -> list[str]:
    """Column names of a table, read without its rows."""
    path = Path(path)
    _check_file(path)
    if table_format(path) == "parquet":
        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except (OSError, pa.ArrowException) as exc:
            raise InputError(f"cannot read Parquet: {exc}", file=str(path)) from None
    encoding, delimiter = _sniff_csv(path)
    try:
        head = pd.read_csv(path, sep=delimiter, encoding=encoding, nrows=0)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot parse CSV: {exc}", file=str(path)) from None
    return [str(c).strip() for c in head.columns]


def shifted(exc: LeadscoreError, offset: int) -> LeadscoreError:
    """The same error with its row number made global (the batch starts at ``offset``)."""
    if exc.row is not None:
        exc.row += offset
    return exc


def _batches_checked(
    path: Path, validate: Callable[[pd.DataFrame], pd.DataFrame], **kwargs: object
) -> Iterator[tuple[int, pd.DataFrame]]:
    for offset, raw in iter_table(path, **kwargs):
        try:
            yield offset, validate(raw)
        except LeadscoreError as exc:
            raise shifted(exc, offset) from None


# ---------------------------------------------------------------- unique ids across batches


def hash_ids(ids: np.ndarray) -> np.ndarray:
    """64-bit hashes of canonical id strings (stable across runs and processes)."""
    return pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False)


class UniqueIds:
    """Checks ids for duplicates across batches with 8 bytes per row."""

    def __init__(self, path: Path, column: str, missing: tuple[str, ...] | list[str]) -> None:
        self.path, self.column, self.missing = path, column, missing
        self.parts: list[np.ndarray] = []

    def add(self, ids: np.ndarray) -> None:
        """Record the next batch's canonical ids (in file order)."""
        self.parts.append(hash_ids(ids))

    def check(self) -> None:
        """Raise on the first row whose id was seen in an earlier row."""
        if not self.parts:
            return
        hashes = np.concatenate(self.parts)
        self.parts = []
        ranked = np.sort(hashes)  # the common case, no duplicate: one sorted copy only
        if not (ranked[1:] == ranked[:-1]).any():
            return
        del ranked
        order = np.argsort(hashes, kind="stable")
        ranked = hashes[order]
        repeat = np.flatnonzero(ranked[1:] == ranked[:-1]) + 1
        if len(repeat) == 0:
            return
        group_start = np.searchsorted(ranked, ranked[repeat])
        candidates = sorted(zip(order[repeat], order[group_start], strict=True))
        for pos, first in candidates[:100]:
            value, first_value = self._ids_at([int(pos), int(first)])
            if value == first_value:
                raise InputError(
                    f"duplicate id {value!r} (first seen in row "
                    f"{row_number(int(first), self.path)})",
                    file=str(self.path),
                    column=self.column,
                    row=row_number(int(pos), self.path),
                )

    def _ids_at(self, positions: list[int]) -> list[str]:
        found: dict[int, str] = {}
        for offset, batch in iter_table(
            self.path, missing_values=self.missing, columns=[self.column]
        ):
            for pos in positions:
                if offset <= pos < offset + len(batch):
                    found[pos] = str(batch[self.column].iloc[pos - offset]).strip()
            if len(found) == len(set(positions)):
                break
        return [found[p] for p in positions]


# ---------------------------------------------------------------- progress


class Progress:
    """A rich progress bar on a terminal; a plain log line every few seconds otherwise."""

    def __init__(self, label: str, total: int | None, enabled: bool = True) -> None:
        self.label, self.total, self.done = label, total, 0
        self.start = time.perf_counter()
        self.last_log = self.start
        self.enabled = enabled
        self.bar = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as Bar,
            )

            self.bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} rows/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task(label, total=total, rate="-")
            self.bar.start()

    def advance(self, rows: int) -> None:
        """Count ``rows`` more rows done."""
        self.done += rows
        now = time.perf_counter()
        rate = self.done / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, advance=rows, rate=f"{rate:,.0f}")
        elif self.enabled and now - self.last_log >= 5:
            self.last_log = now
            self._log(rate, now)

    def _log(self, rate: float, now: float) -> None:
        of = f" of ~{self.total:,}" if self.total else ""
        eta = ""
        if self.total and rate > 0 and self.total > self.done:
            eta = f", ETA {(self.total - self.done) / rate:,.0f} s"
        print(
            f"{self.label}: {self.done:,}{of} rows, {rate:,.0f} rows/s, "
            f"{now - self.start:,.1f} s{eta}",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        """Stop the bar (or log the final line)."""
        if self.bar is not None:
            self.bar.stop()
        elif self.enabled:
            now = time.perf_counter()
            self._log(self.done / max(now - self.start, 1e-9), now)


# ---------------------------------------------------------------- writing in batches


class BatchWriter:
    """Appends result batches to a temp file next to ``path``; ``commit`` renames it over.

    With ``csv_safe``, CSV text cells a spreadsheet would run as a formula are neutralised
    (see ``csvsafe``); Parquet is written as it is.
    """

    def __init__(
        self, path: str | Path, schema: pa.Schema = OUTPUT_SCHEMA, *, csv_safe: bool = False
    ) -> None:
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
            from leadscore.csvsafe import neutralise

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


# ---------------------------------------------------------------- activity aggregation


def _partition(ids: np.ndarray, n: int) -> np.ndarray:
    return (hash_ids(ids) % np.uint64(n)).astype(np.int64)


def _n_partitions(path: Path, rows_per_partition: int) -> int:
    # A CSV activity line is about 40-60 bytes: the size gives a safe row estimate.
    parquet = table_format(path) == "parquet"
    rows = (count_rows(path) or 0) if parquet else path.stat().st_size // 40
    return max(1, math.ceil(rows / rows_per_partition))


def aggregate_partitioned(
    scorer: LeadScorer,
    contacts_path: Path,
    activities_path: Path,
    cfg: Config,
    as_of: pd.Timestamp,
    workdir: Path,
    *,
    batch_rows: int = BATCH_ROWS,
    partitions: int | None = None,
    progress: bool = True,
) -> tuple[np.memmap, int, list[str], pd.Timestamp | None]:
    """Activity aggregates per contact row, by row position, in bounded memory.

    Returns the disk-backed array (rows × ``spec.feature_names()``), the number of
    partitions used, notes for the user (activities of unknown contacts) and the latest
    activity time (None without activities).
    """
    missing = tuple(cfg.features.missing_values)
    id_col = cfg.contacts.id
    n = partitions or _n_partitions(activities_path, ACTIVITIES_PER_PARTITION)
    key_schema = pa.schema([("pos", pa.int64()), (ID, pa.string())])
    act_schema = pa.schema(
        [(ID, pa.string()), ("occurred_at", pa.timestamp("ns")), ("activity_type", pa.string())]
    )
    key_writers = [pq.ParquetWriter(workdir / f"keys-{p}.parquet", key_schema) for p in range(n)]
    act_writers = [pq.ParquetWriter(workdir / f"acts-{p}.parquet", act_schema) for p in range(n)]
    unique = UniqueIds(contacts_path, id_col, missing)
    total = 0
    try:
        bar = Progress("reading contact ids", count_rows(contacts_path), progress)
        if id_col not in header(contacts_path):
            require_columns(pd.DataFrame(columns=header(contacts_path)), [id_col], contacts_path)
        for offset, batch in iter_table(
            contacts_path, missing_values=missing, columns=[id_col], batch_rows=batch_rows
        ):
            ids = _ids(batch, id_col, contacts_path, offset)
            unique.add(ids)
            part = _partition(ids, n)
            pos = np.arange(offset, offset + len(ids), dtype=np.int64)
            for p in range(n):
                sel = part == p
                key_writers[p].write_table(
                    pa.table({"pos": pos[sel], ID: pa.array(ids[sel], pa.string())}, key_schema)
                )
            total = offset + len(batch)
            bar.advance(len(batch))
        bar.close()
        unique.check()

        bar = Progress("partitioning activities", count_rows(activities_path), progress)

        def validate(raw: pd.DataFrame) -> pd.DataFrame:
            return activities_frame(raw, cfg, str(activities_path))

        for _, acts in _batches_checked(
            activities_path, validate, missing_values=missing, batch_rows=batch_rows
        ):
            part = _partition(acts[ID].to_numpy(), n)
            table = pa.Table.from_pandas(acts, schema=act_schema, preserve_index=False)
            for p in range(n):
                act_writers[p].write_table(table.filter(pa.array(part == p)))
            bar.advance(len(acts))
        bar.close()
    finally:
        for w in key_writers + act_writers:
            w.close()

    names = scorer.activity_spec.feature_names()
    store = np.lib.format.open_memmap(
        workdir / "aggregates.npy", mode="w+", dtype=np.float64, shape=(total, len(names))
    )
    unknown = n_acts = 0
    latest = None
    bar = Progress("aggregating activities", n, progress)
    for p in range(n):
        keys = pq.read_table(workdir / f"keys-{p}.parquet").to_pandas()
        acts = pq.read_table(workdir / f"acts-{p}.parquet").to_pandas()
        known = acts[ID].isin(pd.Index(keys[ID]))
        unknown += int((~known).sum())
        n_acts += len(acts)
        latest = _later(latest, acts["occurred_at"].max())
        keys[AS_OF] = as_of
        agg = aggregate_activities(acts[known.to_numpy()], keys[[ID, AS_OF]], scorer.activity_spec)
        store[keys["pos"].to_numpy()] = agg[names].to_numpy(dtype=np.float64)
        del keys, acts, agg
        (workdir / f"keys-{p}.parquet").unlink()
        (workdir / f"acts-{p}.parquet").unlink()
        bar.advance(1)
    bar.close()
    store.flush()
    notes = []
    if unknown:
        notes.append(
            f"{activities_path}: {unknown:,} of {n_acts:,} activities belong to contacts "
            "not in the contacts file and were not used"
        )
    return store, n, notes, latest


def _later(a: pd.Timestamp | None, b: object) -> pd.Timestamp | None:
    """The later of two times, ignoring missing ones."""
    if b is None or pd.isna(b):
        return a
    return b if a is None or b > a else a


def _ids(batch: pd.DataFrame, column: str, path: Path, offset: int) -> np.ndarray:
    from leadscore.io import check_ids

    try:
        check_ids(batch, column, path)
    except LeadscoreError as exc:
        raise shifted(exc, offset) from None
    return batch[column].astype(str).str.strip().to_numpy(dtype=object)


# ---------------------------------------------------------------- the run


def is_flat(columns: list[str], scorer: LeadScorer) -> bool:
    """True when a lead list already holds every activity aggregate column of the model."""
    names = scorer.activity_spec.feature_names()
    return bool(names) and set(names) <= set(columns)


def predict_stream(
    scorer: LeadScorer,
    contacts_path: str | Path,
    activities_path: str | Path | None,
    cfg: Config,
    out_path: str | Path,
    as_of: pd.Timestamp | None,
    *,
    include_closed: bool = False,
    batch_rows: int = BATCH_ROWS,
    partitions: int | None = None,
    progress: bool = True,
    reasons: bool = False,
    csv_safe: bool = False,
) -> StreamResult:
    """Score a lead list batch by batch and write one output row per input row, in order.

    ``as_of`` ``None`` means: the file's ``as_of`` column when it has one (flat rows), else
    now. With an activity log, aggregates come from ``aggregate_partitioned``; a flat list
    (aggregate columns present) is scored as it is; otherwise contacts have no activity.
    """
    started = time.perf_counter()
    contacts_path = Path(contacts_path)
    result = StreamResult()
    columns = header(contacts_path)
    result.flat = activities_path is None and is_flat(columns, scorer)
    if as_of is None and not (result.flat and AS_OF in columns):
        as_of = pd.Timestamp.now(tz="UTC").tz_localize(None)
    missing = tuple(cfg.features.missing_values)
    reasons = reasons and isinstance(scorer, LeadScorer)  # a scorecard model has no factors
    schema = OUTPUT_SCHEMA
    if reasons:
        from leadscore.model.reasons import explain, reason_columns

        schema = pa.schema([*OUTPUT_SCHEMA, *(pa.field(c, pa.string()) for c in reason_columns())])
    writer = BatchWriter(out_path, schema, csv_safe=csv_safe)
    names = scorer.activity_spec.feature_names()
    counts = {t: [0, 0.0] for t in TIERS}
    try:
        with tempfile.TemporaryDirectory(prefix="leadscore-", dir=_tmp_dir(out_path)) as tmp:
            store = None
            if activities_path is not None:
                store, result.partitions, notes, result.latest = aggregate_partitioned(
                    scorer,
                    contacts_path,
                    Path(activities_path),
                    cfg,
                    as_of,
                    Path(tmp),
                    batch_rows=batch_rows,
                    partitions=partitions,
                    progress=progress,
                )
                result.notes += notes
                unique = None
            else:
                unique = UniqueIds(contacts_path, cfg.contacts.id, missing)

            def validate(raw: pd.DataFrame) -> pd.DataFrame:
                if cfg.joins:  # lookups are small: joined onto every batch
                    from leadscore.join import join_tables

                    raw, join_notes = join_tables(
                        raw,
                        cfg.joins,
                        contacts_path.parent,
                        main_path=str(contacts_path),
                        missing_values=missing,
                    )
                    result.notes += [n for n in join_notes if n not in result.notes][:1]
                frame = contacts_frame(raw, cfg, str(contacts_path), require_outcome=False)
                for col in ("created_at", "closed_at"):
                    if col in frame:
                        result.latest = _later(result.latest, frame[col].max())
                return frame

            bar = Progress("scoring", count_rows(contacts_path), progress)
            rng = np.random.default_rng(0)
            share = min(1.0, DRIFT_ROWS / max(bar.total or 1, 1))
            samples: list[pd.DataFrame] = []
            for offset, contacts in _batches_checked(
                contacts_path, validate, missing_values=missing, batch_rows=batch_rows
            ):
                if not cfg.contacts.id:  # rows are named by their global file row
                    contacts[ID] = [
                        f"row-{row_number(offset + i, contacts_path)}" for i in range(len(contacts))
                    ]
                if unique is not None:
                    unique.add(contacts[ID].to_numpy(dtype=object))
                when = as_of
                if when is None:
                    try:
                        when = _as_of_column(contacts, contacts_path)
                    except LeadscoreError as exc:
                        raise shifted(exc, offset) from None
                status = row_status(contacts, when, include_closed=include_closed)
                todo = (status == "scored").to_numpy()
                out = pd.DataFrame(
                    {
                        "contact_id": contacts[ID].to_numpy(dtype=object),
                        "probability": np.nan,
                        "score": pd.array([pd.NA] * len(contacts), dtype="Int64"),
                        "tier": "",
                        "status": status.to_numpy(dtype=object),
                    }
                )
                for col in reason_columns() if reasons else ():
                    out[col] = ""
                if todo.any():
                    rows = contacts.loc[todo].drop(
                        columns=[c for c in ("status", "closed_at") if c in contacts]
                    )
                    rows[AS_OF] = when[todo] if isinstance(when, pd.Series) else when
                    if store is not None:
                        block = store[offset : offset + len(contacts)][todo]
                        behavior = pd.DataFrame(block, columns=names, index=rows.index)
                        rows = pd.concat(
                            [rows.drop(columns=names, errors="ignore"), behavior], axis=1
                        )
                    elif not result.flat and names:
                        rows = _no_activity(scorer, rows)
                    pred, failed = predict_rows_guarded(scorer, rows)
                    at = contacts.index.get_indexer(pred.index)
                    for col in ("probability", "score", "tier"):
                        out.iloc[at, out.columns.get_loc(col)] = pred[col].to_numpy()
                    if len(failed):
                        gone = contacts.index.get_indexer(failed.index)
                        out.iloc[gone, out.columns.get_loc("status")] = failed.to_numpy()
                    rows = rows.loc[pred.index]
                    if reasons and len(rows):
                        why = explain(scorer, rows)
                        for col in reason_columns():
                            out.iloc[at, out.columns.get_loc(col)] = why[col].to_numpy(dtype=object)
                    table = tier_table(pred["probability"].to_numpy(), pred["tier"].to_numpy())
                    for row in table.itertuples():
                        counts[row.tier][0] += row.contacts
                        counts[row.tier][1] += row.expected_conversions
                    result.scored += len(pred)
                    samples.append(rows[rng.random(len(rows)) < share])
                writer.write(out)
                result.rows += len(out)
                bar.advance(len(out))
            bar.close()
            if unique is not None:
                unique.check()
            del store
            if samples:
                result.drift_rows = pd.concat(samples)
        writer.commit()
    except BaseException:
        writer.abort()
        raise
    result.tiers = pd.DataFrame(
        [
            {
                "tier": t,
                "contacts": c,
                "mean_probability": e / c if c else float("nan"),
                "expected_conversions": e,
            }
            for t, (c, e) in reversed(list(counts.items()))
        ]
    )
    result.seconds = time.perf_counter() - started
    return result


def _no_activity(scorer: LeadScorer, rows: pd.DataFrame) -> pd.DataFrame:
    keys = pd.DataFrame({ID: rows[ID].to_numpy(), AS_OF: rows[AS_OF].to_numpy()}, index=rows.index)
    behavior = aggregate_activities(None, keys, scorer.activity_spec)
    return pd.concat([rows.drop(columns=list(behavior.columns), errors="ignore"), behavior], axis=1)


def _as_of_column(contacts: pd.DataFrame, path: Path) -> pd.Series:
    from leadscore.io import parse_dates

    frame = contacts.reset_index(drop=True)
    parsed = parse_dates(frame, AS_OF, path, required=True)
    parsed.index = contacts.index
    return parsed


def _tmp_dir(out_path: str | Path) -> str | None:
    """Temp files go to ``LEADSCORE_TMPDIR``, else next to the output (same disk, room)."""
    chosen = os.environ.get("LEADSCORE_TMPDIR")
    if chosen:
        return chosen
    parent = Path(out_path).parent
    parent.mkdir(parents=True, exist_ok=True)
    return str(parent)
