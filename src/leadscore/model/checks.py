"""The minimum-data rule: refuse to train on too few outcomes, warn on thin calibration.

The rule, and why:

- at least ``MIN_WON`` (40) won and ``MIN_LOST`` (40) lost contacts in the export: below
  that no split leaves enough of either outcome to learn a pattern *and* check it (Dynamics
  365 asks for 40 qualified and 40 disqualified leads; HubSpot and Einstein ask for more);
- at least ``MIN_FIT`` (20) converted and 20 not converted training rows in the fit part;
- at least ``MIN_HOLDOUT`` (10) of each in the calibration part and in the test part: a
  calibrator fitted on fewer positives is mostly noise, and a test AUC on fewer than 10
  positives has a confidence interval wider than ±0.1.

Calibration warnings: Platt's sigmoid has two parameters and is usable from about
``SIGMOID_COMFORT`` (50) calibration positives; isotonic regression, when forced in the
config, needs ``ISOTONIC_MIN_ROWS`` rows and ``ISOTONIC_MIN_PER_CLASS_CV`` of each class.
"""

from __future__ import annotations

import numpy as np

from leadscore.errors import NotEnoughDataError
from leadscore.model.calibration import ISOTONIC_MIN_PER_CLASS_CV, ISOTONIC_MIN_ROWS

MIN_WON = 40
MIN_LOST = 40
MIN_FIT = 20
MIN_HOLDOUT = 10
SIGMOID_COMFORT = 50


def check_outcomes(won: int, lost: int, path: str | None = None) -> None:
    """Refuse an export with fewer than 40 won or 40 lost contacts."""
    if won < MIN_WON or lost < MIN_LOST:
        raise NotEnoughDataError(
            f"too few closed contacts to learn and validate: {won} won and {lost} lost; "
            f"leadscore needs at least {MIN_WON} won and {MIN_LOST} lost (part of them trains "
            "the model, part calibrates it and part tests it on the most recent snapshots)",
            file=path,
        )


def check_split(y: np.ndarray, parts: dict[str, np.ndarray], why: str, path: str | None) -> None:
    """Refuse when the fit, calibration or test part has too few of either outcome."""
    need = {"fit": MIN_FIT, "calibration": MIN_HOLDOUT, "test": MIN_HOLDOUT}
    for name, idx in parts.items():
        pos = int(y[idx].sum())
        neg = len(idx) - pos
        if pos < need[name] or neg < need[name]:
            raise NotEnoughDataError(
                f"too few examples to learn and validate: the {name} part has {pos} converted "
                f"and {neg} not converted rows; at least {need[name]} of each are needed "
                f"(fit >= {MIN_FIT}, calibration and test >= {MIN_HOLDOUT}; {why})",
                file=path,
            )


def calibration_warnings(y_cal: np.ndarray, method: str) -> list[str]:
    """Warnings when the calibration rows are thin for the chosen method."""
    y = np.asarray(y_cal)
    n, pos = len(y), int(y.sum())
    neg = n - pos
    out = []
    if method == "isotonic" and (
        n < ISOTONIC_MIN_ROWS or min(pos, neg) < ISOTONIC_MIN_PER_CLASS_CV
    ):
        out.append(
            f"isotonic calibration on {n:,} rows ({pos:,} converted, {neg:,} not) overfits: it "
            f"wants >= {ISOTONIC_MIN_ROWS:,} rows and >= {ISOTONIC_MIN_PER_CLASS_CV} of each "
            "outcome; use calibration = 'auto' or 'sigmoid'"
        )
    if min(pos, neg) < SIGMOID_COMFORT:
        out.append(
            f"calibration rests on only {min(pos, neg)} rows of the rarer outcome (comfortable "
            f"from {SIGMOID_COMFORT}): probabilities may be off by several points; more closed "
            "contacts will make them trustworthy"
        )
    return out


SHIFT_ODDS = 1.5  # a change of the conversion odds by this factor either way is a strong one
SHIFT_Z = 3.0  # ... when it is also this many standard errors away from no change


def base_rate_shift(y_learned: np.ndarray, y_test: np.ndarray, p_test: np.ndarray) -> str | None:
    """A warning when the test rows convert at a rate far from the rows the model learned from.

    Strong: the odds differ by ``SHIFT_ODDS`` or more either way and the two-proportion z
    statistic is at least ``SHIFT_Z``. Probabilities are calibrated to the rate the model
    learned, so they then read too low (or too high) wherever the new rate holds; the warning
    says by how much they did on the test rows.
    """
    a, b = np.asarray(y_learned, dtype=float), np.asarray(y_test, dtype=float)
    r0, r1 = float(a.mean()), float(b.mean())
    if not (0 < r0 < 1 and 0 < r1 < 1):
        return None
    ratio = (r1 / (1 - r1)) / (r0 / (1 - r0))
    pooled = (a.sum() + b.sum()) / (len(a) + len(b))
    se = np.sqrt(pooled * (1 - pooled) * (1 / len(a) + 1 / len(b)))
    if max(ratio, 1 / ratio) < SHIFT_ODDS or abs(r1 - r0) / se < SHIFT_Z:
        return None
    mean_p = float(np.mean(p_test))
    way = "too low" if r1 > r0 else "too high"
    return (
        f"the world moved: {r1:.1%} of the test rows (the most recent) converted against "
        f"{r0:.1%} of the rows the model learned from (odds x{ratio:.2f}); probabilities are "
        f"calibrated to the rate the model learned, so where the new rate holds they read "
        f"{way} (on the test rows they averaged {mean_p:.1%} against {r1:.1%} converted, and "
        "the tiers count too few or too many conversions); the shipped model is refit on every "
        "labelled row, the newest included, but only new outcomes tell whether the new rate "
        "holds: retrain as they come in and check with leadscore evaluate"
    )
