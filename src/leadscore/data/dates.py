"""Dates as the file means them: one format per column, decided from all of its values.

A column is read with one format, never value by value, so ``01/02/2025`` and ``13/02/2025``
in one column are both day-first. The rules, applied to every non-blank value:

- ISO 8601 (``2025-01-05``, an optional time after ``T`` or a space, fractional seconds, ``Z``
  or an offset) is always ISO; offsets are converted to UTC.
- ``d/m/y`` against ``m/d/y`` (slashes or dashes): day-first when some first field is above 12,
  month-first when some second field is. A column with both fits no single order and stops;
  a column where every field is 12 or less cannot be decided and stops.
- Dotted dates (``05.01.2025``) are day-first; year-first ones (``2025/01/05``) are y/m/d;
  month names (``05-Jan-2025``, ``5 January 2025``, ``Jan 5, 2025``) say their order.
- Two-digit years follow strptime: 69-99 are 1969-1999, 00-68 are 2000-2068.
- An optional time: ``HH:MM``, ``HH:MM:SS`` (with fractions), or a 12-hour clock with AM/PM.
- All values of a column share one form; a column mixing forms stops.

``--as-of`` is stricter still: ISO 8601 only (``leadscore.data.asof``).

Stopping is an ``InputError`` naming the file, column, a row and the config keys that settle
it (``date_format`` or ``dayfirst`` in the caller's section). An explicit ``date_format`` or
``dayfirst`` wins, and a value that does not fit it is an error naming its row. Row numbers
follow ``leadscore.io.tables.row_number`` (the CSV header is row 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from leadscore.data.date_forms import ISO, Forms, classify
from leadscore.errors import ConfigError, InputError
from leadscore.io.tables import row_number

_HEAD = 10_000  # the first values, whose distinct count says whether to parse per distinct


@dataclass(frozen=True)
class DateFormat:
    """How one column's dates are written: a strptime format or ``"ISO8601"``, and why."""

    format: str
    why: str


@dataclass(frozen=True)
class _Where:
    """Where a column comes from, for errors: file, column, config section, and the file
    position of each value (a batch's index continues from the batch before it)."""

    column: str
    path: str | Path | None
    section: str
    index: pd.Index | None = None

    def row(self, pos: int) -> int:
        at = pos if self.index is None else int(self.index[pos])
        return row_number(at, self.path) if self.path is not None else at + 1

    def error(self, message: str, pos: int, kind: type[InputError] = InputError) -> InputError:
        file = None if self.path is None else str(self.path)
        return kind(message, file=file, column=self.column, row=self.row(pos))


class UndecidedOrder(InputError):
    """Every value of a d/m/y or m/d/y column fits both orders: nothing tells which it is.

    More values (a later batch of the same file) may tell; the config always does.
    """


def _settle(form: str, section: str) -> str:
    """The config keys that settle a d/m against m/d column, with its exact formats."""
    by_day = form.replace("<1>", "%d").replace("<2>", "%m")
    by_month = form.replace("<1>", "%m").replace("<2>", "%d")
    return (
        f'set [{section}] date_format = "{by_day}" (or "{by_month}") or dayfirst = true (or false)'
    )


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _order(form: str, forms: Forms, text: pd.Series, where: _Where) -> tuple[bool, str]:
    """Day-first or month-first for a d/m/y or m/d/y column, from all of its values."""
    day_seen, month_seen = forms.first > 12, forms.second > 12
    if day_seen.any() and month_seen.any():
        d, m = _first(day_seen), _first(month_seen)
        raise where.error(
            f"no single date order fits this column: row {where.row(d)} {text.iloc[d]!r} is "
            f"day-first but row {where.row(m)} {text.iloc[m]!r} is month-first; correct the "
            f"export, or {_settle(form, where.section)} to choose one",
            max(d, m),
        )
    if day_seen.any():
        d = _first(day_seen)
        return True, f"day-first: row {where.row(d)} {text.iloc[d]!r} has a first field above 12"
    if month_seen.any():
        m = _first(month_seen)
        return (
            False,
            f"month-first: row {where.row(m)} {text.iloc[m]!r} has a second field above 12",
        )
    i = _first(forms.form_id >= 0)
    raise where.error(
        f"cannot tell day-first from month-first: {text.iloc[i]!r} and every other value "
        f"fit both (no field above 12); {_settle(form, where.section)}",
        i,
        UndecidedOrder,
    )


def _single_form(forms: Forms, text: pd.Series, where: _Where) -> str | None:
    """The one form all values share (None for a blank column); otherwise an error."""
    if (forms.form_id == -1).any():
        i = _first(forms.form_id == -1)
        raise where.error(
            f"cannot read {text.iloc[i]!r} as a date: write ISO 8601 (2025-01-05 or "
            "2025-01-05 10:30), or day/month/year, month/day/year or day.month.year, "
            "in one form for the whole column",
            i,
        )
    present = forms.form_id >= 0
    if not present.any():
        return None
    i = _first(present)
    other = present & (forms.form_id != forms.form_id[i])
    if other.any():
        j = _first(other)
        raise where.error(
            f"{text.iloc[j]!r} is written in another form than row {where.row(i)} "
            f"{text.iloc[i]!r}: a date column needs one form throughout (re-export it; "
            "ISO 8601 such as 2025-01-05 10:30 always reads)",
            j,
        )
    return forms.names[forms.form_id[i]]


def _decide(text: pd.Series, where: _Where, dayfirst: bool | None) -> DateFormat:
    """One format for the column from all of its values (see the module docstring)."""
    forms = classify(text)
    form = _single_form(forms, text, where)
    if form is None:
        return DateFormat(ISO, "no dates in the column")
    if form == ISO:
        return DateFormat(ISO, "ISO 8601")
    why = "year first"
    if "<b>" in form:
        short = all(len(name) == 3 for name in forms.month_names)
        form, why = form.replace("<b>", "%b" if short else "%B"), "month names"
    if "<1>" in form:
        if dayfirst is not None:
            day, why = dayfirst, f"dayfirst = {str(dayfirst).lower()} in [{where.section}]"
        elif form[len("<1>")] == ".":
            day, why = True, "dotted dates are day-first"
        else:
            day, why = _order(form, forms, text, where)
        form = form.replace("<1>", "%d" if day else "%m").replace("<2>", "%m" if day else "%d")
    if "%y" in form:
        why += "; two-digit years read as 1969-2068"
    return DateFormat(form, why)


def _texts(values: pd.Series) -> pd.Series:
    """Values as stripped text; blanks become missing."""
    text = pd.Series(values).astype("string").str.strip()
    return text.mask(text == "").reset_index(drop=True)


def _to_naive_ns(stamps: pd.Series, shown: pd.Series, where: _Where) -> pd.Series:
    """Naive UTC nanosecond times; a year outside 1678-2261 is an error naming its row."""
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    try:
        return stamps.astype("datetime64[ns]")
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        outside = ((stamps < pd.Timestamp.min) | (stamps > pd.Timestamp.max)).to_numpy()
        i = _first(outside) if outside.any() else 0
        raise where.error(
            f"date {shown.iloc[i]!r} is out of range (years 1678 to 2261)", i
        ) from None


def _parse(text: pd.Series, fmt: DateFormat, where: _Where) -> pd.Series:
    """Parse a whole column with one format (one ``pd.to_datetime`` call)."""
    # ISO parses about 5x faster from Python strings than from Arrow strings (pandas 3.1).
    source = text.to_numpy(dtype=object, na_value=None) if fmt.format == ISO else text
    try:
        stamps = pd.Series(pd.to_datetime(source, format=fmt.format, errors="coerce", utc=True))
    except ValueError as exc:  # only a format from the config can be malformed
        raise ConfigError(
            f"[{where.section}] date_format = {fmt.format!r} is not a strptime format: {exc}"
        ) from None
    bad = (stamps.isna() & text.notna()).to_numpy()
    if bad.any():
        i = _first(bad)
        if classify(text.iloc[[i]]).form_id[0] == -1:  # no date at all, in any form
            raise where.error(f"cannot read {text.iloc[i]!r} as a date", i)
        shown = "ISO 8601" if fmt.format == ISO else repr(fmt.format)
        settle = "" if "in [" in fmt.why else (
            f"; if the column is written otherwise, set [{where.section}] date_format "
            '(such as "%d/%m/%Y") or dayfirst'
        )  # fmt: skip
        raise where.error(
            f"{text.iloc[i]!r} does not fit the column's date format {shown} ({fmt.why}){settle}",
            i,
        )
    return _to_naive_ns(stamps, text, where)


def _resolve(
    text: pd.Series, where: _Where, dayfirst: bool | None, date_format: str | DateFormat | None
) -> DateFormat:
    if isinstance(date_format, DateFormat):
        return date_format
    if date_format is not None:
        return DateFormat(date_format, f"date_format = {date_format!r} in [{where.section}]")
    return _decide(text, where, dayfirst)


def _read_text(
    text: pd.Series, where: _Where, dayfirst: bool | None, date_format: str | DateFormat | None
) -> tuple[DateFormat, pd.Series]:
    """The column's format and dates (``_resolve``, ``_parse``). A column of few distinct
    values (an export's one ``as_of``, dates without a time) is decided and parsed once per
    distinct value, in the order they first appear: the first distinct value that fails a
    rule is the first row that does, so errors name the same rows and values."""
    head = text.iloc[:_HEAD]
    if head.nunique() * 4 > len(head) or not head.notna().any():
        fmt = _resolve(text, where, dayfirst, date_format)
        return fmt, _parse(text, fmt, where)
    codes, _ = pd.factorize(text)  # in the order they first appear; blank: -1
    first = np.flatnonzero(codes > np.maximum.accumulate(np.append(-1, codes[:-1])))
    distinct = text.iloc[first].reset_index(drop=True)
    index = where.index[first] if where.index is not None else pd.Index(first)
    at = _Where(where.column, where.path, where.section, index)
    fmt = _resolve(distinct, at, dayfirst, date_format)
    dates = np.append(_parse(distinct, fmt, at).to_numpy(), np.datetime64("NaT", "ns"))
    return fmt, pd.Series(dates[codes], dtype="datetime64[ns]")


def decide_date_format(
    values: pd.Series,
    *,
    column: str,
    dayfirst: bool | None = None,
    date_format: str | None = None,
    path: str | Path | None = None,
    section: str = "contacts",
) -> DateFormat:
    """Decide, and check against every value, the one format a column of dates is written in.

    Args:
        values: the column as read (text), indexed by file position; blanks are skipped.
        column: its name, for errors.
        dayfirst: settles d/m against m/d (config ``dayfirst``).
        date_format: a strptime format or ``"ISO8601"`` that wins (config ``date_format``).
        path: the file, for errors and row numbers (1-based positions without it).
        section: the config section named in errors.

    Raises:
        UndecidedOrder: every value fits both day-first and month-first.
        InputError: a value is unreadable, no single form or order fits, or a value does not
            fit the decided or given format.
    """
    values = pd.Series(values)
    where = _Where(column, path, section, values.index)
    text = _texts(values)
    fmt = _resolve(text, where, dayfirst, date_format)
    _parse(text, fmt, where)
    return fmt


def read_date_column(
    frame: pd.DataFrame,
    column: str,
    path: str | Path,
    *,
    required: bool = False,
    dayfirst: bool | None = None,
    date_format: str | DateFormat | None = None,
    section: str = "contacts",
) -> tuple[pd.Series, DateFormat | None]:
    """A date column as naive UTC ``datetime64[ns]``, and the format it was read with.

    The format is None when nothing was decided: the column was already parsed (Parquet,
    Excel) or held no date, so a later batch still decides for itself. See
    ``parse_date_column``.
    """
    raw = frame[column]
    where = _Where(column, path, section, raw.index)
    fmt: DateFormat | None = None
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = _to_naive_ns(raw.reset_index(drop=True), raw, where)
    else:
        text = _texts(raw)
        fmt, parsed = _read_text(text, where, dayfirst, date_format)
        if not text.notna().any():
            fmt = None
    if required and parsed.isna().any():
        raise where.error("date is empty", _first(parsed.isna().to_numpy()))
    return parsed.set_axis(raw.index).rename(raw.name), fmt


def parse_date_column(
    frame: pd.DataFrame,
    column: str,
    path: str | Path,
    *,
    required: bool = False,
    dayfirst: bool | None = None,
    date_format: str | DateFormat | None = None,
    section: str = "contacts",
) -> pd.Series:
    """A date column as naive UTC ``datetime64[ns]``, read with one format decided for it.

    Blank cells become NaT (an error when ``required``); already-parsed datetime columns
    (Parquet, Excel) pass through, converted to naive UTC. A ``DateFormat`` decided earlier
    (say on a first batch) may be passed as ``date_format`` to read more batches alike.

    Raises:
        InputError: as ``decide_date_format``, and for an empty required date or a year
            outside 1678-2261.
    """
    parsed, _ = read_date_column(
        frame, column, path, required=required, dayfirst=dayfirst, date_format=date_format,
        section=section,
    )  # fmt: skip
    return parsed
