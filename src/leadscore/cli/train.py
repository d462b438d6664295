"""``leadscore train``: parse, call ``leadscore.api.train``, render the held-out figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leadscore.cli.common import (
    ActivitiesOpt,
    ConfigOpt,
    ExperimentOpt,
    NameOpt,
    ScorecardOpt,
    console,
    print_tiers,
    say,
    user_errors,
)
from leadscore.paths import DEFAULT_MODEL_DIR

METRICS = ("roc_auc", "pr_auc", "brier", "log_loss", "ece", "lift_top10", "capture_top10")


def train(
    contacts: Annotated[Path, typer.Argument(help="Contacts file (CSV or Parquet).")],
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    model_dir: Annotated[
        Path, typer.Option("--model-dir", help="Folder to save the trained model in.")
    ] = DEFAULT_MODEL_DIR,
    mlflow: Annotated[bool, typer.Option(help="Log the run to MLflow.")] = True,
    experiment: ExperimentOpt = None,
    scorecard: ScorecardOpt = None,
    name: NameOpt = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", help="Also print the time and peak memory of each step.")
    ] = False,
) -> None:
    """Learn from closed contacts: point-in-time snapshots, time-ordered validation, the
    better of gradient boosting, logistic regression and their blend (chosen on validation
    rows), calibrated, measured on the test rows, refit on every row; save and log it."""
    with user_errors():
        from leadscore import api

        outcome = api.train(
            contacts, activities, config, model_dir=model_dir, mlflow=mlflow,
            experiment=experiment, scorecard=scorecard, name=name,
        )  # fmt: skip
        say(outcome.notes)
        if scorecard is not None:
            render_scorecard(outcome.result, outcome.model_dir)
        else:
            render_training(outcome.result, outcome.model_dir)
        say(warnings=outcome.warnings)
        if verbose and outcome.steps is not None:
            render_steps(outcome.steps.rows())
        if outcome.run is not None:
            run, name = outcome.run, outcome.name
            typer.echo(
                f"MLflow run {run.run_id} in {run.uri} (experiment '{outcome.experiment}'), "
                f"registered as models:/{name}/{run.version}; see it with: leadscore runs, "
                "make mlflow-ui"
            )
            typer.echo(
                f"champion: models:/{name}/{run.version} (the first version of '{name}'); "
                "predict, evaluate and monitor use it when no --model is given"
                if outcome.champion
                else f"champion unchanged: version {run.version} is a challenger (leadscore "
                f"promote {run.version} makes it champion if it beats the champion)"
            )


def render_training(result: Any, model_dir: Path) -> None:
    """Held-out metrics of the chosen model beside the runner-up (and scorecard), the choice
    and why, split, calibration, the shipped model's refit, tiers."""
    from rich.table import Table

    out = console()
    info = result.scorer.info
    table = Table(title="Held-out metrics (see the split below)")
    table.add_column("metric")
    table.add_column(f"{info['model']} (chosen)", justify="right")
    table.add_column(f"{result.baseline_name} (runner-up)", justify="right")
    card = result.scorecard_metrics
    if card:
        table.add_column("scorecard (calibrated)", justify="right")
    for key in METRICS:
        cells = [f"{result.metrics[key]:.4f}", f"{result.baseline_metrics[key]:.4f}"]
        table.add_row(key, *cells, *([f"{card[key]:.4f}"] if card else []))
    out.print(table)
    choice = result.selection
    if choice:
        out.print(f"model: {choice['reason']}")
        out.print(f"tuning: {choice['tuning']}; shipped recipe: {info['recipe']}")
    out.print(f"split: {result.split.description}")
    cv = info.get("cv")
    if cv:
        out.print(
            f"{cv['description']}: ROC AUC {cv['roc_auc']:.4f} ± {cv['roc_auc_std']:.4f}, "
            f"ECE {cv['ece']:.4f}" + (f" ({'; '.join(cv['skipped'])})" if cv["skipped"] else "")
        )
    out.print(
        f"calibration: {result.calibration}; ECE {result.metrics['ece_uncalibrated']:.4f}"
        f" before, {result.metrics['ece']:.4f} after"
    )
    out.print(f"shipped model: {info.get('refit', 'the measured model')}")
    th = result.scorer.thresholds
    out.print(
        f"tiers: opportunity >= {th['opportunity']:.3f}, prospect >= "
        f"{th['prospect']:.3f} ({info['tier_rule']})"
    )
    print_tiers(result.tier_table, "Tiers on the held-out contacts (expected vs actual)")
    excluded = result.data["excluded_columns"]
    if excluded:
        out.print("columns not used: " + "; ".join(f"{k} ({v})" for k, v in excluded.items()))
    out.print(f"model saved to {model_dir}/")


def render_steps(rows: list[dict[str, Any]]) -> None:
    """Where the time went: wall and CPU seconds per step, and the process's peak memory
    once the step ended (the step whose figure jumps raised it)."""
    from rich.table import Table

    table = Table(title="Steps (wall and CPU seconds; peak memory of the process so far)")
    for column in ("step", "wall s", "CPU s", "peak MB"):
        table.add_column(column, justify="left" if column == "step" else "right")
    for r in rows:
        table.add_row(r["step"], f"{r['wall_s']:.2f}", f"{r['cpu_s']:.2f}", f"{r['peak_mb']:,}")
    console().print(table)


def render_scorecard(result: Any, model_dir: Path) -> None:
    """A calibrated scorecard: how it was calibrated and measured, and its tiers."""
    out = console()
    m = result.metrics
    out.print(f"scorecard calibrated: {result.calibration}")
    out.print(f"metrics, {result.evaluated_on}:")
    keys = ("roc_auc", "pr_auc", "brier", "log_loss", "ece")
    out.print("  " + ", ".join(f"{k} {m[k]:.4f}" for k in keys))
    out.print(f"tiers: {result.scorer.info['tier_rule']}")
    print_tiers(result.tier_table, "Tiers on the training snapshots (expected vs actual)")
    out.print(f"model saved to {model_dir}/ (predict with --model {model_dir})")
