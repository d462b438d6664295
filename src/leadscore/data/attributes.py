"""Attribute columns as the file means them: numbers written as text become numbers.

A text column is a number column when at least 95 % of its filled values read as numbers in
the one format decided for it (``data.numbers``: decimal comma or point, thousands marks,
currency, percent, from all its values or ``[features] decimal``), or when ``[features]
numeric`` names it. It is then converted; its other values become missing and are counted
in a note. Other columns are left as read. The loader never offers this step its role
columns (ids, dates, outcome), join keys, ``[features] categorical`` or ``ignore`` columns,
nor the ``[predict] keep`` columns passed through as written.

Sizes (``[roles] company_size`` and ``revenue``) cannot be negative: a negative size is an
invalid value, treated as missing and counted in a note.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from leadscore.data.numbers import (
    NumberFormat,
    decide_number_format,
    parse_numbers,
    plain_numbers,
    read_numbers,
)
from leadscore.data.plainnumbers import arrow_texts, filled_texts
from leadscore.data.reading import Reading

NUMBER_SHARE = 0.95  # the share of a column's filled values that must read as numbers
SAMPLE = 20_000  # above this many filled values a seeded sample first tells text from numbers


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _numbers(values: pd.Series, fmt: NumberFormat) -> pd.Series:
    """Floats from text read in ``fmt``; cells that are numbers already (Excel) kept."""
    if values.dtype != object:
        return parse_numbers(values, fmt)
    typed = values.map(_is_number).to_numpy(dtype=bool)
    out = parse_numbers(values.where(~typed, None), fmt)
    out[typed] = values[typed].astype(float)
    return out


def _format_and_numbers(values: pd.Series, reading: Reading) -> tuple[NumberFormat, pd.Series]:
    """The format decided from the cells written as text (numbers that are already numbers
    left out) and the column's numbers in it."""
    name, decimal, hint = str(values.name), reading.decimal, reading.hint
    if values.dtype != object:  # no number among the cells: one look at the column
        return read_numbers(values, column=name, decimal=decimal, hint=hint)
    text = values[~values.map(_is_number).to_numpy(dtype=bool)]
    fmt = decide_number_format(text, column=name, decimal=decimal, hint=hint)
    return fmt, _numbers(values, fmt)


def _filled(values: pd.Series) -> np.ndarray:
    raw = arrow_texts(values)
    if raw is not None:
        return filled_texts(raw)
    text = values.astype("string").str.strip()
    return (text.notna() & (text != "")).to_numpy(dtype=bool)


def _far_from_numbers(values: pd.Series, filled: np.ndarray, reading: Reading) -> bool:
    """Whether a seeded sample of ``SAMPLE`` filled values already shows a column that cannot
    be a number column: under half of them hold a digit, or read as numbers. The rule needs
    ``NUMBER_SHARE`` of every filled value; a column that meets it shows under half in such a
    sample with a chance below 1e-300, so the answer is the full rule's, at the cost of the
    sample (phone numbers of a million-row export: 2.2 s less)."""
    where = np.flatnonzero(filled)
    if len(where) <= SAMPLE:
        return False
    sample = values.iloc[np.sort(np.random.default_rng(0).choice(where, SAMPLE, replace=False))]
    digits = sample.astype("string").str.contains(r"\d", regex=True).fillna(False)
    if digits.to_numpy(dtype=bool).mean() < 0.5:
        return True
    numbers = _format_and_numbers(sample, reading)[1]
    return float(numbers.notna().to_numpy().mean()) < 0.5


def _decide(
    values: pd.Series, filled: np.ndarray, reading: Reading, forced: bool
) -> tuple[NumberFormat | None, pd.Series]:
    """The column's number format (None when it is not a number column) and its numbers
    (``filled``: which cells hold a value, see ``_filled``)."""
    if not forced and _far_from_numbers(values, filled, reading):
        return None, values  # names, e-mails, phone numbers: told by a sample
    digits = values.astype("string").str.contains(r"\d", regex=True).fillna(False)
    if not forced and digits.to_numpy(dtype=bool)[filled].mean() < NUMBER_SHARE:
        return None, values  # names, e-mails, categories: not numbers, decided cheaply
    fmt, numbers = _format_and_numbers(values, reading)
    share = float(numbers.notna().to_numpy()[filled].mean())
    return (fmt, numbers) if forced or share >= NUMBER_SHARE else (None, values)


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def _convert(values: pd.Series, reading: Reading, forced: bool, path: str) -> pd.Series:
    """One column: converted when it is (or was decided to be) a number column."""
    name = str(values.name)
    fmt = reading.numbers.get(name)
    if name in reading.numbers and fmt is None:
        return values  # decided earlier: not a number column
    if name not in reading.numbers:
        plain = plain_numbers(values, decimal=reading.decimal, hint=reading.hint)
        if plain is not None:  # every filled value a number: none lost, 100 % numbers
            reading.numbers[name] = plain[0]
            return plain[1]
    filled = _filled(values)
    if fmt is not None:
        out = _numbers(values, fmt)
    elif not filled.any():
        return values  # nothing to decide from yet: a later batch decides
    else:
        fmt, out = _decide(values, filled, reading, forced)
        reading.numbers[name] = fmt
    if fmt is None:
        return values
    lost = filled & out.isna().to_numpy()
    what = f"not a number written with the decimal {fmt.decimal!r}, treated as missing"
    reading.count(what, lost, values, path)
    return out


def convert_numbers(
    frame: pd.DataFrame,
    columns: Iterable[str],
    reading: Reading,
    path: str,
    *,
    forced: Iterable[str] = (),
    sizes: Iterable[str] = (),
) -> pd.DataFrame:
    """``frame`` with its number columns among ``columns`` converted to floats.

    Args:
        frame: the table (or one batch of it), indexed by file position.
        columns: the attribute columns this step may convert.
        reading: the table's decisions so far; new decisions are recorded in it.
        path: the file, for the notes' row numbers.
        forced: columns that are numbers whatever their share (``[features] numeric``).
        sizes: number columns that cannot be negative (``[roles] company_size``, ``revenue``).
    """
    out = frame.copy()
    must = set(forced)
    for name in columns:
        if name in out.columns and _is_text(out[name]):
            out[name] = _convert(out[name], reading, name in must, path)
    for name in sizes:
        if name in out.columns and pd.api.types.is_numeric_dtype(out[name]):
            values = out[name].astype(float)
            negative = (values < 0).to_numpy()
            what = "negative, not a valid size, treated as missing"
            reading.count(what, negative, frame[name], path)
            out[name] = values.mask(negative)
    return out
