"""Reading Excel workbooks (``.xlsx``), through pandas and openpyxl.

The first sheet is read unless a sheet is named (``[contacts] sheet`` / ``[activities]
sheet``). Cells keep Excel's types: an Excel date is a date, a number a number, text text.
Id columns are read as text (a number cell ``257896`` becomes ``"257896"``; an id that needs
its leading zeros must be a text cell in Excel, which keeps them). The header is the first
row; a name in it twice is an error.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from leadscore.errors import InputError
from leadscore.io.header import refuse_duplicated


def _require_openpyxl(path: Path) -> None:
    import importlib.util

    if importlib.util.find_spec("openpyxl") is None:
        raise InputError(
            "reading .xlsx needs openpyxl (pip install openpyxl), or save the sheet as CSV",
            file=str(path),
        )


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheet names, in order."""
    _require_openpyxl(path)
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            return [str(name) for name in book.sheet_names]
    except Exception as exc:  # openpyxl and zipfile raise many types for a bad file
        raise InputError(f"cannot read the workbook: {exc}", file=str(path)) from None


def _sheet(path: Path, sheet: str | None) -> str:
    names = sheet_names(path)
    if not names:
        raise InputError("the workbook has no sheet", file=str(path))
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise InputError(
            f"no sheet named {sheet!r} (sheets: {', '.join(map(repr, names))})", file=str(path)
        )
    return sheet


def excel_header(path: Path, sheet: str | None = None) -> list[str]:
    """The column names in the first row of the sheet (a name given twice is an error)."""
    name = _sheet(path, sheet)
    head = pd.read_excel(path, sheet_name=name, header=None, nrows=1, engine="openpyxl")
    names = [] if head.empty else [v for v in head.iloc[0].tolist() if pd.notna(v)]
    return refuse_duplicated(names, path)


def read_excel(
    path: Path,
    *,
    sheet: str | None = None,
    columns: list[str] | None = None,
    text: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One sheet as a DataFrame, cells typed as Excel keeps them, ``text`` columns as text."""
    excel_header(path, sheet)
    name = _sheet(path, sheet)
    try:
        frame = pd.read_excel(
            path,
            sheet_name=name,
            engine="openpyxl",
            dtype={c: str for c in text if c},
            usecols=columns,
            keep_default_na=False,
            na_values=[""],
        )
    except ValueError as exc:
        raise InputError(f"cannot read sheet {name!r}: {exc}", file=str(path)) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if frame.empty and not len(frame.columns):
        raise InputError("file is empty", file=str(path))
    return frame
