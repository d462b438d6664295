"""Plain numbers told and read by a few vectorised Arrow passes over a column of text.

A plain number is an optional minus, a whole part without a leading zero (or ``0``) and an
optional decimal part after one mark (``-12.5``, ``0,75``, ``42``: ``PLAIN``). It is a number
in that mark as written, and in the other mark too only when it has no mark or reads as one
thousands group (``1.200``, ``-12.500``). So a column's plain numbers need none of the full
rules' regexes (``data.numbers``): they are told here, over the whole column at once, and
only the other values (a few in most number columns) are left to the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

SPACES = " \u00a0\u202f"  # stripped from each value, with tabs
PLAIN = {mark: f"^-?(?:0|[1-9]\\d*)(?:{re.escape(mark)}\\d+)?$" for mark in (",", ".")}
GROUP = {mark: f"-?[1-9]\\d{{0,2}}{re.escape(mark)}\\d{{3}}" for mark in (",", ".")}
HEAD = 100  # the first rows, which tell most columns that are not plain numbers
BLOCK = 1 << 16  # values looked at together by ``cast_scan`` (its temporaries stay cached)
_OFFSETS: dict[str, np.dtype] = {
    "large_string": np.dtype(np.int64),
    "string": np.dtype(np.int32),
}  # by text type


@dataclass(frozen=True)
class Scan:
    """A column's stripped texts (``text``, blanks null), which are plain numbers in ``mark``
    (``plain``, blanks null), whether every filled one is (an all-blank column: no), and
    whether they all are whole numbers (then none holds a mark)."""

    mark: str
    text: pa.ChunkedArray
    plain: pa.ChunkedArray
    every: bool
    whole: bool = False
    numbers: np.ndarray | None = None  # the floats, when the scan cast them already

    def count(self) -> int:
        """How many values are plain numbers."""
        return int(pc.sum(pc.cast(self.plain, pa.int64()), min_count=0).as_py())

    def rest(self) -> np.ndarray:
        """Which values are filled and not plain numbers."""
        return np.asarray(pc.invert(pc.fill_null(self.plain, True)).to_numpy(zero_copy_only=False))


@dataclass(frozen=True)
class Split:
    """A scanned column in the terms of the rules over distinct values: how many distinct
    plain numbers read only in the scan's mark and the row of the first; the row of the
    first plain number that reads both ways and holds a separator (-1: none); the distinct
    other texts in the order they first appear, and the row where each first does."""

    only: int
    first_only: int
    first_either: int
    rest: pd.Series
    rest_rows: np.ndarray


def arrow_texts(values: pd.Series) -> pa.ChunkedArray | None:
    """The texts of a column held as Arrow strings, as read, else None."""
    dtype = values.dtype
    if not isinstance(dtype, pd.StringDtype) or dtype.storage != "pyarrow":
        return None
    return pa.chunked_array(pa.array(values.array))


def filled_texts(raw: pa.ChunkedArray) -> np.ndarray:
    """Which texts hold more than whitespace (as ``str.strip()`` tells, in one pass)."""
    blank = pc.or_(pc.utf8_is_space(raw), pc.equal(raw, ""))
    return np.asarray(pc.invert(pc.fill_null(blank, True)).to_numpy(zero_copy_only=False))


def stripped(raw: pa.ChunkedArray) -> pa.ChunkedArray:
    """The texts without opening and closing spaces and tabs, blanks null."""
    text = pc.utf8_trim(raw, characters=SPACES + "\t")
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)


def scans_of(raw: pa.ChunkedArray, marks: Iterable[str]) -> Iterator[Scan]:
    """The column scanned in each mark in turn whose first rows (``HEAD``) are all plain
    numbers in it (or blank): names, e-mails and codes are told at little cost."""
    head = stripped(raw.slice(0, HEAD))
    for mark in marks:
        if pc.all(pc.match_substring_regex(head, PLAIN[mark]), min_count=0).as_py():
            yield scan_of(raw, mark)


def scan_of(raw: pa.ChunkedArray, mark: str) -> Scan:
    """The column scanned in ``mark``. The texts as read are looked at first: when every
    filled one is a plain number, none has a space to strip nor is blank. A column of
    plain numbers is told by Arrow's cast and a few looks at the bytes (``cast_scan``: a
    million decimals in 20 ms, not the regex's 48 and the cast's 17), any other by the
    regex."""
    cast = cast_scan(raw, mark)
    if cast is not None:
        return cast
    plain = pc.match_substring_regex(raw, PLAIN[mark])
    if pc.all(plain).as_py():
        return Scan(mark, raw, plain, every=True)
    others = pc.filter(raw, pc.invert(pc.fill_null(plain, True)))
    kept = pc.fill_null(pc.equal(stripped(others), others), False)  # a blank: null, False
    if pc.all(kept).as_py():  # nothing to strip, no blank
        return Scan(mark, raw, plain, every=False)
    text = stripped(raw)
    plain = pc.match_substring_regex(text, PLAIN[mark])
    return Scan(mark, text, plain, every=bool(pc.all(plain).as_py()))


def cast_scan(raw: pa.ChunkedArray, mark: str) -> Scan | None:
    """The column scanned in ``mark`` when every filled value is a plain number as written,
    told without the regex; None otherwise (the regex then tells).

    Arrow's cast to float checks the grammar: an optional sign, digits with at most one
    ``.``, an optional exponent; or ``inf``, ``nan``. Bytes held to those of a plain number
    (digits, ``-`` and the mark: no ``+``, exponent, ``inf`` or ``nan``; for ``,`` no mark at
    all, which the cast does not read), a value it reads is ``-?\\d*\\.?\\d*`` holding a
    digit: plain when neither its first character after the sign nor its last is the mark,
    and a leading 0 stands alone before the mark or the end. The floats are kept.
    """
    width = _OFFSETS.get(str(raw.type))
    values = raw.combine_chunks() if raw.num_chunks != 1 else raw.chunk(0)
    size, buffers = len(values), values.buffers()
    if width is None or values.null_count == size or buffers[2] is None:
        return None
    offsets = np.frombuffer(buffers[1], width, size + 1, values.offset * width.itemsize)
    data = np.frombuffer(buffers[2], np.uint8)
    code = ord(mark)
    marks, minus, others = _byte_counts(data[offsets[0] : offsets[-1]], code)
    if (mark == "," and marks) or others:
        return None
    try:
        cast = pc.cast(values, pa.float64())
    except pa.ArrowInvalid:
        return None
    if not _plain_shapes(data, offsets, values, code, bool(marks), bool(minus)):
        return None
    numbers = cast.to_numpy(zero_copy_only=False)
    numbers = numbers if numbers.flags.writeable else numbers.copy()
    plain = pa.chunked_array([pc.equal(cast, cast)])  # true, null where blank (no NaN read)
    return Scan(mark, raw, plain, every=True, whole=marks == 0, numbers=numbers)


def _byte_counts(text: np.ndarray, code: int) -> tuple[int, int, int]:
    """How many bytes of ``text`` are the mark (``code``), ``-``, and neither nor a digit;
    counted a megabyte at a time (the temporaries stay in the CPU's cache)."""
    marks = minus = others = 0
    for at in range(0, len(text), BLOCK * 16):
        part = text[at : at + BLOCK * 16]
        m, n = int(np.count_nonzero(part == code)), int(np.count_nonzero(part == ord("-")))
        digits = int(np.count_nonzero(part <= ord("9")) - np.count_nonzero(part < ord("0")))
        marks, minus, others = marks + m, minus + n, others + len(part) - digits - m - n
    return marks, minus, others


def _plain_shapes(
    data: np.ndarray, offsets: np.ndarray, values: pa.Array, code: int, marked: bool, signed: bool
) -> bool:
    """``cast_scan``'s test of the values' shapes, the bytes and the cast's grammar checked:
    the mark (``code``) neither first after the sign nor last, no leading zero but alone.
    A block of values at a time (``BLOCK``); ``signed``: some value holds a '-'."""
    valid = values.is_valid().to_numpy(zero_copy_only=False) if values.null_count else None
    for at in range(0, len(offsets) - 1, BLOCK):
        starts, ends = offsets[:-1][at : at + BLOCK], offsets[1:][at : at + BLOCK]
        if valid is not None:
            starts, ends = starts[valid[at : at + BLOCK]], ends[valid[at : at + BLOCK]]
        if not _shapes_of(data, starts, ends, code, marked, signed):
            return False
    return True


def _shapes_of(
    data: np.ndarray, starts: np.ndarray, ends: np.ndarray, code: int, marked: bool, signed: bool
) -> bool:
    """``_plain_shapes`` of the values from ``starts`` to ``ends`` (a gather is cheap, a
    filter is not)."""
    first = starts + (np.take(data, starts) == ord("-")) if signed else starts
    lead = np.take(data, first)  # the cast read no lone "-": a digit or the mark follows
    if marked and (np.any(lead == code) or np.any(np.take(data, ends - 1) == code)):
        return False  # ".5", "-.5", "1."
    second = first + 1
    zero = (lead == ord("0")) & (second < ends) & (np.take(data, second, mode="clip") != code)
    return not zero.any()  # "007", "-05", "00.5"


def floats(scan: Scan) -> np.ndarray:
    """Floats of the plain numbers (NaN elsewhere), parsed by Arrow."""
    if scan.numbers is not None:
        return scan.numbers
    text = scan.text
    if not scan.every:
        text = pc.if_else(pc.fill_null(scan.plain, False), text, pa.scalar(None, text.type))
    if scan.mark != "." and not scan.whole:  # whole numbers hold no mark: nothing to replace
        text = pc.replace_substring(text, scan.mark, ".")
    return np.asarray(pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False))


def first_marked(scan: Scan) -> int:
    """The row of the first plain number holding the mark (-1: none does), looked for in
    the first rows first."""
    if scan.whole:
        return -1
    head = int(pc.index(_marked(scan, HEAD), True).as_py())
    return head if head >= 0 else int(pc.index(_marked(scan), True).as_py())


def first_read_only(scan: Scan) -> int:
    """The row of the first plain number that reads only in the scan's mark (-1: none)."""
    return int(pc.index(read_only_so(scan)[0], True).as_py())


def read_only_so(scan: Scan) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Which plain numbers read only in the scan's mark (a mark, and not one thousands
    group), and which read both ways with a separator (one thousands group: 8 bytes or
    fewer, as ``GROUP``)."""
    text, marked = scan.text, _marked(scan)
    short = pc.and_(marked, pc.less_equal(pc.binary_length(text), 8))
    if not pc.any(short).as_py():
        return marked, pc.and_(marked, pa.scalar(False))
    at = pc.find_substring(text, scan.mark)
    negative = pc.cast(pc.starts_with(text, "-"), pa.int32())
    whole = pc.subtract(at, negative)
    decimals = pc.subtract(pc.subtract(pc.binary_length(text), at), 1)
    zero = pc.or_(pc.starts_with(text, "0"), pc.starts_with(text, "-0"))
    group = pc.and_(pc.and_(pc.less_equal(whole, 3), pc.equal(decimals, 3)), pc.invert(zero))
    group = pc.fill_null(group, False)
    return pc.and_(marked, pc.invert(group)), pc.and_(marked, group)


def split(scan: Scan) -> Split:
    """The scanned column as the rules over its distinct values see it (``Split``)."""
    only, either = read_only_so(scan)
    rest = scan.rest()
    rest_text = pc.filter(scan.text, pa.array(rest))
    distinct = pc.unique(rest_text)  # in the order they first appear
    codes = pc.index_in(rest_text, value_set=distinct).to_numpy(zero_copy_only=False)
    _, first = np.unique(codes, return_index=True)
    return Split(
        only=len(pc.unique(pc.filter(scan.text, only))),  # faster than count_distinct
        first_only=int(pc.index(only, True).as_py()),
        first_either=int(pc.index(either, True).as_py()),
        rest=pd.Series(distinct.to_pylist(), dtype="string"),
        rest_rows=np.flatnonzero(rest)[first],
    )


def _marked(scan: Scan, rows: int | None = None) -> pa.ChunkedArray:
    """Which values (of the first ``rows``; None: all) are plain numbers holding the mark."""
    plain, text = scan.plain.slice(0, rows), scan.text.slice(0, rows)
    return pc.fill_null(pc.and_(plain, pc.match_substring(text, scan.mark)), False)
