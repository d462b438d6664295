"""The scoring time given on the command line (``--as-of``): strict ISO 8601.

A command line has no column of values to tell day-first from month-first, so
``01/07/2026`` is refused with both ISO readings spelled out, never guessed.
"""

from __future__ import annotations

import re

import pandas as pd

from leadscore.data.date_forms import ISO_RE, NUMERIC
from leadscore.errors import LeadscoreError


def _iso_suggestion(text: str) -> str:
    """ISO spellings of a d/m/Y or m/d/Y date, each reading named; a generic one otherwise."""
    m = NUMERIC.fullmatch(text.split()[0] if text.split() else "")
    if m is None or len(m[4]) != 4:
        return "2026-07-01"
    a, b, year = int(m[1]), int(m[3]), m[4]
    readings = []
    for day, month in dict.fromkeys([(a, b), (b, a)]):
        if 1 <= month <= 12 and 1 <= day <= 31:
            name = pd.Timestamp(2000, month, 1).month_name()
            readings.append(f"{year}-{month:02d}-{day:02d} ({day} {name})")
    return " or ".join(readings) or "2026-07-01"


def parse_as_of(text: str, *, option: str = "--as-of") -> pd.Timestamp:
    """A strict ISO 8601 time from the command line, as a naive UTC timestamp.

    ``2026-07-01`` and ``2026-07-01T09:30`` are read as written; an offset is converted to
    UTC. Anything else (``01/07/2026``) is refused: a command line has no column of values
    to tell day-first from month-first.
    """
    value = text.strip()
    if not re.fullmatch(ISO_RE, value):
        raise LeadscoreError(
            f"{option}: {text!r} is not an ISO 8601 date; write it as "
            f"{_iso_suggestion(value)}, with an optional time such as 2026-07-01T09:30"
        )
    try:
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return stamp.as_unit("ns")
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        raise LeadscoreError(f"{option}: {text!r} is out of range (years 1678 to 2261)") from None
    except ValueError:
        raise LeadscoreError(f"{option}: {text!r} is not a valid date") from None
