"""What a scoring run did, gathered batch by batch: counts, tiers, drift sample, latest date.

Every engine feeds its batches to one ``Summary``, so the totals, the tier table and the
drift check of a run are computed the same way whichever engine scored it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from leadscore.model.drift import MAX_ROWS as DRIFT_ROWS
from leadscore.model.tiers import TIERS
from leadscore.scoring.core import STATUS, Batch


@dataclass
class Summary:
    """Running totals of a scoring run (``add`` each batch, then read the fields)."""

    expected_rows: int | None = None  # for the drift sample's share; None: keep all
    rows: int = 0
    scored: int = 0
    latest: pd.Timestamp | None = None  # the latest date seen in the export (staleness)
    notes: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # rows per status
    _tiers: dict[str, list[float]] = field(default_factory=lambda: {t: [0, 0.0] for t in TIERS})
    _samples: list[pd.DataFrame] = field(default_factory=list)
    _rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    def add(self, batch: Batch) -> None:
        """Count one batch's rows, its scored rows per tier and sample its model rows."""
        out = batch.out
        self.rows += len(out)
        scored = (out[STATUS] == "scored").to_numpy()
        self.scored += int(scored.sum())
        for status, n in out[STATUS].value_counts().items():
            self.statuses[str(status)] = self.statuses.get(str(status), 0) + int(n)
        if "tier" in out:
            p = out["probability"] if "probability" in out else pd.Series(np.nan, index=out.index)
            for tier in TIERS:
                hit = scored & (out["tier"] == tier).to_numpy()
                self._tiers[tier][0] += int(hit.sum())
                self._tiers[tier][1] += float(np.nansum(p.to_numpy(dtype=float)[hit]))
        share = 1.0 if not self.expected_rows else min(1.0, DRIFT_ROWS / self.expected_rows)
        rows = batch.rows
        if len(rows):
            self._samples.append(rows[self._rng.random(len(rows)) < share] if share < 1 else rows)

    def see_dates(self, frame: pd.DataFrame, columns: tuple[str, ...]) -> None:
        """Remember the latest value of these date columns (to warn on a stale as-of)."""
        for col in columns:
            if col in frame and len(frame):
                value = frame[col].max()
                if pd.notna(value) and (self.latest is None or value > self.latest):
                    self.latest = value

    @property
    def tiers(self) -> pd.DataFrame:
        """Per tier: contacts, mean probability, expected conversions (highest tier first)."""
        return pd.DataFrame(
            [
                {
                    "tier": t,
                    "contacts": int(c),
                    "mean_probability": e / c if c else float("nan"),
                    "expected_conversions": e,
                }
                for t, (c, e) in reversed(list(self._tiers.items()))
            ]
        )

    @property
    def drift_rows(self) -> pd.DataFrame | None:
        """A uniform sample of the scored model rows (at most about ``DRIFT_ROWS``)."""
        if not self._samples:
            return None
        rows = pd.concat(self._samples)
        return rows.sample(n=DRIFT_ROWS, random_state=0) if len(rows) > DRIFT_ROWS else rows
