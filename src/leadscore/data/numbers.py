"""Numbers as the file means them: the decimal mark decided per column, from all its values.

A value is a number in a format when it is, after an optional sign and currency sign
(``$ € £ ¥ ₹``, before or after) and an optional trailing ``%``, digits with an optional
decimal part, where the whole part is either plain digits or grouped in thousands: a first
group of 1-3 digits not starting with 0, then groups of exactly 3 digits, all separated by
the same mark (the other of ``,``/``.``, a space, a no-break or narrow no-break space, or an
apostrophe). ``(1,234)`` is -1234 (accounting); ``12,5 %`` is 12.5 (the sign is dropped, the
number kept as written). A whole part with a leading zero (``0173``, ``007``, ``01234``) is a
code, not a quantity; a ``+`` followed by space-separated digit groups, or by 8 digits or
more, is a phone number. So phone numbers (``+49 173 4150540``, ``+491734150540``,
``0049-173-...``), zip codes, ids with letters and dates are never numbers in either format.

The decimal mark of a column comes from the values that read in only one format:

- a value with both ``,`` and ``.`` reads only with the last one as the decimal;
- a separator followed by other than exactly three digits (``12,5``), or after a whole part
  that cannot start a thousands group (``0,500``, ``1234,567``), can only be a decimal;
- several equal separators (``1,234,567``) can only be thousands.

When values disagree, the format more distinct values read in wins and the others become
NaN (the ``why`` says so). When no value decides but some could be read either way (every
value like ``53.900`` or ``1,200``), ``hint`` decides (the caller passes ``","`` for a
semicolon-delimited file, ``"."`` otherwise); without a hint, ``.`` is chosen and the result
is marked ``ambiguous``. An explicit ``decimal`` (config ``[features] decimal``) always wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.data.plainnumbers import (
    GROUP,
    SPACES,
    Scan,
    arrow_texts,
    first_marked,
    first_read_only,
    floats,
    scan_of,
    scans_of,
    split,
)
from leadscore.errors import ConfigError

MARKS = (",", ".")
_SPACES = SPACES
_CURRENCY = "[$€£¥₹]"
_SIGN = "[-−+]"
_MINUS = r"^\(|[-−]"  # on a valid value, a minus sign or an accounting parenthesis
_PHONE_LIKE = f"\\+.*\\d[{_SPACES}]+\\d|^\\+\\d{{8,}}$"


@dataclass(frozen=True)
class NumberFormat:
    """The decimal mark of a column, its thousands mark, why, and whether values decided it."""

    decimal: str
    thousands: str
    why: str
    ambiguous: bool = False


def _other(mark: str) -> str:
    return "," if mark == "." else "."


def _values(count: int) -> str:
    return f"{count} distinct value{'' if count == 1 else 's'}"


def _pattern(decimal: str) -> str:
    """A regex (RE2-compatible: no back-references) for a number with this decimal mark."""
    space = f"[{_SPACES}]"
    groups = [re.escape(_other(decimal)), space, "'", "’"]
    grouped = "|".join(f"[1-9]\\d{{0,2}}(?:{mark}\\d{{3}})+" for mark in groups)
    point = re.escape(decimal)
    number = f"(?:(?:{grouped}|0|[1-9]\\d*)(?:{point}\\d+)?|{point}\\d+)"
    money = f"{number}(?:{space}?{_CURRENCY})?"
    signed = f"(?:{_SIGN}(?:{_CURRENCY}{space}?)?|{_CURRENCY}{space}?{_SIGN}?)?{money}"
    accounting = f"\\((?:{_CURRENCY}{space}?)?{money}\\)"
    return f"(?:{signed}(?:{space}?%)?|{accounting})"


_PATTERNS = {mark: _pattern(mark) for mark in MARKS}


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip(_SPACES + "\t")


def _fits(text: pd.Series, decimal: str) -> np.ndarray:
    """Which (stripped, non-missing) texts are numbers with this decimal mark."""
    fits = text.str.fullmatch(_PATTERNS[decimal]) & ~text.str.contains(_PHONE_LIKE)
    return fits.fillna(False).to_numpy(dtype=bool)


def _distinct_texts(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(code per value, -1 for blank; distinct stripped texts)."""
    text = _text(values)
    codes, uniques = pd.factorize(text.mask(text == ""))
    return codes, pd.Series(np.asarray(uniques, dtype=object), dtype="string")


def _from_values(distinct: pd.Series, column: str, hint: str | None) -> NumberFormat:
    """The decimal mark the values themselves decide, or the hint, or '.' marked ambiguous."""
    fits = {mark: _fits(distinct, mark) for mark in MARKS}
    only = {mark: fits[mark] & ~fits[_other(mark)] for mark in MARKS}
    either = fits[","] & fits["."] & distinct.str.contains("[,.]").to_numpy(dtype=bool)
    return _decided(
        {mark: int(only[mark].sum()) for mark in MARKS},
        lambda mark: str(distinct[only[mark]].iloc[0]),
        lambda: str(distinct[either].iloc[0]) if either.any() else None,
        column,
        hint,
    )


def _decided(
    counts: dict[str, int],
    example: Callable[[str], str],
    either: Callable[[], str | None],
    column: str,
    hint: str | None,
) -> NumberFormat:
    """The rules' decision from the distinct values: ``counts`` of those that read only with
    each mark, ``example(mark)`` the first of them, ``either()`` the first that reads both
    ways and has a separator (None: none has)."""
    if any(counts.values()):
        mark = max(MARKS, key=lambda m: (counts[m], m == (hint or ".")))
        why = f"decimal {mark!r}: {_values(counts[mark])} such as {example(mark)!r} read only so"
        lost = counts[_other(mark)]
        if lost:
            other = example(_other(mark))
            why += f"; {_values(lost)} such as {other!r} read only with {_other(mark)!r}, so NaN"
        return NumberFormat(mark, _other(mark), why, ambiguous=bool(lost))
    first = either()
    if first is None:
        mark = hint or "."
        return NumberFormat(mark, _other(mark), "no value has a separator to decide by")
    as_dot = _parse_distinct(pd.Series([first]), NumberFormat(".", ",", "")).iloc[0]
    as_comma = _parse_distinct(pd.Series([first]), NumberFormat(",", ".", "")).iloc[0]
    why = (
        f"ambiguous: every value with a separator, such as {first!r}, reads both as "
        f"{as_dot:.15g} and as {as_comma:.15g}"
    )
    if hint is not None:
        return NumberFormat(hint, _other(hint), f"{why}; read with {hint!r} (file hint)", True)
    return NumberFormat(
        ".",
        ",",
        f"{why} in column {column!r}; read with '.'; set [features] decimal = \",\" "
        "if it is the decimal comma",
        ambiguous=True,
    )


def decide_number_format(
    values: pd.Series, *, column: str, decimal: str | None = None, hint: str | None = None
) -> NumberFormat:
    """Decide a column's decimal and thousands marks from all of its values.

    Args:
        values: the column as read (numbers pass through as numbers).
        column: its name, for the ``why``.
        decimal: ``","`` or ``"."`` from the config; wins over the values.
        hint: ``","`` or ``"."`` used only when the values cannot decide (the file's
            convention: ``","`` for a semicolon-delimited file).

    Raises:
        ConfigError: ``decimal`` or ``hint`` is not ``","`` or ``"."``.
    """
    return _decide(values, column, decimal, hint)[0]


def read_numbers(
    values: pd.Series, *, column: str, decimal: str | None = None, hint: str | None = None
) -> tuple[NumberFormat, pd.Series]:
    """``decide_number_format``'s format and the numbers ``parse_numbers`` reads in it, from
    one look at a column held as Arrow strings.

    Raises:
        ConfigError: ``decimal`` or ``hint`` is not ``","`` or ``"."``.
    """
    fmt, scan = _decide(values, column, decimal, hint)
    values = pd.Series(values)
    if scan is not None and (scan.every or scan.mark == fmt.decimal):
        return fmt, _parsed(values, scan, fmt)
    return fmt, parse_numbers(values, fmt)


def _decide(
    values: pd.Series, column: str, decimal: str | None, hint: str | None
) -> tuple[NumberFormat, Scan | None]:
    for name, mark in (("decimal", decimal), ("hint", hint)):
        if mark is not None and mark not in MARKS:
            raise ConfigError(f'[features] {name} must be "," or ".", got {mark!r}')
    if decimal is not None:
        return NumberFormat(decimal, _other(decimal), f"decimal = {decimal!r} in [features]"), None
    values = pd.Series(values)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return NumberFormat(".", ",", "already numbers"), None
    return _format_and_scan(values, column, hint)


def _format_and_scan(
    values: pd.Series, column: str, hint: str | None
) -> tuple[NumberFormat, Scan | None]:
    """The column's format by the rules, and the scan of it that told (None: the distinct
    values did). A column of plain numbers is decided by ``plain_format``; one holding a
    few other values too by ``mostly_plain_format`` (both as the rules decide); any other
    by the rules over its distinct values."""
    raw = arrow_texts(values)
    scans = []
    for scan in scans_of(raw, MARKS) if raw is not None else ():
        if scan.every:
            fmt = _plain_format(scan, hint)
            if fmt is None:
                break  # every value with a separator reads both ways: the rules say why
            return fmt, scan
        scans.append(scan)
    else:
        if scans:
            scan = max(scans, key=lambda s: s.count())
            return _from_scan(scan, column, hint), scan
    _, distinct = _distinct_texts(values)
    return _from_values(distinct, column, hint), None


def plain_numbers(
    values: pd.Series, *, decimal: str | None = None, hint: str | None = None
) -> tuple[NumberFormat, pd.Series] | None:
    """A column written in plain numbers only (``-12.5``, ``0,75``, ``42``: no thousands mark,
    sign or currency): its format as ``decide_number_format`` decides it and its numbers as
    ``parse_numbers`` reads them, from a few vectorised Arrow passes over the column instead
    of the rules' regexes over each distinct value. None for any other column (or one not
    held as Arrow strings), and when a value reads both ways: the full rules then decide.

    The ``why`` names an example, not how many distinct values decided: counting them cost
    more than all the rest.
    """
    raw = arrow_texts(values)
    if raw is None:
        return None
    for scan in scans_of(raw, [decimal] if decimal is not None else MARKS):
        if not scan.every:
            continue
        fmt = (
            NumberFormat(scan.mark, _other(scan.mark), f"decimal = {scan.mark!r} in [features]")
            if decimal is not None
            else _plain_format(scan, hint)
        )
        if fmt is None:
            return None
        return fmt, _parsed(values, scan, fmt)
    return None


def parse_numbers(values: pd.Series, fmt: NumberFormat) -> pd.Series:
    """Floats from the values read in ``fmt``; a value that is not a number in it is NaN.

    Plain numbers (``-12.5``, ``0,75``: no thousands mark, sign or currency) are converted
    by Arrow at once; each distinct other text is parsed once by the full rules.
    """
    values = pd.Series(values)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        out = values.astype(float)
        return out.replace([np.inf, -np.inf], np.nan)
    raw = arrow_texts(values)
    if raw is None:
        return _parse_distinct(values, fmt)
    return _parsed(values, scan_of(raw, fmt.decimal), fmt)


def _plain_format(scan: Scan, hint: str | None) -> NumberFormat | None:
    """``_from_values``' decision for a column of plain numbers (``plainnumbers``); None
    when every value with a separator reads both ways (the rules say why)."""
    first = first_marked(scan)
    if first < 0:
        chosen = hint or "."
        return NumberFormat(chosen, _other(chosen), "no value has a separator to decide by")
    example = scan.text[first].as_py()
    if re.fullmatch(GROUP[scan.mark], example):  # reads both ways: look further
        first = first_read_only(scan)
        if first < 0:
            return None
        example = scan.text[first].as_py()
    why = f"decimal {scan.mark!r}: plain numbers such as {example!r} read only so"
    return NumberFormat(scan.mark, _other(scan.mark), why)


def _from_scan(scan: Scan, column: str, hint: str | None) -> NumberFormat:
    """``_from_values``' decision for a column scanned in one mark, most of it plain
    numbers: those are counted by Arrow, the rules run over the distinct others."""
    parts = split(scan)
    fits = {mark: _fits(parts.rest, mark) for mark in MARKS}
    only = {mark: fits[mark] & ~fits[_other(mark)] for mark in MARKS}
    counts = {mark: int(only[mark].sum()) for mark in MARKS}
    counts[scan.mark] += parts.only
    either = fits[","] & fits["."] & parts.rest.str.contains("[,.]").to_numpy(dtype=bool)

    def first(rows: np.ndarray, plain_row: int) -> str | None:  # the text first in the file
        rows = np.append(rows, plain_row) if plain_row >= 0 else rows
        return str(scan.text[int(rows.min())].as_py()) if len(rows) else None

    def example(mark: str) -> str:
        plain_row = parts.first_only if mark == scan.mark else -1
        return str(first(parts.rest_rows[only[mark]], plain_row))

    return _decided(
        counts, example, lambda: first(parts.rest_rows[either], parts.first_either), column, hint
    )


def _parsed(values: pd.Series, scan: Scan, fmt: NumberFormat) -> pd.Series:
    """``parse_numbers`` from a scan in ``fmt``'s decimal mark (any mark when every value is
    plain: then none has a separator, or the mark is the format's)."""
    # copy=False: the floats are a new array already (pandas 3 copies by default: 10 ms a
    # million rows, per column)
    out = pd.Series(floats(scan), index=values.index, name=values.name, dtype=float, copy=False)
    if scan.every:  # every filled value plain: nothing left for the rules
        return out
    rest = scan.rest()
    if rest.any():  # the other forms (thousands marks, currency, ...) by the full rules
        out[rest] = _parse_distinct(values[rest], fmt)
    return out


def _parse_distinct(values: pd.Series, fmt: NumberFormat) -> pd.Series:
    """``parse_numbers`` by the full rules, each distinct text parsed once."""
    codes, distinct = _distinct_texts(values)
    digits = distinct.str.replace(f"[^0-9{re.escape(fmt.decimal)}]", "", regex=True)
    number = pd.to_numeric(digits.str.replace(fmt.decimal, ".", regex=False), errors="coerce")
    number = number.to_numpy(dtype=float, na_value=np.nan, copy=True)
    number[distinct.str.contains(_MINUS).to_numpy(dtype=bool)] *= -1
    number[~_fits(distinct, fmt.decimal)] = np.nan
    with_blank = np.append(number, np.nan)  # code -1 -> NaN
    return pd.Series(with_blank[codes], index=values.index, name=values.name, dtype=float)
