"""Measuring the method on one split: features, model choice, calibration, test.

Every row before the test part (fit and calibration rows: the *learned* rows) is there for
the measured model; none of the test rows is read until its probabilities are scored:

1. features (``ContactFeatures``) fitted on the learned rows, with their outcomes for the
   noise control (``features.noise``: a category column without out-of-fold signal is
   pooled), never the test's;
2. candidates tuned and chosen on the split (``model.selection``): fitted on the fit rows,
   compared on the calibration rows as validation rows;
3. the chosen recipe cross-fitted: the learned rows are cut into ``CROSS_FIT_FOLDS`` folds of
   contacts (the calibration contacts are one of them, already scored by the choice's own
   model), each fold scored by the recipe fitted on the other folds; the calibration method
   is chosen on, and the calibrator fitted to, those out-of-fold scores (above
   ``selection.TUNE_ROWS`` rows outside a fold, its model is fitted on a seeded part of
   their contacts);
4. the recipe fitted on every learned row and wrapped with that calibrator; the test rows
   scored. (The base rate gives every row the same score, so it is calibrated on that one
   score: out-of-fold rates would differ only by noise and make a steep map of it.)

Above ``selection.TUNE_ROWS`` fit rows (the tuning budget: the candidates were fitted on every
snapshot of a seeded part of the fit contacts) steps 3 and 4 are not needed and not paid: the
chosen candidate *is* the measured model, and every learned row it never learned from — the
fit rows of the contacts outside the budget and the validation rows, several hundred thousand
at that size — is held out for it. The calibrator is fitted on its scores of those rows (held
out, as the cross-fit's are out of fold). On the 1 M-contact bench this saves the five fits
of steps 3-4 (170 of 480 s) for 0.0008 of held-out AUC, 0.9635 -> 0.9627 (docs/scale.md).

So the measured model is the shipped recipe applied to the export as it stood at the start of
the test (``model.refit`` applies it to every row). The runner-up is shown as fitted for the
choice (on the fit rows, calibrated on the validation rows), which costs nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from leadscore.features.contact import ContactFeatures
from leadscore.model.calibration import ScoreColumn, calibrate_scores, choose_method
from leadscore.model.estimators import DECISION_ROWS, assemble
from leadscore.model.examples import feature_transformer
from leadscore.model.selection import (
    Candidate,
    Recipe,
    Selection,
    fit_head,
    select,
    tuning_rows,
)
from leadscore.model.spec import TrainSpec
from leadscore.model.split import Split
from leadscore.model.steps import Steps, step_of

CROSS_FIT_FOLDS = 5
SCORE_ROWS = 2 * DECISION_ROWS  # rows scored at a time by ``scores_of``


@dataclass
class Measured:
    """The measured model and what training reports and ships from it.

    ``scores``: log-odds of learned rows from a model that never saw them (positions
    ``learned``, outcomes ``y_learned``: out of fold, or held out above the tuning budget),
    for the calibrator; ``fitted``: the rows ``head`` learned from (``learned``, or the
    tuning budget's rows); ``test_scores``: the final model's log-odds of the test rows;
    ``probs``: calibrated test probabilities of the chosen model (``chosen``), uncalibrated
    (``raw``) and the runner-up's (``runner_up``).
    """

    features: ContactFeatures
    selection: Selection
    recipe: Recipe
    head: Any
    method: tuple[str, str]
    learned: np.ndarray = field(repr=False)
    y_learned: np.ndarray = field(repr=False)
    scores: np.ndarray = field(repr=False)
    test_scores: np.ndarray = field(repr=False)
    probs: dict[str, np.ndarray] = field(repr=False)
    fitted: np.ndarray = field(repr=False)

    def model(self) -> Any:
        """The measured model as one calibrated pipeline from raw rows."""
        whole = assemble(self.features, self.head)
        return calibrate_scores(whole, self.scores, self.y_learned, self.method[0])


def _on_scores(scores: np.ndarray, y: np.ndarray, method: str) -> Any:
    """A calibrator fitted on log-odds, applied to log-odds (one column)."""
    return calibrate_scores(ScoreColumn().fit(None, y), scores, y, method)


def crossfit_folds(contacts: np.ndarray, validation: np.ndarray, k: int, seed: int) -> np.ndarray:
    """A fold number per row: 0 for the validation rows, 1..k-1 for the other contacts."""
    unique, inverse = np.unique(contacts, return_inverse=True)
    fold = np.random.default_rng(seed).integers(1, k, len(unique))[inverse]
    fold[np.asarray(validation, dtype=bool)] = 0
    return fold


def out_of_fold(recipe: Recipe, features: ContactFeatures, F: pd.DataFrame, y: np.ndarray,
                folds: np.ndarray, known: dict[int, np.ndarray], seed: int,
                contacts: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Log-odds of every row from the recipe fitted without its fold (``known`` folds given).

    With ``contacts`` and more than ``TUNE_ROWS`` rows outside a fold, that fold's model is
    fitted on every row of a seeded random part of those contacts (``tuning_rows``): the
    training-time budget of the cross-fit, whose scores only feed the calibrator.
    """
    scores = np.zeros(len(y))
    for k in np.unique(folds):
        held = folds == k
        if int(k) in known:
            scores[held] = known[int(k)]
            continue
        train = np.flatnonzero(~held)
        budget = tuning_rows(None if contacts is None else contacts[train], seed + int(k))
        train = train if budget is None else train[budget]
        head = fit_head(recipe, features, seed, F.iloc[train], y[train])
        scores[held] = head.decision_function(F[held])
    return scores


def scores_of(head: Any, F: pd.DataFrame, rows: np.ndarray | None = None) -> np.ndarray:
    """``head.decision_function`` of ``F``'s rows at positions ``rows`` (all without), a block
    of ``SCORE_ROWS`` at a time: the same log-odds bit for bit (a row's trees and sums are its
    own, and the logistic model's float64 blocks start at the same rows, ``SCORE_ROWS`` being
    a multiple of theirs), without encoding every row at once (300,000 rows: the boosted
    model's float64 copy and the logistic design, 0.3 GB at training's peak)."""
    n = len(F) if rows is None else len(rows)
    blocks = (
        # all rows: slices, which are views of ``F``; chosen rows: copies of each block alone
        F.iloc[start : start + SCORE_ROWS] if rows is None
        else F.iloc[np.asarray(rows)[start : start + SCORE_ROWS]]
        for start in range(0, n, SCORE_ROWS)
    )  # fmt: skip
    return np.concatenate([np.zeros(0), *(head.decision_function(block) for block in blocks)])


def measure(rows: pd.DataFrame, y: np.ndarray, contacts: np.ndarray, split: Split,
            spec: TrainSpec, steps: Steps | None = None) -> Measured:  # fmt: skip
    """The four steps of the module docstring on one split (fit, calibration, test rows)."""
    t = spec.training
    learned = np.concatenate([split.fit, split.calibration])
    with step_of(steps, "features"):
        features = feature_transformer(spec).fit(rows.iloc[learned], y[learned])  # noise control
        F = features.transform(rows.iloc[learned])
    y_learned, is_val = y[learned], np.arange(len(learned)) >= len(split.fit)
    with step_of(steps, "candidates"):
        # the fit rows come first: slices are views of F, not copies (a million rows: 0.3 GB)
        fit, val = slice(len(split.fit)), slice(len(split.fit), None)
        chosen = select(
            features, F.iloc[fit], y_learned[fit], F.iloc[val], y_learned[val], seed=t.seed,
            calibration=t.calibration, forced=t.model, groups=contacts[learned][fit],
        )  # fmt: skip
    with step_of(steps, "features"):  # made once the candidates' fits no longer hold memory
        F_test = features.transform(rows.iloc[split.test])
    candidate, y_val = chosen.candidates[chosen.chosen], y_learned[is_val]
    if chosen.tuned_on is not None and candidate.recipe.kind != "base_rate":
        with step_of(steps, "calibration (held-out rows)"):
            head, kept, scores = _held_out(candidate, F, is_val, chosen.tuned_on)
            fitted, learned, y_learned = learned[~kept], learned[kept], y_learned[kept]
            where = "rows before the test the model never learned from (held-out scores)"
            method = choose_method(y_learned, t.calibration, expit(scores), rows=where)
            test_scores = scores_of(head, F_test)
    else:
        head, scores, method = _cross_fitted(candidate, features, F, y_learned, is_val,
                                             contacts[learned], t, steps)  # fmt: skip
        test_scores, fitted = scores_of(head, F_test), learned
    calibrator = _on_scores(scores, y_learned, method[0])
    runner = chosen.candidates[chosen.runner_up]
    r_method = choose_method(y_val, t.calibration, expit(runner.val_scores))[0]
    runner_scores = scores_of(runner.head, F_test).reshape(-1, 1)
    probs = {
        "chosen": calibrator.predict_proba(test_scores.reshape(-1, 1))[:, 1],
        "raw": expit(test_scores),
        "runner_up": _on_scores(runner.val_scores, y_val, r_method).predict_proba(runner_scores)[
            :, 1
        ],
    }
    return Measured(
        features, chosen, candidate.recipe, head, method, learned, y_learned, scores,
        test_scores, probs, fitted,
    )  # fmt: skip


def _cross_fitted(candidate: Candidate, features: ContactFeatures, F: pd.DataFrame,
                  y: np.ndarray, is_val: np.ndarray, contacts: np.ndarray, t: Any,
                  steps: Steps | None) -> tuple[Any, np.ndarray, tuple[str, str]]:  # fmt: skip
    """Steps 3-4 of the module docstring: the recipe fitted on every learned row, the
    out-of-fold scores of those rows and the calibration method chosen on them."""
    with step_of(steps, "measured fit"):
        head = fit_head(candidate.recipe, features, t.seed, F, y)
    with step_of(steps, "calibration (cross-fit)"):
        if candidate.recipe.kind == "base_rate":  # one score for every row: calibrate on it
            scores = head.decision_function(F)
        else:
            folds = crossfit_folds(contacts, is_val, CROSS_FIT_FOLDS, t.seed)
            known = {0: candidate.val_scores}
            scores = out_of_fold(candidate.recipe, features, F, y, folds, known, t.seed, contacts)
        where = "rows before the test (out-of-fold scores)"
        method = choose_method(y, t.calibration, expit(scores), rows=where)
    return head, scores, method


def _held_out(candidate: Candidate, F: pd.DataFrame, is_val: np.ndarray,
              tuned_on: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray]:  # fmt: skip
    """Above the tuning budget: the chosen candidate as the measured model, which rows of the
    learned ones it never learned from (a mask), and its log-odds of those rows."""
    kept = np.ones(len(is_val), dtype=bool)
    kept[np.flatnonzero(~is_val)[tuned_on]] = False  # the budget's rows: learned from
    scores = np.empty(len(is_val))
    scores[is_val] = candidate.val_scores
    other = kept & ~is_val  # fit rows of the contacts outside the budget
    scores[other] = scores_of(candidate.head, F, np.flatnonzero(other))
    return candidate.head, kept, scores[kept]
