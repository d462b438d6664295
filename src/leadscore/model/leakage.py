"""Leakage guard: find columns that were filled in after the outcome was known, from the data.

A column written by the sales team during or after the deal ("stage notes", a final amount,
a status tag) makes a model look brilliant in training and useless on new leads. Nothing
here looks at column names: every candidate column is tested on the training rows alone.
Only the export's own columns are candidates: leadscore's point-in-time activity aggregates
are computed from activity strictly before each row's time and cannot leak, so the caller
leaves them out (``model.train.guard_leakage`` passes the activity spec's own names).

Tests, per column (the statistics are in ``model.leakage_signals``):

- ``auc``: how well the column *alone* separates the outcome, out of fold (5 folds, grouped
  by contact when groups are given): its values are bucketed (numbers into up to 20 quantile
  bins, text into its frequent levels, blanks into their own bucket) and each held-out row
  gets its bucket's smoothed conversion rate learned on the other folds.
- ``presence_auc``: how well "is it filled in?" alone separates the outcome.
- ``purity``: the largest share of one class's rows lying in buckets that hold almost only
  that class (>= 98 %, each with at least 30 rows and 0.5 % of all rows). Only classes that
  are at most 80 % of the rows count, since a bucket of 98 % lost contacts is ordinary when
  95 % of all contacts are lost.
- ``verdict``: near-certain values both ways (see ``leakage_signals.verdict``).
- ``exclusive``: a value, or presence itself, seen with one outcome only, however rare, once
  an exact test rules out chance: ``-log10`` of Fisher's exact probability times the number
  of values tested (``leakage_signals.exclusive``).
- ``date_after``: for date columns, the share of filled values dated after ``as_of`` (a date
  that lies in the future of the snapshot was written later).

Levels, thresholds chosen from measured evidence (see docs/trust.md): EXCLUDED (strong
evidence, the column is dropped before fitting) when ``auc >= 0.90``, ``presence_auc >= 0.90``,
``purity >= 0.5``, ``verdict >= 0.05``, ``exclusive >= 6`` (chance below one in a million) or
``date_after >= 0.2``; SUSPECT (reported, kept) when ``auc >= 0.85``, ``presence_auc >= 0.80``,
``near_purity >= 0.1`` (the same share with buckets >= 95 % one class), ``exclusive >= 3`` or
``date_after >= 0.02``. On the education leads' time-ordered fit rows the employee's quality
judgement (AUC 0.79) has 'High in Relevance' (~95 % converted) and 'Worst' (~98 % not
converted): verdict 0.10-0.15, excluded. Measured: planted leaks 0.99; the education leads'
sales-team status tags 0.918 (purity 0.24), the employee's quality judgement 0.79 (purity
0.14); the best honest columns there 0.75 (time on site, purity 0) and on the sample CRM
below 0.85 (purity 0). A column named in ``keep`` is never excluded, only reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from leadscore.model.leakage_signals import (
    NEAR_PURE_SHARE,
    as_dates,
    buckets,
    contact_outcomes,
    exclusive,
    is_missing,
    oof_auc,
    purity,
    verdict,
)

EXCLUDE = {"auc": 0.90, "presence_auc": 0.90, "purity": 0.5, "verdict": 0.05, "exclusive": 6.0,
           "date_after": 0.2}  # fmt: skip
SUSPECT = {"auc": 0.85, "presence_auc": 0.80, "near_purity": 0.1, "exclusive": 3.0,
           "exclusive_value": 6.0, "date_after": 0.02}  # fmt: skip
FOLDS = 5
MAX_SCAN_ROWS = 60_000

EXCLUDED, SUSPECT_LEVEL, OK, KEPT = "excluded", "suspect", "ok", "kept by config"


@dataclass
class LeakageReport:
    """The guard's findings: one row per scanned column, and the decisions."""

    findings: pd.DataFrame
    excluded: list[str] = field(default_factory=list)
    suspect: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def warning(self) -> str | None:
        """A loud multi-line warning naming flagged columns with their evidence, or None."""
        flagged = self.findings[self.findings["level"] != OK]
        if flagged.empty:
            return None
        lines = ["LEAKAGE GUARD: columns that look filled in after the outcome was known:"]
        for row in flagged.itertuples():
            lines.append(f"  [{row.level.upper()}] {row.column}: {row.evidence}")
        if self.excluded:
            lines.append(
                "  excluded columns are not used; to keep one anyway, name it in the config: "
                '[features] keep = ["..."]'
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the model metadata and the MLflow run."""
        flagged = self.findings[self.findings["level"] != OK]
        return {
            "excluded": list(self.excluded),
            "suspect": list(self.suspect),
            "kept_by_config": list(self.kept),
            "evidence": {r.column: r.evidence for r in flagged.itertuples()},
        }


def _folds(n: int, groups: np.ndarray | None, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if groups is None:
        return rng.integers(0, FOLDS, n)
    uniq, inverse = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    return rng.integers(0, FOLDS, len(uniq))[inverse]


def scan_column(
    values: pd.Series,
    y: np.ndarray,
    folds: np.ndarray,
    as_of: pd.Series | None = None,
    contacts: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, object]:
    """Every test of one column; see the module docstring. ``contacts``: each row's contact
    and each contact's outcome (``leakage_signals.contact_outcomes``; rows by default)."""
    codes, labels = buckets(values)
    auc = oof_auc(codes, y, folds)
    miss = is_missing(values)
    presence = float("nan")
    if 0.005 < miss.mean() < 0.995:
        a = roc_auc_score(y, (~miss).astype(float))
        presence = float(max(a, 1 - a))
    pure, purity_note = purity(codes, y, labels)
    near_purity, near_note = purity(codes, y, labels, NEAR_PURE_SHARE)
    two_way, verdict_note = verdict(codes, y, labels)
    contact, outcome = contacts if contacts is not None else contact_outcomes(y, None, None)
    only = exclusive(codes, labels, contact, outcome)
    date_after = float("nan")
    dates = as_dates(values)
    if dates is not None and as_of is not None:
        filled = dates.notna().to_numpy()
        if filled.any():
            after = dates.to_numpy()[filled] > pd.to_datetime(as_of).to_numpy()[filled]
            date_after = float(after.mean())
    return {
        "auc": auc,
        "presence_auc": presence,
        "purity": pure,
        "date_after": date_after,
        "purity_note": purity_note,
        "near_purity": near_purity,
        "near_purity_note": near_note,
        "verdict": two_way,
        "verdict_note": verdict_note,
        "exclusive": only["presence"][0],
        "exclusive_note": only["presence"][1],
        "exclusive_value": only["value"][0],
        "exclusive_value_note": only["value"][1],
        "filled": float(1 - miss.mean()),
    }


def _level(r: dict[str, Any]) -> tuple[str, list[str]]:
    why_ex = [k for k, t in EXCLUDE.items() if np.isfinite(r[k]) and r[k] >= t]
    why_su = [k for k, t in SUSPECT.items() if np.isfinite(r[k]) and r[k] >= t]
    if why_ex:
        return EXCLUDED, why_ex
    if "near_purity" in why_su and r["purity"] >= SUSPECT["near_purity"]:
        why_su = ["purity" if k == "near_purity" else k for k in why_su]
    if why_su:
        return SUSPECT_LEVEL, why_su
    return OK, []


def _evidence(r: dict[str, object], why: list[str]) -> str:
    parts = []
    for key in why:
        if key == "auc":
            parts.append(f"alone it separates the outcome with out-of-fold AUC {r['auc']:.3f}")
        elif key == "presence_auc":
            parts.append(
                f"whether it is filled in separates the outcome with AUC {r['presence_auc']:.3f} "
                f"(filled in {r['filled']:.0%} of rows)"
            )
        elif key == "purity":
            parts.append(str(r["purity_note"]))
        elif key == "near_purity":
            parts.append(str(r["near_purity_note"]))
        elif key == "verdict":
            parts.append(str(r["verdict_note"]))
        elif key in ("exclusive", "exclusive_value"):
            parts.append(str(r[f"{key}_note"]))
        elif key == "date_after":
            parts.append(f"{r['date_after']:.0%} of its dates lie after the scoring time")
    return "; ".join(parts)


def scan(
    rows: pd.DataFrame,
    y: np.ndarray,
    columns: list[str],
    *,
    as_of: pd.Series | None = None,
    groups: np.ndarray | None = None,
    keep: tuple[str, ...] | list[str] = (),
    seed: int = 0,
) -> LeakageReport:
    """Test every column of ``columns`` in ``rows`` against the outcome ``y`` (0/1).

    Args:
        rows: the training rows (fit rows only: never the validation or test rows).
        y: the outcome per row.
        columns: candidate columns (every raw column the model could use).
        as_of: the time each row is scored at, for the date test (optional).
        groups: contact per row, so folds never split one contact's snapshots (optional).
        keep: columns the user chose to keep: reported, never excluded.
        seed: fold assignment and row sampling seed.
    """
    y = np.asarray(y, dtype=float)
    idx = np.arange(len(y))
    if len(y) > MAX_SCAN_ROWS:
        idx = np.sort(np.random.default_rng(seed).choice(len(y), MAX_SCAN_ROWS, replace=False))
    y = y[idx]
    part = rows.iloc[idx]
    group = None if groups is None else np.asarray(groups)[idx]
    folds = _folds(len(idx), group, seed)
    when = None if as_of is None else pd.Series(np.asarray(as_of)[idx], index=part.index)
    contacts = contact_outcomes(y, group, when)
    records = []
    report = LeakageReport(findings=pd.DataFrame())
    both = 0 < y.sum() < len(y)
    for col in columns:
        if not both or col not in part:
            continue
        r = scan_column(part[col], y, folds, when, contacts)
        level, why = _level(r)
        evidence = _evidence(r, why)
        if level != OK and col in keep:
            level = KEPT
            report.kept.append(col)
        elif level == EXCLUDED:
            report.excluded.append(col)
        elif level == SUSPECT_LEVEL:
            report.suspect.append(col)
        records.append({"column": col, "level": level, "evidence": evidence, **r})
    cols = ["column", "level", "auc", "presence_auc", "purity", "near_purity", "verdict"]
    cols += ["exclusive", "exclusive_value"]
    cols += ["date_after"]
    cols += ["filled", "evidence"]
    frame = pd.DataFrame(records, columns=[*cols, "purity_note"])[cols]
    order = {EXCLUDED: 0, KEPT: 1, SUSPECT_LEVEL: 2, OK: 3}
    report.findings = frame.sort_values(
        ["level", "auc"], key=lambda s: s.map(order) if s.name == "level" else -s
    ).reset_index(drop=True)
    return report
