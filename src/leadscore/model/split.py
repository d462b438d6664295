"""Time-ordered splits of training examples into fit, calibration and test rows.

The test rows are the most recent snapshot dates (about ``test_fraction`` of the rows).
A model deployed at the first test date can only have learned from labels known by then, so
the fit and calibration rows are snapshots whose label window ended before it (``as_of +
horizon <= test start``): the gap between them is the purge that keeps future outcomes out.
Within those rows, calibration takes about ``calibration_fraction`` of the *contacts* (all of
their snapshots), chosen at random with the seed; the model is fitted on the other contacts.
No contact is on both sides of the fit/calibration split.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Split:
    """Row positions of each part and a sentence describing the split."""

    fit: np.ndarray
    calibration: np.ndarray
    test: np.ndarray
    description: str
    test_start: pd.Timestamp | None = None


def time_split(
    examples: pd.DataFrame,
    *,
    horizon_days: int,
    test_fraction: float,
    calibration_fraction: float,
    seed: int,
) -> Split:
    """Split snapshot examples (columns ``contact_id``, ``as_of``) by time then by contact."""
    dates = np.sort(examples["as_of"].unique())
    counts = examples["as_of"].value_counts().reindex(dates).to_numpy()
    share_from_end = np.cumsum(counts[::-1]) / counts.sum()
    n_test_dates = int(np.searchsorted(share_from_end, test_fraction) + 1)
    n_test_dates = min(max(1, n_test_dates), len(dates) - 1) if len(dates) > 1 else 1
    test_start = pd.Timestamp(dates[-n_test_dates])
    as_of = examples["as_of"].to_numpy()
    test = np.flatnonzero(as_of >= np.datetime64(test_start))
    known = as_of + np.timedelta64(horizon_days, "D") <= np.datetime64(test_start)
    before = np.flatnonzero(known)
    contacts = examples["contact_id"].to_numpy()[before]
    unique = np.unique(contacts)
    rng = np.random.default_rng(seed)
    cal_contacts = rng.choice(
        unique, size=int(round(calibration_fraction * len(unique))), replace=False
    )
    in_cal = np.isin(contacts, cal_contacts)
    split = Split(
        fit=before[~in_cal],
        calibration=before[in_cal],
        test=test,
        test_start=test_start,
        description=(
            f"time-ordered: test = {len(test):,} rows from the {n_test_dates} most recent snapshot "
            f"date(s) (from {test_start.date()}); fit + calibration = {len(before):,} rows whose "
            f"{horizon_days}-day label window closed before that; calibration = "
            f"{calibration_fraction:.0%} of those contacts ({in_cal.sum():,} rows), fit = "
            f"the rest ({(~in_cal).sum():,} rows); {len(examples) - len(test) - len(before):,} "
            "rows in the purge gap unused"
        ),
    )
    return split
