"""Parsing the ``[[scorecard.rules]]`` tables of a config into ``Rule`` objects.

Every problem is a ``ConfigError`` naming the rule (see ``rules`` for what each kind means).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from leadscore.errors import ConfigError

TIMING = ("window_days", "min_count", "within_days", "half_life_days")


ATTRIBUTE_OPS = ("equals", "in", "range", "min", "max", "contains", "decision_maker", "seniority")


RULE_KEYS = frozenset(
    {"name", "points", "column", *ATTRIBUTE_OPS}
    | {"activity", "high_intent", "window_days", "min_count", "within_days", "half_life_days"}
)


SENIORITY_LEVELS = (
    "owner",
    "c_level",
    "vp",
    "director",
    "head",
    "manager",
    "individual",
    "intern_student",
)


@dataclass(frozen=True)
class Rule:
    """One scorecard rule (see the module docstring for the kinds)."""

    name: str
    points: float
    kind: str  # one of ATTRIBUTE_OPS ("min"/"max" become "range"), "count" or "recent"
    column: str | None = None
    values: tuple[Any, ...] = ()
    low: float | None = None
    high: float | None = None
    activities: tuple[str, ...] = ()
    high_intent: bool = False
    window_days: int | None = None
    min_count: int = 1
    within_days: float | None = None
    half_life_days: float | None = None

    @property
    def behavioral(self) -> bool:
        """True for rules on the activity log."""
        return self.kind in ("count", "recent")


def _behavioral_rule(raw: dict[str, Any], name: str, points: float, fail: Any) -> Rule:
    acts = raw.get("activity", ())
    acts = tuple(acts) if isinstance(acts, list) else ((acts,) if acts else ())
    if not all(isinstance(a, str) and a for a in acts):
        raise fail("activity must be a type name or a list of them")
    if "within_days" in raw and ("window_days" in raw or "min_count" in raw):
        raise fail("use within_days (recency) or window_days/min_count (count), not both")
    kind = "recent" if "within_days" in raw else "count"
    window = raw.get("window_days")
    if window is not None and window != int(window):
        raise fail("window_days must be a whole number of days")
    return Rule(
        name=name,
        points=points,
        kind=kind,
        activities=acts,
        high_intent=raw.get("high_intent") is True,
        window_days=int(window) if window else None,
        min_count=int(raw.get("min_count", 1)),
        within_days=raw.get("within_days"),
        half_life_days=raw.get("half_life_days"),
    )


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_rule(raw: Any, number: int, source: str | None) -> Rule:
    """One ``[[scorecard.rules]]`` table as a ``Rule``.

    Raises:
        ConfigError: naming the rule, for unknown keys, a missing or non-numeric ``points``,
            no or several conditions, or a condition of the wrong type.
    """
    if not isinstance(raw, dict):
        raise ConfigError(f"[[scorecard.rules]] #{number} must be a table", file=source)
    name = str(raw.get("name") or f"rule {number}")
    where = f"scorecard rule '{name}'"

    def fail(message: str) -> ConfigError:
        return ConfigError(f"{where}: {message}", file=source)

    unknown = sorted(set(raw) - RULE_KEYS)
    if unknown:
        raise fail(f"unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(RULE_KEYS))}")
    points = raw.get("points")
    if not is_number(points):
        raise fail(f"points must be a number, got {points!r}")
    for key in TIMING:
        if key in raw and (not is_number(raw[key]) or raw[key] <= 0):
            raise fail(f"{key} must be a positive number, got {raw[key]!r}")
    if "activity" in raw or raw.get("high_intent") is True:
        if any(k in raw for k in ATTRIBUTE_OPS) or "column" in raw:
            raise fail("a rule is on an attribute column or on activities, not both")
        return _behavioral_rule(raw, name, float(cast(float, points)), fail)
    return _attribute_rule(raw, name, float(cast(float, points)), fail)


def _attribute_rule(raw: dict[str, Any], name: str, points: float, fail: Any) -> Rule:
    """A rule on an attribute column: one condition of ``ATTRIBUTE_OPS``."""
    timing = [k for k in TIMING if k in raw]
    if timing:
        raise fail(f"{', '.join(timing)} only apply to activity rules (activity = ...)")
    if "column" not in raw or not isinstance(raw["column"], str):
        raise fail('needs column = "..." (or activity = "..." / high_intent = true)')
    ops = [k for k in ATTRIBUTE_OPS if k in raw]
    if len({{"min": "range", "max": "range"}.get(k, k) for k in ops}) != 1:
        raise fail(
            f"needs exactly one condition of {', '.join(ATTRIBUTE_OPS)}, got {ops or 'none'}"
        )
    common: dict[str, Any] = {"name": name, "points": points, "column": raw["column"]}
    op = ops[0]
    if op in ("range", "min", "max"):
        return _range_rule(raw, common, fail)
    value = raw[op]
    if op == "decision_maker":
        if not isinstance(value, bool):
            raise fail("decision_maker must be true or false")
        return Rule(kind=op, values=(value,), **common)
    values = tuple(value) if isinstance(value, list) else (value,)
    if not values or any(isinstance(v, dict | list) for v in values):
        raise fail(f"{op} needs a value or a list of values")
    if op == "equals" and isinstance(value, list):
        raise fail("equals takes one value; use in = [...] for several")
    if op in ("contains", "seniority") and not all(isinstance(v, str) for v in values):
        raise fail(f"{op} takes text")
    bad = [v for v in values if v not in SENIORITY_LEVELS] if op == "seniority" else []
    if bad:
        raise fail(f"unknown seniority {bad}; known: {', '.join(SENIORITY_LEVELS)}")
    return Rule(kind=op, values=values, **common)


def _range_rule(raw: dict[str, Any], common: dict[str, Any], fail: Any) -> Rule:
    """``range = [low, high]``, ``min`` and/or ``max``: numeric bounds, low <= high."""
    low, high = raw.get("min"), raw.get("max")
    if "range" in raw:
        if not (isinstance(raw["range"], list) and len(raw["range"]) == 2):
            raise fail("range must be [low, high]")
        low, high = raw["range"]
    for v in (low, high):
        if v is not None and not is_number(v):
            raise fail(f"range bounds must be numbers, got {v!r}")
    if low is not None and high is not None and low > high:
        raise fail(f"range low {low} is above high {high}")
    return Rule(kind="range", low=low, high=high, **common)
