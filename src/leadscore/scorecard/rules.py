"""A points scorecard: the classic lead-scoring table, as rules in the TOML config.

Each rule gives points (positive or negative) when it fires on a contact's raw row:

- on an attribute column: ``equals``, ``in``, ``range`` (or ``min`` / ``max``), ``contains``
  (case-insensitive words in free text), ``decision_maker`` or ``seniority`` (job titles parsed
  by :mod:`leadscore.features.titles`);
- on behaviour: ``activity`` (one type or a list) or ``high_intent = true`` (every high-intent
  type in the log), counted in the last ``window_days`` (``min_count`` times, default once), or
  seen within the last ``within_days`` (recency). ``half_life_days`` decays the points with
  the age of the latest such activity: ``points * 0.5 ** (days / half_life_days)``.

The score is the sum of the points that fired, clipped to 0-100; the tier comes from score
thresholds in points (``prospect``, ``opportunity``; ties go to the higher tier). Reasons list
the rules that fired with their points, largest first.

A rule that cannot apply to the data — a column the file lacks, a value of the wrong type, an
unknown activity type — is a ``ConfigError`` naming the rule, raised by ``validate`` before
anything is scored. Pure: DataFrames in, arrays and frames out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leadscore.errors import ConfigError
from leadscore.features import titles
from leadscore.features.activity import HIGH_INTENT_WORDS, ActivitySpec, slug
from leadscore.features.contact import to_number
from leadscore.features.snapshots import assemble_rows
from leadscore.scorecard.parsing import (
    Rule,
    is_number,
    parse_rule,
)

TIERS = ("lead", "prospect", "opportunity")


@dataclass
class Scorecard:
    """Rules and score thresholds; ``types`` maps each rule's activities to the log's names."""

    rules: list[Rule]
    prospect: float = 40.0
    opportunity: float = 70.0
    source: str | None = None
    types: dict[str, tuple[str, ...]] = field(default_factory=dict)

    # -- building ------------------------------------------------------------------------
    @classmethod
    def from_config(cls, section: Any, source: str | None = None) -> Scorecard:
        """Parse the ``[scorecard]`` section (a ``ScorecardConfig``) into rules.

        Raises:
            ConfigError: a rule has unknown keys, no points, no or several conditions.
        """
        if not 0 <= section.prospect <= section.opportunity <= 100:
            raise ConfigError("[scorecard] need 0 <= prospect <= opportunity <= 100", file=source)
        if not section.rules:
            raise ConfigError("[scorecard] has no [[scorecard.rules]]", file=source)
        rules = [parse_rule(raw, i, source) for i, raw in enumerate(section.rules, start=1)]
        names = [r.name for r in rules]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ConfigError(f"[scorecard] rule names must be unique: {dupes}", file=source)
        return cls(rules, float(section.prospect), float(section.opportunity), source)

    def validate(
        self,
        contacts: pd.DataFrame,
        activities: pd.DataFrame | None,
        *,
        file: str | None = None,
        activities_file: str | None = None,
    ) -> Scorecard:
        """Check every rule against the data; resolve activity names to the log's types.

        Raises:
            ConfigError: naming the rule, for a missing column, a value of the wrong type, an
                unknown activity type or a missing activity log.
        """
        known = _activity_types(activities)
        self.types = {}
        for rule in self.rules:
            where = f"scorecard rule '{rule.name}'"
            if rule.behavioral:
                self.types[rule.name] = _resolve(rule, known, where, activities_file)
            else:
                _check_column(rule, contacts, where, file)
        return self

    def activity_spec(self) -> ActivitySpec:
        """The behavioral columns the rules read (resolved by ``validate``)."""
        types = tuple(sorted({t for ts in self.types.values() for t in ts}))
        windows = {r.window_days for r in self.rules if r.window_days} or {30}
        return ActivitySpec(types=types, windows=tuple(sorted(windows)), high_intent=())

    def rows(
        self, contacts: pd.DataFrame, activities: pd.DataFrame | None, keys: pd.DataFrame
    ) -> pd.DataFrame:
        """Raw rows (attributes + the behavioral columns the rules read) as of ``keys.as_of``."""
        return assemble_rows(contacts, activities, keys, self.activity_spec())

    # -- scoring -------------------------------------------------------------------------
    def points(self, rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(points per rule, detail text per rule): one column per rule, 0 where it did not fire."""
        pts, detail = {}, {}
        for rule in self.rules:
            pts[rule.name], detail[rule.name] = _apply(rule, rows, self.types.get(rule.name, ()))
        index = rows.index
        return pd.DataFrame(pts, index=index), pd.DataFrame(detail, index=index)

    def score(self, rows: pd.DataFrame) -> tuple[np.ndarray, pd.Series]:
        """(score 0-100 per row, reasons text per row)."""
        pts, detail = self.points(rows)
        total = np.clip(np.floor(pts.sum(axis=1).to_numpy(dtype=float) + 0.5), 0, 100)
        return total.astype(int), reasons(pts, detail)

    def tiers(self, score: np.ndarray) -> np.ndarray:
        """Tier per score in points; ties go to the higher tier."""
        s = np.asarray(score, dtype=float)
        return np.where(
            s >= self.opportunity, "opportunity", np.where(s >= self.prospect, "prospect", "lead")
        ).astype(object)


def reasons(points: pd.DataFrame, detail: pd.DataFrame) -> pd.Series:
    """ "+25 requested a demo (5 days ago); +15 decision-maker title" per row, largest first."""
    names = list(points.columns)
    values = points.to_numpy(dtype=float)
    details = detail.to_numpy(dtype=object)
    out = []
    for i in range(len(values)):
        fired = [j for j in np.argsort(-np.abs(values[i]), kind="stable") if values[i, j] != 0]
        parts = []
        for j in fired:
            text = f"{values[i, j]:+.0f} {names[j]}"
            parts.append(f"{text} ({details[i, j]})" if details[i, j] else text)
        out.append("; ".join(parts))
    return pd.Series(out, index=points.index, dtype=object)


# -- validation ----------------------------------------------------------------------------
def _activity_types(activities: pd.DataFrame | None) -> list[str]:
    if activities is None or len(activities) == 0:
        return []
    return sorted(map(str, activities["activity_type"].dropna().unique()))


def _resolve(rule: Rule, known: list[str], where: str, file: str | None) -> tuple[str, ...]:
    if not known:
        raise ConfigError(
            f"{where}: reads the activity log, but none was given (pass --activities)", file=file
        )
    by_slug = {slug(t): t for t in known}
    resolved = []
    for name in rule.activities:
        if slug(name) not in by_slug:
            raise ConfigError(
                f"{where}: unknown activity type {name!r}; the log has: {', '.join(known)}",
                file=file,
            )
        resolved.append(by_slug[slug(name)])
    if rule.high_intent:
        high = [t for t in known if any(w in t.casefold() for w in HIGH_INTENT_WORDS)]
        if not high:
            raise ConfigError(
                f"{where}: high_intent = true, but no activity type in the log looks like a "
                f"buying signal ({', '.join(HIGH_INTENT_WORDS)}); name them with activity = [...]",
                file=file,
            )
        resolved += high
    return tuple(dict.fromkeys(resolved))


def _is_numeric_column(values: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return True
    present = values.dropna()
    if pd.api.types.is_datetime64_any_dtype(values) or len(present) == 0:
        return False
    return float(to_number(present.astype(str)).notna().mean()) >= 0.95


def _check_column(rule: Rule, contacts: pd.DataFrame, where: str, file: str | None) -> None:
    if rule.column not in contacts.columns:
        shown = [c for c in contacts.columns if c not in ("status", "closed_at")]
        raise ConfigError(
            f"{where}: column {rule.column!r} is not in the file; its columns are: "
            + ", ".join(map(str, shown)),
            file=file,
        )
    values = contacts[rule.column]
    numeric = _is_numeric_column(values)
    if pd.api.types.is_datetime64_any_dtype(values):
        raise ConfigError(
            f"{where}: column {rule.column!r} holds dates; rules cannot test dates", file=file
        )
    if rule.kind == "range" and not numeric:
        raise ConfigError(
            f"{where}: range needs numbers, but column {rule.column!r} holds text", file=file
        )
    if rule.kind in ("contains", "decision_maker", "seniority") and numeric:
        raise ConfigError(
            f"{where}: {rule.kind} needs text, but column {rule.column!r} holds numbers",
            file=file,
        )
    if rule.kind in ("equals", "in"):
        numbers = [is_number(v) for v in rule.values]
        if numeric and not all(numbers):
            raise ConfigError(
                f"{where}: column {rule.column!r} holds numbers, but the rule compares it with "
                f"text {[v for v in rule.values if not is_number(v)]}",
                file=file,
            )
        if not numeric and any(isinstance(v, bool) for v in rule.values):
            raise ConfigError(
                f"{where}: column {rule.column!r} holds text, not true/false", file=file
            )


# -- applying ------------------------------------------------------------------------------
def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.casefold()


def _apply(rule: Rule, rows: pd.DataFrame, types: tuple[str, ...]) -> tuple[np.ndarray, list]:
    n = len(rows)
    if rule.behavioral:
        return _apply_behavioral(rule, rows, types)
    values = rows[rule.column] if rule.column in rows else pd.Series(np.nan, index=rows.index)
    if rule.kind == "range":
        x = to_number(values)
        hit = x.notna()
        if rule.low is not None:
            hit &= x >= rule.low
        if rule.high is not None:
            hit &= x <= rule.high
    elif rule.kind in ("equals", "in"):
        if all(is_number(v) for v in rule.values) and _is_numeric_column(values):
            hit = to_number(values).isin([float(v) for v in rule.values])
        else:
            hit = _text(values).isin([str(v).strip().casefold() for v in rule.values])
    elif rule.kind == "contains":
        words = "|".join(rf"\b{_escape(v)}\b" for v in rule.values)
        hit = _text(values).str.contains(words, regex=True, na=False)
    else:
        level = titles.seniority(values)
        if rule.kind == "decision_maker":
            dm = level.isin(titles.DECISION_MAKERS)
            hit = dm if rule.values[0] else (~dm & (level != "unknown"))
        else:
            hit = level.isin(rule.values)
    fired = np.asarray(hit.fillna(False), dtype=bool)
    return np.where(fired, rule.points, 0.0), [""] * n


def _escape(word: str) -> str:
    import re

    return re.escape(word.strip().casefold())


def _apply_behavioral(rule: Rule, rows: pd.DataFrame, types: tuple[str, ...]) -> tuple:
    def col(name: str) -> np.ndarray:
        if name not in rows:
            raise ConfigError(
                f"scorecard rule '{rule.name}': the rows lack behavioral column {name!r}; "
                "build them with Scorecard.rows"
            )
        return rows[name].to_numpy(dtype=float)

    n = len(rows)
    days = np.full(n, np.nan)
    for t in types:
        days = np.fmin(days, col(f"days_since_last_{slug(t)}"))
    if rule.kind == "recent":
        fired = days <= rule.within_days
        detail = [f"{d:.0f} days ago" if f else "" for d, f in zip(days, fired, strict=True)]
    else:
        suffix = f"{rule.window_days}d" if rule.window_days else "total"
        count = np.zeros(n)
        for t in types:
            count += col(f"n_{slug(t)}_{suffix}")
        fired = count >= rule.min_count
        span = f"in {rule.window_days} days" if rule.window_days else "in total"
        detail = [f"{c:.0f} {span}" if f else "" for c, f in zip(count, fired, strict=True)]
    points = np.where(fired, rule.points, 0.0)
    if rule.half_life_days:
        decay = np.power(0.5, np.nan_to_num(days, nan=0.0) / rule.half_life_days)
        points = points * decay
        detail = [
            f"{d}, decayed from {rule.points:+.0f}" if d and abs(p - rule.points) >= 0.5 else d
            for d, p in zip(detail, points, strict=True)
        ]
    return points, detail
