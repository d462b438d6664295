"""``leadscore monitor``: parse, call ``leadscore.api.monitor``, render the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leadscore.cli.common import ActivitiesOpt, ConfigOpt, NameOpt, console, say, user_errors
from leadscore.paths import REPORTS_DIR


def monitor(
    contacts: Annotated[
        Path, typer.Argument(help="The newer export (CSV or Parquet), with the outcomes since.")
    ],
    as_of: Annotated[str, typer.Option(help="When the monitored list was scored.")],
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    predictions: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            "-p",
            help="The predictions file predict wrote then; without it the contacts open at "
            "--as-of are re-scored with --model, strictly as of --as-of.",
        ),
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="The model that scored the list (folder or MLflow reference). Default: the "
            "champion when the MLflow store has one, else models/leadscore.",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the report (a subfolder per date).")
    ] = REPORTS_DIR / "monitoring",
    mlflow: Annotated[bool, typer.Option(help="Log a run in '<name>-monitoring'.")] = True,
    name: NameOpt = None,
) -> None:
    """How an earlier list's scores held: conversions per tier against what was expected,
    calibration, AUC, the share still open, input drift, and a verdict with its rule."""
    with user_errors():
        from leadscore import api

        done = api.monitor(
            contacts, activities, config, as_of=as_of, predictions=predictions, model=model,
            out=out, mlflow=mlflow, name=name,
        )  # fmt: skip
        say(done.notes)
        render_monitoring(done)


def render_monitoring(done: Any) -> None:
    """Counts, the tier table, the metrics, drift, and the verdict last."""
    from rich.table import Table

    c = done.counts
    typer.echo(f"model: {done.model}; list: {done.source}")
    typer.echo(
        f"{c['listed']:,} contacts scored as of {done.as_of:%Y-%m-%d}; outcomes up to "
        f"{done.export_end:%Y-%m-%d}: {c['converted']:,} converted, {c['not converted']:,} did "
        f"not within {done.horizon_days} days, {c['open']:,} still open ({done.open_share:.1%})"
    )
    view = Table(title="Conversions per tier: expected (interval) vs actual")
    for col in ("tier", "contacts", "expected", "interval", "actual", "exp. rate", "rate", "SD"):
        view.add_column(col, justify="left" if col == "tier" else "right")
    for r in done.tiers.itertuples():
        view.add_row(
            r.tier, f"{r.contacts:,}", f"{r.expected_conversions:,.1f}",
            f"{r.low:,.1f}-{r.high:,.1f}", f"{r.actual_conversions:,.0f}",
            f"{r.expected_rate:.3f}", f"{r.actual_rate:.3f}", f"{r.z:+.1f}",
        )  # fmt: skip
    console().print(view)
    m, t = done.metrics, done.trained or {}
    if m:
        typer.echo(
            "now vs training: " + ", ".join(
                f"{k} {m[k]:.4f}" + (f" ({t[k]:.4f})" if k in t else "")
                for k in ("roc_auc", "pr_auc", "log_loss") if k in m
            )
        )  # fmt: skip
    drift = done.drift
    if drift is not None and drift.shifted:
        say(warnings=["inputs shifted since training (PSI): " + ", ".join(
            f"{k} {v:.2f}" for k, v in drift.shifted.items())])  # fmt: skip
    if done.report is not None:
        typer.echo(f"report: {done.report}")
    if done.run_id:
        typer.echo(f"MLflow run {done.run_id}")
    typer.echo(f"verdict: {done.verdict.action} — " + "; ".join(done.verdict.reasons))
    typer.echo(f"rule: {done.verdict.rule}")
