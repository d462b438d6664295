"""The ``leadscore`` command line: thin commands that parse, load, call the core and write.

Heavy libraries (pandas, scikit-learn, MLflow) are imported inside the commands, so
``leadscore --help`` starts instantly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from leadscore.config import DEFAULT_MODEL_DIR, PROCESSED_DIR, RAW_DIR
from leadscore.errors import LeadscoreError

app = typer.Typer(
    name="leadscore",
    help=(
        "Calibrated lead conversion scoring for CRM exports: learn from closed contacts, "
        "score open ones, sort them into lead / prospect / opportunity."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="TOML config mapping your export's columns (see README)."),
]
ScorecardOpt = Annotated[
    Path | None,
    typer.Option(
        help="TOML config with a [scorecard] (see docs/scorecard.md): use the points "
        "scorecard instead of a trained model."
    ),
]
ActivitiesOpt = Annotated[
    Path | None,
    typer.Option("--activities", "-a", help="Activity log (CSV or Parquet), optional."),
]


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a LeadscoreError into a one-line message and a non-zero exit."""
    try:
        yield
    except LeadscoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def _console():  # noqa: ANN202 - rich is imported lazily
    from rich.console import Console

    return Console(width=120)


def _parse_time(value: str | None, option: str):  # noqa: ANN202
    import pandas as pd

    if value is None:
        return pd.Timestamp.now(tz="UTC").tz_localize(None)
    try:
        stamp = pd.Timestamp(value)
    except ValueError:
        raise LeadscoreError(f"{option}: cannot read {value!r} as a date") from None
    return stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp


@app.command("sample-data")
def sample_data(
    out: Annotated[
        Path, typer.Option(help="Folder to write contacts and activities to.")
    ] = RAW_DIR,
    months: Annotated[int, typer.Option(help="Months of history in the export.")] = 18,
    contacts_per_month: Annotated[int, typer.Option(help="New contacts per month.")] = 1100,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same CRM).")] = 42,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
) -> None:
    """Generate a realistic sample B2B CRM (contacts + activity log) with documented rules."""
    with user_errors():
        if fmt not in ("csv", "parquet"):
            raise LeadscoreError(f"--format must be csv or parquet, got {fmt!r}")
        from leadscore.sample import generate_crm, write_crm

        contacts, activities = generate_crm(
            months=months, contacts_per_month=contacts_per_month, seed=seed
        )
        write_crm(contacts, activities, out, fmt=fmt)
        counts = contacts["outcome"].value_counts(dropna=False)
        typer.echo(
            f"wrote {len(contacts):,} contacts ({counts.get('won', 0):,} won, "
            f"{counts.get('lost', 0):,} lost, {int(contacts['outcome'].isna().sum()):,} open) "
            f"and {len(activities):,} activities to {out}/"
        )


@app.command()
def train(
    contacts: Annotated[Path, typer.Argument(help="Contacts file (CSV or Parquet).")],
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    model_dir: Annotated[
        Path, typer.Option("--model-dir", help="Folder to save the trained model in.")
    ] = DEFAULT_MODEL_DIR,
    mlflow: Annotated[bool, typer.Option(help="Log the run to MLflow.")] = True,
    experiment: Annotated[str, typer.Option(help="MLflow experiment name.")] = "leadscore",
    scorecard: ScorecardOpt = None,
) -> None:
    """Learn from closed contacts: point-in-time snapshots, time-ordered validation,
    calibrated gradient boosting beside a logistic baseline; save and log the model."""
    with user_errors():
        if scorecard is not None:
            from leadscore.cli_scorecard import train_with_scorecard

            args = (contacts, activities, config, scorecard, model_dir, mlflow, experiment)
            return train_with_scorecard(*args)
        from leadscore.config import load_config
        from leadscore.data.crm import load_crm
        from leadscore.io.store import save_model, sha256_of
        from leadscore.model.train import train as train_model

        cfg = load_config(config)
        crm = load_crm(contacts, activities, cfg, require_outcome=True)
        for note in crm.notes:
            typer.echo(f"note: {note}", err=True)
        result = train_model(crm, cfg)
        inputs = {"contacts": contacts, "activities": activities, "config": config}
        fingerprint = {
            k: {"file": Path(v).name, "sha256": sha256_of(v)} for k, v in inputs.items() if v
        }
        save_model(result.scorer, model_dir, extra={"data_fingerprint": fingerprint})
        from leadscore.io.report import write_report

        write_report(result, model_dir)
        _print_training(result, model_dir)
        for warning in [result.leakage.warning() if result.leakage else None, *result.warnings]:
            if warning:
                typer.secho(f"warning: {warning}", err=True, fg="yellow", bold=True)
        if mlflow:
            from leadscore.tracking.runs import log_training

            params = {"config": cfg.to_dict(), "chosen": {"calibration": result.calibration}}
            run = log_training(result, params, model_dir, experiment=experiment, inputs=inputs)
            typer.echo(
                f"MLflow run {run.run_id} in {run.uri} (experiment '{experiment}'), registered "
                f"as models:/leadscore/{run.version}; see it with: leadscore runs, make mlflow-ui"
            )


def _print_training(result, model_dir: Path) -> None:  # noqa: ANN001
    from rich.table import Table

    console = _console()
    table = Table(title="Held-out metrics (see the split below)")
    table.add_column("metric")
    table.add_column(result.scorer.info["model"], justify="right")
    table.add_column(f"{result.baseline_name} (baseline)", justify="right")
    card = result.scorecard_metrics
    if card:
        table.add_column("scorecard (calibrated)", justify="right")
    for key in ("roc_auc", "pr_auc", "brier", "log_loss", "ece", "lift_top10", "capture_top10"):
        cells = [f"{result.metrics[key]:.4f}", f"{result.baseline_metrics[key]:.4f}"]
        table.add_row(key, *cells, *([f"{card[key]:.4f}"] if card else []))
    console.print(table)
    console.print(f"split: {result.split.description}")
    cv = result.scorer.info.get("cv")
    if cv:
        console.print(
            f"{cv['description']}: ROC AUC {cv['roc_auc']:.4f} ± {cv['roc_auc_std']:.4f}, "
            f"ECE {cv['ece']:.4f}"
        )
    console.print(
        f"calibration: {result.calibration}; ECE {result.metrics['ece_uncalibrated']:.4f}"
        f" before, {result.metrics['ece']:.4f} after"
    )
    th = result.scorer.thresholds
    console.print(
        f"tiers: opportunity >= {th['opportunity']:.3f}, prospect >= "
        f"{th['prospect']:.3f} ({result.scorer.info['tier_rule']})"
    )
    _print_tiers(result.tier_table, "Tiers on the held-out contacts (expected vs actual)")
    excluded = result.data["excluded_columns"]
    if excluded:
        console.print("columns not used: " + "; ".join(f"{k} ({v})" for k, v in excluded.items()))
    console.print(f"model saved to {model_dir}/")


@app.command()
def predict(
    contacts: Annotated[Path, typer.Argument(help="Lead list / contacts file (CSV or Parquet).")],
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            "-m",
            help="Model folder, models:/leadscore@champion, models:/leadscore/VERSION, "
            "runs:/RUN_ID/model or a run id.",
        ),
    ] = str(DEFAULT_MODEL_DIR),
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
        str,
        typer.Option(
            help="auto (default: stream when the inputs hold over 2,000,000 rows together, "
            "LEADSCORE_STREAM_ROWS; else memory), memory (whole files in memory), "
            "stream (batches in bounded memory, for lists larger than RAM) or spark (Parquet "
            "in and out; no reasons)."
        ),
    ] = "auto",
    batch_rows: Annotated[
        int, typer.Option(help="Rows per batch when streaming (memory vs speed).")
    ] = 25_000,
) -> None:
    """Score a lead list: probability, 0-100 score, tier and reasons for every row."""
    with user_errors():
        if scorecard is not None:
            from leadscore.cli_scorecard import predict_with_scorecard

            if opportunity is not None or prospect is not None:
                raise LeadscoreError(
                    "--opportunity/--prospect are model probabilities; with --scorecard set "
                    "[scorecard] prospect/opportunity (points) in its config"
                )
            when = _parse_time(as_of, "--as-of")
            args = (contacts, activities, config, scorecard, out, when, include_closed)
            return predict_with_scorecard(*args)

        from leadscore.config import load_config
        from leadscore.data.crm import load_crm
        from leadscore.io.tables import table_format
        from leadscore.io.writer import write_table
        from leadscore.model.scorer import score_contacts
        from leadscore.model.tiers import tier_table
        from leadscore.tracking.resolve import load_scorer

        table_format(out)
        cfg = load_config(config)
        scorer = load_scorer(model)
        thresholds = dict(scorer.thresholds)
        if cfg.tiers.opportunity is not None:
            thresholds = {"opportunity": cfg.tiers.opportunity, "prospect": cfg.tiers.prospect}
        if opportunity is not None:
            thresholds["opportunity"] = opportunity
        if prospect is not None:
            thresholds["prospect"] = prospect
        if not 0 <= thresholds["prospect"] <= thresholds["opportunity"] <= 1:
            raise LeadscoreError("thresholds need 0 <= prospect <= opportunity <= 1")
        scorer.thresholds = thresholds
        if engine not in ("auto", "memory", "stream", "spark"):
            raise LeadscoreError(f"--engine must be auto, memory, stream or spark, got {engine!r}")
        engine = _choose_engine(engine, scorer, contacts, activities)
        if engine != "memory":
            return _predict_engine(
                engine,
                scorer,
                model,
                contacts,
                activities,
                cfg,
                out,
                as_of,
                include_closed,
                batch_rows,
                reasons=reasons,
                csv_safe=csv_safe,
                drift_threshold=drift_threshold,
            )
        when = _parse_time(as_of, "--as-of")
        crm = load_crm(contacts, activities, cfg, require_outcome=False)
        for note in crm.notes:
            typer.echo(f"note: {note}", err=True)
        extra = scorer.features.unexpected_columns(crm.contacts)
        if extra:
            typer.echo(
                f"note: {len(extra)} column(s) unknown to the model are ignored: "
                + ", ".join(extra[:10]),
                err=True,
            )
        _warn_stale(crm.latest_time, when)
        result = score_contacts(
            scorer,
            crm.contacts,
            crm.activities,
            when,
            include_closed=include_closed,
            reasons=reasons,
        )
        write_table(result, out, csv_safe=csv_safe)
        scored = result["status"] == "scored"
        table = tier_table(
            result.loc[scored, "probability"].to_numpy(), result.loc[scored, "tier"].to_numpy()
        )
        _print_tiers(table, f"Scored as of {when:%Y-%m-%d %H:%M}")
        typer.echo(
            f"{int(scored.sum()):,} rows scored, {int((~scored).sum()):,} not scored "
            f"(see the status column); wrote {len(result):,} rows to {out}"
        )
        _check_drift(scorer, crm, scored.to_numpy(), when, drift_threshold)


def _warn_stale(latest, when) -> None:  # noqa: ANN001 - pandas Timestamps
    """Warn when the as-of time lies well past the latest date of the export."""
    import pandas as pd

    if latest is not None and when - latest > pd.Timedelta(days=30):
        typer.echo(
            f"warning: the latest date in the export is {latest:%Y-%m-%d}, "
            f"{(when - latest).days} days before the as-of time {when:%Y-%m-%d}; recency "
            "features will read as stale. Pass --as-of with the export date if it is older.",
            err=True,
        )


def _check_drift(scorer, crm, scored, when, threshold: float) -> None:  # noqa: ANN001
    """Drift check of the in-memory engine: features of up to MAX_ROWS scored contacts."""
    from leadscore.model.drift import MAX_ROWS, MIN_ROWS

    contacts = crm.contacts.reset_index(drop=True)[scored]
    rows = None  # computed only when there is a reference and enough rows: features cost time
    if getattr(scorer, "drift_reference", None) and len(contacts) >= MIN_ROWS:
        if len(contacts) > MAX_ROWS:  # a seeded sample measures the shift
            contacts = contacts.sample(n=MAX_ROWS, random_state=0)
        rows = scorer.rows(contacts, crm.activities, when)
    _report_drift(scorer, rows, threshold)


def _report_drift(scorer, rows, threshold: float) -> None:  # noqa: ANN001
    """PSI of these scored model rows against training: a warning or a one-line all-clear."""
    import os

    from leadscore.model.drift import MIN_ROWS, batch_psi, shifted

    if not getattr(scorer, "drift_reference", None):
        typer.echo("note: drift check skipped, the model has no training reference", err=True)
        return
    if rows is None or len(rows) < MIN_ROWS:
        typer.echo(f"note: drift check skipped, fewer than {MIN_ROWS} rows scored", err=True)
        return
    table = batch_psi(scorer, rows)
    big = shifted(table, threshold)
    if big:
        typer.echo(
            f"warning: {len(big)} feature(s) shifted since training (PSI > {threshold:g}): "
            + ", ".join(f"{k} {v:.2f}" for k, v in big.items()),
            err=True,
        )
    else:
        top = max(table, key=table.get)
        typer.echo(
            f"drift: no feature shifted beyond PSI {threshold:g} (largest: {top} {table[top]:.3f})",
            err=True,
        )
    if os.environ.get("MLFLOW_TRACKING_URI"):
        from leadscore.tracking.runs import log_drift

        log_drift(table, threshold, rows=len(rows))


@app.command("init-config")
def init_config(
    data: Annotated[Path, typer.Argument(help="A data file to inspect (CSV or Parquet).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the config here (default: print).")
    ] = None,
) -> None:
    """Draft a commented config from a data file: ids, dates, numbers, categories, free text
    and target candidates; edit the lines marked EDIT."""
    with user_errors():
        from leadscore.config import DEFAULT_MISSING_VALUES
        from leadscore.data.initconfig import draft_config
        from leadscore.io.tables import read_table
        from leadscore.io.writer import write_text

        frame = read_table(data, missing_values=DEFAULT_MISSING_VALUES)
        text = draft_config(frame, str(data))
        text += (
            "\n# Scorecard: once the target above is mapped, draft a points scorecard from the"
            "\n# data (a proposal to edit) with:"
            f"\n#   leadscore propose-scorecard {data} --config {out or 'THIS_FILE.toml'}\n"
        )
        if out is None:
            typer.echo(text)
        else:
            write_text(text, out)
            typer.echo(f"wrote {out}: check the lines marked EDIT", err=True)


@app.command()
def evaluate(
    data: Annotated[Path, typer.Argument(help="Labelled file (CSV or Parquet) to score.")],
    model: Annotated[
        Path, typer.Option("--model", "-m", help="Trained model folder.")
    ] = DEFAULT_MODEL_DIR,
    config: ConfigOpt = None,
    activities: ActivitiesOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score a labelled file with a saved model: ranking, calibration, lift and tiers."""
    with user_errors():
        import json

        from leadscore.config import load_config
        from leadscore.data.crm import load_crm
        from leadscore.io.store import load_model
        from leadscore.model.evaluate import evaluate_labelled

        cfg = load_config(config)
        scorer = load_model(model)
        crm = load_crm(data, activities, cfg, require_outcome=True)
        for note in crm.notes:
            typer.echo(f"note: {note}", err=True)
        report = evaluate_labelled(scorer, crm)
        if as_json:
            typer.echo(json.dumps(report, default=float))
            return
        import pandas as pd
        from rich.table import Table

        m = report["metrics"]
        _console().print(f"{data}: {int(m['rows']):,} closed rows, {m['base_rate']:.1%} converted")
        view = Table(title="Metrics")
        view.add_column("metric")
        view.add_column("value", justify="right")
        for key in ("roc_auc", "pr_auc", "brier", "log_loss", "ece"):
            view.add_row(key, f"{m[key]:.4f}")
        for key in ("lift_top10", "capture_top10", "lift_top20", "capture_top20"):
            view.add_row(key, f"{m[key]:.3f}")
        _console().print(view)
        _print_tiers(pd.DataFrame(report["tiers"]), "Tiers (expected vs actual)")


def _predict_engine(  # noqa: ANN202, PLR0913 - the CLI's options, passed on
    engine,
    scorer,
    model,
    contacts,
    activities,
    cfg,
    out,
    as_of,
    include_closed,
    batch_rows,
    *,
    reasons,
    csv_safe,
    drift_threshold,
):
    """``predict --engine stream|spark``: batches in bounded memory, or a Spark session."""
    when = None if as_of is None else _parse_time(as_of, "--as-of")
    if batch_rows < 1:
        raise LeadscoreError("--batch-rows must be at least 1")
    if engine == "spark":
        from leadscore.io.store import load_model
        from leadscore.scoring.spark import predict_spark

        if not Path(model).is_dir():
            raise LeadscoreError("--engine spark needs a local model folder as --model")
        if scorer.thresholds != dict(load_model(model).thresholds):
            raise LeadscoreError("--engine spark uses the model's own tier thresholds")
        done = predict_spark(
            model, contacts, activities, cfg, out, when, include_closed=include_closed
        )
        typer.echo(f"wrote {done:,} rows to {out} (spark)")
        return
    from leadscore.io.batches import header
    from leadscore.scoring.stream import predict_stream

    extra = scorer.features.unexpected_columns(pd_empty(header(contacts)))
    c = cfg.contacts
    known = {c.id, c.created_at, c.closed_at, c.outcome, *scorer.activity_spec.feature_names()}
    extra = [col for col in extra if col not in known]
    if extra:
        typer.echo(
            f"note: {len(extra)} column(s) unknown to the model are ignored: "
            + ", ".join(extra[:10]),
            err=True,
        )
    result = predict_stream(
        scorer,
        contacts,
        activities,
        cfg,
        out,
        when,
        include_closed=include_closed,
        batch_rows=batch_rows,
        reasons=reasons,
        csv_safe=csv_safe,
    )
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    if not result.flat:
        _warn_stale(result.latest, when if when is not None else _parse_time(None, "--as-of"))
    shown = "each row's as_of" if when is None and result.flat else f"{when or 'now'}"
    _print_tiers(result.tiers, f"Scored as of {shown}")
    typer.echo(
        f"{result.scored:,} rows scored, {result.rows - result.scored:,} not scored "
        f"(see the status column); wrote {result.rows:,} rows to {out} "
        f"in {result.seconds:,.1f} s ({result.rows / max(result.seconds, 1e-9):,.0f} rows/s, "
        "streamed in batches)"
    )
    _report_drift(scorer, result.drift_rows, drift_threshold)


def _choose_engine(engine: str, scorer, contacts: Path, activities: Path | None) -> str:  # noqa: ANN001
    """The engine for ``--engine auto``; a flat lead list (activity aggregates already in its
    columns) is always streamed: only the streaming engine reads those columns as they are."""
    from leadscore.io.batches import header
    from leadscore.scoring.stream import is_flat

    try:
        flat = activities is None and is_flat(header(contacts), scorer)
    except LeadscoreError:  # unreadable: the reader of the chosen engine says why
        flat = False
    if flat and engine == "memory":
        raise LeadscoreError(
            "this lead list already holds the model's activity aggregate columns (the flat "
            "shape): it is scored by the streaming engine; use --engine auto or stream",
            file=str(contacts),
        )
    if engine != "auto":
        return engine
    return "stream" if flat else _auto_engine(contacts, activities)


STREAM_ROWS = 2_000_000  # rows (contacts + activities) above which ``--engine auto`` streams


def _auto_engine(contacts: Path, activities: Path | None) -> str:
    """``stream`` when the inputs hold more than ``LEADSCORE_STREAM_ROWS`` rows together.

    The in-memory path holds the whole contacts and activity tables and their features;
    past this size streaming keeps memory bounded by one batch. Rows are exact for Parquet
    (metadata) and estimated for CSV from the first megabyte's line length.
    """
    import os

    from leadscore.io.batches import estimate_rows

    limit = int(os.environ.get("LEADSCORE_STREAM_ROWS", STREAM_ROWS))
    rows = sum(estimate_rows(p) for p in (contacts, activities) if p is not None)
    return "stream" if rows > limit else "memory"


def pd_empty(columns: list[str]):  # noqa: ANN201 - pandas is imported lazily
    """An empty frame with these columns (to check names without reading rows)."""
    import pandas as pd

    return pd.DataFrame(columns=columns)


def _print_tiers(table, title: str) -> None:  # noqa: ANN001
    from rich.table import Table

    actual = "actual_conversions" in table
    view = Table(title=title)
    columns = ["tier", "contacts", "mean probability", "expected conversions"]
    columns += ["actual conversions", "actual rate"] if actual else []
    for col in columns:
        view.add_column(col, justify="left" if col == "tier" else "right")
    for row in table.itertuples():
        cells = [
            row.tier,
            f"{row.contacts:,}",
            "" if row.contacts == 0 else f"{row.mean_probability:.3f}",
            f"{row.expected_conversions:,.1f}",
        ]
        if actual:
            cells += [
                f"{row.actual_conversions:,.0f}",
                "" if row.contacts == 0 else f"{row.actual_rate:.3f}",
            ]
        view.add_row(*cells)
    _console().print(view)


from leadscore.cli_scorecard import propose_scorecard_command  # noqa: E402

app.command("propose-scorecard")(propose_scorecard_command)
from leadscore import cli_mlflow  # noqa: E402, F401 - registers promote, runs, retrain

if __name__ == "__main__":
    app()
