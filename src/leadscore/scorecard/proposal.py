"""A starting scorecard proposed from the data: TOML text for a person to edit.

For each attribute value (a category level, the top third of a numeric column, a
decision-maker job title) and each activity type (done in the last 30 days), the conversion
rate of the rows that have it is compared with the rows that do not, as a log odds ratio
(with 0.5 added to each count, so a rare value cannot get infinite points). The strongest ones
become rules with points proportional to their log-odds (``POINTS_PER_LOGODDS`` points per
unit, so a value that doubles the odds of converting gets about 7 points). Score thresholds
are put at the top 30 % and top 5 % of the examples' scores.

The rules are judged one at a time, so related ones (a demo request and a meeting) add up and
double count: the text says it is a proposal to edit. ``propose_scorecard`` is pure: rows and
labels in, text out.
"""

from __future__ import annotations

import json
import tomllib

import numpy as np
import pandas as pd

from leadscore.config import ScorecardConfig
from leadscore.errors import NotEnoughDataError
from leadscore.features import titles
from leadscore.features.activity import ActivitySpec, slug
from leadscore.features.contact import to_number
from leadscore.features.snapshots import assemble_rows
from leadscore.model.spec import TrainSpec
from leadscore.scorecard.rules import Scorecard, _is_numeric_column

POINTS_PER_LOGODDS = 10.0
MIN_LOGODDS = 0.3
MAX_POINTS = 40
MAX_ATTRIBUTE_RULES = 8
MAX_ACTIVITY_RULES = 6
MAX_LEVELS = 30
RESERVED = {"contact_id", "as_of", "created_at", "status", "closed_at", "label"}


def _log_odds(hit: np.ndarray, y: np.ndarray) -> tuple[float, int, float]:
    """(log odds ratio of hit vs not hit, rows hit, conversion rate of the hit rows)."""
    pos_in, n_in = float(y[hit].sum()), int(hit.sum())
    pos_out, n_out = float(y[~hit].sum()), int((~hit).sum())
    lo = np.log((pos_in + 0.5) / (n_in - pos_in + 0.5)) - np.log(
        (pos_out + 0.5) / (n_out - pos_out + 0.5)
    )
    return float(lo), n_in, pos_in / n_in if n_in else float("nan")


def _candidates(
    rows: pd.DataFrame, y: np.ndarray, columns: list[str], job_title: str | None, min_rows: int
) -> list[tuple[float, dict, str]]:
    found: list[tuple[float, dict, str]] = []
    for col in columns:
        values = rows[col]
        present = values.dropna()
        if len(present) == 0 or pd.api.types.is_datetime64_any_dtype(values):
            continue
        tests: list[tuple[dict, np.ndarray]] = []
        if _is_numeric_column(values):
            x = to_number(values)
            if x.nunique() > 10:
                cut = float(np.nanquantile(x, 2 / 3))
                cut = float(f"{cut:.2g}")
                tests.append(({"column": col, "min": cut}, (x >= cut).to_numpy()))
        elif col == job_title or titles.looks_like_titles(present.astype(str)):
            level = titles.seniority(values)
            tests.append(
                (
                    {"column": col, "decision_maker": True},
                    level.isin(titles.DECISION_MAKERS).to_numpy(),
                )
            )
            tests.append(
                (
                    {"column": col, "seniority": ["intern_student"]},
                    (level == "intern_student").to_numpy(),
                )
            )
        else:
            text = values.astype("string").str.strip()
            counts = text.value_counts()
            if len(counts) > MAX_LEVELS:
                continue
            for level in counts.index[counts >= min_rows]:
                tests.append(
                    (
                        {"column": col, "equals": str(level)},
                        (text == level).fillna(False).to_numpy(dtype=bool),
                    )
                )
        per_column = []
        for rule, hit in tests:
            if min_rows <= hit.sum() <= len(hit) - min_rows:
                lo, n, rate = _log_odds(hit, y)
                per_column.append((lo, rule, f"{rate:.1%} of {n:,} rows converted"))
        per_column.sort(key=lambda c: -abs(c[0]))
        found += per_column[:3]
    return found


def propose_scorecard(
    rows: pd.DataFrame,
    labels: np.ndarray,
    *,
    activity_types: tuple[str, ...] = (),
    job_title: str | None = None,
    ignore: tuple[str, ...] = (),
) -> str:
    """TOML text of a proposed ``[scorecard]`` from raw rows and their 0/1 outcomes.

    ``rows`` are raw rows as ``assemble_rows`` builds them with an ``ActivitySpec`` over
    ``activity_types`` and a 30-day window (columns ``n_<type>_30d``).
    """
    y = np.asarray(labels, dtype=int)
    base = float(y.mean())
    min_rows = max(20, int(0.02 * len(y)))
    behavioral = set(ActivitySpec(activity_types, (30,), ()).feature_names())
    columns = [
        c for c in rows.columns if c not in RESERVED and c not in behavioral and c not in ignore
    ]
    attrs = _candidates(rows, y, columns, job_title, min_rows)
    acts = []
    for t in activity_types:
        name = f"n_{slug(t)}_30d"
        if name in rows:
            hit = rows[name].to_numpy(dtype=float) >= 1
            if max(20, int(0.005 * len(y))) <= hit.sum():
                lo, n, rate = _log_odds(hit, y)
                rule = {"activity": t, "window_days": 30}
                acts.append((lo, rule, f"{rate:.1%} of {n:,} rows converted"))
    picked = []
    for pool, limit in ((attrs, MAX_ATTRIBUTE_RULES), (acts, MAX_ACTIVITY_RULES)):
        strong = [c for c in pool if abs(c[0]) >= MIN_LOGODDS]
        picked += sorted(strong, key=lambda c: -abs(c[0]))[:limit]
    rules = []
    for lo, rule, note in picked:
        points = int(np.clip(round(POINTS_PER_LOGODDS * lo), -MAX_POINTS, MAX_POINTS))
        if points:
            rules.append(({"name": _name(rule), **rule, "points": points}, lo, note))
    if not rules:
        raise NotEnoughDataError(
            "no attribute value or activity type converts clearly more or less often than "
            "average: nothing to propose; write the scorecard by hand (docs/scorecard.md)"
        )
    card = Scorecard.from_config(ScorecardConfig(rules=[r for r, _, _ in rules]))
    card.types = {r.name: r.activities for r in card.rules if r.behavioral}
    scores, _ = card.score(rows)
    prospect = int(np.quantile(scores, 0.70))
    opportunity = max(prospect + 1, int(np.quantile(scores, 0.95)))
    return _to_toml(rules, base, len(y), prospect, opportunity)


def _name(rule: dict) -> str:
    if "activity" in rule:
        return f"{rule['activity']} in the last 30 days"
    if "decision_maker" in rule:
        return f"decision-maker ({rule['column']})"
    if "seniority" in rule:
        return f"{rule['column']}: {', '.join(rule['seniority'])}"
    if "min" in rule:
        return f"{rule['column']} >= {rule['min']:,g}"
    return f"{rule['column']} = {rule['equals']}"


def _value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int | float):
        return repr(v)
    return json.dumps(str(v), ensure_ascii=False)


def _to_toml(
    rules: list[tuple[dict, float, str]], base: float, n: int, prospect: int, opportunity: int
) -> str:
    lines = [
        "# PROPOSAL — a starting scorecard computed from your closed contacts. Edit it before use:",
        "# check each rule makes business sense, merge rules that describe the same behaviour",
        "# (they add up and double count), and set the thresholds to your sales capacity.",
        f"# Learned from {n:,} examples, {base:.1%} of which converted; points =",
        f"# {POINTS_PER_LOGODDS:g} x the log odds ratio of converting (rows with the value vs without).",
        "",
        "[scorecard]",
        f"prospect = {prospect}       # about the top 30 % of the examples' scores",
        f"opportunity = {opportunity}    # about the top 5 %",
    ]
    for rule, lo, note in rules:
        lines += ["", "[[scorecard.rules]]", f"# {note}; log odds ratio {lo:+.2f}"]
        lines += [f"{key} = {_value(value)}" for key, value in rule.items()]
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)  # the proposal is always valid TOML
    return text


def propose_from_data(
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    spec: TrainSpec,
    source: str | None = None,
) -> str:
    """The proposal for an export: point-in-time snapshot examples when the export is long
    enough, else each closed contact as it was just before it closed."""
    from leadscore.model.examples import examples_of, flat_training_rows

    types: tuple[str, ...] = ()
    if activities is not None and len(activities):
        types = tuple(sorted(map(str, activities["activity_type"].dropna().unique())))
    never = tuple(c for c in (spec.outcome_name,) if c)
    if spec.training.examples == "flat":  # one row per example, no activity log
        tr = flat_training_rows(contacts, activities, spec, ActivitySpec((), (30,), ()))
        ignore = tuple(spec.features.ignore) + never + ("order_key",)
        return propose_scorecard(
            tr.rows, tr.y, activity_types=(), job_title=spec.roles.job_title, ignore=ignore
        )
    try:
        keys, _ = examples_of(contacts, activities, spec, source)
        y = keys["label"].to_numpy(dtype=int)
        if y.sum() < 5:
            raise NotEnoughDataError("few positives")
    except NotEnoughDataError:
        closed = contacts[contacts["status"].isin(["won", "lost"])]
        keys = pd.DataFrame(
            {
                "contact_id": closed["contact_id"].to_numpy(),
                "as_of": closed["closed_at"].to_numpy(),
            }
        )
        y = (closed["status"] == "won").to_numpy(dtype=int)
    if len(np.unique(y)) < 2:
        raise NotEnoughDataError("a proposal needs both converted and lost contacts", file=source)
    rows = assemble_rows(contacts, activities, keys, ActivitySpec(types, (30,), ()))
    ignore = tuple(spec.features.ignore) + never
    return propose_scorecard(
        rows, y, activity_types=types, job_title=spec.roles.job_title, ignore=ignore
    )
