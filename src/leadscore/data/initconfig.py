"""Drafting a config from a data file: ``leadscore init-config DATA``.

The draft is a starting point the user edits, not a decision: it names the columns that look
like ids, dates, numbers, categories and free text, picks the most likely target column and
guesses which of its values mean converted, not converted and still open. Every guess is on a
line marked ``EDIT``. The inspection looks at values (and, for the target only, at a few
common words in column names), so it works on any export.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from leadscore.config import DEFAULT_MISSING_VALUES
from leadscore.features.contact import to_number

_TARGET_WORDS = re.compile(
    r"convert|outcome|target|label|status|stage|result|won|win|closed|subscri|^y$", re.I
)
_YES = {"1", "1.0", "yes", "y", "true", "t", "won", "win", "converted", "closed won", "success"}
_NO = {"0", "0.0", "no", "n", "false", "f", "lost", "loss", "not converted", "closed lost"}
_PLACEHOLDERS = ("Select", "select", "unknown", "Unknown", "N/A", "n/a", "none")


def _q(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def _qlist(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def classify(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Columns grouped by what their values look like: id, date, numeric, categorical, text."""
    kinds: dict[str, list[str]] = {k: [] for k in ("id", "date", "numeric", "categorical", "text")}
    n = len(frame)
    for name in frame.columns:
        values = frame[name]
        present = values.dropna()
        text = present.astype(str).str.strip()
        unique = text.nunique()
        integer_like = pd.api.types.is_integer_dtype(values) or not pd.api.types.is_numeric_dtype(
            values
        )
        if n > 50 and len(present) == n and unique == n and integer_like:
            kinds["id"].append(name)
        elif pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            kinds["numeric" if unique > 2 else "categorical"].append(name)
        elif len(text) and to_number(text).notna().mean() >= 0.95:
            kinds["numeric"].append(name)
        elif (
            len(text)
            and pd.to_datetime(text.head(2000), errors="coerce", format="mixed").notna().mean()
            >= 0.95
            and text.str.contains(r"\d[-/.]\d", regex=True).mean() >= 0.95
        ):
            kinds["date"].append(name)
        elif unique <= 50 or unique <= 0.05 * max(len(text), 1):
            kinds["categorical"].append(name)
        else:
            kinds["text"].append(name)
    return kinds


def target_candidates(frame: pd.DataFrame, exclude: list[str]) -> list[str]:
    """Columns with 2-6 distinct values, most target-like first (yes/no values, name words)."""
    scored = []
    for name in frame.columns:
        if name in exclude:
            continue
        values = frame[name].dropna().astype(str).str.strip().str.casefold()
        distinct = set(values.unique())
        if not 2 <= len(distinct) <= 6:
            continue
        score = 2 * bool(distinct & _YES and distinct & _NO) + bool(_TARGET_WORDS.search(name))
        scored.append((-score, list(frame.columns).index(name), name))
    return [name for *_, name in sorted(scored)]


def outcome_values(values: pd.Series) -> tuple[list[str], list[str], list[str]]:
    """Guessed (won, lost, open) spellings among a target column's values."""
    distinct = [str(v).strip() for v in values.dropna().astype(str).unique()]
    won = [v for v in distinct if v.casefold() in _YES]
    lost = [v for v in distinct if v.casefold() in _NO]
    rest = [v for v in distinct if v not in won and v not in lost]
    if not won and len(distinct) >= 2:  # no yes/no words: the rarer of two values is 'won'
        counts = values.astype(str).str.strip().value_counts()
        won, lost = [str(counts.index[-1])], [str(counts.index[0])]
        rest = [v for v in distinct if v not in won + lost]
    return won, lost, rest


def _summary(
    frame: pd.DataFrame, source: str, kinds: dict[str, list[str]], targets: list[str]
) -> list[str]:
    """The comment block that opens a drafted config: what each column looks like."""

    def listing(key: str) -> str:
        return ", ".join(kinds[key]) or "(none)"

    shown_targets = "; ".join(
        f"{t} ({', '.join(map(str, frame[t].dropna().astype(str).unique()[:6]))})"
        for t in targets[:5]
    )
    return [
        f"# leadscore config drafted by `leadscore init-config` from {source}",
        f"# ({len(frame):,} rows, {frame.shape[1]} columns). Check every line marked EDIT, then:",
        f"#   leadscore train {source} --config THIS_FILE",
        "# The keys are described in docs/column-roles.md.",
        "#",
        "# What the values look like:",
        f"#   id-like (unique):  {listing('id')}",
        f"#   dates:             {listing('date')}",
        f"#   numeric:           {listing('numeric')}",
        f"#   categorical:       {listing('categorical')}",
        f"#   free text:         {listing('text')}",
        f"#   target candidates: {shown_targets or '(none found)'}",
        "",
    ]


def draft_config(frame: pd.DataFrame, source: str) -> str:
    """The commented TOML text of a starting config for ``frame`` (read from ``source``)."""
    kinds = classify(frame)
    targets = target_candidates(frame, kinds["id"])
    target = targets[0] if targets else ""
    won, lost, open_ = outcome_values(frame[target]) if target else ([], [], [])
    id_col = kinds["id"][0] if kinds["id"] else ""
    placeholders = sorted(
        {
            p
            for p in _PLACEHOLDERS
            for c in kinds["categorical"]
            if (frame[c].astype(str) == p).any()
        }
    )
    missing = list(dict.fromkeys([*DEFAULT_MISSING_VALUES, *placeholders]))

    def listing(key: str) -> str:
        return ", ".join(kinds[key]) or "(none)"

    lines = [
        *_summary(frame, source, kinds, targets),
        "[contacts]",
        f'id = {_q(id_col)}  # EDIT: unique row id ("" = none: rows named by row number)',
        f"outcome = {_q(target)}  # EDIT: the column that says whether the lead converted",
        f"won = {_qlist(won)}  # EDIT: values meaning converted",
        f"lost = {_qlist(lost)}  # EDIT: values meaning not converted",
        f"open = {_qlist(open_)}  # EDIT: values meaning still open (scored, not trained on)",
        'created_at = ""  # EDIT: the date the lead was created, if the export has one'
        + (f" (dates: {listing('date')})" if kinds["date"] else ""),
        'closed_at = ""',
        '# order_by = ""  # EDIT: a column ordering rows in time ("@row" = file order): the',
        "#                  latest 20 % become the test set; without it the split is stratified",
        "",
        "[features]",
        "# EDIT: leave out anything filled in during or after the sales conversation, and ids",
        f"ignore = {_qlist([c for c in kinds['id'] if c != id_col])}",
        "categorical = []  # columns to force to categories (e.g. numeric codes)",
        "numeric = []",
        "# Placeholders that mean 'no answer' (missingness is a signal, kept as its own bucket)",
        f"missing_values = {_qlist(missing)}",
        "",
        "[training]",
        'examples = "flat"  # one row = one example; "snapshots" for contacts + an activity log',
        'evaluation = "holdout"  # "cv" adds stratified k-fold cross-validation',
        "",
    ]
    return "\n".join(lines)
