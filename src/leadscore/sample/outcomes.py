"""Outcomes of the sample CRM: latent fit and intent, who is won, and when contacts close.

The latent scores are never exported; they drive the outcome here and the activities in
:mod:`leadscore.sample.activities`.
"""

from __future__ import annotations

import numpy as np

from leadscore.sample._draw import DAY, OPEN, sigmoid
from leadscore.sample.constants import (
    CLOSE_RULES,
    DECISION_MAKER_LEVELS,
    FIT_CENTER,
    FIT_COEFFICIENTS,
    HORIZON_DAYS,
    ICP_INDUSTRIES,
    INDUSTRIES,
    INTENT_FIT_WEIGHT,
    LEAD_SOURCE_FIT,
    LEAD_SOURCES,
    SENIORITY_FIT,
    SENIORITY_LEVELS,
    WIN_MODEL,
)

_SENIORITY_COEF = np.array([SENIORITY_FIT[lvl] for lvl in SENIORITY_LEVELS])
_SOURCE_COEF = np.array([LEAD_SOURCE_FIT[s] for s in LEAD_SOURCES])
_DECISION_MAKER = np.array([lvl in DECISION_MAKER_LEVELS for lvl in SENIORITY_LEVELS])
_ICP_MASK = np.array([i in ICP_INDUSTRIES for i in INDUSTRIES])


def fit_score(contacts: dict[str, np.ndarray]) -> np.ndarray:
    """Return the latent fit of contacts drawn by ``draw_contacts`` (``FIT_COEFFICIENTS``).

    Uses the true industry, employees and seniority but the *stated* budget (blanked budgets
    earn nothing), plus the two "AND" terms of ICP and BANT.
    """
    industry, employees = contacts["industry"], contacts["employees"]
    seniority = contacts["seniority"]
    big_budget = ~contacts["miss_budget"] & (contacts["budget"] >= 50_000)
    mid_size = (employees >= 200) & (employees <= 5_000)
    fc = FIT_COEFFICIENTS
    return (
        fc["icp_industry"] * _ICP_MASK[industry]
        + fc["employees_1_10"] * (employees <= 10)
        + fc["employees_200_5000"] * mid_size
        + fc["employees_over_5000"] * (employees > 5_000)
        + fc["budget_50k_plus"] * big_budget
        + fc["icp_industry_and_200_5000"] * (_ICP_MASK[industry] & mid_size)
        + fc["decision_maker_and_budget_50k_plus"] * (_DECISION_MAKER[seniority] & big_budget)
        + _SENIORITY_COEF[seniority]
        + _SOURCE_COEF[contacts["source"]]
    )


def _close_days(rng: np.random.Generator, won: np.ndarray, employees: np.ndarray) -> np.ndarray:
    """Draw days from creation to close (``CLOSE_RULES``); ``inf`` for contacts never closed."""
    n = won.size
    cr = CLOSE_RULES
    won_days = cr["won_median_days"] * 10.0 ** (
        cr["won_size_elasticity"] * (np.log10(employees) - 2.0)
    )
    won_days = np.clip(
        won_days * np.exp(rng.normal(0.0, cr["won_sd_log"], n)),
        cr["won_min_days"],
        cr["won_max_days"],
    )
    lost = ~won & (rng.random(n) < cr["p_lost"])
    lost_days = rng.uniform(cr["lost_min_days"], cr["lost_max_days"], n)
    return np.where(won, won_days, np.where(lost, lost_days, np.inf))


def draw_outcomes(
    rng: np.random.Generator, contacts: dict[str, np.ndarray], win_shift: float = 0.0
) -> dict[str, np.ndarray]:
    """Draw intent, the eventual outcome and the close time of one month's contacts.

    ``win_shift`` is added to ``WIN_MODEL["intercept"]`` (0 keeps the documented model; the
    same numbers are drawn either way). Returns ``intent``, ``won``, ``close_days`` (``inf``
    if never closed), ``close_off`` (whole seconds after creation, ``OPEN`` if never closed)
    and ``active_days``/``active_off``, the end of the activity window ``[0, end)``.
    """
    n = contacts["created"].size
    fit = fit_score(contacts)
    intent = INTENT_FIT_WEIGHT * (fit - FIT_CENTER) + rng.normal(0.0, 1.0, n)
    wm = WIN_MODEL
    logit = (
        wm["intercept"]
        + win_shift
        + wm["fit_weight"] * fit
        + wm["intent_weight"] * intent
        + rng.normal(0.0, wm["noise_sd"], n)
    )
    won = rng.random(n) < sigmoid(logit)
    close_days = _close_days(rng, won, contacts["employees"])
    is_open = np.isinf(close_days)
    close_off = np.rint(np.where(is_open, 0.0, close_days) * DAY).astype(np.int64)
    close_off[is_open] = OPEN
    return {
        "intent": intent,
        "won": won,
        "close_days": close_days,
        "close_off": close_off,
        "active_days": np.minimum(close_days, HORIZON_DAYS),
        "active_off": np.minimum(close_off, HORIZON_DAYS * DAY),
    }
