"""Leakage guard: find columns that were filled in after the outcome was known, from the data.

A column written by the sales team during or after the deal ("stage notes", a final amount,
a status tag) makes a model look brilliant in training and useless on new leads. Nothing
here looks at column names: every candidate column is tested on the training rows alone.

Tests, per column:

- ``auc``: how well the column *alone* separates the outcome, out of fold (5 folds, grouped
  by contact when groups are given): its values are bucketed (numbers into up to 20 quantile
  bins, text into its frequent levels, blanks into their own bucket) and each held-out row
  gets its bucket's smoothed conversion rate learned on the other folds.
- ``presence_auc``: how well "is it filled in?" alone separates the outcome.
- ``purity``: the largest share of one class's rows lying in buckets that hold almost only
  that class (>= 98 %, each with at least 30 rows and 0.5 % of all rows). Only classes that
  are at most 80 % of the rows count, since a bucket of 98 % lost contacts is ordinary when
  95 % of all contacts are lost.
- ``date_after``: for date columns, the share of filled values dated after ``as_of`` (a date
  that lies in the future of the snapshot was written later).

Levels, thresholds chosen from measured evidence (see docs/trust.md): EXCLUDED (strong
evidence, the column is dropped before fitting) when ``auc >= 0.90``, ``presence_auc >= 0.90``,
``purity >= 0.5``, ``verdict >= 0.05`` or ``date_after >= 0.2``; SUSPECT (reported, kept) when
``auc >= 0.85``, ``presence_auc >= 0.80``, ``near_purity >= 0.1`` (the same share with buckets >= 95 % one
class) or ``date_after >= 0.02``. On the education leads' time-ordered fit rows the employee's
quality judgement (AUC 0.79) has 'High in Relevance' (~95 % converted) and 'Worst' (~98 % not
converted): verdict 0.10-0.15, excluded. Measured: planted leaks 0.99; the education leads' sales-team status tags 0.918 (purity 0.24), the employee's
quality judgement 0.79 (purity 0.14); the best honest columns there 0.75 (time on site, purity
0) and on the sample CRM below 0.85 (purity 0). A column named in
``keep`` is never excluded, only reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from leadscore.features.contact import to_number

EXCLUDE = {"auc": 0.90, "presence_auc": 0.90, "purity": 0.5, "verdict": 0.05, "date_after": 0.2}
SUSPECT = {"auc": 0.85, "presence_auc": 0.80, "near_purity": 0.1, "date_after": 0.02}
PURE_SHARE = 0.98
NEAR_PURE_SHARE = 0.95
VERDICT_ODDS = 20.0
MIN_SUPPORT = 30
MAX_CLASS_SHARE = 0.8
MAX_BINS = 20
FOLDS = 5
SMOOTHING = 10.0
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


def _is_missing(values: pd.Series) -> np.ndarray:
    miss = values.isna().to_numpy().copy()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        miss |= (text == "").fillna(True).to_numpy(dtype=bool)
    return miss


def _as_dates(values: pd.Series) -> pd.Series | None:
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values
    elif values.dtype == object or pd.api.types.is_string_dtype(values):
        present = values.dropna().astype(str)
        present = present[present.str.strip() != ""].head(2000)
        if len(present) == 0 or to_number(present).notna().mean() > 0.5:
            return None
        parsed = pd.to_datetime(present, errors="coerce", format="ISO8601")
        if parsed.notna().mean() < 0.95:
            return None
        dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
    else:
        return None
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    return dates


def buckets(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Bucket code per row and a label per code (missing values get their own bucket)."""
    miss = _is_missing(values)
    dates = _as_dates(values)
    if dates is not None:
        numbers = pd.Series(dates.to_numpy(dtype="datetime64[s]").astype(float), index=values.index)
        numbers[dates.isna().to_numpy()] = np.nan
    else:
        numbers = to_number(values)
    filled = ~miss
    numeric = filled.sum() > 0 and numbers[filled].notna().mean() >= 0.95
    labels: list[str] = []
    codes = np.zeros(len(values), dtype=np.int64)
    if numeric:
        x = numbers.to_numpy(dtype=float)
        ok = ~np.isnan(x)
        uniq = np.unique(x[ok])
        if len(uniq) <= MAX_BINS:
            edges = uniq
            labels = [f"{v:g}" for v in uniq]
        else:
            edges = np.unique(np.quantile(x[ok], np.linspace(0, 1, MAX_BINS + 1)[1:]))
            lows = np.concatenate([[-np.inf], edges[:-1]])
            labels = [
                f"<= {hi:g}" if lo == -np.inf else f"({lo:g}, {hi:g}]"
                for lo, hi in zip(lows, edges, strict=True)
            ]
        codes[ok] = np.minimum(np.searchsorted(edges, x[ok], side="left"), len(edges) - 1)
        codes[~ok] = len(labels)
    else:
        text = values.astype("string").str.strip().str.casefold()
        counts = text[filled].value_counts()
        kept = list(counts[counts >= 10].index[:200])
        index = {v: i for i, v in enumerate(kept)}
        codes = text.map(index).fillna(len(kept)).to_numpy(dtype=np.int64).copy()
        labels = [str(v) for v in kept] + ["(rare values)"]
        codes[miss] = len(labels)
    labels.append("(blank)")
    return codes, labels


def _oof_auc(codes: np.ndarray, y: np.ndarray, folds: np.ndarray) -> float:
    prior = y.mean()
    score = np.empty(len(y))
    n_codes = int(codes.max()) + 1
    tot_n = np.bincount(codes, minlength=n_codes).astype(float)
    tot_p = np.bincount(codes, weights=y, minlength=n_codes)
    for k in np.unique(folds):
        held = folds == k
        n = tot_n - np.bincount(codes[held], minlength=n_codes)
        p = tot_p - np.bincount(codes[held], weights=y[held], minlength=n_codes)
        score[held] = ((p + SMOOTHING * prior) / (n + SMOOTHING))[codes[held]]
    return float(roc_auc_score(y, score))


def _value_counts(
    codes: np.ndarray, y: np.ndarray, labels: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows and converted rows per value, and which values have enough rows to judge
    (at least ``MIN_SUPPORT`` rows and 0.5 % of all rows)."""
    counts = np.bincount(codes, minlength=len(labels)).astype(float)
    pos = np.bincount(codes, weights=y, minlength=len(labels))
    return counts, pos, counts >= max(MIN_SUPPORT, 0.005 * len(y))


def _pure_coverage(
    codes: np.ndarray, y: np.ndarray, labels: list[str], pure_share: float = PURE_SHARE
) -> dict[int, tuple[float, str]]:
    """Per outcome (1 converted, 0 not): the share of its rows lying in values that are
    ``>= pure_share`` that outcome, and a note naming the two largest such values.

    Only outcomes that are at most ``MAX_CLASS_SHARE`` of the rows are measured: a value that
    is 98 % lost is ordinary when 95 % of all contacts are lost.
    """
    n = len(y)
    counts, pos, support = _value_counts(codes, y, labels)
    out: dict[int, tuple[float, str]] = {}
    for cls, hits, total in ((1, pos, y.sum()), (0, counts - pos, n - y.sum())):
        if total == 0 or total / n > MAX_CLASS_SHARE:
            continue
        share = np.divide(hits, counts, out=np.zeros_like(counts), where=counts > 0)
        pure = support & (share >= pure_share)
        coverage = float(hits[pure].sum() / total)
        top = np.flatnonzero(pure)[np.argsort(-hits[pure])][:2]
        word = "converted" if cls == 1 else "not converted"
        values = "; ".join(
            f"'{labels[c][:40]}': {int(counts[c]):,} rows, {share[c]:.1%}" for c in top
        )
        note = (
            f"{coverage:.0%} of the {word} rows have a value that is >= {pure_share:.0%} "
            f"{word} ({values})"
        )
        out[cls] = (coverage, note)
    return out


def _purity(
    codes: np.ndarray, y: np.ndarray, labels: list[str], pure_share: float = PURE_SHARE
) -> tuple[float, str]:
    """The larger of the two outcomes' pure coverages, with its note."""
    by_class = _pure_coverage(codes, y, labels, pure_share)
    best = max(by_class.values(), default=(0.0, ""), key=lambda cn: cn[0])
    return best if best[0] > 0 else (0.0, "")


def _verdict(codes: np.ndarray, y: np.ndarray, labels: list[str]) -> tuple[float, str]:
    """How far the column holds near-certain answers in *both* directions.

    For each outcome, the share of its rows lying in values whose odds of that outcome are at
    least ``VERDICT_ODDS`` times the overall odds (values of >= 30 rows and 0.5 % of all rows);
    the smaller of the two shares. A fact known before the sale may point strongly one way
    (a referral converts); a column with near-certain values both ways (a rating from 'worst'
    to 'high', status tags such as 'closed' and 'wrong number') reads like a judgement written
    about the outcome.
    """
    n, total_pos = len(y), y.sum()
    if total_pos == 0 or total_pos == n:
        return 0.0, ""
    counts, pos, support = _value_counts(codes, y, labels)
    base_odds = total_pos / (n - total_pos)
    odds = (pos + 0.5) / (counts - pos + 0.5) / base_odds  # odds ratio, half-count smoothed
    shares, notes = [], []
    for hits, total, strong, word in (
        (pos, total_pos, odds >= VERDICT_ODDS, "converted"),
        (counts - pos, n - total_pos, odds <= 1 / VERDICT_ODDS, "not converted"),
    ):
        strong &= support
        shares.append(float(hits[strong].sum() / total))
        top = np.flatnonzero(strong)[np.argsort(-hits[strong])][:2]
        values = "; ".join(
            f"'{labels[c][:40]}': {int(counts[c]):,} rows, {hits[c] / counts[c]:.1%} {word}"
            for c in top
        )
        notes.append(f"{shares[-1]:.0%} of the {word} rows ({values})")
    verdict = min(shares)
    if verdict == 0:
        return 0.0, ""
    return verdict, (
        f"near-certain values both ways (odds >= {VERDICT_ODDS:g}x the average either way): "
        + " and ".join(notes)
    )


def _folds(n: int, groups: np.ndarray | None, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if groups is None:
        return rng.integers(0, FOLDS, n)
    uniq, inverse = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    return rng.integers(0, FOLDS, len(uniq))[inverse]


def scan_column(
    values: pd.Series, y: np.ndarray, folds: np.ndarray, as_of: pd.Series | None = None
) -> dict[str, object]:
    """All four tests of one column; see the module docstring."""
    codes, labels = buckets(values)
    auc = _oof_auc(codes, y, folds)
    miss = _is_missing(values)
    presence = float("nan")
    if 0.005 < miss.mean() < 0.995:
        a = roc_auc_score(y, (~miss).astype(float))
        presence = float(max(a, 1 - a))
    purity, purity_note = _purity(codes, y, labels)
    near_purity, near_note = _purity(codes, y, labels, NEAR_PURE_SHARE)
    verdict, verdict_note = _verdict(codes, y, labels)
    date_after = float("nan")
    dates = _as_dates(values)
    if dates is not None and as_of is not None:
        filled = dates.notna().to_numpy()
        if filled.any():
            after = dates.to_numpy()[filled] > pd.to_datetime(as_of).to_numpy()[filled]
            date_after = float(after.mean())
    return {
        "auc": auc,
        "presence_auc": presence,
        "purity": purity,
        "date_after": date_after,
        "purity_note": purity_note,
        "near_purity": near_purity,
        "near_purity_note": near_note,
        "verdict": verdict,
        "verdict_note": verdict_note,
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
    folds = _folds(len(idx), None if groups is None else np.asarray(groups)[idx], seed)
    when = None if as_of is None else pd.Series(np.asarray(as_of)[idx], index=part.index)
    records = []
    report = LeakageReport(findings=pd.DataFrame())
    both = 0 < y.sum() < len(y)
    for col in columns:
        if not both or col not in part:
            continue
        r = scan_column(part[col], y, folds, when)
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
    cols += ["date_after"]
    cols += ["filled", "evidence"]
    frame = pd.DataFrame(records, columns=[*cols, "purity_note"])[cols]
    order = {EXCLUDED: 0, KEPT: 1, SUSPECT_LEVEL: 2, OK: 3}
    report.findings = frame.sort_values(
        ["level", "auc"], key=lambda s: s.map(order) if s.name == "level" else -s
    ).reset_index(drop=True)
    return report
