"""Streaming batch prediction: lead lists and activity logs larger than memory.

``predict_stream`` reads the lead list in batches, validates each batch with the same checks
as the in-memory path, scores it and appends the result to the output, so memory holds one
batch at a time, whatever the list's length. Output rows come out in input order, one per
input row, with ``status``; the output is written to a temporary file renamed over the target
at the end (a failed run leaves no half file behind). Activity logs are aggregated in
partitions (``scoring.partition``).

A lead list in the flat shape (one row per contact with the activity aggregate columns already
computed, as ``features.snapshots.assemble_rows`` returns them) is scored directly: no
activity pass. Such a file is recognised by holding every aggregate column of the model.
Row numbers in errors are global (file rows), never per batch.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from leadscore.config import Config
from leadscore.data.crm import ID, contacts_frame
from leadscore.errors import LeadscoreError
from leadscore.features.activity import aggregate_activities
from leadscore.io.batches import BATCH_ROWS, count_rows, header
from leadscore.io.progress import Progress
from leadscore.io.tables import row_number
from leadscore.io.writer import BatchWriter
from leadscore.model.drift import MAX_ROWS as DRIFT_ROWS  # scored rows sampled for drift
from leadscore.model.scorer import LeadScorer, predict_rows_guarded, row_status
from leadscore.model.tiers import TIERS, tier_table
from leadscore.scoring.partition import (
    AS_OF,
    UniqueIds,
    _batches_checked,
    _later,
    aggregate_partitioned,
    shifted,
)

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
                    from leadscore.data.join import join_tables

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
    from leadscore.data.contract import parse_dates

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
