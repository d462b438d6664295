"""How one table of an export is read, decided once and applied to every batch of it.

A ``Reading`` carries the decisions about a table's columns — the format of each date column,
the decimal mark of each number column (or that it is not one) — and what reading found along
the way (values treated as missing, rows left out), for the notes a user sees.

Decisions are made the first time a column is seen: from all of its values when the table is
read whole. A table read in batches (``predict --engine stream``, Spark) has its date formats
decided before it is read, from the first rows that tell them (``data.crm.batched_reading``),
and its number formats on the first batch that holds a value; its notes say so. Later batches
are read with the same decision; a date that does not fit it stops with an error naming the
config keys that settle the column (``date_format``, ``dayfirst``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leadscore.config import Config
from leadscore.data.dates import DateFormat
from leadscore.data.numbers import NumberFormat
from leadscore.io.tables import row_number


@dataclass
class Found:
    """Values of one column that reading changed: how many, the first row and its value."""

    what: str
    count: int = 0
    row: int | None = None
    value: str = ""


@dataclass
class Reading:
    """The decisions about one table's columns, and what reading them found.

    Attributes:
        section: the config section that settles the table (``contacts``, ``activities``).
        dayfirst: ``[section] dayfirst``: settles d/m against m/d in every date column.
        date_format: ``[section] date_format``: a strptime format for every date column.
        decimal: ``[features] decimal``: the decimal mark of every number column.
        hint: the decimal mark the file's own convention suggests (``,`` for a ``;`` file),
            used only when a column's values cannot decide.
        dates: each date column's decided format.
        numbers: each attribute column's number format, or None when it is not numbers.
        found: what reading changed, by (column, kind), for the notes.
    """

    section: str = "contacts"
    dayfirst: bool | None = None
    date_format: str | None = None
    decimal: str | None = None
    hint: str | None = None
    dates: dict[str, DateFormat] = field(default_factory=dict)
    numbers: dict[str, NumberFormat | None] = field(default_factory=dict)
    found: dict[tuple[str, str], Found] = field(default_factory=dict)
    batched: bool = False

    @classmethod
    def of(cls, cfg: Config, section: str, hint: str | None = None) -> Reading:
        """The reading of the ``contacts`` or ``activities`` table under ``cfg``."""
        part = cfg.activities if section == "activities" else cfg.contacts
        return cls(section, part.dayfirst, part.date_format, cfg.features.decimal, hint)

    def count(self, what: str, mask: np.ndarray, values: pd.Series, path: str) -> None:
        """Add the rows in ``mask`` to what reading found in the column ``values`` (named by
        it; the index holds file positions); ``what`` says what became of them."""
        hits = int(mask.sum())
        if not hits:
            return
        entry = self.found.setdefault((str(values.name), what), Found(what))
        if entry.row is None:
            first = int(np.flatnonzero(mask)[0])
            entry.row = row_number(int(values.index[first]), path)
            entry.value = str(values.iloc[first])
        entry.count += hits

    def notes(self, source: str) -> list[str]:
        """One line per column and finding, for the user; ambiguous number formats too."""
        lines = [
            f"{source}: column '{column}': {entry.what}: {entry.count:,} "
            f"row{'' if entry.count == 1 else 's'} (first: row {entry.row}, {entry.value!r})"
            for (column, _), entry in self.found.items()
        ]
        for column, fmt in self.numbers.items():
            if fmt is not None and fmt.ambiguous:
                lines.append(f"{source}: column '{column}': {fmt.why}")
        if self.batched and (self.dates or any(self.numbers.values())):
            lines.append(
                f"{source}: read in batches, each column with one format decided once (dates "
                "from the first rows that tell their order, numbers from the first batch)"
            )
        return lines
