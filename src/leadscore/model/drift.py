"""Drift between training data and a batch being scored: population stability index (PSI).

At training time ``reference`` records, for each model-ready feature (the output of
``ContactFeatures``), how the held-out rows were spread (the most recent snapshot dates: the
population closest to a fresh batch of open contacts; the earliest snapshots have a history
cut short by the start of the export and would raise false alarms on contact age): ten quantile bins for numbers (plus a
bin for missing values), the share of each level for categories. At prediction time
``psi_table`` compares a batch with that record, feature by feature:

    PSI = sum over bins of (batch share - training share) * ln(batch share / training share)

Shares are floored at ``EPSILON`` so an empty bin does not give an infinite value. The usual
reading: below 0.1 no real change, 0.1-0.25 a moderate shift, above 0.25 (``MAJOR``) a major
shift that deserves a look before the scores are trusted. Pure: DataFrames in, dicts out; the
reference holds bin edges and shares, never a row's value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MAJOR = 0.25
MODERATE = 0.10
EPSILON = 1e-4
N_BINS = 10
MIN_ROWS = 100  # below this a batch's shares are too noisy for PSI to mean much
MAX_ROWS = 20_000  # rows whose features are recomputed for the check (a seeded sample)
MISSING = "(missing)"


def _numeric_edges(values: np.ndarray) -> list[float]:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return []
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, N_BINS + 1)[1:-1]))
    return [float(e) for e in edges]


def _numeric_shares(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """Shares per bin: ``len(edges) + 1`` value bins, then one bin for missing."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    counts = np.bincount(
        np.searchsorted(np.asarray(edges), values[finite], side="right"),
        minlength=len(edges) + 1,
    ).astype(float)
    counts = np.append(counts, float((~finite).sum()))
    return counts / max(len(values), 1)


def _category_shares(values: pd.Series, levels: list[str]) -> np.ndarray:
    """Shares of each training level, then one bin for everything else."""
    text = values.astype(object).where(values.notna(), MISSING).astype(str)
    counts = text.value_counts()
    shares = np.array([counts.get(level, 0) for level in levels], dtype=float)
    shares = np.append(shares, float(len(text) - shares.sum()))
    return shares / max(len(text), 1)


def reference(features: pd.DataFrame) -> dict[str, Any]:
    """The training-time spread of each feature (model-ready columns)."""
    ref: dict[str, Any] = {}
    for name in features.columns:
        col = features[name]
        if pd.api.types.is_numeric_dtype(col):
            values = col.to_numpy(dtype=float)
            edges = _numeric_edges(values)
            ref[name] = {
                "kind": "numeric",
                "edges": edges,
                "shares": _numeric_shares(values, edges).tolist(),
            }
        else:
            text = col.astype(object).where(col.notna(), MISSING).astype(str)
            levels = sorted(text.unique().tolist())
            ref[name] = {
                "kind": "categorical",
                "levels": levels,
                "shares": _category_shares(col, levels).tolist(),
            }
    return ref


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of two share vectors over the same bins."""
    e = np.maximum(np.asarray(expected, dtype=float), EPSILON)
    a = np.maximum(np.asarray(actual, dtype=float), EPSILON)
    return float(np.sum((a - e) * np.log(a / e)))


def psi_table(ref: dict[str, Any], features: pd.DataFrame) -> dict[str, float]:
    """PSI of each reference feature in a batch; features absent from the batch are skipped."""
    out: dict[str, float] = {}
    if len(features) == 0:
        return out
    for name, spec in ref.items():
        if name not in features.columns:
            continue
        if spec["kind"] == "numeric":
            values = pd.to_numeric(features[name], errors="coerce").to_numpy(dtype=float)
            shares = _numeric_shares(values, spec["edges"])
        else:
            shares = _category_shares(features[name], spec["levels"])
        out[name] = psi(np.asarray(spec["shares"]), shares)
    return out


def shifted(table: dict[str, float], threshold: float = MAJOR) -> dict[str, float]:
    """Features whose PSI exceeds ``threshold``, largest first."""
    big = {k: v for k, v in table.items() if v > threshold}
    return dict(sorted(big.items(), key=lambda kv: -kv[1]))


def batch_psi(scorer: Any, rows: pd.DataFrame) -> dict[str, float] | None:
    """PSI per feature of a batch of raw model rows; None when the model has no reference."""
    ref = getattr(scorer, "drift_reference", None)
    if not ref or len(rows) == 0:
        return None
    return psi_table(ref, scorer.features.transform(rows))


@dataclass
class DriftCheck:
    """A batch's PSI per feature against training, the features beyond the threshold, or why
    the check was skipped."""

    threshold: float
    table: dict[str, float] = field(default_factory=dict)
    shifted: dict[str, float] = field(default_factory=dict)
    rows: int = 0
    skipped: str | None = None


def check(scorer: Any, rows: pd.DataFrame | None, threshold: float = MAJOR) -> DriftCheck:
    """PSI of the scored model rows against the model's training reference."""
    if not getattr(scorer, "drift_reference", None):
        return DriftCheck(threshold, skipped="the model has no training reference")
    if rows is None or len(rows) < MIN_ROWS:
        return DriftCheck(threshold, skipped=f"fewer than {MIN_ROWS} rows scored")
    table = batch_psi(scorer, rows) or {}
    return DriftCheck(threshold, table, shifted(table, threshold), rows=len(rows))
