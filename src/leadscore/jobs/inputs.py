"""Inputs of every job: the config (a file, a ``Config`` or the defaults) and the export
(files or DataFrames), loaded and validated in one place."""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

import pandas as pd

from leadscore.config import Config, load_config
from leadscore.data.crm import CRM, Table, load_crm
from leadscore.errors import ConfigError

ConfigLike: TypeAlias = str | Path | Config | None


def read_config(config: ConfigLike, scorecard: str | Path | None = None) -> Config:
    """The config in force; with ``scorecard``, its ``[scorecard]`` section added.

    ``config`` maps the columns and ``scorecard`` holds ``[scorecard]``; one file may do both.
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    if scorecard is None:
        return cfg
    card_cfg = load_config(scorecard)
    if card_cfg.scorecard is None:
        raise ConfigError("no [scorecard] section (see docs/scorecard.md)", file=str(scorecard))
    if config is None or (not isinstance(config, Config) and Path(config) == Path(scorecard)):
        return card_cfg
    cfg.scorecard = card_cfg.scorecard
    return cfg


def load_export(
    contacts: Table, activities: Table | None, cfg: Config, *, require_outcome: bool
) -> CRM:
    """The validated, canonical export (see ``data.crm.load_crm``)."""
    return load_crm(contacts, activities, cfg, require_outcome=require_outcome)


def fingerprints(inputs: dict[str, Table | ConfigLike]) -> dict[str, dict[str, str]]:
    """File name and SHA-256 of each input given as a file (frames have none)."""
    from leadscore.io.store import sha256_of

    return {
        role: {"file": Path(path).name, "sha256": sha256_of(path)}
        for role, path in inputs.items()
        if isinstance(path, str | Path)
    }


def is_frame(table: object) -> bool:
    """True for an input given as a DataFrame rather than a file."""
    return isinstance(table, pd.DataFrame)
