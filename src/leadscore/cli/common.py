"""What every command shares: option types, one-line errors, and rendering tables and notes.

Commands parse options, call one API function and render its result; nothing here decides
anything about the data. Heavy libraries (rich, pandas) are imported inside the functions, so
``leadscore --help`` starts instantly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from leadscore.errors import LeadscoreError

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="TOML config mapping your export's columns (see README)."),
]
ActivitiesOpt = Annotated[
    Path | None,
    typer.Option("--activities", "-a", help="Activity log (CSV or Parquet), optional."),
]
ScorecardOpt = Annotated[
    Path | None,
    typer.Option(
        help="TOML config with a [scorecard] (see docs/scorecard.md): use the points "
        "scorecard instead of a trained model."
    ),
]
ExperimentOpt = Annotated[
    str | None, typer.Option(help="MLflow experiment (default: the registered model's name).")
]
NameOpt = Annotated[
    str | None,
    typer.Option(
        "--name", help="Registered model (default: [tracking] model_name, else 'leadscore')."
    ),
]
WIDTH = 120


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a LeadscoreError into a one-line message and a non-zero exit."""
    try:
        yield
    except LeadscoreError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def console(width: int = WIDTH) -> Any:
    """A rich console (imported lazily)."""
    from rich.console import Console

    return Console(width=width)


def say(notes: Sequence[str] = (), warnings: Sequence[str] = ()) -> None:
    """Notes on stderr, warnings in bold yellow on stderr."""
    for note in notes:
        typer.echo(f"note: {note}", err=True)
    for warning in warnings:
        typer.secho(f"warning: {warning}", err=True, fg="yellow", bold=True)


def print_tiers(table: Any, title: str) -> None:
    """The tier table: contacts, mean probability, expected (and actual) conversions."""
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
    console().print(view)
