"""The shipped model: the chosen recipe refit on every labelled example (``[training] refit``).

The split *measures the method* (``model.measure``): features, the choice of candidate and
its settings, the cross-fitted calibration and the test figures all come from rows before the
test part. The newest outcomes matter most for the model a sales team will use, so the same
recipe (family, settings, the iteration count early stopping found, blend weight,
calibration method) is then fitted again on every example whose label is complete: for
snapshots every snapshot up to ``export_end - horizon``, purge gap and test included; for flat
exports every closed row. Nothing is chosen on these rows.

The calibrator stays cross-fitted: it is fitted on a score for every row from a model that
never saw that row's outcome — the out-of-fold scores of the learned rows (``measure``) and
the measured model's scores of the purge and test rows, which it never learned from. So the
shipped model learns from every outcome and its calibration from every outcome, and
``model.backtest`` checks on an older cut of an export that this costs no calibration on the
outcomes that followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leadscore.features.contact import ContactFeatures
from leadscore.model.calibration import calibrate_scores
from leadscore.model.estimators import assemble
from leadscore.model.examples import feature_transformer
from leadscore.model.measure import Measured, scores_of
from leadscore.model.selection import fit_head
from leadscore.model.spec import TrainSpec
from leadscore.model.split import Split
from leadscore.model.steps import Steps, step_of


@dataclass
class Shipped:
    """The calibrated model to save, its fitted features and head, what it was fitted on, and
    the test rows as its features make them (the reference its scores rank in, which
    ``LeadScorer.set_reference`` records)."""

    model: Any
    features: ContactFeatures
    head: Any
    description: str
    reference: pd.DataFrame


def refit(rows: pd.DataFrame, y: np.ndarray, split: Split, measured: Measured,
          spec: TrainSpec, steps: Steps | None = None) -> Shipped:  # fmt: skip
    """The measured recipe fitted on every labelled row, calibrated on out-of-sample scores."""
    # the calibrator's scores first, before the refit's features are held too (a million
    # rows: the purge gap's features and scores beside those, 0.25 GB at training's peak)
    with step_of(steps, "purge gap scores"):
        kept, scores = _out_of_sample_scores(rows, y, split, measured)
    with step_of(steps, "refit features"):
        features = feature_transformer(spec).fit(rows, y)
        F = features.transform(rows)
    with step_of(steps, "refit"):
        del rows  # freed here when the caller handed them over (``model.train``); its pages
        # go back as the fit starts (``selection.fit_head``)
        head = fit_head(measured.recipe, features, spec.training.seed, F, y)
        if measured.recipe.kind == "base_rate":  # one score for every row (see model.measure)
            kept, scores = np.ones(len(y), dtype=bool), head.decision_function(F)
        model = calibrate_scores(assemble(features, head), scores, y[kept], measured.method[0])
        # the test rows' features, taken from the refit's own once its fits are done: the
        # caller then holds no raw test rows through the fits (a million rows: 0.19 GB)
        reference = F.iloc[split.test]
    on = "a score of every row from a model that never saw it"
    if not kept.all():
        on = (
            f"the measured model's score of every row it never learned from ({kept.sum():,} "
            "rows: the tuning budget's rows left out)"
        )
    described = (
        f"refit on all {len(y):,} labelled rows (test and purge gap included); calibrated "
        f"({measured.method[0]}) on {on}"
    )
    return Shipped(model, features, head, described, reference)


def _out_of_sample_scores(rows: pd.DataFrame, y: np.ndarray, split: Split,
                          measured: Measured) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Which rows have a log-odds score from a model that never learned their outcome (a
    mask), and those scores: every row, but the rows the measured model was fitted on when
    that was the tuning budget's part of the fit rows (``model.measure``)."""
    scores, kept = np.zeros(len(y)), np.zeros(len(y), dtype=bool)
    scores[measured.learned], kept[measured.learned] = measured.scores, True
    scores[split.test], kept[split.test] = measured.test_scores, True
    gap = np.ones(len(y), dtype=bool)
    gap[measured.fitted] = False
    gap &= ~kept
    if gap.any():  # the purge gap: the measured model never learned these outcomes either
        F_gap = measured.features.transform(rows.iloc[np.flatnonzero(gap)])
        scores[gap], kept[gap] = scores_of(measured.head, F_gap), True
    return kept, scores[kept]


def as_measured(measured: Measured, test_rows: pd.DataFrame) -> Shipped:
    """The measured model itself (``refit = false``): fitted on the rows before the test."""
    described = (
        f"not refit ([training] refit = false): the measured model, fitted on the "
        f"{len(measured.fitted):,} rows before the test"
    )
    reference = measured.features.transform(test_rows)
    return Shipped(measured.model(), measured.features, measured.head, described, reference)
