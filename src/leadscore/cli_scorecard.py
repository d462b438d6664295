"""The scorecard's command-line parts: ``predict --scorecard``, ``train --scorecard`` and
``propose-scorecard``. Thin like ``cli``: parse, load, call the core, write, print; heavy
libraries are imported inside the functions, so ``leadscore --help`` stays instant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from leadscore.errors import ConfigError, LeadscoreError


def _config_for(config: Path | None, scorecard: Path) -> Any:
    """The config with the scorecard of ``--scorecard``: ``--config`` (when given) maps the
    columns, ``--scorecard`` holds ``[scorecard]``; one file may do both."""
    from leadscore.config import load_config

    card_cfg = load_config(scorecard)
    if card_cfg.scorecard is None:
        raise ConfigError("no [scorecard] section (see docs/scorecard.md)", file=str(scorecard))
    if config is None or config == scorecard:
        return card_cfg
    cfg = load_config(config)
    cfg.scorecard = card_cfg.scorecard
    return cfg


def predict_with_scorecard(
    contacts: Path,
    activities: Path | None,
    config: Path | None,
    scorecard: Path,
    out: Path,
    when: Any,
    include_closed: bool,
) -> None:
    """``leadscore predict --scorecard``: points, tier and reasons, no trained model needed."""
    from leadscore.data.crm import load_crm
    from leadscore.io.tables import table_format
    from leadscore.io.writer import write_table
    from leadscore.scorecard.model import load_scorecard
    from leadscore.scorecard.rules import score_contacts

    table_format(out)
    cfg = _config_for(config, scorecard)
    crm = load_crm(contacts, activities, cfg, require_outcome=False)
    for note in crm.notes:
        typer.echo(f"note: {note}", err=True)
    card = load_scorecard(cfg, crm)
    result = score_contacts(card, crm.contacts, crm.activities, when, include_closed=include_closed)
    write_table(result, out)
    scored = result[result["status"] == "scored"]
    _print_score_tiers(scored, card, f"Scorecard, as of {when:%Y-%m-%d %H:%M}")
    typer.echo(
        f"{len(scored):,} rows scored, {len(result) - len(scored):,} not scored (see the status "
        f"column); wrote {len(result):,} rows to {out}"
    )


def _print_score_tiers(scored: Any, card: Any, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    view = Table(title=title)
    for col in ("tier", "score points", "contacts", "mean score", "example reasons"):
        view.add_column(col, justify="left" if col in ("tier", "example reasons") else "right")
    bands = {
        "opportunity": f">= {card.opportunity:g}",
        "prospect": f"{card.prospect:g}–{card.opportunity:g}",
        "lead": f"< {card.prospect:g}",
    }
    for tier, band in bands.items():
        part = scored[scored["tier"] == tier]
        top = part.sort_values("score", ascending=False)["reasons"].head(1)
        view.add_row(
            tier,
            band,
            f"{len(part):,}",
            f"{part['score'].astype(float).mean():.1f}" if len(part) else "",
            top.iloc[0][:70] if len(top) else "",
        )
    Console(width=120).print(view)


def train_with_scorecard(
    contacts: Path,
    activities: Path | None,
    config: Path | None,
    scorecard: Path,
    model_dir: Path,
    mlflow: bool,
    experiment: str,
) -> None:
    """``leadscore train --scorecard``: calibrate the scorecard's points into probabilities."""
    from rich.console import Console

    from leadscore.data.crm import load_crm
    from leadscore.io.store import save_model
    from leadscore.scorecard.model import load_scorecard, train_scorecard

    cfg = _config_for(config, scorecard)
    crm = load_crm(contacts, activities, cfg, require_outcome=True)
    for note in crm.notes:
        typer.echo(f"note: {note}", err=True)
    card = load_scorecard(cfg, crm)
    result = train_scorecard(crm, cfg, card)
    save_model(result.scorer, model_dir)
    console = Console(width=120)
    m = result.metrics
    console.print(f"scorecard calibrated: {result.calibration}")
    console.print(f"metrics, {result.evaluated_on}:")
    console.print(
        "  "
        + ", ".join(f"{k} {m[k]:.4f}" for k in ("roc_auc", "pr_auc", "brier", "log_loss", "ece"))
    )
    console.print(f"tiers: {result.scorer.info['tier_rule']}")
    from leadscore.cli import _print_tiers

    _print_tiers(result.tier_table, "Tiers on the training snapshots (expected vs actual)")
    console.print(f"model saved to {model_dir}/ (predict with --model {model_dir})")
    if mlflow:
        from leadscore.tracking.runs import log_training

        params = {"config": cfg.to_dict(), "chosen": {"calibration": result.calibration}}
        inputs = {"contacts": contacts, "activities": activities}
        run = log_training(result, params, model_dir, experiment=experiment, inputs=inputs)
        typer.echo(f"MLflow run {run.run_id} in {run.uri} (experiment '{experiment}')")


def propose_scorecard_command(
    contacts: Annotated[Path, typer.Argument(help="Contacts file (CSV or Parquet).")],
    activities: Annotated[
        Path | None,
        typer.Option("--activities", "-a", help="Activity log (CSV or Parquet), optional."),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="TOML config mapping your columns.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the proposal here (default: print).")
    ] = None,
) -> None:
    """Propose a starting points scorecard from the closed contacts (TOML to edit)."""
    from leadscore.cli import user_errors

    with user_errors():
        from leadscore.config import load_config
        from leadscore.data.crm import load_crm
        from leadscore.io.writer import write_text
        from leadscore.scorecard.proposal import propose_from_crm

        cfg = load_config(config)
        crm = load_crm(contacts, activities, cfg, require_outcome=True)
        for note in crm.notes:
            typer.echo(f"note: {note}", err=True)
        text = propose_from_crm(crm, cfg)
        if out is None:
            typer.echo(text)
            return
        if out.exists():
            raise LeadscoreError("already exists; not overwriting a config", file=str(out))
        write_text(text, out)
        typer.echo(f"wrote a proposed scorecard to {out}: edit it, then add it to your config")
