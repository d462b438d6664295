"""The better model is the one shipped: candidates tuned and chosen on validation rows.

Candidates, each fitted on the fit rows of the split (``model.split``):

- ``hgb``: gradient boosting, each setting of ``estimators.HGB_GRID`` stopped early on the
  validation rows (the iteration count is part of the recipe, for the refit);
- ``logistic``: regularised logistic regression, each penalty of ``LOGISTIC_GRID``;
- ``blend``: the best of each, blended in log-odds (``model.blend``) with the weight of
  ``BLEND_WEIGHTS`` that does best;
- ``base_rate``: every contact gets the fit rows' conversion rate, the model each of the
  others must beat (on data without signal it is the honest one to ship).

The validation rows are the calibration part of the split: contacts the models were not fitted
on, all earlier than the test part, which nothing here ever reads. Each candidate is measured
there by the promotion rule's two measures (``model.promotion``): ROC AUC of its scores, and
the log loss of its *calibrated* probabilities, 5-fold cross-validated on the validation rows
with the calibration method ``train`` would use (``calibration.cv_log_loss``), so a model is
not preferred for a calibration it only has in-sample. Within a family the setting with the
lower log loss wins. Between families the rule decides, simplest first: ``logistic``
replaces ``base_rate`` only if it wins by the rule, ``hgb`` replaces the winner only if it
wins, then ``blend``; a family replaces the base rate only if it also ranks the validation
rows better than chance (ROC AUC above 0.5 by two standard deviations of a signal-free
model's AUC on those rows: 0.037 on 1,073 rows with 686 converted). ``[training] model`` can force a family; the rule's choice is still
reported. Above ``TUNE_ROWS`` fit rows the candidates are fitted on every snapshot of a seeded
random part of the contacts (the tuning budget, stated in ``Selection.tuning``); the chosen
recipe is then fitted on all rows (``model.measure``, ``model.refit``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline

from leadscore.features.contact import ContactFeatures
from leadscore.memory import release_unused
from leadscore.model import estimators
from leadscore.model.blend import BaseRate, LogitBlend
from leadscore.model.calibration import choose_method, cv_log_loss
from leadscore.model.promotion import decide

FAMILIES = ("base_rate", "logistic", "hgb", "blend")  # simplest first: the rule's order


@dataclass(frozen=True)
class Recipe:
    """How to fit a candidate again (refit, cross-validation): its family and settings."""

    kind: str  # "base_rate", "hgb", "logistic" or "blend"
    hgb: dict[str, float] | None = None  # boosted model settings (with max_iter once tuned)
    logistic: dict[str, float] | None = None  # logistic model settings
    weight: float | None = None  # blend: weight of the boosted log-odds

    def describe(self) -> str:
        """The recipe in words."""
        parts = []
        if self.hgb is not None:
            parts.append("hgb (" + ", ".join(f"{k} {v:g}" for k, v in self.hgb.items()) + ")")
        if self.logistic is not None:
            parts.append(
                "logistic (" + ", ".join(f"{k} {v:g}" for k, v in self.logistic.items()) + ")"
            )
        if self.weight is not None:
            return f"{self.weight:g} × {parts[0]} + {1 - self.weight:g} × {parts[1]} in log-odds"
        return parts[0] if parts else "the conversion rate of the rows learned from"


@dataclass
class Candidate:
    """A fitted candidate: its recipe, its head (takes ``ContactFeatures`` output), its
    validation log-odds and figures (``roc_auc``, ``log_loss``)."""

    recipe: Recipe
    head: Any
    val_scores: np.ndarray = field(repr=False)
    figures: dict[str, float]


@dataclass
class Selection:
    """The candidates (best of each family), the one chosen, the runner-up and why."""

    candidates: dict[str, Candidate]
    chosen: str
    runner_up: str
    reason: str
    tuning: str  # what was tried
    # positions (within the fit rows given to ``select``) the candidates were fitted on when
    # the tuning budget applied; None when they were fitted on every fit row
    tuned_on: np.ndarray | None = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        """Plain values for the model's info and the MLflow run."""
        return {
            "chosen": self.chosen,
            "runner_up": self.runner_up,
            "reason": self.reason,
            "tuning": self.tuning,
            "candidates": {
                name: {
                    "recipe": c.recipe.describe(),
                    **{k: round(v, 6) for k, v in c.figures.items()},
                }
                for name, c in self.candidates.items()
            },
        }


def fit_head(recipe: Recipe, features: ContactFeatures, seed: int, F_fit: pd.DataFrame,
             y_fit: np.ndarray) -> Any:  # fmt: skip
    """Fit a recipe on feature rows (boosting for the recipe's ``max_iter``, or the builder's
    cap when the recipe has none; early stopping is ``_tune``'s)."""
    if recipe.kind == "base_rate":
        return BaseRate().fit(F_fit, y_fit)
    if recipe.kind == "blend":
        parts = [
            ("hgb", fit_head(Recipe("hgb", hgb=recipe.hgb), features, seed, F_fit, y_fit)),
            ("logistic", fit_head(Recipe("logistic", logistic=recipe.logistic), features, seed, F_fit, y_fit)),
        ]  # fmt: skip
        weight = float(recipe.weight if recipe.weight is not None else 0.5)
        return LogitBlend.of_fitted(parts, (weight, 1 - weight))
    settings = recipe.hgb if recipe.kind == "hgb" else recipe.logistic
    release_unused()  # what was freed before (the refit's raw rows, a blend's boosted part)
    pipe = estimators.head(estimators.BUILDERS[recipe.kind](features, seed=seed))
    pipe[-1].set_params(**(settings or {}))
    return pipe.fit(F_fit, y_fit)


def best_iterations(head: Any) -> int:
    """Boosting iterations up to the best validation loss (the early-stopped model's own)."""
    model = head[-1]
    scores = getattr(model, "validation_score_", None)
    if scores is None or len(scores) < 2:
        return int(model.n_iter_)
    return max(1, int(np.argmax(scores)))


def figures(scores: np.ndarray, y: np.ndarray, calibration: str) -> dict[str, float]:
    """ROC AUC of log-odds ``scores`` and the cross-validated log loss once calibrated."""
    p = expit(np.asarray(scores, dtype=float))
    method, _ = choose_method(y, calibration, p)
    return {"roc_auc": float(roc_auc_score(y, scores)), "log_loss": cv_log_loss(p, y)[method]}


def _tune(kind: str, grid: tuple[dict[str, float], ...], features: ContactFeatures, seed: int,
          data: tuple[Any, ...], calibration: str) -> Candidate:  # fmt: skip
    """The setting of ``grid`` with the lowest validation log loss, fitted; boosting stops
    early on the validation rows unless the setting fixes ``max_iter``.

    The settings are the model step's alone, so the rows are encoded once for the whole grid
    (the same arrays each setting's own pipeline would make; on a million rows the linear
    model's design is a gigabyte): each setting's head is the one fitted encoder before its
    own fitted model."""
    F_fit, y_fit, F_val, y_val = data
    pipe = estimators.head(estimators.BUILDERS[kind](features, seed=seed))
    encode = Pipeline(pipe.steps[:-1])
    X_fit = encode.fit_transform(F_fit)
    X_val = encode.transform(F_val)
    best: Candidate | None = None
    for settings in grid:
        model = clone(pipe[-1]).set_params(**settings)
        if kind == "hgb" and "max_iter" not in settings:  # a set count is not tuned
            model.set_params(
                early_stopping=True, scoring="loss", validation_fraction=None,
                n_iter_no_change=estimators.EARLY_STOPPING_ROUNDS,
            )  # fmt: skip
            model.fit(X_fit, y_fit, X_val=X_val, y_val=y_val)
        else:
            model.fit(X_fit, y_fit)
        head = Pipeline([*encode.steps, ("model", model)])
        recipe = Recipe(kind, **{kind: dict(settings)})  # type: ignore[arg-type]
        if kind == "hgb":  # the refit needs the iteration count early stopping found
            recipe = Recipe(kind, hgb={**settings, "max_iter": best_iterations(head)})
        scores = model.decision_function(X_val)
        candidate = Candidate(recipe, head, scores, figures(scores, y_val, calibration))
        if best is None or candidate.figures["log_loss"] < best.figures["log_loss"]:
            best = candidate
    assert best is not None
    return best


def _blend(hgb: Candidate, logistic: Candidate, y_val: np.ndarray, calibration: str) -> Candidate:
    """The blend of the two with the weight (``BLEND_WEIGHTS``) of lowest validation log loss."""
    best: Candidate | None = None
    for w in estimators.BLEND_WEIGHTS:
        scores = w * hgb.val_scores + (1 - w) * logistic.val_scores
        recipe = Recipe("blend", hgb=hgb.recipe.hgb, logistic=logistic.recipe.logistic, weight=w)
        head = LogitBlend.of_fitted([("hgb", hgb.head), ("logistic", logistic.head)], (w, 1 - w))
        candidate = Candidate(recipe, head, scores, figures(scores, y_val, calibration))
        if best is None or candidate.figures["log_loss"] < best.figures["log_loss"]:
            best = candidate
    assert best is not None
    return best


CHANCE_SD = 2.0  # a model must rank above 0.5 by this many null standard deviations


def chance_margin(positives: int, rows: int) -> float:
    """``CHANCE_SD`` standard deviations of the ROC AUC of a signal-free model on these rows
    (Mann-Whitney U without ties): below 0.5 + this, a ranking is not told from a coin's."""
    negatives = rows - positives
    if positives < 1 or negatives < 1:
        return float("inf")
    return CHANCE_SD * float(np.sqrt((rows + 1) / (12 * positives * negatives)))


def _against(challenger: str, champion: str, candidates: dict[str, Candidate],
             margin: float) -> tuple[bool, str]:  # fmt: skip
    """Whether ``challenger`` replaces ``champion`` by the rule, and the sentence that says why.
    Against the base rate it must also rank better than chance."""
    figures = candidates[challenger].figures
    verdict = decide(figures, candidates[champion].figures)
    if champion == "base_rate" and verdict.promote and figures["roc_auc"] < 0.5 + margin:
        return False, (
            f"{challenger} against {champion}: its AUC {figures['roc_auc']:.4f} is within chance "
            f"of 0.5 (+{margin:.3f}, {CHANCE_SD:g} standard deviations on these rows)"
        )
    return verdict.promote, f"{challenger} against {champion}: {verdict.reason}"


def choose(candidates: dict[str, Candidate], forced: str, rows: int,
           positives: int | None = None) -> tuple[str, str, str]:  # fmt: skip
    """(chosen, runner-up, reason): the promotion rule, simplest family first; against the
    base rate a family must also rank better than chance (``chance_margin``) on the
    validation rows (``rows``, of which ``positives`` converted)."""
    margin = chance_margin(positives, rows) if positives is not None else 0.0
    champion, steps = FAMILIES[0], []
    for challenger in FAMILIES[1:]:
        wins, step = _against(challenger, champion, candidates, margin)
        steps.append(step)
        champion = challenger if wins else champion
    chosen = champion if forced == "auto" else forced
    others = [n for n in candidates if n != chosen]
    runner_up = min(others, key=lambda n: candidates[n].figures["log_loss"])
    where = f"on the {rows:,} validation rows (held-out contacts before the test; 5-fold " \
        "calibrated log loss)"  # fmt: skip
    if forced == "auto":
        reason = f"{chosen}, chosen by the promotion rule {where}: " + "; ".join(steps)
    else:
        reason = f"{chosen}, set in config; the rule would choose {champion} {where}: "
        reason += "; ".join(steps)
    return chosen, runner_up, reason


TUNE_ROWS = 250_000  # the tuning budget: above this many fit rows, tune on a part of them


def tuning_rows(groups: np.ndarray | None, seed: int) -> np.ndarray | None:
    """Fit rows the candidates are tuned on when there are more than ``TUNE_ROWS``: every
    snapshot of a seeded random part of the contacts (about ``TUNE_ROWS`` rows), so no
    contact is split; None (all rows) below the budget or without contacts."""
    if groups is None or len(groups) <= TUNE_ROWS:
        return None
    codes, unique = pd.factorize(groups)
    drawn = np.random.default_rng(seed).random(len(unique)) < TUNE_ROWS / len(groups)
    return np.flatnonzero(drawn[codes])


def select(features: ContactFeatures, F_fit: pd.DataFrame, y_fit: np.ndarray,
           F_val: pd.DataFrame, y_val: np.ndarray, *, seed: int, calibration: str,
           forced: str = "auto", groups: np.ndarray | None = None) -> Selection:  # fmt: skip
    """Tune each family on the validation rows, blend the best two, choose by the rule.

    ``groups``: the contact of each fit row; with more than ``TUNE_ROWS`` fit rows the
    candidates are fitted on the rows of ``tuning_rows`` (the tuning budget, stated in
    ``Selection.tuning``)."""
    rows, budget = len(y_fit), tuning_rows(groups, seed)
    if budget is not None:
        F_fit, y_fit = F_fit.iloc[budget], y_fit[budget]
    data = (F_fit, y_fit, F_val, y_val)
    hgb = _tune("hgb", estimators.HGB_GRID, features, seed, data, calibration)
    logistic = _tune("logistic", estimators.LOGISTIC_GRID, features, seed, data, calibration)
    rate = Recipe("base_rate")
    constant = fit_head(rate, features, seed, F_fit, y_fit)
    scores = constant.decision_function(F_val)
    candidates = {
        "base_rate": Candidate(rate, constant, scores, figures(scores, y_val, calibration)),
        "logistic": logistic,
        "hgb": hgb,
        "blend": _blend(hgb, logistic, y_val, calibration),
    }
    chosen, runner_up, reason = choose(candidates, str(forced), len(y_val), int(y_val.sum()))
    tuning = (
        f"{len(estimators.HGB_GRID)} boosted settings stopped early (at most "
        f"{estimators.HGB_MAX_ITER} iterations, {estimators.EARLY_STOPPING_ROUNDS} without "
        f"progress), {len(estimators.LOGISTIC_GRID)} logistic penalties and "
        f"{len(estimators.BLEND_WEIGHTS)} blend weights, fitted on {len(y_fit):,} rows"
    )
    if budget is not None:
        tuning += (
            f" of the {rows:,} fit rows (the tuning budget above {TUNE_ROWS:,} rows: every "
            "snapshot of a seeded random part of the contacts; the chosen recipe is then "
            "fitted on all rows)"
        )
    return Selection(candidates, chosen, runner_up, reason, tuning, budget)
