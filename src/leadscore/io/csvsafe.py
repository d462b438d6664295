"""Spreadsheet-safe CSV cells (the OWASP rule against CSV / formula injection).

Sales teams open leadscore's CSV output in Excel, LibreOffice or Google Sheets. A text cell
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run as a formula
there (``=HYPERLINK("http://evil","click")``, ``@SUM(...)``, DDE payloads). Such cells are
neutralised by prefixing a single quote, which spreadsheets show as text and never evaluate.

Only text is touched: numeric columns are left alone, and a text cell that is just a plain
number (``-12.5``, ``+3``) is left alone too, since a spreadsheet reads it as that number and
nothing else. Pure: DataFrame in, DataFrame out.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_STARTS_WITH_TRIGGER = "^[=+\\-@\t\r]"
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def neutralise_cell(value: object) -> object:
    """The cell as a spreadsheet will show it as text: quote-prefixed if it could run."""
    if not isinstance(value, str) or not value.startswith(TRIGGERS):
        return value
    if _PLAIN_NUMBER.match(value):
        return value
    return "'" + value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Column names are neutralised too (a header cell is a cell).
    """
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            out[col] = values.map(neutralise_cell, na_action="ignore")
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def neutralise_table(table: pa.Table) -> pa.Table:
    """``neutralise``'s cells for an Arrow table (column names are kept).

    The cells that start with a trigger are found without a Python call per cell; only those
    few go through ``neutralise_cell``, so the result is the same as ``neutralise``'s.
    """
    columns = []
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            column = _neutralise_strings(column.combine_chunks())
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=table.schema)


def _neutralise_strings(values: pa.Array) -> pa.Array:
    hits = pc.fill_null(pc.match_substring_regex(values, _STARTS_WITH_TRIGGER), False)
    if not pc.any(hits).as_py():
        return values
    found = pc.filter(values, hits).to_pylist()
    fixed = pa.array([neutralise_cell(v) for v in found], type=values.type)
    return pc.replace_with_mask(values, hits, fixed)
