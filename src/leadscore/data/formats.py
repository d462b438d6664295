"""How an export writes its dates and numbers, decided once per column from all its values.

The rules live next to their code: dates in ``leadscore.data.dates``, numbers in
``leadscore.data.numbers``. This module is the one place callers import them from.
"""

from __future__ import annotations

from leadscore.data.asof import parse_as_of
from leadscore.data.dates import (
    DateFormat,
    UndecidedOrder,
    decide_date_format,
    parse_date_column,
    read_date_column,
)
from leadscore.data.numbers import NumberFormat, decide_number_format, parse_numbers

__all__ = [
    "DateFormat",
    "NumberFormat",
    "UndecidedOrder",
    "decide_date_format",
    "decide_number_format",
    "parse_as_of",
    "parse_date_column",
    "parse_numbers",
    "read_date_column",
]
