"""Activity aggregates of a lead list larger than memory, partition by partition, and ids
checked for uniqueness across batches.

1. the lead list's keys (global row position, ``contact_id``, the row's feature time) are
   written into N temporary Parquet partitions by a hash of the id;
2. the activity log is read in batches, validated, and appended to the same N partitions by
   the same hash of its contact id;
3. for each partition, its keys and their activities are loaded together and
   ``features.activity.aggregate_activities`` (the very function training uses) computes the
   aggregates, stored by row position in a disk-backed array (``numpy.memmap``).

Memory is bounded by one partition (about ``ACTIVITIES_PER_PARTITION`` activities) plus one
batch; the aggregates are exact because every contact's activities land in its partition.
Ids must be unique across the whole file: each batch is checked on its own, and across
batches through 64-bit hashes of the ids, sorted once at the end (8 bytes per row); a
repeated hash is confirmed on the ids themselves before it is reported.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leadscore.config import Config
from leadscore.data.activities import activities_frame
from leadscore.data.contract import canonical_ids
from leadscore.data.crm import ID, batched_reading
from leadscore.data.reading import Reading
from leadscore.errors import InputError
from leadscore.features.activity import ActivitySpec, aggregate_activities
from leadscore.io.batches import BATCH_ROWS, count_rows, estimate_rows, iter_table
from leadscore.io.progress import Progress
from leadscore.io.tables import compression, input_format, row_number

ACTIVITIES_PER_PARTITION = 2_000_000
AS_OF, POS = "as_of", "pos"
KEY_SCHEMA = pa.schema([(POS, pa.int64()), (ID, pa.string()), (AS_OF, pa.timestamp("ns"))])
ACT_SCHEMA = pa.schema(
    [(ID, pa.string()), ("occurred_at", pa.timestamp("ns")), ("activity_type", pa.string())]
)


def hash_ids(ids: np.ndarray) -> np.ndarray:
    """64-bit hashes of canonical id strings (stable across runs and processes)."""
    return pd.util.hash_array(np.asarray(ids, dtype=object), categorize=False)


class UniqueIds:
    """Checks ids for duplicates across batches with 8 bytes per row."""

    def __init__(
        self,
        path: Path,
        column: str,
        missing: tuple[str, ...] | list[str],
        sheet: str | None = None,
    ) -> None:
        self.path, self.column, self.missing, self.sheet = path, column, missing, sheet
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
        batches = iter_table(
            self.path, missing_values=self.missing, columns=[self.column], text=(self.column,),
            sheet=self.sheet,
        )  # fmt: skip
        for offset, batch in batches:
            ids = canonical_ids(batch[self.column])
            for pos in positions:
                if offset <= pos < offset + len(batch):
                    found[pos] = str(ids.iloc[pos - offset])
            if len(found) == len(set(positions)):
                break
        return [found[p] for p in positions]


@dataclass
class Aggregates:
    """Activity aggregates by global row position, on disk, and what the pass found."""

    store: np.ndarray  # a numpy.memmap: rows x spec.feature_names()
    names: list[str]
    partitions: int
    latest: pd.Timestamp | None = None  # the latest activity time
    notes: list[str] = field(default_factory=list)

    def lookup(self, keys: pd.DataFrame) -> pd.DataFrame:
        """The aggregates of these rows (their index is their global row position)."""
        block = self.store[keys.index.to_numpy(dtype=np.int64)]
        return pd.DataFrame(block, columns=self.names, index=keys.index)


def _partition(ids: np.ndarray, n: int) -> np.ndarray:
    return (hash_ids(ids) % np.uint64(n)).astype(np.int64)


def _n_partitions(path: Path, rows_per_partition: int) -> int:
    # A CSV activity line is about 40-60 bytes: the size gives a safe row estimate.
    plain_csv = input_format(path) == "csv" and compression(path) is None
    rows = path.stat().st_size // 40 if plain_csv else estimate_rows(path)
    return max(1, math.ceil(rows / rows_per_partition))


def _split_by_partition(table: pa.Table, ids: np.ndarray, writers: list[pq.ParquetWriter]) -> None:
    part = _partition(ids, len(writers))
    for p, writer in enumerate(writers):
        writer.write_table(table.filter(pa.array(part == p)))


def _write_partitions(
    keys: Iterable[pd.DataFrame],
    activities_path: Path,
    cfg: Config,
    workdir: Path,
    n: int,
    *,
    batch_rows: int,
    progress: bool,
    reading: Reading,
) -> int:
    """Steps 1 and 2: keys and activities into ``n`` partitions; returns the row count.

    Every activity batch is read with the formats ``reading`` decided on the first one."""
    key_writers = [pq.ParquetWriter(workdir / f"keys-{p}.parquet", KEY_SCHEMA) for p in range(n)]
    act_writers = [pq.ParquetWriter(workdir / f"acts-{p}.parquet", ACT_SCHEMA) for p in range(n)]
    total = 0
    try:
        for batch in keys:
            ids = batch[ID].to_numpy(dtype=object)
            table = pa.table(
                {POS: batch.index.to_numpy(dtype=np.int64), ID: pa.array(ids, pa.string()),
                 AS_OF: batch[AS_OF].to_numpy(dtype="datetime64[ns]")},
                schema=KEY_SCHEMA,
            )  # fmt: skip
            _split_by_partition(table, ids, key_writers)
            total = max(total, int(batch.index.max()) + 1 if len(batch) else total)
        bar = Progress("partitioning activities", count_rows(activities_path), progress)
        missing = tuple(cfg.features.missing_values)
        text = (cfg.activities.contact_id,)
        batches = iter_table(
            activities_path, missing_values=missing, batch_rows=batch_rows, text=text,
            sheet=cfg.activities.sheet,
        )  # fmt: skip
        for offset, raw in batches:
            reading.batched |= offset > 0
            acts = activities_frame(raw, cfg, str(activities_path), reading)
            table = pa.Table.from_pandas(acts, schema=ACT_SCHEMA, preserve_index=False)
            _split_by_partition(table, acts[ID].to_numpy(dtype=object), act_writers)
            bar.advance(len(acts))
        bar.close()
    finally:
        for w in key_writers + act_writers:
            w.close()
    return total


def aggregate_partitioned(
    keys: Iterable[pd.DataFrame],
    activities_path: Path,
    cfg: Config,
    spec: ActivitySpec,
    workdir: Path,
    *,
    batch_rows: int = BATCH_ROWS,
    partitions: int | None = None,
    progress: bool = True,
) -> Aggregates:
    """Activity aggregates per lead-list row, by global row position, in bounded memory.

    Args:
        keys: batches of ``contact_id`` and ``as_of`` (the row's feature time), each indexed
            by the rows' global positions in the lead list.
        activities_path: the activity log (validated batch by batch).
        cfg: the config (activity columns, missing values).
        spec: the model's activity spec.
        workdir: a temporary folder for the partitions and the aggregate store.
    """
    n = partitions or _n_partitions(activities_path, ACTIVITIES_PER_PARTITION)
    reading = batched_reading(activities_path, cfg, "activities", batch_rows=batch_rows)
    total = _write_partitions(
        keys, activities_path, cfg, workdir, n, batch_rows=batch_rows, progress=progress,
        reading=reading,
    )  # fmt: skip
    names = spec.feature_names()
    store = np.lib.format.open_memmap(
        workdir / "aggregates.npy", mode="w+", dtype=np.float64, shape=(total, len(names))
    )
    out = Aggregates(store, names, n)
    unknown = n_acts = 0
    bar = Progress("aggregating activities", n, progress)
    for p in range(n):
        part_keys = pq.read_table(workdir / f"keys-{p}.parquet").to_pandas()
        acts = pq.read_table(workdir / f"acts-{p}.parquet").to_pandas()
        known = acts[ID].isin(pd.Index(part_keys[ID]))
        unknown += int((~known).sum())
        n_acts += len(acts)
        latest = acts["occurred_at"].max() if len(acts) else None
        if latest is not None and pd.notna(latest) and (out.latest is None or latest > out.latest):
            out.latest = latest
        agg = aggregate_activities(acts[known.to_numpy()], part_keys[[ID, AS_OF]], spec)
        store[part_keys[POS].to_numpy()] = agg[names].to_numpy(dtype=np.float64)
        (workdir / f"keys-{p}.parquet").unlink()
        (workdir / f"acts-{p}.parquet").unlink()
        bar.advance(1)
    bar.close()
    store.flush()
    out.notes += reading.notes(str(activities_path))
    if unknown:
        out.notes.append(
            f"{activities_path}: {unknown:,} of {n_acts:,} activities belong to contacts "
            "not in the contacts file and were not used"
        )
    return out
