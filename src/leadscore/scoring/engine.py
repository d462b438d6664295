"""Which engine scores a list, and as of when: the rules every ``predict`` follows."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from leadscore.data.crm import Table
from leadscore.errors import LeadscoreError
from leadscore.io.batches import estimate_rows, header
from leadscore.scoring.core import AS_OF, Scorer
from leadscore.scoring.memory import holds_own_aggregates

ENGINES = ("auto", "memory", "stream", "spark")
STREAM_ROWS = 2_000_000  # rows (contacts + activities) above which ``auto`` streams


def choose_engine(
    requested: str,
    contacts: Table,
    activities: Table | None,
    *,
    reasons: bool = False,
    writes: bool = False,
) -> str:
    """The engine for ``requested``; ``auto`` streams inputs over ``LEADSCORE_STREAM_ROWS``,
    and a lead list without an activity log, written to a file, whose reasons are shared with
    worker processes (``pool.worker_count``).

    The in-memory engine holds the whole contacts and activity tables and their features;
    past this size streaming keeps memory bounded by one batch. With workers, streaming also
    reads, checks and writes each batch while others are scored, where the in-memory engine
    reads the whole list first and writes it last (1 M flat rows with reasons on 2 cores:
    13.3-13.6 s against 14.9-15.1 s, docs/scale.md). Rows are exact for Parquet (metadata)
    and estimated for CSV from the first megabyte's line length. Frames given to the Python
    API are already in memory.
    """
    from leadscore.scoring.pool import worker_count

    if requested not in ENGINES:
        raise LeadscoreError(f"engine must be one of {', '.join(ENGINES)}, got {requested!r}")
    frames = isinstance(contacts, pd.DataFrame) or isinstance(activities, pd.DataFrame)
    if frames and requested in ("stream", "spark"):
        raise LeadscoreError(f"the {requested} engine reads files: pass paths, not DataFrames")
    if requested != "auto":
        return requested
    if frames:
        return "memory"
    limit = int(os.environ.get("LEADSCORE_STREAM_ROWS", STREAM_ROWS))
    listed = estimate_rows(Path(contacts))
    rows = listed + (0 if activities is None else estimate_rows(Path(activities)))
    shared = activities is None and writes and worker_count(listed, reasons) > 0
    return "stream" if rows > limit or shared else "memory"


def choose_workers(engine: str, contacts: Table, activities: Table | None, reasons: bool) -> int:
    """Worker processes for the model's part of a run on ``engine`` (``scoring.pool``): the
    in-memory and streaming engines score in batches (in memory, a list with an activity log
    is one batch: none), for ``pool.worker_count`` of the list's rows."""
    from leadscore.scoring.pool import worker_count

    if engine == "spark" or (engine == "memory" and activities is not None):
        return 0
    rows = len(contacts) if isinstance(contacts, pd.DataFrame) else estimate_rows(Path(contacts))
    return worker_count(rows, reasons)


def columns_of(contacts: Table) -> list[str]:
    """The column names of a lead list, read without its rows."""
    if isinstance(contacts, pd.DataFrame):
        return [str(c) for c in contacts.columns]
    return header(Path(contacts))


def resolve_as_of(
    model: Scorer, columns: list[str], activities: Table | None, requested: pd.Timestamp | None
) -> pd.Timestamp | None:
    """The time to score as of: the requested one; else, for a flat lead list holding its own
    aggregates and an ``as_of`` column, None (each row's own time); else now (UTC)."""
    if requested is not None:
        return requested
    if activities is None and AS_OF in columns and holds_own_aggregates(model, columns):
        return None
    return pd.Timestamp.now(tz="UTC").tz_localize(None)
