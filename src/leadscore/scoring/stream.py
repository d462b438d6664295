"""The streaming engine: lead lists and activity logs larger than memory.

``predict_stream`` reads the lead list in batches, validates each batch with the same checks
as the in-memory path (``data.crm.contacts_frame``), scores it with the one core
(``scoring.core.score_batch``) and appends the output rows to the file, so memory holds one
batch at a time, whatever the list's length. Output rows come out in input order, one per
input row, through the one writer (atomic, spreadsheet-safe). Activity logs are aggregated
beforehand in partitions (``scoring.partition``). Row numbers in errors are the file's rows:
a batch's index continues from the batch before it.

Formats are decided once per column and every batch is read alike: date formats before the
run, from the first rows that tell their order (``data.crm.batched_reading``), number formats
from the first batch that holds a value. A date that does not fit its column's format stops
the run naming the row and the config keys that settle it (``[contacts] date_format`` /
``dayfirst``); the run's notes say how the list was read.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from leadscore.config import Config
from leadscore.data.crm import ID, batched_reading, contacts_frame, id_columns, load_won_deals
from leadscore.data.outcomes import WonDeals
from leadscore.data.reading import Reading
from leadscore.io.batches import BATCH_ROWS, count_rows, header, iter_table
from leadscore.io.progress import Progress
from leadscore.io.writer import TableWriter
from leadscore.scoring.core import Behavior, Scorer, output_schema, scoring_times
from leadscore.scoring.memory import behavior_for
from leadscore.scoring.partition import AS_OF, UniqueIds, aggregate_partitioned
from leadscore.scoring.pool import score_batches
from leadscore.scoring.summary import Summary


@dataclass
class _Source:
    """The lead list being read: its path, config, and what reading it decides once for all
    batches (column formats, the ``[won_deals]`` table)."""

    path: Path
    cfg: Config
    reading: Reading
    won: WonDeals | None

    @classmethod
    def of(cls, path: Path, cfg: Config, batch_rows: int) -> _Source:
        reading = batched_reading(path, cfg, "contacts", batch_rows=batch_rows)
        return cls(path, cfg, reading, load_won_deals(cfg, path.parent))


def _batches(
    source: _Source, *, batch_rows: int, columns: list[str] | None = None
) -> Iterator[pd.DataFrame]:
    """Validated canonical contact batches (joins applied), indexed by file position.

    Every batch is read with the formats the first one decided (``source.reading``).
    """
    path, cfg = source.path, source.cfg
    missing = tuple(cfg.features.missing_values)
    batches = iter_table(
        path, missing_values=missing, columns=columns, batch_rows=batch_rows,
        text=id_columns(cfg, "contacts"), sheet=cfg.contacts.sheet,
    )  # fmt: skip
    for offset, raw in batches:
        source.reading.batched |= offset > 0
        if cfg.joins and columns is None:  # lookups are small: joined onto every batch
            from leadscore.data.join import join_tables

            raw, _ = join_tables(
                raw, cfg.joins, path.parent, main_path=str(path), missing_values=list(missing)
            )
        yield contacts_frame(raw, cfg, str(path), require_outcome=False,
                             reading=source.reading, won=source.won)  # fmt: skip


def _key_columns(model: Scorer, cfg: Config, columns: list[str]) -> list[str]:
    """The columns the first pass reads: the id and what decides each row's feature time."""
    c = cfg.contacts
    wanted = [c.id, c.created_at, AS_OF]
    return [col for col in dict.fromkeys(wanted) if col and col in columns]


def _keys(
    model: Scorer, source: _Source, as_of: pd.Timestamp | None, unique: UniqueIds,
    *, batch_rows: int,
) -> Iterator[pd.DataFrame]:  # fmt: skip
    """First pass: each row's id and feature time (ids checked for duplicates meanwhile)."""
    columns = _key_columns(model, source.cfg, header(source.path, source.cfg.contacts.sheet))
    for batch in _batches(source, batch_rows=batch_rows, columns=columns):
        unique.add(batch[ID].to_numpy(dtype=object))
        _, features_at = scoring_times(model, batch, as_of)
        times = features_at if features_at is not None else pd.Series(pd.NaT, index=batch.index)
        yield pd.DataFrame({ID: batch[ID], AS_OF: times}, index=batch.index)
    unique.check()


def predict_stream(
    model: Scorer,
    contacts_path: str | Path,
    activities_path: str | Path | None,
    cfg: Config,
    out_path: str | Path,
    as_of: pd.Timestamp | None,
    *,
    include_closed: bool = False,
    reasons: bool = False,
    csv_safe: bool = True,
    batch_rows: int = BATCH_ROWS,
    partitions: int | None = None,
    progress: bool = True,
    keep: Mapping[str, str] | None = None,
    workers: int = 0,
) -> Summary:
    """Score a lead list batch by batch and write one output row per input row, in order.

    ``as_of`` None means the list's own ``as_of`` column (a flat lead list); callers resolve
    "now" once. ``keep``: columns passed through (see ``score_batch``). ``workers``: worker
    processes for the model's part (``scoring.pool``; ``engine.choose_workers`` says how
    many).
    Returns the run's ``Summary``.
    """
    contacts_path = Path(contacts_path)
    summary = Summary(expected_rows=count_rows(contacts_path))
    unique = UniqueIds(contacts_path, cfg.contacts.id, tuple(cfg.features.missing_values),
                       sheet=cfg.contacts.sheet)  # fmt: skip
    source = _Source.of(contacts_path, cfg, batch_rows)
    with (
        tempfile.TemporaryDirectory(prefix="leadscore-", dir=_tmp_dir(out_path)) as tmp,
        TableWriter(out_path, output_schema(model, reasons, keep), csv_safe=csv_safe) as writer,
    ):
        behavior: Behavior = behavior_for(model, header(contacts_path, cfg.contacts.sheet), None)
        if activities_path is not None:
            keys = _keys(model, source, as_of, unique, batch_rows=batch_rows)
            aggregates = aggregate_partitioned(
                keys, Path(activities_path), cfg, model.activity_spec, Path(tmp),
                batch_rows=batch_rows, partitions=partitions, progress=progress,
            )  # fmt: skip
            behavior, summary.latest = aggregates.lookup, aggregates.latest
            summary.notes += aggregates.notes
        bar = Progress("scoring", summary.expected_rows, progress)

        def seen(contacts: pd.DataFrame) -> pd.DataFrame:
            if activities_path is None:
                unique.add(contacts[ID].to_numpy(dtype=object))
            summary.see_dates(contacts, ("created_at", "closed_at"))
            return contacts

        for batch in score_batches(
            model, map(seen, _batches(source, batch_rows=batch_rows)), behavior, as_of,
            workers=workers, include_closed=include_closed, reasons=reasons, keep=keep,
        ):  # fmt: skip
            writer.write(batch.out)
            summary.add(batch)
            bar.advance(len(batch.out))
        bar.close()
        if activities_path is None:
            unique.check()
    summary.notes += source.reading.notes(str(contacts_path))
    return summary


def _tmp_dir(out_path: str | Path) -> str | None:
    """Temp files go to ``LEADSCORE_TMPDIR``, else next to the output (same disk, room)."""
    chosen = os.environ.get("LEADSCORE_TMPDIR")
    if chosen:
        return chosen
    parent = Path(out_path).parent
    parent.mkdir(parents=True, exist_ok=True)
    return str(parent)
