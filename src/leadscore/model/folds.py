"""Cross-validation folds that respect time and contacts (``[training] evaluation = "cv"``).

- **Forward-chaining** (snapshots, and flat rows with a date or an order column): the most
  recent half of the examples, by time or order, is cut into ``folds`` consecutive test blocks
  (rows of one snapshot date or one order value stay together). Each fold trains only on
  examples before its block: for snapshots, only those whose label window closed before the
  block starts (the same purge as the holdout), and none of the block's own contacts, so no
  contact is on both sides of a fold. Calibration takes ``calibration_fraction`` of the
  training contacts (snapshots) or a stratified share of the training rows (flat rows).
- **Stratified** k-fold only for flat rows that carry no time or order at all.

Every fold is a ``Split`` whose description says what it holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from leadscore.model.split import Split, _contacts_drawn, _stratified_pick

RECENT_SHARE = 0.5  # the test blocks cover the most recent half of the examples


def _blocks(order: np.ndarray, folds: int) -> list[tuple[Any, Any]]:
    """``folds`` consecutive [start, end) ranges of order values over the most recent half."""
    values, counts = np.unique(order, return_counts=True)
    share = np.cumsum(counts) / counts.sum()  # share of the rows up to and including a value
    edges: list[int] = []
    for j in range(folds):
        target = (1 - RECENT_SHARE) + j * RECENT_SHARE / folds
        edge = max(
            int(np.searchsorted(share, target, side="left")) + 1, edges[-1] + 1 if edges else 1
        )
        if edge < len(values):
            edges.append(edge)
    ends: list[Any] = [values[e] for e in edges[1:]] + [None]
    return [(values[e], end) for e, end in zip(edges, ends, strict=True)]


def _describe_value(value: object) -> str:
    if isinstance(value, np.datetime64 | pd.Timestamp):
        return str(pd.Timestamp(value).date())
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return f"{int(value):,}"
    return str(value)


def forward_folds(
    order: np.ndarray,
    y: np.ndarray,
    *,
    folds: int,
    calibration_fraction: float,
    seed: int,
    order_name: str,
    contacts: np.ndarray | None = None,
    horizon_days: int | None = None,
) -> list[Split]:
    """Forward-chaining folds over ``order`` (snapshot dates, created dates or an order key).

    With ``contacts`` and ``horizon_days`` (snapshot examples), a fold trains only on rows
    whose label window closed before its test block and on none of the block's contacts.
    """
    order, y = np.asarray(order), np.asarray(y)
    if contacts is not None:
        unique, inverse = np.unique(contacts, return_inverse=True)
    out = []
    for k, (start, end) in enumerate(_blocks(order, folds), 1):
        test = np.flatnonzero((order >= start) & ((order < end) if end is not None else True))
        known = order < start
        if horizon_days is not None:
            known = order + np.timedelta64(horizon_days, "D") <= start
        if contacts is not None:  # through the inverse index: np.isin on text is quadratic
            in_test = np.zeros(len(unique), dtype=bool)
            in_test[inverse[test]] = True
            known &= ~in_test[inverse]
        before = np.flatnonzero(known)
        if contacts is not None and horizon_days is not None:
            in_cal = _contacts_drawn(contacts[before], calibration_fraction, seed + k)
            cal, fit = before[in_cal], before[~in_cal]
        else:
            cal = _stratified_pick(y, before, calibration_fraction, seed + k)
            fit = np.setdiff1d(before, cal)
        until = f" to {_describe_value(end)}" if end is not None else " on"
        held = (
            f"label window closed before it ({horizon_days}-day purge), none of its contacts"
            if horizon_days is not None
            else f"every row before it by {order_name}"
        )
        out.append(Split(fit=fit, calibration=cal, test=test, description=(
            f"fold {k}: test = {len(test):,} rows ({int(y[test].sum()):,} converted) by "
            f"{order_name} from {_describe_value(start)}{until}; trained on {len(before):,} "
            f"rows ({held}), {len(cal):,} of them calibrate"
        )))  # fmt: skip
    return out


def stratified_folds(
    y: np.ndarray, *, folds: int, calibration_fraction: float, seed: int
) -> list[Split]:
    """Stratified k-fold for rows without time or order; a stratified share calibrates."""
    y = np.asarray(y)
    out = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (before, test) in enumerate(splitter.split(np.zeros(len(y)), y), 1):
        cal = _stratified_pick(y, before, calibration_fraction, seed + k)
        fit = np.setdiff1d(before, cal)
        out.append(Split(fit=fit, calibration=cal, test=test, description=(
            f"fold {k}: test = {len(test):,} random rows ({int(y[test].sum()):,} converted); "
            f"trained on the other {len(before):,} rows, {len(cal):,} of them calibrate"
        )))  # fmt: skip
    return out
