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
) -> None:
    """Learn from closed contacts: point-in-time snapshots, time-ordered validation,
    calibrated gradient boosting beside a logistic baseline; save and log the model."""
    with user_errors():
        from leadscore.config import load_config
        from leadscore.crm import load_crm
        from leadscore.model.train import train as train_model
        from leadscore.store import save_model

        cfg = load_config(config)
        crm = load_crm(contacts, activities, cfg, require_outcome=True)
        for note in crm.notes:
            typer.echo(f"note: {note}", err=True)
        result = train_model(crm, cfg)
        save_model(result.scorer, model_dir)
        from leadscore.report import write_report

        write_report(result, model_dir)
        _print_training(result, model_dir)
        for warning in [result.leakage.warning() if result.leakage else None, *result.warnings]:
            if warning:
                typer.secho(f"warning: {warning}", err=True, fg="yellow", bold=True)
        if mlflow:
            from leadscore.tracking import log_training

            params = {"config": cfg.to_dict(), "chosen": {"calibration": result.calibration}}
            run_id, uri = log_training(result, params, model_dir, experiment=experiment)
            typer.echo(
                f"MLflow run {run_id} in {uri} (experiment '{experiment}'); "
                "see it with: make mlflow-ui"
            )


def _print_training(result, model_dir: Path) -> None:  # noqa: ANN001
    from rich.table import Table

    console = _console()
    table = Table(title="Held-out metrics (most recent snapshots)")
    table.add_column("metric")
    table.add_column(result.scorer.info["model"], justify="right")
    table.add_column(f"{result.baseline_name} (baseline)", justify="right")
    for key in ("roc_auc", "pr_auc", "brier", "log_loss", "ece", "lift_top10", "capture_top10"):
        table.add_row(key, f"{result.metrics[key]:.4f}", f"{result.baseline_metrics[key]:.4f}")
    console.print(table)
    console.print(f"split: {result.split.description}")
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
        Path, typer.Option("--model", "-m", help="Trained model folder.")
    ] = DEFAULT_MODEL_DIR,
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
    reasons: Annotated[
        bool,
        typer.Option(help="Add the top 3 factors that raised and lowered each probability."),
    ] = True,
) -> None:
    """Score a lead list: probability, 0-100 score, tier and reasons for every row."""
    with user_errors():
        from leadscore.config import load_config
        from leadscore.crm import load_crm
        from leadscore.io import table_format, write_table
        from leadscore.model.scorer import score_contacts
        from leadscore.model.tiers import tier_table
        from leadscore.store import load_model

        table_format(out)
        cfg = load_config(config)
        scorer = load_model(model)
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
        result = score_contacts(
            scorer,
            crm.contacts,
            crm.activities,
            when,
            include_closed=include_closed,
            reasons=reasons,
        )
        write_table(result, out)
        scored = result["status"] == "scored"
        table = tier_table(
            result.loc[scored, "probability"].to_numpy(), result.loc[scored, "tier"].to_numpy()
        )
        _print_tiers(table, f"Scored as of {when:%Y-%m-%d %H:%M}")
        typer.echo(
            f"{int(scored.sum()):,} rows scored, {int((~scored).sum()):,} not scored "
            f"(see the status column); wrote {len(result):,} rows to {out}"
        )


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


if __name__ == "__main__":
    app()
