"""Tiers (lead / prospect / opportunity) and the 0-100 score.

The score is the calibrated probability in percent, rounded: a score of 30 means about 30 in
100 such contacts convert. Tier thresholds are probabilities. By default they are derived at
training time from this business's own conversion rate ``b`` on the held-out (most recent)
contacts, in odds so the rule means the same at a 2 % or a 40 % base rate:

- prospect: odds at least ``prospect_odds`` (default 1) times the average odds — a contact at
  least as likely to convert as the average one;
- opportunity: odds at least ``opportunity_odds`` (default 4) times the average odds.

The conversion rate each tier really had on the held-out contacts is stored with the model and
printed by ``train``. Ties go to the higher tier: a probability equal to a threshold belongs to
the tier above it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIERS = ("lead", "prospect", "opportunity")


def odds_threshold(base_rate: float, multiple: float) -> float:
    """The probability whose odds are ``multiple`` times the odds of ``base_rate``."""
    odds = multiple * base_rate / (1 - base_rate)
    return float(odds / (1 + odds))


def derive_thresholds(
    base_rate: float, prospect_odds: float, opportunity_odds: float
) -> dict[str, float]:
    """Probability thresholds from the business's conversion rate and two odds multiples."""
    if not 0 < base_rate < 1:
        raise ValueError(f"base rate must be strictly between 0 and 1, got {base_rate}")
    return {
        "opportunity": odds_threshold(base_rate, opportunity_odds),
        "prospect": odds_threshold(base_rate, prospect_odds),
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


def effective_thresholds(
    model: dict[str, float],
    configured: tuple[float | None, float | None] = (None, None),
    overrides: tuple[float | None, float | None] = (None, None),
) -> dict[str, float]:
    """The thresholds a prediction uses: the model's, then the config's ``[tiers]``
    (opportunity, prospect), then explicit overrides (opportunity, prospect), later ones
    winning; they must satisfy 0 <= prospect <= opportunity <= 1."""
    thresholds = dict(model)
    if configured[0] is not None and configured[1] is not None:
        thresholds = {"opportunity": configured[0], "prospect": configured[1]}
    if overrides[0] is not None:
        thresholds["opportunity"] = overrides[0]
    if overrides[1] is not None:
        thresholds["prospect"] = overrides[1]
    if not 0 <= thresholds["prospect"] <= thresholds["opportunity"] <= 1:
        from leadscore.errors import ConfigError

        raise ConfigError("thresholds need 0 <= prospect <= opportunity <= 1")
    return thresholds
