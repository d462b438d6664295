"""How an earlier list's scores held up: outcomes joined to the scores, and a verdict.

A list scored as of ``as_of`` promised, for each contact, the probability of converting
within ``horizon_days``. A newer export tells what happened (``outcomes``):

- **converted**: won, closed before ``as_of + horizon``;
- **not converted**: lost before ``as_of + horizon``, or still open (or won later) once the
  export reaches ``as_of + horizon``;
- **open**: neither yet: the horizon has not passed and the contact has not closed;
- **missing** (not in the newer export) and **closed before** ``as_of`` (it should not have
  been on the list) are left out and counted.

Per tier and for the whole list (``tier_checks``) the expected conversions are the sum of the
probabilities, and their sampling spread under the promise is the standard deviation of a
sum of independent Bernoulli draws, ``sqrt(sum p (1 - p))``. The expected interval is the
expected count ± ``Z`` (3) of those: a calibrated model lands outside it about 3 times in
1,000. The verdict (``decide``) follows ``RULE``. Pure: frames in, frames and dataclasses out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leadscore.model.tiers import TIERS

Z = 3.0  # half-width of the expected interval, in standard deviations (99.7 %)
MIN_EXPECTED = 5.0  # a tier is judged when it expects at least this many conversions
AUC_MARGIN = 0.05  # ranking: retrain when AUC falls more than max(this, Z x its SE)
MIN_CLASS = 10  # AUC is judged with at least this many conversions and non-conversions
ALL = "all scored"
CONVERTED, NOT_CONVERTED, OPEN = "converted", "not converted", "open"
MISSING, CLOSED_BEFORE = "missing from the newer export", "closed before the as-of time"
RULE = (
    f"retrain when the whole list's or a tier's actual conversions leave the expected "
    f"interval (expected ± {Z:g} x sqrt(sum p(1-p)); tiers expecting at least {MIN_EXPECTED:g}"
    f" conversions), or when ROC AUC falls more than max({AUC_MARGIN:g}, {Z:g} x its standard "
    "error) below the AUC at training; judged once the horizon has passed for the list"
)


def outcomes(
    scored: pd.DataFrame,
    later: pd.DataFrame,
    as_of: pd.Timestamp,
    horizon_days: int,
    export_end: pd.Timestamp,
) -> pd.DataFrame:
    """The scored list with each contact's outcome: ``state`` and ``y`` (1, 0, NaN if open).

    Args:
        scored: ``contact_id``, ``probability``, ``tier`` of the scored contacts.
        later: the newer export's canonical contacts (``contact_id``, ``status``,
            ``closed_at``).
        as_of: when the list was scored.
        horizon_days: the model's label window.
        export_end: the latest time the newer export reaches.
    """
    end = as_of + pd.Timedelta(days=horizon_days)
    known = later.drop_duplicates("contact_id").set_index("contact_id")
    ids = scored["contact_id"].astype(str)
    found = ids.isin(known.index).to_numpy()
    status = known["status"].reindex(ids).to_numpy(dtype=object)
    closed = pd.to_datetime(known["closed_at"].reindex(ids)).to_numpy()
    is_closed = np.isin(status, ["won", "lost"]) & ~pd.isna(closed)
    before = is_closed & (closed < np.datetime64(as_of))
    in_window = is_closed & ~before & (closed < np.datetime64(end))
    state = np.full(len(scored), OPEN, dtype=object)
    if export_end >= end:
        state[:] = NOT_CONVERTED
    state[in_window & (status == "lost")] = NOT_CONVERTED
    state[in_window & (status == "won")] = CONVERTED
    state[before] = CLOSED_BEFORE
    state[~found] = MISSING
    y = np.where(state == CONVERTED, 1.0, np.where(state == NOT_CONVERTED, 0.0, np.nan))
    return scored.assign(state=state, y=y).reset_index(drop=True)


def count_states(joined: pd.DataFrame) -> dict[str, int]:
    """Contacts listed, and how many are in each outcome state (see ``outcomes``)."""
    found = joined["state"].value_counts()
    states = (CONVERTED, NOT_CONVERTED, OPEN, MISSING, CLOSED_BEFORE)
    return {"listed": len(joined), **{s: int(found.get(s, 0)) for s in states}}


def tier_checks(resolved: pd.DataFrame, z: float = Z) -> pd.DataFrame:
    """Per tier (highest first) and for the whole list: expected vs actual conversions.

    Columns: ``tier``, ``contacts``, ``expected_conversions``, ``low``, ``high`` (the expected
    interval), ``actual_conversions``, ``expected_rate``, ``actual_rate``, ``z`` (how many
    standard deviations actual is from expected), ``judged`` and ``within``.
    """
    rows = []
    for tier in (*reversed(TIERS), ALL):
        part = resolved if tier == ALL else resolved[resolved["tier"] == tier]
        p = part["probability"].to_numpy(dtype=float)
        n, expected, actual = len(p), float(p.sum()), float(part["y"].sum())
        sd = math.sqrt(float((p * (1 - p)).sum()))
        low, high = max(0.0, expected - z * sd), min(float(n), expected + z * sd)
        judged = expected >= MIN_EXPECTED and n - expected >= MIN_EXPECTED
        rows.append({
            "tier": tier, "contacts": n, "expected_conversions": expected, "low": low,
            "high": high, "actual_conversions": actual,
            "expected_rate": expected / n if n else math.nan,
            "actual_rate": actual / n if n else math.nan,
            "z": (actual - expected) / sd if sd > 0 else math.nan,
            "judged": judged, "within": low <= actual <= high,
        })  # fmt: skip
    return pd.DataFrame(rows)


def calibration_bins(p: np.ndarray, y: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Equal-count bins of probability: mean probability vs observed rate, with counts.

    Fewer bins when conversions are few (about 10 conversions a bin), never fewer than 3.
    """
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    if len(p) == 0:
        return pd.DataFrame(columns=["contacts", "mean_probability", "actual_rate"])
    k = int(min(len(p), max(3, min(bins, int(y.sum() // 10)))))
    order = np.argsort(p, kind="stable")
    parts = [c for c in np.array_split(order, k) if len(c)]
    return pd.DataFrame(
        {
            "contacts": [len(c) for c in parts],
            "mean_probability": [float(p[c].mean()) for c in parts],
            "actual_rate": [float(y[c].mean()) for c in parts],
        }
    )


def auc_standard_error(auc: float, positives: int, negatives: int) -> float:
    """Hanley and McNeil's (1982) standard error of a ROC AUC."""
    if positives == 0 or negatives == 0 or not math.isfinite(auc):
        return math.nan
    q1, q2 = auc / (2 - auc), 2 * auc**2 / (1 + auc)
    var = auc * (1 - auc) + (positives - 1) * (q1 - auc**2) + (negatives - 1) * (q2 - auc**2)
    return math.sqrt(max(var, 0.0) / (positives * negatives))


@dataclass
class Verdict:
    """What to do, why, and the rule it follows."""

    action: str  # "retrain", "keep", "too early" or "too few outcomes"
    reasons: list[str] = field(default_factory=list)
    rule: str = RULE


def _ranking(metrics: dict[str, float], trained: dict[str, float] | None) -> str | None:
    """Why the ranking fails the rule, or None (also when it cannot be judged)."""
    if not trained or "roc_auc" not in trained:
        return None
    pos, rows = int(metrics.get("positives", 0)), int(metrics.get("rows", 0))
    if pos < MIN_CLASS or rows - pos < MIN_CLASS:
        return None
    auc, then = metrics["roc_auc"], trained["roc_auc"]
    margin = max(AUC_MARGIN, Z * auc_standard_error(auc, pos, rows - pos))
    if auc < then - margin:
        return f"ROC AUC {auc:.3f}, {then - auc:.3f} below {then:.3f} at training (margin {margin:.3f})"
    return None


def decide(
    tiers: pd.DataFrame,
    metrics: dict[str, float],
    trained: dict[str, float] | None,
    open_share: float,
) -> Verdict:
    """The verdict by ``RULE`` from the tier checks, the metrics now and at training."""
    if open_share > 0:
        return Verdict("too early", [f"{open_share:.0%} of the list is still open"])
    judged = tiers[tiers["judged"]]
    reasons = [
        f"{r.tier}: {r.actual_conversions:,.0f} converted, expected {r.expected_conversions:,.1f}"
        f" (interval {r.low:,.1f}-{r.high:,.1f}, {r.z:+.1f} SD)"
        for r in judged.itertuples()
        if not r.within
    ]
    ranking = _ranking(metrics, trained)
    reasons += [ranking] if ranking else []
    if reasons:
        return Verdict("retrain", reasons)
    if judged.empty:
        return Verdict("too few outcomes", [f"no tier expects {MIN_EXPECTED:g} conversions"])
    held = ", ".join(f"{r.tier} {r.z:+.1f} SD" for r in judged.itertuples())
    return Verdict("keep", [f"every judged tier within its interval ({held})"])
