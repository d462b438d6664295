"""Activity aggregates of a lead list larger than memory, partition by partition, and ids
checked for uniqueness across batches.

1. the contacts' ids are read (id column only) and written, with their global row position,
   into N temporary Parquet partitions by a hash of the id;
2. the activity log is read in batches, validated, and appended to the same N partitions by
   the same hash of its contact id;
3. for each partition, its contacts and their activities are loaded together and
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
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from leadscore.config import Config
from leadscore.data.contract import require_columns
from leadscore.data.crm import ID, activities_frame
from leadscore.errors import InputError, LeadscoreError
from leadscore.features.activity import aggregate_activities
from leadscore.io.batches import BATCH_ROWS, count_rows, header, iter_table
from leadscore.io.progress import Progress
from leadscore.io.tables import row_number, table_format
from leadscore.model.scorer import LeadScorer

ACTIVITIES_PER_PARTITION = 2_000_000
AS_OF = "as_of"


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
    from leadscore.data.contract import check_ids

    try:
        check_ids(batch, column, path)
    except LeadscoreError as exc:
        raise shifted(exc, offset) from None
    return batch[column].astype(str).str.strip().to_numpy(dtype=object)
