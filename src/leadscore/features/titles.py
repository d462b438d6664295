"""Seniority, decision-making role and business function parsed from free-text job titles.

The rules are ordered word patterns, first match wins, so "Assistant Manager" is a manager
and "Marketing Intern" an intern whatever else the title says. Decision-makers are C-level,
vice presidents and directors or heads of a function, as B2B buying-committee studies use.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

SENIORITY_RULES: tuple[tuple[str, str], ...] = (
    ("intern_student", r"\b(?:intern|internship|student|trainee|apprentice|graduate)\b"),
    (
        "c_level",
        r"\b(?:chief|ceo|cto|cfo|coo|cmo|cio|ciso|cro|cpo|president|founder|co-founder|cofounder"
        r"|owner|managing director|managing partner|partner|principal)\b",
    ),
    ("vp", r"\b(?:vp|svp|evp|avp|vice[- ]president)\b"),
    ("director", r"\b(?:director|dir|head)\b"),
    ("manager", r"\b(?:manager|mgr|lead|supervisor|team lead)\b"),
)
DECISION_MAKERS = frozenset({"c_level", "vp", "director"})

FUNCTION_RULES: tuple[tuple[str, str], ...] = (
    ("executive", r"\b(?:ceo|founder|co-founder|owner|president|managing director|general)\b"),
    ("sales", r"\b(?:sales|account executive|business development|bdr|sdr|revenue|cro)\b"),
    ("marketing", r"\b(?:marketing|cmo|growth|brand|demand|content|seo)\b"),
    ("finance", r"\b(?:finance|financial|cfo|accounting|accountant|controller|treasury)\b"),
    ("procurement", r"\b(?:procurement|purchasing|buyer|sourcing)\b"),
    (
        "it_engineering",
        r"\b(?:it|cto|cio|ciso|engineer|engineering|developer|software|technology|technical"
        r"|data|devops|architect|security|systems)\b",
    ),
    ("operations", r"\b(?:operations|coo|ops|logistics|supply chain|facilities)\b"),
    ("hr", r"\b(?:hr|human resources|people|talent|recruit\w*)\b"),
)

_SENIORITY = [(name, re.compile(p)) for name, p in SENIORITY_RULES]
_FUNCTION = [(name, re.compile(p)) for name, p in FUNCTION_RULES]
_ANY_TITLE_WORD = re.compile(
    "|".join(p for _, p in SENIORITY_RULES + FUNCTION_RULES)
    + r"|\b(?:analyst|specialist|coordinator|associate|consultant|assistant|officer|executive)\b"
)


def _normalise(titles: pd.Series) -> pd.Series:
    text = titles.astype("string").str.casefold()
    return text.str.replace(r"[^0-9a-z&\- ]+", " ", regex=True).str.strip()


def _first_match(
    text: pd.Series, rules: list[tuple[str, re.Pattern[str]]], default: str
) -> pd.Series:
    out = pd.Series(default, index=text.index, dtype=object)
    done = pd.Series(False, index=text.index)
    for name, pattern in rules:
        hit = text.str.contains(pattern, na=False).to_numpy() & ~done.to_numpy()
        out[hit] = name
        done |= hit
    return out


def seniority(titles: pd.Series) -> pd.Series:
    """Seniority level per title: c_level, vp, director, manager, individual, intern_student,
    or unknown for a blank title."""
    text = _normalise(titles)
    out = _first_match(text, _SENIORITY, "individual")
    out[(text.isna() | (text == "")).to_numpy()] = "unknown"
    return out


def function(titles: pd.Series) -> pd.Series:
    """Business function per title (sales, marketing, it_engineering, …, other, unknown)."""
    text = _normalise(titles)
    out = _first_match(text, _FUNCTION, "other")
    out[(text.isna() | (text == "")).to_numpy()] = "unknown"
    return out


def decision_maker(levels: pd.Series) -> np.ndarray:
    """1.0 for decision-maker seniority, 0.0 otherwise, NaN when the title is unknown."""
    values = levels.isin(DECISION_MAKERS).to_numpy(dtype=float, copy=True)
    values[(levels == "unknown").to_numpy()] = np.nan
    return values


def looks_like_titles(values: pd.Series, min_share: float = 0.4) -> bool:
    """True when a text column reads like job titles (by content, never by its name)."""
    sample = _normalise(values.dropna().astype(str).drop_duplicates().head(2000))
    if len(sample) < 10:
        return False
    return float(sample.str.contains(_ANY_TITLE_WORD, na=False).mean()) >= min_share
