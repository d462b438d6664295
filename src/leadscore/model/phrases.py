"""A salesperson's sentence for one factor and one lead's value of it, said against the
average lead.

Phrases come from the *shape* of a model-ready column name (``n_<type>_<N>d``,
``days_since_last_<type>``, ``<col>__band``, ``<col>__seniority``, ``days_since_created``,
``<col> = <value>``), never from a list of known column names. With the factor's reference
(``factor_reference``: how the leads the model was checked on spread on it), a number is
compared with those leads: "pricing page view ×3 in the last 30 days — more than most leads",
"no demo request yet — typical", "last meeting 4 days ago — most leads have none".
"""

from __future__ import annotations

import functools
import re
from typing import Any

import numpy as np
import pandas as pd

QUANTILES = 21  # stored per numeric factor: the 0 %, 5 %, ..., 100 % points
MOST = 0.5  # "most leads": more than half of the reference

_COUNT_WINDOW = re.compile(r"^n_(?P<what>.+)_(?P<days>\d+)d$")
_COUNT_TOTAL = re.compile(r"^n_(?P<what>.+)_total$")
_LAST = re.compile(r"^days_since_last_(?P<what>.+)$")
_SEPARATORS = re.compile(r"[_\s]+")


def factor_reference(features: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """How a reference population spreads on each numeric factor (no lead's own value):
    the share missing, the share zero and ``QUANTILES`` quantiles of the filled values."""
    out: dict[str, dict[str, Any]] = {}
    for name in features.columns:
        if features[name].dtype == object:
            continue
        x = features[name].to_numpy(dtype=float)
        filled = x[np.isfinite(x)]
        q = np.quantile(filled, np.linspace(0, 1, QUANTILES)) if len(filled) else []
        out[str(name)] = {
            "missing": float(1 - len(filled) / len(x)) if len(x) else 0.0,
            "zero": float((x == 0).mean()) if len(x) else 0.0,
            "quantiles": [float(v) for v in q],
        }
    return out


def _spread(value: float, ref: dict[str, Any]) -> tuple[float, float]:
    """(share of reference leads with a lower value, share with a higher one), missing ones
    counted in neither."""
    q = np.asarray(ref.get("quantiles") or [], dtype=float)
    if len(q) < 2:
        return 0.0, 0.0
    filled = 1 - ref.get("missing", 0.0)
    lower = np.searchsorted(q, value, side="left") / (len(q) - 1)
    higher = 1 - np.searchsorted(q, value, side="right") / (len(q) - 1)
    return float(filled * min(lower, 1.0)), float(filled * max(higher, 0.0))


def _compare(factor: str, value: Any, ref: dict[str, Any] | None) -> str:
    """' — typical', ' — more than most leads', ...: the value against the reference."""
    if ref is None:
        return ""
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    recency = bool(_LAST.match(factor))
    if missing:  # for activity: never happened
        return " — typical" if ref.get("missing", 0.0) > MOST else " — most leads have had one"
    v = float(value)
    counts = bool(_COUNT_WINDOW.match(factor) or _COUNT_TOTAL.match(factor))
    if counts and v == 0:
        return " — typical" if ref.get("zero", 0.0) > MOST else " — most leads have some"
    if recency and ref.get("missing", 0.0) > MOST:
        return " — most leads have none"
    lower, higher = _spread(v, ref)
    if recency:  # fewer days = more recent, among the leads that had one
        filled = max(1 - ref.get("missing", 0.0), 1e-9)
        lower, higher = lower / filled, higher / filled
        words = (" — more recent than for most leads", " — longer ago than for most leads")
    elif factor.startswith("days_since"):
        words = (" — shorter than most leads", " — longer than most leads")
    elif counts or factor in ("n_distinct_types", "velocity_30d"):
        words = (" — fewer than most leads", " — more than most leads")
    else:
        words = (" — lower than most leads", " — higher than most leads")
    if higher > MOST:
        return words[0]
    if lower > MOST:
        return words[1]
    return " — typical"


@functools.lru_cache(maxsize=4096, typed=True)
def _words(name: str) -> str:
    """A column name or category in words (cached: phrases say the same few names often)."""
    return _SEPARATORS.sub(" ", str(name)).strip()


def _what(slugged: str) -> str:
    if slugged == "all":
        return "activity"
    if slugged == "high_intent":
        return "high-intent activity"
    return _words(slugged)


def _days(v: float) -> str:
    d = int(round(v))
    return "today" if d == 0 else ("1 day ago" if d == 1 else f"{d:,} days ago")


def _whole(v: Any) -> Any:
    """Whether a number (or each of an array) is said without decimals: 100 or more, or whole."""
    return (np.abs(v) >= 100) | (v == np.round(v))


def _number(v: float) -> str:
    return f"{v:,.0f}" if _whole(v) else f"{v:,.2f}"


def in_whole_days(factor: str) -> bool:
    """True for factors whose phrase depends only on the value rounded to whole days."""
    return (
        bool(_LAST.match(factor))
        or factor in ("days_since_first_activity", "days_since_created")
        or factor.startswith("days_since__")
    )


def phrase(
    factor: str,
    value: Any,
    roles: dict[str, Any] | None = None,
    ref: dict[str, Any] | None = None,
) -> str:
    """A salesperson's sentence for a factor and the row's value of it.

    Args:
        factor: a model-ready column name of ``ContactFeatures``.
        value: the row's value of it (number, category text or missing).
        roles: ``{"company_size": col, "revenue": col}`` to word bands of those columns.
        ref: the factor's reference (``factor_reference``), to say how the value compares
            with the leads the model was checked on; numbers only.
    """
    return _base(factor, value, roles or {}) + _compare(factor, value, ref)


def phrase_many(
    factor: str,
    values: np.ndarray,
    roles: dict[str, Any] | None = None,
    ref: dict[str, Any] | None = None,
) -> list[str]:
    """``phrase`` of each of many values of one factor, the comparison worked out once per
    group of values that compare alike (missing, zero, and the same place among the reference
    quantiles): what ``phrase`` says of each value, for far fewer comparisons."""
    roles = roles or {}
    compared = _compare_many(factor, values, ref)
    values = np.asarray(values)
    if values.dtype.kind == "f" and _plain_number(factor):  # "employees = 1,234": the commonest
        bases = _plain_numbers(_words(factor), values)
    else:
        items = values.tolist() if values.dtype == np.float64 else values  # same text, faster
        bases = [_base(factor, v, roles) for v in items]
    return [b + c for b, c in zip(bases, compared, strict=True)]


def _plain_numbers(words: str, values: np.ndarray) -> list[str]:
    """``_base`` of many numbers of a plain factor: ``<words> = <_number(v)>``, or ``<words>
    not filled in``; ``_number``'s choice of format (``_whole``) made for all values at once."""
    whole = _whole(values)
    return [f"{words} not filled in" if v != v  # NaN
            else (f"{words} = {v:,.0f}" if w else f"{words} = {v:,.2f}")
            for v, w in zip(values.tolist(), whole.tolist(), strict=True)]  # fmt: skip


@functools.lru_cache(maxsize=1024)
def _plain_number(factor: str) -> bool:
    """True when ``_base`` says a number of this factor as ``<factor in words> = <number>``."""
    shaped = (
        _COUNT_WINDOW.match(factor)
        or _COUNT_TOTAL.match(factor)
        or _LAST.match(factor)
        or factor.startswith("days_since__")
        or factor.endswith(("__band", "__seniority", "__decision_maker", "__function"))
    )
    named = ("days_since_first_activity", "velocity_30d", "n_distinct_types", "days_since_created")
    return not (shaped or factor in named)


def _compare_many(factor: str, values: np.ndarray, ref: dict[str, Any] | None) -> list[str]:
    """``_compare`` of each value: once per (missing, zero, rank among the quantiles) group."""
    if ref is None or len(values) == 0:
        return [""] * len(values)
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        return [_compare(factor, v, ref) for v in values]
    q = np.asarray(ref.get("quantiles") or [], dtype=float)
    left, right = np.searchsorted(q, x, side="left"), np.searchsorted(q, x, side="right")
    key = ((left * (len(q) + 1) + right) * 2 + (x == 0)) * 2 + np.isnan(x)  # one number
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    said = [_compare(factor, values[i], ref) for i in first]
    return [said[k] for k in inverse.ravel()]


def _base(factor: str, value: Any, roles: dict[str, Any]) -> str:
    """The phrase of a value alone, without the comparison."""
    missing = value is None or (isinstance(value, float) and np.isnan(value))
    if m := _COUNT_WINDOW.match(factor):
        what, days = _what(m["what"]), m["days"]
        if missing or value == 0:
            return f"no {what} in the last {days} days"
        return f"{what} ×{_number(value)} in the last {days} days"
    if m := _COUNT_TOTAL.match(factor):
        what = _what(m["what"])
        return f"no {what} so far" if missing or value == 0 else f"{what} ×{_number(value)} so far"
    if m := _LAST.match(factor):
        what = _what(m["what"])
        return f"no {what} yet" if missing else f"last {what} {_days(value)}"
    if factor == "days_since_first_activity":
        return "no activity yet" if missing else f"first activity {_days(value)}"
    if factor == "velocity_30d":
        if missing or value == 0:
            return "activity steady over the last 60 days"
        trend = "rising" if value > 0 else "falling"
        return f"activity {trend} ({value:+,.0f} in the last 30 days vs the 30 before)"
    if factor == "n_distinct_types":
        return f"{_number(value)} kinds of activity" if not missing else "no activity yet"
    if factor == "days_since_created":
        return "creation date unknown" if missing else f"in the CRM for {int(round(value)):,} days"
    if factor.startswith("days_since__"):
        col = _words(factor[len("days_since__") :])
        return f"{col} not set" if missing else f"{col} {_days(value)}"
    if factor.endswith("__band"):
        col = factor[: -len("__band")]
        if value == "(missing)" or missing:
            return f"{_words(col)} unknown"
        if col == roles.get("company_size"):
            return f"company of {value} employees"
        if col == roles.get("revenue"):
            return f"annual revenue {value}"
        return f"{_words(col)} {value}"
    if factor.endswith("__seniority"):
        level = {"c_level": "C-level", "vp": "VP", "intern_student": "intern/student"}.get(
            str(value), _words(value)
        )
        return f"{_words(factor[: -len('__seniority')])} seniority: {level}"
    if factor.endswith("__decision_maker"):
        col = _words(factor[: -len("__decision_maker")])
        if missing:
            return f"{col} unknown"
        return f"decision-maker {col}" if value else f"not a decision-maker {col}"
    if factor.endswith("__function"):
        return f"{_words(factor[: -len('__function')])} function: {_words(value)}"
    if isinstance(value, str):
        if value == "(missing)":
            return f"{_words(factor)} not filled in"
        if value in ("(other)", "(unseen)"):
            return f"{_words(factor)}: a rare value"
        return f"{_words(factor)} = {value}"
    if missing:
        return f"{_words(factor)} not filled in"
    return f"{_words(factor)} = {_number(float(value))}"


def missing_phrase(factor: str, value: Any, roles: dict[str, Any], verdict: str) -> str:
    """A blank attribute named as a reason, with the evidence that blanks predict: "budget not
    filled in — leads without it convert less often"."""
    more = verdict.endswith("more")
    return _base(factor, value, roles) + (
        f" — leads without it convert {'more' if more else 'less'} often"
    )
