"""``leadscore runs``, ``promote`` and ``retrain``: the MLflow registry, from the terminal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from leadscore.cli.common import (
    ActivitiesOpt,
    ConfigOpt,
    ExperimentOpt,
    NameOpt,
    console,
    say,
    user_errors,
)
from leadscore.paths import MODELS_DIR

RUN_HEADERS = {
    "roc_auc": "AUC",
    "pr_auc": "PR AUC",
    "log_loss": "log loss",
    "brier": "Brier",
    "ece": "ECE",
    "lift_top10": "lift@10%",
}


def runs(
    experiment: ExperimentOpt = None,
    name: NameOpt = None,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List training runs, newest first: the export each learned from, the calibration chosen,
    held-out metrics (side by side only for runs measured on the same rows), the champion."""
    with user_errors():
        from leadscore import api

        found = api.runs(experiment, name, config)
        if as_json:
            typer.echo(json.dumps(found.rows, indent=2))
            return
        if not found.rows:
            typer.echo(
                f"no runs of '{found.name}' in experiment '{found.experiment}' of {found.store}"
            )
            return
        typer.echo(f"Runs of '{found.name}' (experiment '{found.experiment}') in {found.store}")
        render_runs(found.rows)
        typer.echo(f"champion = the version behind models:/{found.name}@champion")


def _export(row: dict[str, Any]) -> str:
    sha = row.get("contacts_sha256") or ""
    return f"{row.get('contacts_file') or '(frame)'} {sha[:8]}".strip()


def render_runs(rows: list[dict[str, Any]]) -> None:
    """One table per set of held-out rows: metrics side by side only where they compare."""
    groups: dict[str | None, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["eval_rows"], []).append(row)
    for letter, group in groups.items():
        count = group[0]["eval_rows_count"]
        if letter is None:
            title = "Held-out rows not recorded (runs logged before leadscore recorded them)"
        elif len(group) == 1:
            title = f"Rows {letter}: {count:,} held-out rows, no other run measured on them"
        else:
            title = f"Rows {letter}: {len(group)} runs measured on the same {count:,} rows"
        render_group(group, title)
    if len(groups) > 1:
        typer.echo(
            "metrics in different tables were measured on different rows and do not compare; "
            "leadscore retrain (or promote VERSION CONTACTS) evaluates two models on the same rows"
        )


def render_group(rows: list[dict[str, Any]], title: str) -> None:
    """The runs of one set of held-out rows, newest first."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    columns = ("run", "started (UTC)", "kind", "model", "calib.", "learned from", "version")
    for col in columns:
        table.add_column(col, no_wrap=True)
    for col in RUN_HEADERS.values():
        table.add_column(col, justify="right", no_wrap=True)
    for row in rows:
        version = "" if row["version"] is None else str(row["version"])
        table.add_row(
            row["run_id"][:8],
            row["start_time"][:16],
            row["kind"],
            row["model"],
            row["calibration"],
            _export(row),
            f"{version} champion" if row["champion"] else version,
            *("" if row[k] is None else f"{row[k]:.4f}" for k in RUN_HEADERS),
        )
    console(170).print(table)


def promote(
    version: Annotated[int, typer.Argument(help="Registered version to make champion.")],
    contacts: Annotated[
        Path | None,
        typer.Argument(help="Export to evaluate both models on (its most recent closed window)."),
    ] = None,
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    name: NameOpt = None,
    force: Annotated[
        bool, typer.Option(help="Promote even if the rule refuses (recorded on the version).")
    ] = False,
) -> None:
    """Make VERSION the champion, only if it beats the current champion on the same data."""
    with user_errors():
        from leadscore import api

        done = api.promote(version, contacts, activities, config, name=name, force=force)
        if done.already:
            typer.echo(f"unchanged: models:/{done.name}/{version} — {done.decision.reason}")
            return
        if done.promoted:
            how = "forced despite the rule" if force and not done.decision.promote else "promoted"
            typer.echo(
                f"{how}: models:/{done.name}/{version} is now champion — {done.decision.reason}"
            )
            return
        typer.echo(
            f"refused: version {version} stays a challenger — {done.decision.reason}", err=True
        )
        typer.echo(f"rule: {done.rule}; --force overrides (recorded)", err=True)
        raise typer.Exit(1)


def retrain(
    contacts: Annotated[Path, typer.Argument(help="Updated contacts export (CSV or Parquet).")],
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    model_dir: Annotated[
        Path, typer.Option("--model-dir", help="Folder to save the challenger in.")
    ] = MODELS_DIR / "challenger",
    experiment: ExperimentOpt = None,
    name: NameOpt = None,
) -> None:
    """Train a challenger on an updated export; promote it only if it beats the champion.

    Both are evaluated on the most recent closed window that neither learned from, and both
    evaluations are logged in the challenger's MLflow run."""
    with user_errors():
        from leadscore import api

        out = api.retrain(
            contacts, activities, config, model_dir=model_dir, experiment=experiment, name=name
        )
        say(out.notes)
        render_retrain(out)
        verdict = "promoted" if out.promoted else "not promoted"
        typer.echo(
            f"{verdict}: models:/{out.name}/{out.run.version} — {out.decision.reason}; "
            f"MLflow run {out.run.run_id}; challenger saved to {out.model_dir}/"
        )
        if out.promoted:
            typer.echo(
                f"predict, evaluate and monitor now use models:/{out.name}/{out.run.version} "
                "(the champion) when no --model is given"
            )


def render_retrain(out: Any) -> None:
    """Challenger and champion side by side on the same rows."""
    from rich.table import Table

    rows = int(out.challenger_metrics.get("rows", len(out.result.holdout)))
    table = Table(title=f"Challenger vs champion on the same {rows:,} rows")
    table.add_column("metric")
    table.add_column(f"challenger (v{out.run.version})", justify="right")
    if out.champion_metrics is not None:
        table.add_column(f"champion (v{out.champion_version})", justify="right")
    for key in ("roc_auc", "pr_auc", "log_loss", "brier", "ece", "lift_top10"):
        cells = [f"{out.challenger_metrics[key]:.4f}"]
        if out.champion_metrics is not None:
            cells.append(f"{out.champion_metrics[key]:.4f}")
        table.add_row(key, *cells)
    console().print(table)
    typer.echo(f"split: {out.result.split.description}")
    if out.note:
        typer.echo(f"note: {out.note}", err=True)
    typer.echo(f"rule: {out.rule}")
