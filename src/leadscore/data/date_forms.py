"""The form each date value is written in, classified for a whole column at once.

``classify`` gives every row a form id (ISO 8601, or a strptime template such as
``<1>/<2>/%Y %H:%M`` whose ``<1>``/``<2>`` still wait for the day-first decision) and, for
d/m against m/d dates, the two leading fields. ``leadscore.data.dates`` decides from them.
Python regexes only see each distinct date part and time part once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

ISO = "ISO8601"
ISO_RE = (
    r"\d{4}-\d{1,2}-\d{1,2}"
    r"(?:[T ]\d{1,2}(?::\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?"
)
_TIME_TAIL = r"(?:T|,? )\d{1,2}:\d{2}.*$"  # removed, leaves the date part
_DATE_HEAD = (  # removed, leaves the time part (with its separator)
    r"^(?:\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{4}"
    r"|[A-Za-z]{3,9} \d{1,2},? \d{4})"
)
NUMERIC = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_YEAR_FIRST = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
_DAY_NAME = re.compile(r"(\d{1,2})([ -])([A-Za-z]{3,9})\2(\d{4})")
_NAME_DAY = re.compile(r"([A-Za-z]{3,9}) (\d{1,2})(,?) (\d{4})")
_TIME = re.compile(r"(T|,? )\d{1,2}:\d{2}(:\d{2}(\.\d{1,6})?)?( ?[AaPp][Mm])?")


@dataclass(frozen=True)
class Part:
    """The form of a date without its time: a template and, for d/m against m/d, two fields."""

    template: str  # "<1>/<2>/%Y" (order open), "%Y/%m/%d", "%d-<b>-%Y" (month name)
    first: int = 0
    second: int = 0
    month_name: str = ""


@dataclass(frozen=True)
class Forms:
    """Per row: a form id (-2 blank, -1 unreadable, else an index into ``names``) and fields."""

    form_id: np.ndarray
    names: list[str]
    first: np.ndarray
    second: np.ndarray
    month_names: frozenset[str]


def date_part(text: str) -> Part | None:
    if m := NUMERIC.fullmatch(text):
        year = "%Y" if len(m[4]) == 4 else "%y"
        return Part(f"<1>{m[2]}<2>{m[2]}{year}", int(m[1]), int(m[3]))
    if m := _YEAR_FIRST.fullmatch(text):
        return Part(f"%Y{m[2]}%m{m[2]}%d")
    if m := _DAY_NAME.fullmatch(text):
        return Part(f"%d{m[2]}<b>{m[2]}%Y", month_name=m[3])
    if m := _NAME_DAY.fullmatch(text):
        return Part(f"<b> %d{m[3]} %Y", month_name=m[1])
    return None


def _time_part(text: str) -> str | None:
    """The strptime form of a time part with its leading separator; "" for none."""
    if not text:
        return ""
    m = _TIME.fullmatch(text)
    if m is None:
        return None
    clock = f"{m[1]}{'%I' if m[4] else '%H'}:%M"
    seconds = (":%S" if m[2] else "") + (".%f" if m[3] else "")
    return clock + seconds + (m[4][:-2] + "%p" if m[4] else "")


def _ids(items: list[str | None]) -> tuple[list[str], np.ndarray]:
    """Distinct non-None items and, per item, its index among them (-1 for None)."""
    names = list(dict.fromkeys(item for item in items if item is not None))
    index = {name: k for k, name in enumerate(names)}
    ids = np.array([-1 if item is None else index[item] for item in items], dtype=np.int64)
    return names, ids


def classify(text: pd.Series) -> Forms:
    """Classify every row; Python regexes only see the distinct date and time parts."""
    n = len(text)
    present = text.notna().to_numpy()
    iso = text.str.fullmatch(ISO_RE).fillna(False).to_numpy(dtype=bool)
    form_id = np.where(present, np.where(iso, 0, -1), -2)
    first, second = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    rest_at = np.flatnonzero(present & ~iso)
    if len(rest_at) == 0:
        return Forms(form_id, [ISO], first, second, frozenset())
    rest = text.iloc[rest_at]
    date_codes, date_texts = pd.factorize(rest.str.replace(_TIME_TAIL, "", regex=True))
    time_codes, time_texts = pd.factorize(rest.str.replace(_DATE_HEAD, "", regex=True))
    parts = [date_part(str(t)) for t in date_texts]
    templates, template_id = _ids([p.template if p else None for p in parts])
    clocks, clock_id = _ids([_time_part(str(t)) for t in time_texts])
    date_id, time_id = template_id[date_codes], clock_id[time_codes]
    readable = (date_id >= 0) & (time_id >= 0)
    pair_codes, pairs = pd.factorize(date_id[readable] * len(clocks) + time_id[readable])
    names = [ISO] + [templates[p // len(clocks)] + clocks[p % len(clocks)] for p in pairs]
    form_id[rest_at[readable]] = pair_codes + 1
    first[rest_at] = np.array([p.first if p else 0 for p in parts], dtype=np.int64)[date_codes]
    second[rest_at] = np.array([p.second if p else 0 for p in parts], dtype=np.int64)[date_codes]
    month_names = frozenset(p.month_name for p in parts if p and p.month_name)
    return Forms(form_id, names, first, second, month_names)
