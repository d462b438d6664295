"""``leadscore sample-data``, ``init-config`` and ``propose-scorecard``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leadscore.choices import TableFormat
from leadscore.cli.common import ActivitiesOpt, ConfigOpt, say, user_errors
from leadscore.paths import RAW_DIR


def sample_data(
    out: Annotated[
        Path, typer.Option(help="Folder to write contacts and activities to.")
    ] = RAW_DIR,
    months: Annotated[int, typer.Option(help="Months of history in the export.")] = 18,
    contacts_per_month: Annotated[int, typer.Option(help="New contacts per month.")] = 1100,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same CRM).")] = 42,
    fmt: Annotated[TableFormat, typer.Option("--format", help="File format.")] = TableFormat.CSV,
) -> None:
    """Generate a realistic sample B2B CRM (contacts + activity log) with documented rules."""
    with user_errors():
        from leadscore import api

        s = api.sample_data(
            out, months=months, contacts_per_month=contacts_per_month, seed=seed, fmt=fmt
        )
        typer.echo(
            f"wrote {s.contacts:,} contacts ({s.won:,} won, {s.lost:,} lost, {s.open:,} open) "
            f"and {s.activities:,} activities to {s.folder}/"
        )


def init_config(
    data: Annotated[Path, typer.Argument(help="A data file to inspect (CSV or Parquet).")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the config here (default: print).")
    ] = None,
    activities: Annotated[
        Path | None,
        typer.Option("--activities", "-a", help="Its activity or engagement log, to map as well."),
    ] = None,
) -> None:
    """Draft a config that trains as it is: ids, dates, outcome values, personal columns,
    roles and the activity log mapped; check the lines marked EDIT."""
    with user_errors():
        from leadscore import api

        text = api.init_config(data, out, activities)
        if out is None:
            typer.echo(text)
        else:
            typer.echo(f"wrote {out}: check the lines marked EDIT", err=True)


def propose_scorecard(
    contacts: Annotated[Path, typer.Argument(help="Contacts file (CSV or Parquet).")],
    activities: ActivitiesOpt = None,
    config: ConfigOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the proposal here (default: print).")
    ] = None,
) -> None:
    """Propose a starting points scorecard from the closed contacts (TOML to edit)."""
    with user_errors():
        from leadscore import api

        text = api.propose_scorecard(contacts, activities, config, out)
        if out is None:
            typer.echo(text)
        else:
            say([f"wrote a proposed scorecard to {out}: edit it, then add it to your config"])
