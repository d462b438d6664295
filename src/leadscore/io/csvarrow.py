"""CSV text read by Arrow's parser, cell for cell as pandas' C parser reads it.

``io.tables`` reads every CSV value as the text the file holds, with pandas' options
(``tables.csv_options``). Arrow's C++ parser reads the same text several times faster and hands
pandas its strings without a copy; this module makes it give exactly pandas' cells, and says
when it cannot (``NotForArrow``), so the caller reads the file with pandas instead. pandas
stays the reference: the values, errors and row numbers a user sees are pandas'.

The two parsers differ in one rule that matters: pandas skips the spaces that open a field
(``skipinitialspace``), also before a quote, and compares the rest with the missing values;
Arrow keeps them. So a cell Arrow reads with leading spaces loses them here and is then
compared with the missing values, unless the field was quoted (``" Director, IT "`` keeps its
space). Arrow does not say which fields were quoted; ``quoted_with_space`` finds them in the
raw bytes: a cell that holds the delimiter or a line break was quoted, and the other quoted
fields that start with a space are listed, each checked never to appear unquoted too.

Everything else that differs makes Arrow raise (a row with more or fewer fields, bad UTF-8,
a column not found) or is refused here (spaces before a quote, a header cell that is empty
or starts with a space, a whitespace line in a one-column file): pandas then reads the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

QUOTE = '"'
_MAX_QUOTED = 64  # distinct quoted values that start with a space, each searched for unquoted


class NotForArrow(Exception):
    """The file has a trait where Arrow's reading would differ from pandas': use pandas."""


@dataclass(frozen=True)
class Spec:
    """How to read one CSV file as text: its header, delimiter, missing values, the columns
    wanted (None: all) and how to find the quoted values that start with a space
    (``quoted_with_space``: a pass over the file, made only when a cell needs it).
    """

    names: list[str]
    delimiter: str
    missing_values: tuple[str, ...]
    columns: list[str] | None
    quoted: Callable[[], frozenset[str] | None]  # None: every field opening with a space is
    # quoted (``opens_unquoted_with_space``)

    def options(self) -> tuple[pcsv.ReadOptions, pcsv.ParseOptions, pcsv.ConvertOptions]:
        """Arrow's options: every column text, missing values as pandas matches them."""
        if any(not name or name.startswith(" ") for name in self.names):
            raise NotForArrow("a header cell is empty or starts with a space")
        # One thread and 1 MB blocks: measured on 200,000 rows x 75 columns (2 shared
        # cores), the same wall time as Arrow's thread pool for half the CPU (0.25 s, not
        # 0.50 s), and less CPU than 4 MB (0.33 s) or 16 MB blocks (0.49 s).
        read = pcsv.ReadOptions(use_threads=False, block_size=1 << 20)
        parse = pcsv.ParseOptions(
            delimiter=self.delimiter, quote_char=QUOTE, double_quote=True, escape_char=False,
            newlines_in_values=True, ignore_empty_lines=True,
        )  # fmt: skip
        wanted = None
        if self.columns is not None:  # asked for by their stripped names, as pandas' usecols
            wanted = [n for n in self.names if n.strip() in self.columns]
        if self.columns is not None and len(wanted or []) != len(set(self.columns)):
            raise NotForArrow("a column asked for is not in the header")
        convert = pcsv.ConvertOptions(
            column_types={name: pa.large_string() for name in self.names},
            null_values=[m for m in self.missing_values if not m.startswith(" ")],
            strings_can_be_null=True, quoted_strings_can_be_null=True,
            include_columns=wanted,
        )  # fmt: skip
        return read, parse, convert


def _without_opening_spaces(values: pa.ChunkedArray, spec: Spec) -> pa.ChunkedArray:
    """pandas' ``skipinitialspace`` on one column: unquoted cells lose their opening spaces,
    and what is left is compared with the missing values."""
    spaced = pc.fill_null(pc.starts_with(values, " "), False)
    if not pc.any(spaced).as_py():
        return values
    trimmed = pc.utf8_ltrim(values, characters=" ")
    if pc.any(pc.and_(spaced, pc.starts_with(trimmed, QUOTE))).as_py():
        raise NotForArrow("a quote after opening spaces")
    quoted = pc.match_substring_regex(values, f"[{_class(spec.delimiter)}\\r\\n]")
    if pc.any(pc.and_(spaced, pc.invert(quoted))).as_py():
        found = spec.quoted()
        if found is None:  # no field outside quotes opens with a space: all were quoted
            quoted = spaced
        else:
            listed = pa.array(sorted(found), pa.large_string())
            quoted = pc.or_(quoted, pc.is_in(values, value_set=listed))
    kept = pc.if_else(pc.and_(spaced, pc.invert(quoted)), trimmed, values)
    missing = pc.is_in(kept, value_set=pa.array(list(spec.missing_values), pa.large_string()))
    return pc.if_else(missing, pa.scalar(None, pa.large_string()), kept)


def _class(char: str) -> str:
    """``char`` escaped for a regex character class."""
    return "\\" + char if char in "\\]^-[" else char


def frame_of(table: pa.Table, spec: Spec, first_row: int = 0) -> pd.DataFrame:
    """A table Arrow read as pandas reads it: cells as pandas gives them, columns in file
    order with their names stripped, indexed by file position from ``first_row``."""
    columns = []
    for name, values in zip(table.column_names, table.columns, strict=True):
        if values.type != pa.large_string():
            raise NotForArrow(f"column {name!r} was not read as text")
        if table.num_columns == 1 and pc.any(pc.match_substring_regex(values, r"^[ \t]+$")).as_py():
            raise NotForArrow("a whitespace line: pandas skips it")
        columns.append(_without_opening_spaces(values, spec))
    out = pa.Table.from_arrays(columns, names=table.column_names).to_pandas()
    out.columns = [str(c).strip() for c in out.columns]
    out.index = pd.RangeIndex(first_row, first_row + len(out))
    return out


def read_frame(source: IO[bytes], spec: Spec) -> pd.DataFrame:
    """The whole file as one frame (see ``frame_of``).

    Raises:
        NotForArrow: the file has a trait pandas reads otherwise.
        pyarrow.ArrowException: Arrow cannot parse it (pandas will report why).
    """
    read, parse, convert = spec.options()
    return frame_of(pcsv.read_csv(source, read, parse, convert), spec)


def iter_frames(source: IO[bytes], spec: Spec, batch_rows: int) -> Iterator[pd.DataFrame]:
    """Frames of exactly ``batch_rows`` rows (the last one shorter), as ``read_frame``'s.

    Raises:
        As ``read_frame``, possibly after some frames were yielded.
    """
    read, parse, convert = spec.options()
    pending: list[pa.RecordBatch] = []
    held = offset = 0
    with pcsv.open_csv(source, read, parse, convert) as reader:
        for batch in reader:
            pending.append(batch)
            held += batch.num_rows
            while held >= batch_rows:
                table = pa.Table.from_batches(pending, schema=reader.schema)
                yield frame_of(table.slice(0, batch_rows), spec, offset)
                pending = table.slice(batch_rows).to_batches()
                held -= batch_rows
                offset += batch_rows
        if held or not offset:
            yield frame_of(pa.Table.from_batches(pending, schema=reader.schema), spec, offset)


def quoted_with_space(read: Callable[[], Iterator[bytes]], delimiter: str) -> frozenset[str] | None:
    """The quoted fields of a UTF-8 CSV whose text starts with a space and holds neither the
    delimiter nor a line break (those are plainly quoted), checked never to appear unquoted;
    None when no field outside quotes opens with a space (``opens_unquoted_with_space``):
    then every cell that does was quoted, however many (an export that quotes every field).

    ``read``: opens the file's bytes as chunks, in order (called up to three times).

    Raises:
        NotForArrow: such a value also appears unquoted, a quote closes before other text,
            or there are too many such values to check.
    """
    if not opens_unquoted_with_space(read(), delimiter):
        return None
    sep = delimiter.encode()
    found: set[str] = set()
    buffer = b"\n"  # a line break before the file: its first field starts after one
    for chunk, last in _marked(read(), strip_bom=True):
        buffer += chunk
        buffer = buffer[_scan(buffer, sep, found, last) :]
    plain = {v for v in found if delimiter not in v and "\n" not in v and "\r" not in v}
    if len(plain) > _MAX_QUOTED:
        raise NotForArrow("too many quoted values that start with a space")
    if plain and _appears_unquoted(read(), {v.encode() for v in plain}, sep):
        raise NotForArrow("a value that starts with a space is written quoted and unquoted")
    return frozenset(plain)


def opens_unquoted_with_space(chunks: Iterator[bytes], delimiter: str) -> bool:
    """Whether a field outside quotes opens with a space (pandas drops such spaces, Arrow
    keeps them); True too when a quote stands where CSV puts none (unsure: the caller checks
    value by value). Vectorised over each chunk, at the quotes and spaces only: the quotes
    before a byte, counted, say whether it is inside a quoted field (a doubled quote counts
    twice and changes nothing).
    """
    inside_before, previous = 0, ord("\n")  # a line break before the file
    for chunk, _ in _marked(chunks, strip_bom=True):
        if not chunk:
            continue
        # the byte before the chunk first: every position then has a byte before it
        b = np.frombuffer(bytes([previous]) + chunk, dtype=np.uint8)
        quotes = np.flatnonzero(b[1:] == ord(QUOTE)) + 1
        if _stray_or_spaced(b, quotes, delimiter, inside_before):
            return True
        inside_before ^= len(quotes) & 1
        previous = int(b[-1])
    return inside_before == 1  # a quote never closed


def _stray_or_spaced(b: np.ndarray, quotes: np.ndarray, delimiter: str, inside_before: int) -> bool:
    """``opens_unquoted_with_space`` on one chunk ``b`` (its first byte the one before it;
    ``quotes``: where its quotes are, from the second byte) entered with ``inside_before``
    quotes open: a byte is outside quotes when the quotes before it and ``inside_before``
    sum to even."""
    quote, space = ord(QUOTE), ord(" ")

    def starts(x: np.ndarray) -> np.ndarray:  # a field starts after these bytes
        return (x == ord(delimiter)) | (x == ord("\n")) | (x == ord("\r"))

    opening = quotes[inside_before::2]  # outside quotes: opens a field or doubles a quote
    before = b[opening - 1]
    if np.any(~starts(before) & (before != quote)):
        return True
    # after a closing quote: a delimiter, a line break or a quote
    after = quotes[1 - inside_before :: 2] + 1
    after = b[after[after < len(b)]]
    if np.any((after != quote) & ~starts(after)):
        return True
    if b[0] == quote and inside_before == 0 and b[1] != quote and not starts(b[1:2])[0]:
        return True  # the same after a quote that closed the chunk before
    spaces = np.flatnonzero(b[1:] == space) + 1
    spaces = spaces[starts(b[spaces - 1])]
    return bool(np.any((np.searchsorted(quotes, spaces) + inside_before) % 2 == 0))


def _marked(chunks: Iterator[bytes], *, strip_bom: bool) -> Iterator[tuple[bytes, bool]]:
    """``(chunk, is_last)`` pairs; the UTF-8 byte order mark left out."""
    previous = next(chunks, b"")
    if strip_bom:
        previous = previous.removeprefix(b"\xef\xbb\xbf")
    for chunk in chunks:
        yield previous, False
        previous = chunk
    yield previous, True


def _scan(buffer: bytes, sep: bytes, found: set[str], last: bool) -> int:
    """Add to ``found`` the quoted values opened in ``buffer`` that start with a space; the
    position from which to keep the buffer for the next chunk."""
    at = buffer.find(b'" ', 1)
    while at >= 0:
        if buffer[at - 1 : at] in (sep, b"\n", b"\r"):
            value, end = _quoted_value(buffer, at, sep, last)
            if value is None:
                return at - 1  # closes in a later chunk
            found.add(value)
            at = end
        at = buffer.find(b'" ', at + 1)
    return max(len(buffer) - 2, 0)


def _quoted_value(buffer: bytes, start: int, sep: bytes, last: bool) -> tuple[str | None, int]:
    """The text of the quoted field opened at ``start`` (doubled quotes made single) and
    where it closes; None when it closes beyond the buffer."""
    at = start + 1
    while True:
        close = buffer.find(b'"', at)
        if close < 0 or (close + 1 == len(buffer) and not last):
            if last:
                raise NotForArrow("a quote is never closed")
            return None, start
        after = buffer[close + 1 : close + 2]
        if after == b'"':
            at = close + 2
            continue
        if after not in (b"", sep, b"\n", b"\r"):
            raise NotForArrow("text after a closing quote")
        return buffer[start + 1 : close].replace(b'""', b'"').decode("utf-8"), close


def _appears_unquoted(chunks: Iterator[bytes], values: set[bytes], sep: bytes) -> bool:
    """Whether one of ``values`` stands as a whole field between delimiters or line breaks
    (inside quoted text too, which only makes the caller more careful)."""
    ends = (sep, b"\n", b"\r")
    patterns = [a + v + b for v in values for a in ends for b in ends]
    overlap = max(len(p) for p in patterns)
    buffer = b"\n"
    for chunk, last in _marked(chunks, strip_bom=True):
        buffer += chunk + (b"\n" if last else b"")
        if any(p in buffer for p in patterns):
            return True
        buffer = buffer[-overlap:]
    return False
