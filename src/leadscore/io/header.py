"""A table's header: each column named once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from leadscore.errors import InputError


def refuse_duplicated(names: Iterable[object], path: str | Path) -> list[str]:
    """The header's names, stripped; a name that appears twice is an error naming it."""
    stripped = [str(n).strip() for n in names]
    twice = [name for name, count in Counter(stripped).items() if count > 1]
    if twice:
        where = ", ".join(
            f"{name!r} (columns {', '.join(str(i + 1) for i, n in enumerate(stripped) if n == name)})"
            for name in twice[:5]
        )
        raise InputError(
            f"the header names a column twice: {where}; rename or remove the copies",
            file=str(path),
        )
    return stripped
