"""The full (uncut) history of the sample CRM, one month at a time.

Each month's contacts and their whole lifecycle come from that month's own generator, in the
fixed order contacts -> outcomes -> activities; :mod:`leadscore.sample.export` then cuts the
history at the export end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.sample._draw import OPEN
from leadscore.sample.activities import draw_activities
from leadscore.sample.contacts import draw_contacts
from leadscore.sample.outcomes import draw_outcomes


def month_bounds(start: pd.Timestamp, months: int) -> np.ndarray:
    """Return the ``months + 1`` month boundaries as int64 seconds since the epoch."""
    stamps = [start + pd.DateOffset(months=m) for m in range(months + 1)]
    return np.array([(s - pd.Timestamp(0)) // pd.Timedelta(seconds=1) for s in stamps])


def generate_month(
    rng: np.random.Generator, n: int, t0: int, t1: int, win_shift: float = 0.0
) -> dict[str, np.ndarray]:
    """Draw ``n`` contacts created in ``[t0, t1)`` and their whole lifecycle from ``rng``.

    Times are int64 seconds since the epoch. ``win_shift`` is added to the win model's
    intercept (see ``draw_outcomes``). Returns the contact arrays of ``draw_contacts`` plus
    ``won``, ``closed`` (close time, ``OPEN`` if never closed) and the activity arrays
    ``act_idx``, ``act_time``, ``act_type`` and ``act_detail``.
    """
    contacts = draw_contacts(rng, n, t0, t1)
    outcomes = draw_outcomes(rng, contacts, win_shift)
    acts = draw_activities(rng, contacts["source"], outcomes)
    created = contacts["created"]
    close_off = outcomes["close_off"]
    is_open = close_off == OPEN
    return {
        **contacts,
        "won": outcomes["won"],
        "closed": np.where(is_open, OPEN, created + np.where(is_open, 0, close_off)),
        "act_idx": acts["act_idx"],
        "act_time": created[acts["act_idx"]] + acts["act_off"],
        "act_type": acts["act_type"],
        "act_detail": acts["act_detail"],
    }
