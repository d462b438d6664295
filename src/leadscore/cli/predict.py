"""``leadscore predict`` and ``leadscore evaluate``: parse, call the API, render."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leadscore.choices import Engine
from leadscore.cli.common import (
    ActivitiesOpt,
    ConfigOpt,
    ScorecardOpt,
    console,
    print_tiers,
    say,
    user_errors,
)
from leadscore.paths import DEFAULT_MODEL_DIR, PROCESSED_DIR

ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="Model folder, models:/leadscore@champion, models:/leadscore/VERSION, "
        "runs:/RUN_ID/model or a run id. Default: the champion when the MLflow store has "
        f"one, else {DEFAULT_MODEL_DIR}.",
        show_default=False,
    ),
]


def predict(
    contacts: Annotated[Path, typer.Argument(help="Lead list / contacts file (CSV or Parquet).")],
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    model: ModelOpt = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output file (.csv or .parquet).")
    ] = PROCESSED_DIR / "predictions.csv",
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Score as of this time (default: now). Activity at or after it is not used."
        ),
    ] = None,
    include_closed: Annotated[
        bool, typer.Option(help="Also score contacts already won or lost.")
    ] = False,
    opportunity: Annotated[
        float | None, typer.Option(help="Override the opportunity threshold (probability).")
    ] = None,
    prospect: Annotated[
        float | None, typer.Option(help="Override the prospect threshold (probability).")
    ] = None,
    scorecard: ScorecardOpt = None,
    csv_safe: Annotated[
        bool,
        typer.Option(
            help="Quote-prefix CSV text cells starting with = + - @ tab or CR, so a "
            "spreadsheet never runs them as formulas."
        ),
    ] = True,
    drift_threshold: Annotated[
        float, typer.Option(help="Warn when a feature's PSI against training exceeds this.")
    ] = 0.25,
    reasons: Annotated[
        bool,
        typer.Option(help="Add the top 3 factors that raised and lowered each probability."),
    ] = True,
    engine: Annotated[
        Engine,
        typer.Option(
            help="auto (default: stream when the inputs hold over 2,000,000 rows together, "
            "LEADSCORE_STREAM_ROWS; else memory), memory (whole files in memory), "
            "stream (batches in bounded memory, for lists larger than RAM) or spark "
            "(Parquet in)."
        ),
    ] = Engine.AUTO,
    batch_rows: Annotated[
        int, typer.Option(help="Rows per batch when streaming (memory vs speed).")
    ] = 25_000,
    keep: Annotated[
        str | None,
        typer.Option(
            help="Columns to pass through to the output unchanged, comma-separated (e.g. "
            "'First Name,Email,Company'), so the list can be acted on; never features. "
            "Added to the config's [predict] keep."
        ),
    ] = None,
    allow_missing_columns: Annotated[
        bool,
        typer.Option(
            help="Score even when more than half of the columns the model uses are missing "
            "from the list (they are treated as missing)."
        ),
    ] = False,
) -> None:
    """Score a lead list: probability, 0-100 score, tier and reasons for every row."""
    with user_errors():
        from leadscore import api

        done = api.predict(
            contacts, activities, config, model=model, out=out, as_of=as_of,
            include_closed=include_closed, opportunity=opportunity, prospect=prospect,
            reasons=reasons, engine=engine, batch_rows=batch_rows, csv_safe=csv_safe,
            drift_threshold=drift_threshold, scorecard=scorecard, progress=True, keep=keep,
            allow_missing_columns=allow_missing_columns,
        )  # fmt: skip
        render_prediction(done)


def render_prediction(done: Any) -> None:
    """Notes, the tier table, the counts, warnings and the drift line of a prediction."""
    say(done.notes)
    typer.echo(f"model: {done.model}")
    when = "each row's as_of" if done.as_of is None else f"{done.as_of:%Y-%m-%d %H:%M}"
    print_tiers(done.tiers, f"Scored as of {when}")
    how = {"stream": ", streamed in batches", "spark": ", on Spark"}.get(done.engine, "")
    typer.echo(
        f"{done.scored:,} rows scored, {done.rows - done.scored:,} not scored (see the status "
        f"column); wrote {done.rows:,} rows to {done.out} in {done.seconds:,.1f} s "
        f"({done.rows / max(done.seconds, 1e-9):,.0f} rows/s{how})"
    )
    say(warnings=done.warnings)
    drift = done.drift
    if drift is None:
        return
    if drift.skipped:
        say([f"drift check skipped, {drift.skipped}"])
    elif drift.shifted:
        say(warnings=[
            f"{len(drift.shifted)} feature(s) shifted since training (PSI > {drift.threshold:g}): "
            + ", ".join(f"{k} {v:.2f}" for k, v in drift.shifted.items())
        ])  # fmt: skip
    elif drift.table:
        top = max(drift.table, key=lambda k: drift.table[k])
        typer.echo(
            f"drift: no feature shifted beyond PSI {drift.threshold:g} "
            f"(largest: {top} {drift.table[top]:.3f})",
            err=True,
        )


def evaluate(
    data: Annotated[Path, typer.Argument(help="Labelled file (CSV or Parquet) to score.")],
    model: ModelOpt = None,
    config: ConfigOpt = None,
    activities: ActivitiesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Measure a saved model on a labelled export as training measured it: a snapshot model
    on the most recent complete window (its horizon's labels), a flat model on every closed
    row; ranking, calibration, lift and tiers."""
    with user_errors():
        import json

        from leadscore import api

        report = api.evaluate(data, activities, config, model=model)
        if as_json:
            typer.echo(json.dumps(report.to_dict(), default=float))
            return
        say(report.notes)
        typer.echo(f"model: {report.model}")
        render_evaluation(report, data)


def render_evaluation(report: Any, data: Path) -> None:
    """Which rows, the overlap with the model's own training, metrics and the tier table."""
    from rich.table import Table

    m, out = report.metrics, console()
    out.print(f"{data}: {report.rows}; {int(m['rows']):,} rows, {m['base_rate']:.1%} converted")
    seen, trained = report.overlap, report.trained or {}
    fresh = (seen or {}).get("fresh_metrics") or {}
    if seen:
        say(warnings=[
            f"{seen['rows']:,} of these {seen['of']:,} rows start before {seen['outcomes_until']},"
            " the last outcome this model learned from: it may have trained on them, so the "
            "figures flatter it (the 'unseen rows' column leaves them out)"
        ])  # fmt: skip
    view = Table(title="Metrics")
    view.add_column("metric")
    view.add_column("all rows", justify="right")
    if fresh:
        view.add_column("unseen rows", justify="right")
    if trained:
        view.add_column("held out at training", justify="right")
    for key in ("roc_auc", "pr_auc", "brier", "log_loss", "ece", "lift_top10", "capture_top10"):
        cells = [m[key], *([fresh[key]] if fresh else []), *([trained[key]] if trained else [])]
        view.add_row(key, *(f"{v:.4f}" for v in cells))
    out.print(view)
    print_tiers(report.tiers, "Tiers (expected vs actual)")
