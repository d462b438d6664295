"""The ``predict`` use case: a lead list in, one output row per input row out, with the
probability, score, tier, status and reasons; engines differ only in how they read and batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from leadscore.config import Config
from leadscore.data.crm import Table
from leadscore.errors import LeadscoreError
from leadscore.io.batches import BATCH_ROWS
from leadscore.jobs.inputs import ConfigLike, load_export, read_config
from leadscore.model.drift import DriftCheck
from leadscore.scoring.summary import Summary
from leadscore.threads import with_threads

STALE_DAYS = 30


class NothingScoredError(LeadscoreError):
    """A prediction that scored none of the list's rows."""

    exit_code = 3


@dataclass
class Prediction:
    """What a ``predict`` did: its rows (or file), totals, tiers, drift and what to say."""

    engine: str
    as_of: pd.Timestamp | None  # None: each row's own as_of
    rows: int
    scored: int
    tiers: pd.DataFrame
    output: pd.DataFrame | None = None  # every output row (in-memory engine)
    out: Path | None = None
    drift: DriftCheck | None = None
    model: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Run:
    """The settings of one prediction, resolved."""

    model: Any
    cfg: Config
    engine: str
    as_of: pd.Timestamp | None
    include_closed: bool
    reasons: bool
    csv_safe: bool
    batch_rows: int
    progress: bool
    keep: dict[str, str] = field(default_factory=dict)  # output column -> contacts column
    workers: int = 0  # worker processes for the model's part (``scoring.pool``)


def _model_for(cfg: Config, model: Any,
               thresholds: tuple[float | None, float | None]) -> tuple[Any, str]:  # fmt: skip
    """A trained model with the thresholds in force (config ``[tiers]``, then overrides), and
    its name; no model means the champion when the store has one, else the local folder."""
    from leadscore.model.tiers import effective_thresholds
    from leadscore.tracking.resolve import choose_model

    scorer, name = choose_model(model, cfg.tracking.model_name)
    configured = (cfg.tiers.opportunity, cfg.tiers.prospect)
    scorer.thresholds = effective_thresholds(scorer.thresholds, configured, thresholds)
    return scorer, name


def _scorer(cfg: Config, model: Any, scorecard: str | Path | None, engine: str,
            contacts: Table, activities: Table | None,
            thresholds: tuple[float | None, float | None]) -> tuple[Any, str, Any]:  # fmt: skip
    """(the scorer, its name, the export when reading it was needed): the points scorecard
    of ``scorecard`` (fitted on the export, in memory), else the model with its thresholds."""
    if scorecard is None:
        return (*_model_for(cfg, model, thresholds), None)
    if thresholds != (None, None):
        raise LeadscoreError(
            "--opportunity/--prospect are model probabilities; with --scorecard set "
            "[scorecard] prospect/opportunity (points) in its config"
        )
    if engine != "memory":
        raise LeadscoreError("a points scorecard scores in memory: use --engine auto or memory")
    crm = load_export(contacts, activities, cfg, require_outcome=False)
    from leadscore.jobs.training import validated_scorecard
    from leadscore.scorecard.model import PointsScorer

    return PointsScorer(validated_scorecard(cfg, crm)), f"scorecard {scorecard}", crm


def requested_time(value: str | pd.Timestamp | None) -> pd.Timestamp | None:
    """The ``as_of`` a caller asked for, as naive UTC (None: not asked).

    Text must be ISO 8601 (``2026-07-01``, ``2026-07-01T09:30``): ``01/07/2026`` is refused,
    naming both readings, since one value cannot say which field is the day.
    """
    if value is None:
        return None
    if isinstance(value, str):
        from leadscore.data.asof import parse_as_of

        return parse_as_of(value)
    stamp = pd.Timestamp(value)
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp


def _memory(run: _Run, contacts: Table, activities: Table | None, crm: Any,
            out: Path | None) -> tuple[Summary, pd.DataFrame | None]:  # fmt: skip
    """Whole tables in memory: one batch through the core, written by the one writer."""
    from leadscore.features.snapshots import latest_time
    from leadscore.io.writer import write_table
    from leadscore.scoring.core import output_schema
    from leadscore.scoring.memory import score_frame

    if crm is None:
        crm = load_export(contacts, activities, run.cfg, require_outcome=False)
    output, summary = score_frame(
        run.model, crm.contacts, crm.activities, run.as_of,
        include_closed=run.include_closed, reasons=run.reasons, keep=run.keep,
        batch_rows=run.batch_rows, workers=run.workers,
    )  # fmt: skip
    summary.latest = latest_time(crm.contacts, crm.activities)
    summary.notes[:0] = crm.notes
    output = output.reset_index(drop=True)
    if out is None:
        return summary, output
    schema = output_schema(run.model, run.reasons, run.keep)
    write_table(output, out, csv_safe=run.csv_safe, schema=schema)
    return summary, None


def _stream(run: _Run, contacts: Table, activities: Table | None, crm: Any,
            out: Path | None) -> tuple[Summary, pd.DataFrame | None]:  # fmt: skip
    """Batches in bounded memory, written as they are scored."""
    from leadscore.scoring.stream import predict_stream

    if out is None:
        raise LeadscoreError("the stream engine writes a file: give an output path")
    summary = predict_stream(
        run.model, Path(str(contacts)), None if activities is None else Path(str(activities)),
        run.cfg, out, run.as_of, include_closed=run.include_closed, reasons=run.reasons,
        csv_safe=run.csv_safe, batch_rows=run.batch_rows, progress=run.progress, keep=run.keep,
        workers=run.workers,
    )  # fmt: skip
    return summary, None


def _spark(run: _Run, contacts: Table, activities: Table | None, crm: Any,
           out: Path | None) -> tuple[Summary, pd.DataFrame | None]:  # fmt: skip
    """A Spark session: buckets of contacts through the same core, written in file order."""
    from leadscore.scoring.spark import predict_spark

    if out is None:
        raise LeadscoreError("the spark engine writes a file: give an output path")
    summary = predict_spark(
        run.model, str(contacts), None if activities is None else str(activities), run.cfg,
        out, run.as_of, include_closed=run.include_closed, reasons=run.reasons,
        csv_safe=run.csv_safe, keep=run.keep,
    )  # fmt: skip
    return summary, None


ENGINE_RUNS = {"memory": _memory, "stream": _stream, "spark": _spark}


def _column_notes(model: Any, cfg: Config, columns: list[str], source: str,
                  allow_missing: bool = False) -> list[str]:  # fmt: skip
    """Columns of the list the model has never seen (ignored) and columns the model uses that
    the list lacks (treated as missing; more than half missing is refused before scoring)."""
    from leadscore.jobs.columns import expected_columns

    features = getattr(model, "features", None)
    if features is None or not hasattr(features, "unexpected_columns"):
        return []
    c = cfg.contacts
    known = {c.id, c.created_at, c.closed_at, c.outcome, "as_of"}
    known |= set(model.activity_spec.feature_names())
    extra = [col for col in features.unexpected_columns(pd.DataFrame(columns=columns))
             if col not in known]  # fmt: skip
    notes = []
    if extra:
        notes.append(
            f"{len(extra)} column(s) unknown to the model are ignored: " + ", ".join(extra[:10])
        )
    expected = expected_columns(model)
    absent = [col for col in expected if col not in set(columns)]
    if not absent:
        return notes
    listed = ", ".join(absent[:10]) + (f" and {len(absent) - 10} more" if len(absent) > 10 else "")
    if 2 * len(absent) > len(expected) and not allow_missing:
        raise LeadscoreError(
            f"{len(absent)} of the {len(expected)} columns the model uses are not in the list "
            f"({listed}): is it the right file and config? --allow-missing-columns scores it "
            "anyway, with those columns treated as missing",
            file=source,
        )
    notes.append(
        f"{len(absent)} of the {len(expected)} column(s) the model uses are not in the list and "
        f"are treated as missing: {listed}"
    )
    return notes


def _checks(prediction: Prediction, summary: Summary, model: Any, threshold: float) -> None:
    """The stale-export warning and the drift check (logged to MLflow when a store is set)."""
    import os

    from leadscore.model.drift import check

    when, latest = prediction.as_of, summary.latest
    if when is not None and latest is not None and when - latest > pd.Timedelta(days=STALE_DAYS):
        prediction.warnings.append(
            f"the latest date in the export is {latest:%Y-%m-%d}, {(when - latest).days} days "
            f"before the as-of time {when:%Y-%m-%d}; recency features will read as stale. Pass "
            "--as-of with the export date if it is older."
        )
    if not hasattr(model, "drift_reference"):
        return
    prediction.drift = check(model, summary.drift_rows, threshold)
    drift = prediction.drift
    if drift.skipped is None and os.environ.get("MLFLOW_TRACKING_URI"):
        from leadscore.tracking.runs import log_drift

        log_drift(drift.table, threshold, rows=drift.rows)


def _nothing_scored(prediction: Prediction, statuses: dict[str, int], out: Path | None) -> None:
    if prediction.rows == 0 or prediction.scored > 0:
        return
    where = f"; every row is in {out} with its status" if out is not None else ""
    top = max(statuses, key=lambda s: statuses[s])
    why = f" (most common status: {top!r}, {statuses[top]:,} rows)"
    raise NothingScoredError(
        f"none of the {prediction.rows:,} rows was scored{why}{where}; --include-closed scores "
        "won and lost contacts, --as-of moves the scoring time"
    )


@with_threads
def predict(
    contacts: Table,
    activities: Table | None = None,
    config: ConfigLike = None,
    *,
    model: Any = None,
    out: str | Path | None = None,
    as_of: str | pd.Timestamp | None = None,
    include_closed: bool = False,
    opportunity: float | None = None,
    prospect: float | None = None,
    reasons: bool = True,
    engine: str = "auto",
    batch_rows: int = BATCH_ROWS,
    csv_safe: bool = True,
    drift_threshold: float = 0.25,
    scorecard: str | Path | None = None,
    progress: bool = False,
    keep: str | list[str] | None = None,
    allow_missing_columns: bool = False,
) -> Prediction:
    """Score a lead list: probability, 1-100 score, tier, status and reasons for every row.

    Args:
        contacts: the lead list (CSV, Parquet or a DataFrame).
        activities: its activity log (file or DataFrame), optional.
        config: a TOML config file, a ``Config``, or None for the defaults.
        model: a model folder, an MLflow reference (``models:/leadscore@champion``, a version,
            a run) or a loaded model; None: the champion of the config's ``[tracking]
            model_name`` when the tracking store has one, else ``models/leadscore``
            (``Prediction.model`` says which).
        out: the output file (.csv or .parquet); None returns the rows in ``output``.
        as_of: score as of this time (default: now); activity at or after it is not used.
        include_closed: also score contacts already won or lost.
        opportunity: override the opportunity threshold (a probability).
        prospect: override the prospect threshold (a probability).
        reasons: add the top factors that raised and lowered each probability.
        engine: auto, memory, stream (files larger than memory) or spark.
        batch_rows: rows per batch when streaming.
        csv_safe: neutralise CSV cells a spreadsheet would run as a formula.
        drift_threshold: warn when a feature's PSI against training exceeds this.
        scorecard: a config with ``[scorecard]``: score with its points instead of a model.
        progress: show a progress bar on long runs.
        keep: columns passed through to the output unchanged, as text (``"name,email"`` or a
            list), besides the config's ``[predict] keep``; never features.
        allow_missing_columns: score even when more than half of the columns the model uses
            are missing from the list (they are treated as missing).

    Raises:
        NothingScoredError: the list has rows but none could be scored (exit code 3).
        LeadscoreError: a kept column is missing or clashes with an output column; more than
            half of the model's columns are missing (without ``allow_missing_columns``).
    """
    from leadscore.data.crm import source_name
    from leadscore.io.tables import table_format
    from leadscore.jobs.columns import keep_names, kept_columns, list_columns, read_as_text
    from leadscore.scoring.core import output_schema
    from leadscore.scoring.engine import choose_engine, choose_workers, columns_of, resolve_as_of
    from leadscore.scoring.pool import running

    started = time.perf_counter()
    cfg = read_config(config, scorecard)
    if out is not None:
        table_format(out)  # an unknown output type fails before any work
    # a points scorecard scores in memory (below): no streaming for its reasons' sake
    shared = reasons and scorecard is None
    chosen = choose_engine(engine, contacts, activities, reasons=shared, writes=out is not None)
    if batch_rows < 1:
        raise LeadscoreError("--batch-rows must be at least 1")
    workers = choose_workers(chosen, contacts, activities, shared)
    with running(workers) as send:  # they start while the model and the list load
        scorer, name, crm = _scorer(cfg, model, scorecard, chosen, contacts, activities,
                                    (opportunity, prospect))  # fmt: skip
        send(scorer)
        columns = columns_of(contacts)
        offered = list_columns(contacts, cfg)
        notes = _column_notes(scorer, cfg, offered, source_name(contacts, "contacts"),
                              allow_missing_columns)  # fmt: skip
        taken = output_schema(scorer, reasons).names
        kept = kept_columns(keep_names(keep, cfg), cfg, offered, taken, contacts)
        as_text = read_as_text(kept, cfg, scorer)
        if as_text != cfg.predict.keep:  # these are read as text, exactly as written
            cfg = cfg.model_copy(deep=True)
            cfg.predict.keep = as_text
        when = resolve_as_of(scorer, columns, activities, requested_time(as_of))
        run = _Run(scorer, cfg, chosen, when, include_closed, reasons, csv_safe, batch_rows,
                   progress, kept, workers)  # fmt: skip
        summary, output = ENGINE_RUNS[chosen](
            run, contacts, activities, crm, None if out is None else Path(out)
        )
    prediction = Prediction(
        chosen, when, summary.rows, summary.scored, summary.tiers, output,
        None if out is None else Path(out), model=name, notes=list(summary.notes),
    )  # fmt: skip
    prediction.notes += notes
    _checks(prediction, summary, scorer, drift_threshold)
    prediction.seconds = time.perf_counter() - started
    _nothing_scored(prediction, summary.statuses, prediction.out)
    return prediction
