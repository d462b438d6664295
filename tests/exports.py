"""One export rewritten the ways real CRMs deliver it: other date and number conventions,
Excel cells, compressed files. The values stay the same; only how they are written changes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from leadscore.cli import app

WIDE = {"COLUMNS": "400"}
DATES = ("created_at", "closed_at", "occurred_at")
NUMBERS = ("employees", "annual_revenue", "budget")


def raw_text(path: Path) -> pd.DataFrame:
    """A CSV exactly as written: every cell text, blanks as ''."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _european_number(text: str) -> str:
    """'13292000.0' -> '13.292.000', '1234.5' -> '1.234,5' (thousands dots, decimal comma)."""
    if not text:
        return text
    grouped = f"{float(text):,.2f}".rstrip("0").rstrip(".")
    return grouped.replace(",", " ").replace(".", ",").replace(" ", ".")


def rewrite(frame: pd.DataFrame, date_format: str, european_numbers: bool) -> pd.DataFrame:
    """The same cells with dates written in ``date_format`` (and numbers the European way)."""
    out = frame.copy()
    for col in DATES:
        if col in out:
            stamps = pd.to_datetime(out[col].replace("", None), format="ISO8601")
            out[col] = stamps.dt.strftime(date_format).fillna("")
    if european_numbers:
        for col in NUMBERS:
            if col in out:
                out[col] = out[col].map(_european_number)
    return out


def excel_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells as Excel would type them: dates as dates, numbers as numbers, ids as text."""
    out = frame.copy()
    for col in DATES:
        if col in out:
            out[col] = pd.to_datetime(out[col].replace("", None), format="ISO8601")
    for col in NUMBERS:
        if col in out:
            out[col] = pd.to_numeric(out[col].replace("", None))
    return out.replace("", None)


def predict(leads: Path, acts: Path | None, model: Path, as_of: str, out: Path, *extra: str,
            include_closed: bool = True):  # fmt: skip
    """``leadscore predict`` through the CLI: (result, output rows as text or None)."""
    args = ["predict", str(leads), "-m", str(model), "-o", str(out), "--as-of", as_of, *extra]
    args += (["--include-closed"] if include_closed else []) + (["-a", str(acts)] if acts else [])
    result = CliRunner().invoke(app, args, env=WIDE)
    rows = raw_text(out) if result.exit_code == 0 else None
    return result, rows


def error_line(result) -> str:
    """The one 'error:' line of a failed command (exit 2, no traceback)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1, result.output
    return lines[0]
