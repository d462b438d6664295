"""CLI commands around the MLflow registry: ``runs``, ``promote`` and ``retrain``.

Registered on the one typer app of ``leadscore.cli``; MLflow is imported inside the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from leadscore.cli import ActivitiesOpt, ConfigOpt, _console, app, user_errors
from leadscore.config import MODELS_DIR

ExperimentOpt = Annotated[str, typer.Option(help="MLflow experiment name.")]
RUN_HEADERS = {
    "roc_auc": "AUC",
    "pr_auc": "PR AUC",
    "log_loss": "log loss",
    "brier": "Brier",
    "ece": "ECE",
    "lift_top10": "lift@10%",
}
NameOpt = Annotated[str, typer.Option("--name", help="Registered model name.")]


@app.command()
def runs(
    experiment: ExperimentOpt = "leadscore",
    name: NameOpt = "leadscore",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List training runs, newest first: key held-out metrics, registered version, champion."""
    with user_errors():
        from leadscore.tracking.runs import list_runs, tracking_uri

        rows = list_runs(experiment, name)
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
            return
        if not rows:
            typer.echo(f"no runs in experiment '{experiment}' of {tracking_uri()}")
            return
        from rich.table import Table

        table = Table(title=f"Runs of '{experiment}' in {tracking_uri()}, newest first")
        for col in ("run", "started (UTC)", "kind", "model", "calib.", "rows", "version"):
            table.add_column(col, no_wrap=True)
        for col in RUN_HEADERS.values():
            table.add_column(col, justify="right", no_wrap=True)
        for row in rows:
            version = row["version"] or ""
            table.add_row(
                row["run_id"][:8],
                row["start_time"][:16],
                row["kind"],
                row["model"],
                row["calibration"],
                str(row["rows"]),
                f"{version} champion" if row["champion"] else version,
                *("" if row[k] is None else f"{row[k]:.4f}" for k in RUN_HEADERS),
            )
        from rich.console import Console

        Console(width=160).print(table)
        typer.echo(f"champion = the version behind models:/{name}@champion")


@app.command()
def promote(
    version: Annotated[int, typer.Argument(help="Registered version to make champion.")],
    contacts: Annotated[
        Path | None,
        typer.Argument(help="Export to evaluate both models on (its most recent closed window)."),
    ] = None,
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    name: NameOpt = "leadscore",
    force: Annotated[
        bool, typer.Option(help="Promote even if the rule refuses (recorded on the version).")
    ] = False,
) -> None:
    """Make VERSION the champion, only if it beats the current champion on the same data."""
    with user_errors():
        from leadscore.model.promotion import RULE
        from leadscore.tracking.champion import promote as promote_version

        crm = cfg = None
        if contacts is not None:
            from leadscore.config import load_config
            from leadscore.data.crm import load_crm

            cfg = load_config(config)
            crm = load_crm(contacts, activities, cfg, require_outcome=True)
        decision, done = promote_version(version, name=name, crm=crm, cfg=cfg, force=force)
        if done:
            how = "forced despite the rule" if force and not decision.promote else "promoted"
            typer.echo(f"{how}: models:/{name}/{version} is now champion — {decision.reason}")
            return
        typer.echo(f"refused: version {version} stays a challenger — {decision.reason}", err=True)
        typer.echo(f"rule: {RULE}; --force overrides (recorded)", err=True)
        raise typer.Exit(1)


@app.command()
def retrain(
    contacts: Annotated[Path, typer.Argument(help="Updated contacts export (CSV or Parquet).")],
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    model_dir: Annotated[
        Path, typer.Option("--model-dir", help="Folder to save the challenger in.")
    ] = MODELS_DIR / "challenger",
    experiment: ExperimentOpt = "leadscore",
    name: NameOpt = "leadscore",
) -> None:
    """Train a challenger on an updated export; promote it only if it beats the champion.

    Both are evaluated on the most recent closed window that neither learned from, and both
    evaluations are logged in the challenger's MLflow run."""
    with user_errors():
        from leadscore.config import load_config
        from leadscore.data.crm import load_crm
        from leadscore.model.promotion import RULE
        from leadscore.tracking.champion import retrain as run_retrain

        cfg = load_config(config)
        crm = load_crm(contacts, activities, cfg, require_outcome=True)
        for note in crm.notes:
            typer.echo(f"note: {note}", err=True)
        out = run_retrain(
            crm,
            cfg,
            model_dir,
            inputs={"contacts": contacts, "activities": activities},
            experiment=experiment,
            name=name,
        )
        from rich.table import Table

        table = Table(title=f"Challenger vs champion on the same {len(out.result.holdout):,} rows")
        table.add_column("metric")
        table.add_column(f"challenger (v{out.logged.version})", justify="right")
        if out.champion_metrics is not None:
            table.add_column(f"champion (v{out.champion_version})", justify="right")
        for key in ("roc_auc", "pr_auc", "log_loss", "brier", "ece", "lift_top10"):
            cells = [f"{out.challenger_metrics[key]:.4f}"]
            if out.champion_metrics is not None:
                cells.append(f"{out.champion_metrics[key]:.4f}")
            table.add_row(key, *cells)
        _console().print(table)
        typer.echo(f"split: {out.result.split.description}")
        if out.note:
            typer.echo(f"note: {out.note}", err=True)
        typer.echo(f"rule: {RULE}")
        verdict = "promoted" if out.promoted else "not promoted"
        typer.echo(
            f"{verdict}: models:/{name}/{out.logged.version} — {out.decision.reason}; "
            f"MLflow run {out.logged.run_id}; challenger saved to {model_dir}/"
        )
