"""Short spellings of core calls that many tests make (the core itself, no logic of its own)."""

from __future__ import annotations

import pandas as pd

from leadscore.jobs.training import fit
from leadscore.scoring.core import activity_log, model_rows, scoring_times
from leadscore.scoring.memory import score_frame


def score_contacts(scorer, contacts, activities, as_of, *, include_closed=False, reasons=False):
    """Every contact row through the in-memory engine: the output rows, in input order."""
    out, _ = score_frame(
        scorer, contacts, activities, as_of, include_closed=include_closed, reasons=reasons
    )
    return out.reset_index(drop=True)


def rows_of(scorer, contacts, activities, as_of) -> pd.DataFrame:
    """The raw model rows the core builds for these contacts as of ``as_of``."""
    _, features_at = scoring_times(scorer, contacts, as_of)
    return model_rows(contacts, features_at, activity_log(activities, scorer.activity_spec),
                      scorer.activity_spec)  # fmt: skip


def train(crm, cfg):
    """Train on a loaded export (the learned model; its scorecard, if any, beside it)."""
    return fit(crm, cfg)


__all__ = ["fit", "rows_of", "score_contacts", "train"]
