"""Errors a user can act on.

Every error leadscore raises on bad input names the file, the column and, where it applies,
the row (1-based, counting the header as row 1, as a spreadsheet shows it). The CLI prints the
message on one line and exits non-zero; it never shows a traceback for these.
"""

from __future__ import annotations


class LeadscoreError(Exception):
    """A problem with the user's input, config or model that the user can fix."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        column: str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.column = column
        self.row = row

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.row is not None:
            where.append(f"row {self.row}")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.message}" if prefix else self.message
        return " ".join(text.split())  # always one line


class InputError(LeadscoreError):
    """A data file is unreadable or breaks the data contract."""


class ConfigError(LeadscoreError):
    """The TOML config is invalid or does not fit the data."""


class ModelError(LeadscoreError):
    """A model cannot be loaded, or was made by an incompatible version."""


class NotEnoughDataError(LeadscoreError):
    """Too few won or lost examples to learn and validate a model."""
