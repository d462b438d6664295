"""The columns of a lead list as ``predict`` sees them: what the list offers (its own and its
joins'), what the model uses, and which columns pass through to the output (``--keep``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from leadscore.config import Config
from leadscore.data.crm import CANONICAL, ID, Table, source_name
from leadscore.errors import LeadscoreError

ATTR = "_attr"  # suffix the loader gives an attribute bearing a canonical name (data.crm)


def list_columns(contacts: Table, cfg: Config) -> list[str]:
    """The columns a lead list offers: its own header and the columns its joins add."""
    from leadscore.io.batches import header

    if isinstance(contacts, pd.DataFrame):
        columns = [str(c) for c in contacts.columns]
    else:
        columns = header(contacts, cfg.contacts.sheet)
    base = Path(".") if isinstance(contacts, pd.DataFrame) else Path(contacts).parent
    for join in cfg.joins:
        path = Path(join.file) if Path(join.file).is_absolute() else base / join.file
        names = join.columns or [c for c in header(path) if c != (join.key or join.on)]
        columns += [f"{join.prefix}{c}" for c in names]
    return columns


def expected_columns(model: Any) -> list[str]:
    """The list columns a model's features use, as the export names them: neither the ones
    the activity log supplies nor the created date (the loader requires that one)."""
    plan = getattr(getattr(model, "features", None), "plan_", None)
    if plan is None:
        return []
    derived = {*model.activity_spec.feature_names(), "as_of", "created_at"}
    names = []
    for col in plan:
        if col in derived:
            continue
        base = col.removesuffix(ATTR)
        names.append(base if col.endswith(ATTR) and base in CANONICAL else col)
    return names


def read_as_text(kept: dict[str, str], cfg: Config, model: Any) -> list[str]:
    """The kept columns to read as text, exactly as written: those of ``[predict] keep`` (read
    so in training too) and those the model does not use; a column added by ``--keep`` that
    the model uses is read as in training (its numbers converted), so its features agree."""
    used = set(expected_columns(model))
    return [c for c in kept if c in cfg.predict.keep or c not in used]


def keep_names(keep: str | list[str] | tuple[str, ...] | None, cfg: Config) -> list[str]:
    """The columns to pass through: the config's ``[predict] keep``, then ``keep`` (a list,
    or ``"a,b"`` text)."""
    items = [] if keep is None else keep.split(",") if isinstance(keep, str) else list(keep)
    names = [*cfg.predict.keep, *items]
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def kept_columns(
    names: list[str], cfg: Config, columns: list[str], taken: list[str], contacts: Table
) -> dict[str, str]:
    """Output column -> canonical contacts column for each kept column.

    Raises:
        LeadscoreError: a kept column is not in the list, is a date or outcome role (parsed,
            so it cannot pass unchanged), or would clash with an output column (``taken``).
    """
    source = source_name(contacts, "contacts")
    absent = [n for n in names if n not in columns]
    if absent:
        raise LeadscoreError(f"--keep: no column {', '.join(map(repr, absent))} in the list",
                             file=source)  # fmt: skip
    c = cfg.contacts
    roles = {c.created_at: "created_at", c.closed_at: "closed_at", c.outcome: "outcome"}
    mapping: dict[str, str] = {}
    for name in names:
        if name == c.id:
            if name != ID:
                mapping[name] = ID  # the id as written (the loader keeps ids as text)
        elif name in roles:
            raise LeadscoreError(
                f"--keep {name!r}: it is the [contacts] {roles[name]} column, read as a "
                "date or an outcome, so it cannot pass through unchanged",
                file=source,
            )
        elif name in taken:
            raise LeadscoreError(
                f"--keep {name!r}: the output already has a column of that name", file=source
            )
        else:
            mapping[name] = name + ATTR if name in CANONICAL else name
    return mapping
