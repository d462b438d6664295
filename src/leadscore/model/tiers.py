"""Tiers (lead / prospect / opportunity) and the 0-100 score.

The score is the calibrated probability in percent, rounded: a score of 30 means about 30 in
100 such contacts convert. Tier thresholds are probabilities. By default they are derived at
training time from the held-out (most recent) predictions: the top ``opportunity_top`` share
of contacts are opportunities and the next ones up to ``prospect_top`` prospects, so the tiers
keep a volume a sales team can work, and the conversion rate each tier really had on the
held-out contacts is stored with the model. Ties go to the higher tier: a probability equal
to a threshold belongs to the tier above it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIERS = ("lead", "prospect", "opportunity")


def derive_thresholds(
    probabilities: np.ndarray, opportunity_top: float, prospect_top: float
) -> dict[str, float]:
    """Probability thresholds putting the top shares of ``probabilities`` in the upper tiers."""
    p = np.asarray(probabilities, dtype=float)
    return {
        "opportunity": float(np.quantile(p, 1 - opportunity_top, method="higher")),
        "prospect": float(np.quantile(p, 1 - prospect_top, method="higher")),
    }


def assign_tiers(probabilities: np.ndarray, thresholds: dict[str, float]) -> np.ndarray:
    """Tier per probability; ties go to the higher tier; missing probabilities get ''."""
    p = np.asarray(probabilities, dtype=float)
    tiers = np.where(
        p >= thresholds["opportunity"],
        "opportunity",
        np.where(p >= thresholds["prospect"], "prospect", "lead"),
    ).astype(object)
    tiers[np.isnan(p)] = ""
    return tiers


def scores(probabilities: np.ndarray) -> np.ndarray:
    """0-100 integer score (nullable: missing where the probability is missing)."""
    p = np.asarray(probabilities, dtype=float)
    return pd.array(np.floor(p * 100 + 0.5), dtype="Int64").astype("Int64")


def tier_table(
    probabilities: np.ndarray, tiers: np.ndarray, outcomes: np.ndarray | None = None
) -> pd.DataFrame:
    """Per tier: contacts, mean probability, expected conversions (and actual, if known)."""
    frame = pd.DataFrame({"tier": tiers, "p": probabilities})
    if outcomes is not None:
        frame["y"] = np.asarray(outcomes, dtype=float)
    rows = []
    for tier in reversed(TIERS):
        part = frame[frame["tier"] == tier]
        row = {
            "tier": tier,
            "contacts": int(len(part)),
            "mean_probability": float(part["p"].mean()) if len(part) else float("nan"),
            "expected_conversions": float(part["p"].sum()),
        }
        if outcomes is not None:
            row["actual_conversions"] = float(part["y"].sum())
            row["actual_rate"] = float(part["y"].mean()) if len(part) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)
