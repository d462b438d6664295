"""Data use cases: the sample CRM, a drafted config, and a proposed points scorecard."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadscore.data.crm import Table
from leadscore.errors import LeadscoreError
from leadscore.jobs.inputs import ConfigLike, load_export, read_config
from leadscore.paths import RAW_DIR
from leadscore.threads import with_threads


@dataclass
class SampleSummary:
    """What ``sample_data`` wrote."""

    folder: Path
    contacts: int
    won: int
    lost: int
    open: int
    activities: int


def generate_sample(
    *, months: int = 18, contacts_per_month: int = 1100, seed: int = 42
) -> tuple[Any, Any]:
    """A sample B2B CRM as two DataFrames (contacts, activities), as ``sample_data`` writes
    them; the rules it follows are in docs/sample-data.md."""
    from leadscore.sample import generate_crm

    return generate_crm(months=months, contacts_per_month=contacts_per_month, seed=seed)


def sample_data(
    out: str | Path = RAW_DIR,
    *,
    months: int = 18,
    contacts_per_month: int = 1100,
    seed: int = 42,
    fmt: str = "csv",
) -> SampleSummary:
    """Generate a realistic sample B2B CRM (contacts + activity log) into ``out``."""
    if fmt not in ("csv", "parquet"):
        raise LeadscoreError(f"--format must be csv or parquet, got {fmt!r}")
    from leadscore.sample import generate_crm, write_crm

    contacts, activities = generate_crm(
        months=months, contacts_per_month=contacts_per_month, seed=seed
    )
    write_crm(contacts, activities, out, fmt="parquet" if fmt == "parquet" else "csv")
    counts = contacts["outcome"].value_counts(dropna=False)
    return SampleSummary(
        Path(out),
        len(contacts),
        int(counts.get("won", 0)),
        int(counts.get("lost", 0)),
        int(contacts["outcome"].isna().sum()),
        len(activities),
    )


def init_config(
    data: str | Path, out: str | Path | None = None, activities: str | Path | None = None
) -> str:
    """A commented config drafted from a data file and, optionally, its activity log (written
    to ``out`` when given); it trains as drafted, and the lines marked EDIT need a look."""
    from leadscore.config import DEFAULT_MISSING_VALUES
    from leadscore.data.initconfig import draft_config
    from leadscore.io.tables import read_table
    from leadscore.io.writer import write_text

    frame = read_table(data, missing_values=DEFAULT_MISSING_VALUES)
    acts = None
    if activities is not None:
        acts = read_table(activities, missing_values=DEFAULT_MISSING_VALUES)
    text = draft_config(frame, str(data), acts, None if activities is None else str(activities))
    a = "" if activities is None else f" -a {activities}"
    text += (
        f"# Train with:\n#   leadscore train {data}{a} --config {out or 'THIS_FILE.toml'}\n"
        "# Scorecard: draft a points scorecard from the data (a proposal to edit) with:"
        f"\n#   leadscore propose-scorecard {data}{a} --config {out or 'THIS_FILE.toml'}\n"
    )
    if out is not None:
        write_text(text, out)
    return text


@with_threads
def propose_scorecard(
    contacts: Table,
    activities: Table | None = None,
    config: ConfigLike = None,
    out: str | Path | None = None,
) -> str:
    """A starting points scorecard (TOML to edit), proposed from the closed contacts and
    written to ``out`` when given (an existing file is never overwritten)."""
    from leadscore.io.writer import write_text
    from leadscore.model.spec import TrainSpec
    from leadscore.scorecard.proposal import propose_from_data

    if out is not None and Path(out).exists():
        raise LeadscoreError("already exists; not overwriting a config", file=str(out))
    cfg = read_config(config)
    crm = load_export(contacts, activities, cfg, require_outcome=True)
    text = propose_from_data(
        crm.contacts, crm.activities, TrainSpec.from_config(cfg), crm.contacts_path
    )
    if out is not None:
        write_text(text, out)
    return text
