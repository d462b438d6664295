"""Tiers (lead / prospect / opportunity) and the 1-100 score.

Two numbers per lead. The **probability** is the calibrated truth: 0.30 means about 30 in 100
such contacts convert. The **score** is a rank: the share of the model's reference population
(the leads it was checked on, ``score_reference``, stored with the model) whose probability
is lower, in percent, from 1 to 100 — score 90 = more likely than 90 % of those leads. With
a 2 % conversion rate most probabilities are below 0.01, so a percent-of-probability score
would put most of a list at 0; the rank spreads the list and sorts it like the probability.
Scores never split a tier: every score value belongs to one tier (``scores``).

Tier thresholds are probabilities. By default they are derived at
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


REFERENCE_POINTS = 1001  # quantiles stored: the score's rank is read at 0.1 % resolution


def score_reference(probabilities: np.ndarray) -> list[float]:
    """The probabilities at the 0.0 %, 0.1 %, ..., 100 % quantiles of a reference population."""
    p = np.asarray(probabilities, dtype=float)
    p = p[np.isfinite(p)]
    if len(p) == 0:
        return []
    return [float(v) for v in np.quantile(p, np.linspace(0, 1, REFERENCE_POINTS))]


def _rank(p: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """1-100: the percent of the reference with a lower probability (at least 1)."""
    below = np.searchsorted(reference, p, side="left") / (len(reference) - 1)
    return np.clip(np.floor(100 * np.minimum(below, 1.0) + 1e-9), 1, 100)


def _first_scores(reference: np.ndarray, thresholds: dict[str, float]) -> tuple[int, int]:
    """The first score of the prospect and of the opportunity tier: the rank of each
    threshold, moved up where needed so each tier has scores of its own."""
    prospect = int(np.clip(_rank(np.array([thresholds["prospect"]]), reference)[0], 2, 99))
    opportunity = _rank(np.array([thresholds["opportunity"]]), reference)[0]
    return prospect, int(np.clip(opportunity, prospect + 1, 100))


def scores(
    probabilities: np.ndarray,
    reference: list[float] | None = None,
    thresholds: dict[str, float] | None = None,
) -> pd.arrays.IntegerArray:
    """1-100 score per probability (nullable: missing where the probability is missing).

    With a ``reference`` (``score_reference``), the rank of the probability within it. With
    ``thresholds`` too, each tier keeps scores of its own: a lead below a threshold whose rank
    equals the threshold's rank takes one less, so no score value is in two tiers (the order
    of the leads is kept). Without a reference, the probability in percent (rounded).
    """
    p = np.asarray(probabilities, dtype=float)
    ok = np.isfinite(p)
    if not reference or len(reference) < 2:
        out = np.floor(p * 100 + 0.5)
    else:
        ref = np.asarray(reference, dtype=float)
        out = np.full(len(p), np.nan)
        out[ok] = _rank(p[ok], ref)
        if thresholds is not None:
            prospect, opportunity = _first_scores(ref, thresholds)
            tier = assign_tiers(p, thresholds)
            low = np.select([tier == "opportunity", tier == "prospect"], [opportunity, prospect], 1)
            high = np.select([tier == "opportunity", tier == "prospect"], [100, opportunity - 1],
                             prospect - 1)  # fmt: skip
            out[ok] = np.clip(out[ok], low[ok], high[ok])
    out[~ok] = np.nan
    return pd.array(out, dtype="Int64")


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
