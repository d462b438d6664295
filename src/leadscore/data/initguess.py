"""The guesses ``init-config`` drafts from: the id, the outcome and its values, the dates, the
roles, the likely leaks and the activity log's columns, each with how sure it is and why.

Pure: DataFrames in, ``Guess`` values out. A guess is *sure* when the values and the header
agree (a unique column whose header says id; a stage column holding "Closed Won" and "Closed
Lost"); otherwise it is drafted on a line marked EDIT with the reason. Headers only ever
choose among columns whose values already fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from leadscore.data.attributes import NUMBER_SHARE
from leadscore.data.numbers import decide_number_format, parse_numbers
from leadscore.features import titles
from leadscore.features.personal_words import header_words

_TARGET_WORDS = re.compile(
    r"convert|outcome|target|label|status|stage|result|won|win|closed|subscri|^y$", re.I
)
_YES = {"1", "1.0", "yes", "y", "true", "t", "won", "win", "converted", "closed won", "success",
        "customer", "closedwon"}  # fmt: skip
_NO = {"0", "0.0", "no", "n", "false", "f", "lost", "loss", "not converted", "closed lost",
       "closedlost"}  # fmt: skip
_WORDED = {"won", "win", "converted", "closed won", "closedwon", "customer", "success"}
_ID_HEADER = re.compile(r"(?:^|\s)(?:id|key|code|ref|number|no|nr)$|^id(?:\s|$)|guid|uuid")
_CREATED = re.compile(r"creat|added|sign\s?up|registered|first seen|entered")
_CLOSED = re.compile(r"clos|won date|lost date|end date|became a customer")
_LEAK = re.compile(r"(?:^|\s)(?:clos\w*|won|lost|win|loss|stage|status|is won|is closed)(?:\s|$)")
_SIZE = re.compile(r"employ|headcount|staff|company size|mitarbeiter|funcionarios|empleados")
_REVENUE = re.compile(r"revenue|turnover|umsatz|receita|faturamento|ingresos|chiffre")
_TITLE = re.compile(r"title|position|job|role|cargo|funktion|poste|jabatan")
_WHEN = re.compile(r"activity|occur|engagement|timestamp|event|date|time|created")
_TYPE = re.compile(r"type|kind|event|activity|subtype|channel|category")


@dataclass
class Guess:
    """One drafted value, how sure the draft is of it, and why (shown in the config)."""

    value: str
    sure: bool
    why: str


def _header(name: object) -> str:
    return header_words(str(name))


def _text(values: pd.Series) -> pd.Series:
    return values.dropna().astype(str).str.strip()


def guess_id(frame: pd.DataFrame, dates: list[str]) -> Guess:
    """The unique row id: never a column with a repeated or blank value."""
    candidates = []
    for name in frame.columns:
        values = frame[name]
        if name in dates or values.isna().any() or pd.api.types.is_float_dtype(values):
            continue
        text = _text(values)
        if len(frame) > 1 and text.nunique() == len(frame) and (text != "").all():
            candidates.append(name)
    if not candidates:
        return Guess("", False, 'no column has a unique value on every row ("" = rows are '
                     "named by their row number)")  # fmt: skip
    named = [c for c in candidates if _ID_HEADER.search(_header(c))]
    if named:
        return Guess(str(named[0]), True, "unique on every row, and its header says id")
    return Guess(str(candidates[0]), False, "unique on every row; check it names the contact")


def _outcome_score(name: str, values: pd.Series) -> int:
    distinct = set(_text(values).str.casefold().unique())
    both = bool(distinct & _YES and distinct & _NO)
    worded = both and bool(distinct & _WORDED)
    others = len(distinct - _YES - _NO)
    return 2 * both + bool(_TARGET_WORDS.search(name)) + (worded and others > 0)


def target_candidates(frame: pd.DataFrame, exclude: list[str]) -> list[str]:
    """Columns with 2-6 distinct values (up to 15 when won and lost are spelled out), most
    target-like first: yes/no values, target words in the header, open stages besides."""
    scored = []
    for pos, name in enumerate(frame.columns):
        if name in exclude:
            continue
        distinct = set(_text(frame[name]).str.casefold().unique())
        limit = 15 if distinct & _WORDED and distinct & _NO else 6
        if 2 <= len(distinct) <= limit:
            scored.append((-_outcome_score(str(name), frame[name]), pos, name))
    return [name for *_, name in sorted(scored)]


def outcome_values(values: pd.Series) -> tuple[list[str], list[str], list[str], bool]:
    """Guessed (won, lost, open) spellings among a target column's values, and whether
    they were read from their words (else: the rarer of two values is taken for won)."""
    distinct = [str(v).strip() for v in values.dropna().astype(str).unique()]
    won = [v for v in distinct if v.casefold() in _YES]
    lost = [v for v in distinct if v.casefold() in _NO]
    rest = [v for v in distinct if v not in won and v not in lost]
    if won and lost:
        return won, lost, rest, True
    if len(distinct) >= 2:
        counts = values.astype(str).str.strip().value_counts()
        won, lost = [str(counts.index[-1])], [str(counts.index[0])]
        rest = [v for v in distinct if v not in won + lost]
    return won, lost, rest, False


def guess_dates(
    frame: pd.DataFrame, dates: list[str], won_or_lost: pd.Series
) -> tuple[Guess, Guess]:
    """(created, closed): by header among the date columns; the close date must be filled
    on most won or lost rows and on few open ones."""
    created = next((d for d in dates if _CREATED.search(_header(d))), None)
    closed = None
    for d in dates:
        if d != created and _CLOSED.search(_header(d)):
            filled = frame[d].notna()
            if won_or_lost.any() and filled[won_or_lost].mean() >= 0.9:
                closed = d
                break
    if created is not None:
        c = Guess(str(created), True, "its header says created")
    elif dates:
        c = Guess("", False, f"the date the lead was created, if one of these: {', '.join(dates)}")
    else:
        c = Guess("", False, "no date column found")
    if closed is not None:
        return c, Guess(str(closed), True, "filled on the won and lost rows; its header says close")
    return c, Guess("", False, "the date the outcome was known (needed with an activity log)")


def guess_roles(frame: pd.DataFrame, numeric: list[str]) -> dict[str, Guess]:
    """Columns for company size, revenue and job title, by header among fitting values."""
    roles: dict[str, Guess] = {}
    for role, pattern in (("company_size", _SIZE), ("revenue", _REVENUE)):
        hit = next((c for c in numeric if pattern.search(_header(c))), None)
        roles[role] = Guess(str(hit or ""), hit is not None, "its header says so")
    text_cols = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    hit = next(
        (c for c in text_cols
         if _TITLE.search(_header(c)) and titles.looks_like_titles(frame[c])), None
    )  # fmt: skip
    roles["job_title"] = Guess(str(hit or ""), hit is not None, "job titles, by values and header")
    return roles


def likely_leaks(columns: list[str], roles: set[str]) -> list[str]:
    """Columns whose header says they are filled at or after the close (closing, won, lost,
    stage, status, close date), besides the outcome and date roles."""
    return [str(c) for c in columns if c not in roles and _LEAK.search(_header(c))]


def _overlap(values: pd.Series, ids: set[str]) -> float:
    text = _text(values)
    return float(text.isin(ids).mean()) if len(text) else 0.0


def guess_activities(
    acts: pd.DataFrame, contact_ids: pd.Series, dates: list[str]
) -> dict[str, Guess]:
    """The activity log's contact id (the column whose values are the contacts' ids), its
    time (a date column) and its type (a column of a few repeated values)."""
    ids = set(_text(contact_ids))
    overlap = {c: _overlap(acts[c], ids) for c in acts.columns if c not in dates}
    best = max(overlap, key=lambda c: overlap[c], default=None)
    found: dict[str, Guess] = {}
    if best is not None and overlap[best] >= 0.5:
        why = f"{overlap[best]:.0%} of its values are contact ids"
        found["contact_id"] = Guess(str(best), overlap[best] >= 0.9, why)
    else:
        found["contact_id"] = Guess("", False, "no column holds the contacts' ids")
    ranked = sorted(dates, key=lambda d: (not _WHEN.search(_header(d)), acts[d].isna().mean()))
    found["occurred_at"] = (
        Guess(
            str(ranked[0]),
            len(ranked) == 1 or bool(_WHEN.search(_header(ranked[0]))),
            "the date of each activity",
        )  # fmt: skip
        if ranked
        else Guess("", False, "no date column found")
    )
    kinds = []
    for c in acts.columns:
        text = _text(acts[c])
        n = text.nunique()
        if c not in dates and c != found["contact_id"].value and 2 <= n <= 60 and len(text):
            kinds.append((not _TYPE.search(_header(c)), -float(len(text)) / len(acts), n, c))
    kind = min(kinds)[-1] if kinds else ""
    sure = bool(kind) and bool(_TYPE.search(_header(kind)))
    found["activity_type"] = Guess(str(kind), sure, "a few repeated values naming the activity")
    return found


def numeric_like(values: pd.Series) -> bool:
    """Numbers, or text that reads as numbers in the one format decided for the column
    (``$1,200,000``, ``1.200.000 €``: ``data.numbers``), as the loader will read it."""
    if pd.api.types.is_bool_dtype(values):
        return False
    if pd.api.types.is_numeric_dtype(values):
        return True
    text = _text(values)
    if not len(text) or text.str.contains(r"\d").mean() < NUMBER_SHARE:
        return False
    fmt = decide_number_format(text, column=str(values.name))
    return float(np.mean(parse_numbers(text, fmt).notna())) >= NUMBER_SHARE
