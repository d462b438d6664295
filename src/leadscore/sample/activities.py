"""Activities of the sample CRM: first touch, engagement, high-intent events and details.

:func:`draw_activities` draws every activity of one month's contacts over their whole active
window (after :mod:`leadscore.sample.outcomes` in the month's draw order);
:func:`activities_frame` turns the kept activities of all months into the exported table.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from leadscore.sample._arrow import seconds_to_datetime, str_series, take
from leadscore.sample._draw import DAY, sigmoid, uniform
from leadscore.sample.constants import (
    ACTIVITY_TYPES,
    ENGAGEMENT,
    FIRST_TOUCH,
    HIGH_INTENT,
    HORIZON_DAYS,
    LEAD_SOURCES,
)
from leadscore.sample.words import ACTIVITY_DETAILS

_TYPE_CODE = {name: i for i, name in enumerate(ACTIVITY_TYPES)}
_FIRST_TOUCH_CODE = np.array([_TYPE_CODE.get(FIRST_TOUCH.get(s, ""), -1) for s in LEAD_SOURCES])

_DETAIL_RAW: list[str | None] = [d for t in ACTIVITY_TYPES for d in ACTIVITY_DETAILS[t]]
_DETAIL_COUNT = np.array([len(ACTIVITY_DETAILS[t]) for t in ACTIVITY_TYPES])
_DETAIL_OFFSET = np.concatenate([[0], np.cumsum(_DETAIL_COUNT)[:-1]])
_DETAIL_VOCAB: list[str] = sorted({d for d in _DETAIL_RAW if d is not None})
# raw detail slot -> index into _DETAIL_VOCAB (-1 = blank)
_DETAIL_SLOT = np.array([-1 if d is None else _DETAIL_VOCAB.index(d) for d in _DETAIL_RAW])


class _Events:
    """Activities collected in generation order; drops those at or after the window end."""

    def __init__(self, active_days: np.ndarray) -> None:
        self.active_days = active_days
        self.idx: list[np.ndarray] = []
        self.days: list[np.ndarray] = []
        self.types: list[np.ndarray] = []

    def add(self, idx: np.ndarray, days: np.ndarray, kind: str) -> None:
        """Add events of type ``kind`` for contacts ``idx`` at ``days`` after creation."""
        keep = days < self.active_days[idx]
        self.idx.append(idx[keep])
        self.days.append(days[keep])
        self.types.append(np.full(int(keep.sum()), _TYPE_CODE[kind], dtype=np.int8))


def _add_first_touch(events: _Events, source: np.ndarray) -> None:
    """Add the ``FIRST_TOUCH`` activity at ``created_at`` of inbound contacts (no draws)."""
    ar = np.arange(source.size)
    ft = _FIRST_TOUCH_CODE[source]
    for code in np.unique(ft[ft >= 0]):
        idx = ar[ft == code]
        events.add(idx, np.zeros(idx.size), ACTIVITY_TYPES[code])


def _add_engagement(events: _Events, rng: np.random.Generator, intent: np.ndarray) -> None:
    """Add ``ENGAGEMENT`` events: Poisson counts, truncated-exponential times in the window."""
    ar = np.arange(intent.size)
    for kind, (base, elasticity, tau) in ENGAGEMENT.items():
        window = -np.expm1(-events.active_days / tau)
        mu = base * np.exp(elasticity * intent) * window / -np.expm1(-HORIZON_DAYS / tau)
        idx = np.repeat(ar, rng.poisson(mu))
        u = rng.random(idx.size)
        events.add(idx, -tau * np.log1p(-u * window[idx]), kind)


def _add_winner_events(
    events: _Events, rng: np.random.Generator, won: np.ndarray, close_days: np.ndarray
) -> None:
    """Add the ``HIGH_INTENT`` events of winners, in the days before the win."""
    n = won.size
    ar = np.arange(n)
    hi: dict[str, Any] = HIGH_INTENT

    def before_close(idx: np.ndarray, days_before: np.ndarray) -> np.ndarray:
        return close_days[idx] - np.minimum(days_before, 0.95 * close_days[idx])

    demo = won & (rng.random(n) < hi["won_p_demo"])
    before = uniform(rng, hi["won_demo_days_before"], n)
    events.add(ar[demo], before_close(ar[demo], before[demo]), "demo_request")
    quote = won & (rng.random(n) < hi["won_p_quote"])
    before = uniform(rng, hi["won_quote_days_before"], n)
    events.add(ar[quote], before_close(ar[quote], before[quote]), "quote_request")
    idx = np.repeat(ar, np.where(won, 1 + rng.poisson(hi["won_meetings_extra_mean"], n), 0))
    before = uniform(rng, hi["won_events_days_before"], idx.size)
    events.add(idx, before_close(idx, before), "meeting")
    idx = np.repeat(ar, np.where(won, rng.poisson(hi["won_pricing_views_mean"], n), 0))
    before = uniform(rng, hi["won_events_days_before"], idx.size)
    events.add(idx, before_close(idx, before), "pricing_page_view")


def _add_non_winner_events(
    events: _Events, rng: np.random.Generator, won: np.ndarray, intent: np.ndarray
) -> None:
    """Add a demo request of some non-winners and its follow-ups (``HIGH_INTENT``)."""
    n = won.size
    ar = np.arange(n)
    hi: dict[str, Any] = HIGH_INTENT
    p_demo = sigmoid(hi["lost_demo_intercept"] + hi["lost_demo_intent"] * intent)
    demo = ~won & (rng.random(n) < p_demo)
    demo_day = rng.random(n) * np.minimum(events.active_days, hi["lost_demo_window_days"])
    events.add(ar[demo], demo_day[demo], "demo_request")
    idx = np.repeat(ar, np.where(demo, rng.poisson(hi["lost_meetings_mean"], n), 0))
    after = uniform(rng, hi["lost_meeting_days_after"], idx.size)
    events.add(idx, demo_day[idx] + after, "meeting")
    quote = demo & (rng.random(n) < hi["lost_p_quote"])
    after = uniform(rng, hi["lost_quote_days_after"], n)
    events.add(ar[quote], demo_day[quote] + after[quote], "quote_request")
    idx = np.repeat(ar, np.where(demo, rng.poisson(hi["lost_pricing_views_mean"], n), 0))
    after = uniform(rng, hi["lost_pricing_days_after"], idx.size)
    events.add(idx, demo_day[idx] + after, "pricing_page_view")


def draw_activities(
    rng: np.random.Generator, source: np.ndarray, outcomes: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Draw all activities of one month's contacts, in a fixed order, over their lifecycle.

    ``outcomes`` is the result of ``draw_outcomes``. Returns ``act_idx`` (contact row in the
    month), ``act_off`` (whole seconds after creation, inside the active window),
    ``act_type`` (code into ``ACTIVITY_TYPES``) and ``act_detail`` (code into the sorted
    detail vocabulary, -1 for a blank detail).
    """
    intent, won = outcomes["intent"], outcomes["won"]
    events = _Events(outcomes["active_days"])
    _add_first_touch(events, source)
    _add_engagement(events, rng, intent)
    _add_winner_events(events, rng, won, outcomes["close_days"])
    _add_non_winner_events(events, rng, won, intent)

    act_idx = np.concatenate(events.idx)
    act_type = np.concatenate(events.types)
    offset = np.floor(np.concatenate(events.days) * DAY).astype(np.int64)
    offset = np.clip(offset, 0, outcomes["active_off"][act_idx] - 1)
    slot = _DETAIL_OFFSET[act_type] + (rng.random(act_idx.size) * _DETAIL_COUNT[act_type]).astype(
        np.int64
    )
    return {
        "act_idx": act_idx.astype(np.int32),
        "act_off": offset,
        "act_type": act_type,
        "act_detail": _DETAIL_SLOT[slot].astype(np.int16),
    }


def activities_frame(
    contact_ids: pa.Array,
    act_idx: np.ndarray,
    act_time: np.ndarray,
    act_type: np.ndarray,
    act_detail: np.ndarray,
) -> pd.DataFrame:
    """Assemble the exported activities (``ACTIVITY_COLUMNS``), sorted by time then contact.

    ``act_idx`` are rows of ``contact_ids``; the sort is stable, so exact ties keep their
    generation order and a later export keeps the same row order.
    """
    order = np.lexsort((act_idx, act_time))
    detail = act_detail[order]
    return pd.DataFrame(
        {
            "contact_id": str_series(contact_ids.take(pa.array(act_idx[order]))),
            "occurred_at": seconds_to_datetime(act_time[order]),
            "activity_type": str_series(take(ACTIVITY_TYPES, act_type[order])),
            "detail": str_series(take(_DETAIL_VOCAB, detail, missing=detail < 0)),
        }
    )
