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
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from leadscore.errors import ConfigError

MARKS = (",", ".")
_SPACES = " \u00a0\u202f"
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
# Plain numbers: an optional minus, a whole part without a leading zero (or 0), an optional
# decimal part in ``mark``. Each is a number in ``mark`` as written (see ``plain_numbers``).
_PLAIN = {mark: f"^-?(?:0|[1-9]\\d*)(?:{re.escape(mark)}\\d+)?$" for mark in MARKS}


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
    counts = {mark: int(only[mark].sum()) for mark in MARKS}
    if any(counts.values()):
        mark = max(MARKS, key=lambda m: (counts[m], m == (hint or ".")))
        example = distinct[only[mark]].iloc[0]
        why = f"decimal {mark!r}: {_values(counts[mark])} such as {example!r} read only so"
        lost = counts[_other(mark)]
        if lost:
            other = distinct[only[_other(mark)]].iloc[0]
            why += f"; {_values(lost)} such as {other!r} read only with {_other(mark)!r}, so NaN"
        return NumberFormat(mark, _other(mark), why, ambiguous=bool(lost))
    either = fits[","] & fits["."] & distinct.str.contains("[,.]").to_numpy(dtype=bool)
    if not either.any():
        mark = hint or "."
        return NumberFormat(mark, _other(mark), "no value has a separator to decide by")
    example = distinct[either].iloc[0]
    as_dot = parse_numbers(pd.Series([example]), NumberFormat(".", ",", "")).iloc[0]
    as_comma = parse_numbers(pd.Series([example]), NumberFormat(",", ".", "")).iloc[0]
    why = (
        f"ambiguous: every value with a separator, such as {example!r}, reads both as "
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
    for name, mark in (("decimal", decimal), ("hint", hint)):
        if mark is not None and mark not in MARKS:
            raise ConfigError(f'[features] {name} must be "," or ".", got {mark!r}')
    if decimal is not None:
        return NumberFormat(decimal, _other(decimal), f"decimal = {decimal!r} in [features]")
    values = pd.Series(values)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return NumberFormat(".", ",", "already numbers")
    found = plain_numbers(values, hint=hint)
    if found is not None:
        return found[0]
    _, distinct = _distinct_texts(values)
    return _from_values(distinct, column, hint)


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
    text = _arrow_text(values)
    if text is None:
        return None
    for mark in [decimal] if decimal is not None else MARKS:
        head = pc.match_substring_regex(text.slice(0, 100), _PLAIN[mark])
        if not pc.all(head, min_count=0).as_py():
            continue  # names, e-mails, codes: told by the first rows, at little cost
        plain = _all_plain(text, mark)
        if plain is None:
            continue
        fmt = (
            NumberFormat(mark, _other(mark), f"decimal = {mark!r} in [features]")
            if decimal is not None
            else _plain_format(text, mark, hint)
        )
        if fmt is None:
            return None
        number = _cast(text, pc.fill_null(plain, False), mark)
        return fmt, pd.Series(number, index=values.index, name=values.name, dtype=float)
    return None


def _all_plain(text: pa.Array, mark: str) -> pa.Array | None:
    """Which texts are plain numbers in ``mark`` (``_PLAIN``; blanks null), when every filled
    one is; else None (an all-blank column too). Whole numbers without a leading zero are
    told by one pass over the characters, the rest by the regex (a million counts: 8 ms
    against 22)."""
    whole = pc.and_(
        pc.ascii_is_decimal(text),
        pc.or_(pc.invert(pc.starts_with(text, "0")), pc.equal(pc.binary_length(text), 1)),
    )
    if pc.all(whole).as_py():  # blanks (null) are skipped; all blank: None
        return whole
    plain = pc.match_substring_regex(text, _PLAIN[mark])
    return plain if pc.all(plain).as_py() else None


def _arrow_text(values: pd.Series) -> pa.Array | None:
    """The stripped texts of a column held as Arrow strings (blanks null), else None."""
    dtype = values.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    text = pc.utf8_trim(pa.array(values.array), characters=_SPACES + "\t")
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)


def _plain_format(text: pa.Array, mark: str, hint: str | None) -> NumberFormat | None:
    """``_from_values``' decision for a column of plain numbers in ``mark`` (``_PLAIN``)."""
    marked = pc.fill_null(pc.match_substring(text, mark), False)
    if not pc.any(marked).as_py():
        chosen = hint or "."
        return NumberFormat(chosen, _other(chosen), "no value has a separator to decide by")
    # A plain number reads in the other format too only as one thousands group: a whole part
    # of 1-3 digits not starting with 0, then exactly three digits (1.200, -12.500).
    first = text[pc.index(marked, True).as_py()].as_py()
    if not re.fullmatch(f"-?[1-9]\\d{{0,2}}{re.escape(mark)}\\d{{3}}", first):
        return _read_only_so(mark, first)  # the first value with a separator decides
    at = pc.find_substring(text, mark)
    negative = pc.cast(pc.starts_with(text, "-"), pa.int32())
    whole = pc.subtract(at, negative)
    decimals = pc.subtract(pc.subtract(pc.binary_length(text), at), 1)
    zero = pc.or_(pc.starts_with(text, "0"), pc.starts_with(text, "-0"))
    group = pc.and_(pc.and_(pc.less_equal(whole, 3), pc.equal(decimals, 3)), pc.invert(zero))
    only = pc.and_(marked, pc.invert(pc.fill_null(group, False)))
    if not pc.any(only).as_py():
        return None  # every value with a separator reads both ways: the rules say why
    return _read_only_so(mark, text[pc.index(only, True).as_py()].as_py())


def _read_only_so(mark: str, example: str) -> NumberFormat:
    why = f"decimal {mark!r}: plain numbers such as {example!r} read only so"
    return NumberFormat(mark, _other(mark), why)


def _cast(text: pa.Array, plain: pa.Array, mark: str) -> np.ndarray:
    """Floats of the plain numbers in ``mark`` (NaN elsewhere), parsed by Arrow."""
    chosen = text  # every value plain: the texts themselves (blanks are null already)
    if not pc.all(plain).as_py():
        chosen = pc.if_else(plain, text, pa.scalar(None, text.type))
    if mark != ".":
        chosen = pc.replace_substring(chosen, mark, ".")
    return np.asarray(pc.cast(chosen, pa.float64()).to_numpy(zero_copy_only=False))


def parse_numbers(values: pd.Series, fmt: NumberFormat) -> pd.Series:
    """Floats from the values read in ``fmt``; a value that is not a number in it is NaN.

    Plain numbers (``-12.5``, ``0,75``: no thousands mark, sign or currency) are converted
    by Arrow at once; each distinct other text is parsed once by the full rules.
    """
    values = pd.Series(values)
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_numeric_dtype(values):
        out = values.astype(float)
        return out.replace([np.inf, -np.inf], np.nan)
    text = _arrow_text(values)
    if text is None:
        return _parse_distinct(values, fmt)
    plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN[fmt.decimal]), False)
    number = _cast(text, plain, fmt.decimal)
    out = pd.Series(number, index=values.index, name=values.name, dtype=float)
    rest = pc.and_(pc.invert(plain), pc.is_valid(text)).to_numpy(zero_copy_only=False)
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
