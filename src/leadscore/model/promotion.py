"""When a challenger replaces the champion: the rule, and the shared evaluation window.

The rule (``decide``) compares two models evaluated on the SAME rows:

* ROC AUC of the challenger >= champion's AUC - ``AUC_TOLERANCE`` (0.002), and
* log loss of the challenger <= champion's log loss x (1 + ``LOG_LOSS_TOLERANCE``) (1 %), and
* at least one of the two strictly better than the champion's.

Why: AUC says whether the call list is in the right order, log loss whether the probabilities
(and so the tiers and the expected-conversion figures) can be trusted; a new model must not
give up either. The tolerances absorb differences that are noise on a few thousand held-out
rows with a few hundred conversions (the standard error of AUC there is about 0.01, so
0.002 is a small fraction of it), so a retrain that is as good is not refused for a
rounding-level wobble; the "strictly better" clause keeps an identical or equivalent model
from churning the champion for nothing. Log loss is compared relatively because its scale
depends on the base rate.

The window (``evaluation_window``) is the most recent closed snapshots of an export: the test
part of the time-ordered split, whose labels are fully observed. A challenger trained on that
export never saw them; a champion trained on an older export never saw them either, as long
as the outcomes it learned from ended before the window (``overlap_note`` says when not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leadscore.model.spec import TrainSpec

# The rule (``decide``) is imported by every command through the registry jobs; the window and
# the evaluation import the feature pipeline (hence scikit-learn) only when they run.

AUC_TOLERANCE = 0.002
LOG_LOSS_TOLERANCE = 0.01
RULE = (
    f"promote when challenger ROC AUC >= champion AUC - {AUC_TOLERANCE} and log loss <= "
    f"champion log loss x {1 + LOG_LOSS_TOLERANCE:g}, with at least one strictly better, "
    "both measured on the same rows"
)


@dataclass(frozen=True)
class Decision:
    """Whether to promote, and a one-line reason a person can check."""

    promote: bool
    reason: str


def decide(challenger: dict[str, float], champion: dict[str, float]) -> Decision:
    """Apply the promotion rule to two metric dicts (``roc_auc``, ``log_loss``) on one window."""
    ca, cl = challenger.get("roc_auc", math.nan), challenger.get("log_loss", math.nan)
    ha, hl = champion.get("roc_auc", math.nan), champion.get("log_loss", math.nan)
    figures = f"AUC {ca:.4f} vs {ha:.4f}, log loss {cl:.4f} vs {hl:.4f}"
    if not all(math.isfinite(v) for v in (ca, cl, ha, hl)):
        return Decision(False, f"cannot compare: a metric is missing or undefined ({figures})")
    auc_ok = ca >= ha - AUC_TOLERANCE
    loss_ok = cl <= hl * (1 + LOG_LOSS_TOLERANCE)
    better = ca > ha or cl < hl
    if not auc_ok:
        return Decision(False, f"ROC AUC is worse by more than {AUC_TOLERANCE} ({figures})")
    if not loss_ok:
        return Decision(
            False, f"log loss is worse by more than {LOG_LOSS_TOLERANCE:.0%} ({figures})"
        )
    if not better:
        return Decision(False, f"neither AUC nor log loss is better ({figures})")
    return Decision(True, f"challenger wins ({figures})")


def evaluation_window(
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    spec: TrainSpec,
    source: str | None = None,
) -> pd.DataFrame:
    """The most recent closed snapshots of an export: ``contact_id``, ``as_of``, ``y``.

    The same rows the training of this export holds out as its test part.
    """
    from leadscore.model.examples import examples_of
    from leadscore.model.split import snapshot_split

    examples, _ = examples_of(contacts, activities, spec, source)
    split = snapshot_split(examples, spec.training)
    test = examples.iloc[split.test]
    return pd.DataFrame(
        {
            "contact_id": test["contact_id"].to_numpy(),
            "as_of": test["as_of"].to_numpy(),
            "y": test["label"].to_numpy(dtype=int),
        }
    )


def evaluate_scorer(
    scorer: Any, contacts: pd.DataFrame, activities: pd.DataFrame | None, window: pd.DataFrame
) -> dict[str, float]:
    """All metrics of ``scorer`` on the window's rows, rebuilt with the scorer's own spec."""
    from leadscore.features.snapshots import assemble_rows
    from leadscore.model.metrics import summarize

    keys = window[["contact_id", "as_of"]].reset_index(drop=True)
    rows = assemble_rows(contacts, activities, keys, scorer.activity_spec)
    p = scorer.predict_proba(rows)
    return summarize(window["y"].to_numpy(dtype=int), np.asarray(p))


MIN_UNSEEN = 10  # rows of each outcome a window cut to unseen rows needs to compare on


def learned_until(scorer: Any) -> pd.Timestamp | None:
    """The last outcome date a model learned from (``outcomes_until``, or ``test_start`` for
    models that were not refit), None when its metadata does not say (flat exports)."""
    data = scorer.info.get("data", {})
    until = data.get("outcomes_until") or data.get("test_start")
    return pd.Timestamp(until) if until else None


def unseen_window(window: pd.DataFrame, *scorers: Any) -> tuple[pd.DataFrame, bool]:
    """The window rows none of ``scorers`` learned from (``as_of`` at or after each one's
    last learned outcome), and True, when they hold at least ``MIN_UNSEEN`` of each outcome;
    otherwise the whole window and False.

    A model refit on every labelled row (the default) learned outcomes up to the end of its
    export, so an export that overlaps it in time would flatter it; the rows after that are a
    fair comparison as long as there are enough of them.
    """
    dates = [d for d in (learned_until(s) for s in scorers) if d is not None]
    if not dates or not len(window):
        return window, False
    fresh = window[pd.to_datetime(window["as_of"]) >= max(dates)]
    y = fresh["y"].to_numpy()
    if min(int(y.sum()), int(len(y) - y.sum())) < MIN_UNSEEN:
        return window, False
    return fresh, len(fresh) < len(window)


def overlap_note(scorer: Any, window: pd.DataFrame) -> str | None:
    """A warning when the model learned from outcomes inside the window.

    ``outcomes_until`` in the model's metadata is the last outcome it learned from: the end of
    its export for a model refit on every labelled row (the default), the start of its own
    test part otherwise (older models record only ``test_start``, which means the same).
    """
    until = learned_until(scorer)
    if until is None or not len(window):
        return None
    start = pd.Timestamp(window["as_of"].min())
    if until > start:
        return (
            f"the champion learned from outcomes up to {until.date()}, after the evaluation "
            f"window starts ({start.date()}): the comparison flatters it"
        )
    return None
