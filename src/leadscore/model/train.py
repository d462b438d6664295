"""Training: examples → time-ordered split → the better model, measured, then refit and shipped.

Pure: takes the contacts and activity frames (canonical columns, see ``data.crm``) and a
``TrainSpec``; returns a ``TrainResult``; it reads and writes nothing. The steps:

1. examples, raw rows and the time-ordered split; the minimum-data rule; the leakage guard;
2. features fitted once on the fit rows; candidates (boosting, logistic, their blend) tuned
   and chosen on the validation rows (``model.selection``), never on the test rows;
3. the chosen model calibrated on the calibration rows and measured on the test rows, beside
   the runner-up; tier thresholds from the fit and calibration rows' conversion rate;
4. the shipped model: the same recipe refit on every labelled example (``model.refit``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leadscore.errors import NotEnoughDataError
from leadscore.features.activity import learn_activity_spec
from leadscore.features.personal import personal_columns
from leadscore.features.snapshots import SCORECARD_HINT, export_end
from leadscore.model import checks, leakage, reasons
from leadscore.model.evaluate import cross_validate
from leadscore.model.examples import TrainingRows, feature_transformer, training_rows
from leadscore.model.measure import Measured, measure
from leadscore.model.metrics import summarize
from leadscore.model.refit import Shipped, as_measured, refit
from leadscore.model.scorer import LeadScorer
from leadscore.model.spec import TrainSpec
from leadscore.model.split import Split
from leadscore.model.steps import Steps
from leadscore.model.tiers import assign_tiers, derive_thresholds, tier_table

__all__ = ["TrainResult", "feature_transformer", "guard_leakage", "tier_thresholds", "train"]

IMPORTANCE_ROWS = 5_000  # test rows the global importance is averaged over


@dataclass
class TrainResult:
    """What training produced and measured (``metrics``: the chosen model on the test rows;
    ``baseline_*``: the runner-up of the model choice on the same rows)."""

    scorer: LeadScorer
    metrics: dict[str, float]
    baseline_metrics: dict[str, float]
    baseline_name: str
    split: Split
    calibration: str
    data: dict[str, Any]
    tier_table: pd.DataFrame
    holdout: pd.DataFrame = field(repr=False)  # y, probability, baseline probability per test row
    scorecard_metrics: dict[str, float] | None = None  # the spec's scorecard, same test rows
    leakage: leakage.LeakageReport | None = None
    warnings: list[str] = field(default_factory=list)
    importance: dict[str, float] = field(default_factory=dict)
    selection: dict[str, Any] = field(default_factory=dict)  # Selection.summary()
    steps: Steps = field(default_factory=Steps)  # where the time went (``model.steps``)


@contextmanager
def _scorecard_hint() -> Iterator[None]:
    """Point a refusal for too little data to the scorecard, which needs no history."""
    try:
        yield
    except NotEnoughDataError as exc:
        raise NotEnoughDataError(exc.message + SCORECARD_HINT, file=exc.file) from None


def guard_leakage(
    rows: pd.DataFrame, y: np.ndarray, split: Split, spec: TrainSpec, own: Sequence[str] = ()
) -> leakage.LeakageReport | None:
    """Scan the fit rows' candidate columns for leakage (None when disabled in the spec).

    ``own``: the columns leadscore computed itself from activity strictly before each row's
    time (``ActivitySpec.feature_names()`` of this run): they cannot leak and are not tested.
    """
    if not spec.features.leakage_guard:
        return None
    skip = {"contact_id", "as_of", "label", "status", "closed_at", "order_key"}
    skip |= set(spec.features.ignore) | set(own)
    # only the columns the guard reads: the fit rows of the activity aggregates are not copied
    read = [i for i, c in enumerate(rows.columns) if c not in skip or c in ("contact_id", "as_of")]
    fit = rows.iloc[split.fit, read]
    # personal data is never a feature, and its values must not reach the guard's evidence
    forced = {*skip, *spec.features.categorical, *spec.features.numeric}
    private = personal_columns(fit, declared=spec.features.personal, skip=forced)
    return leakage.scan(
        fit,
        y[split.fit],
        [c for c in rows.columns if c not in skip and c not in private],
        as_of=fit.get("as_of", None),
        groups=fit["contact_id"].to_numpy() if "contact_id" in fit else None,
        keep=spec.features.keep,
        seed=spec.training.seed,
    )


def tier_thresholds(
    base_rate: float, spec: TrainSpec, rows: int = 0
) -> tuple[dict[str, float], str]:
    """Tier thresholds and the sentence that says where they come from.

    ``base_rate`` is the conversion rate of the rows the model learned from (fit and
    calibration), never of the test rows the tiers are then checked on."""
    tiers = spec.tiers
    if tiers.opportunity is not None and tiers.prospect is not None:
        return {"opportunity": tiers.opportunity, "prospect": tiers.prospect}, "set in config"
    thresholds = derive_thresholds(base_rate, tiers.prospect_odds, tiers.opportunity_odds)
    rule = (
        f"derived from the conversion rate {base_rate:.2%} of the {rows:,} fit and calibration "
        f"rows, never the test rows: prospect = odds >= {tiers.prospect_odds:g}x the average, "
        f"opportunity = odds >= {tiers.opportunity_odds:g}x"
    )
    return thresholds, rule


def _export_facts(contacts: pd.DataFrame, activities: pd.DataFrame | None,
                  tr: TrainingRows) -> dict[str, Any]:  # fmt: skip
    """Facts about the training data for the model's metadata (no contact's values)."""
    status = contacts["status"]
    dates = tr.dates
    return {
        "contacts": int(len(contacts)),
        "activities": int(len(activities)) if activities is not None else 0,
        "won": int((status == "won").sum()),
        "lost": int((status == "lost").sum()),
        "open": int((status == "open").sum()),
        "examples": int(len(tr.examples)),
        "positives": int(tr.y.sum()),
        "snapshot_dates": [str(d.date()) for d in dates],
        "first_created": str(contacts["created_at"].min()) if "created_at" in contacts else None,
        "export_end": str(export_end(contacts, activities)) if dates else None,
        "test_start": str(tr.split.test_start) if tr.split.test_start is not None else None,
    }


def _data_facts(facts: dict[str, Any], excluded: dict[str, str], leak: leakage.LeakageReport | None,
                act_types: tuple[tuple[str, ...], tuple[str, ...]]) -> dict[str, Any]:  # fmt: skip
    """The export's facts with the activity types counted and the columns left out."""
    data: dict[str, Any] = {
        **facts,
        "activity_types": list(act_types[0]),
        "high_intent_types": list(act_types[1]),
        "excluded_columns": dict(excluded),
        "leakage": leak.to_dict() if leak is not None else "guard off ([features] leakage_guard)",
    }
    evidence = leak.to_dict()["evidence"] if leak is not None else {}
    for col in leak.excluded if leak is not None else []:
        data["excluded_columns"][col] = "leakage guard: " + evidence[col]
    return data


def _scorecard_baseline(spec: TrainSpec, contacts: pd.DataFrame, activities: pd.DataFrame | None,
                        tr: TrainingRows) -> dict[str, float] | None:  # fmt: skip
    """The spec's scorecard calibrated on the earlier rows, measured on the same test rows."""
    card = spec.scorecard
    if card is None:
        return None
    from leadscore.scorecard.model import scorecard_metrics

    flat = spec.training.examples == "flat"  # flat rows already hold every column a rule reads
    card_rows = tr.rows if flat else card.rows(contacts, activities, tr.examples)
    earlier = np.concatenate([tr.split.fit, tr.split.calibration])
    y, test = tr.y, tr.split.test
    return scorecard_metrics(
        card, card_rows.iloc[earlier], y[earlier], card_rows.iloc[test], y[test]
    )


def _checked_rows(contacts: pd.DataFrame, activities: pd.DataFrame | None, spec: TrainSpec,
                  act: Any, source: str | None, steps: Steps) -> tuple[TrainingRows, Any]:  # fmt: skip
    """Training rows once the minimum-data rule passed and the leakage guard dropped its
    excluded columns; and the guard's report."""
    status = contacts["status"]
    with _scorecard_hint():
        checks.check_outcomes(int((status == "won").sum()), int((status == "lost").sum()), source)
    tr = training_rows(contacts, activities, spec, act, source, steps=steps)
    with _scorecard_hint():
        split = tr.split
        parts = {"fit": split.fit, "calibration": split.calibration, "test": split.test}
        checks.check_split(tr.y, parts, split.description, source)
    with steps.step("leakage guard"):
        leak = guard_leakage(tr.rows, tr.y, split, spec, own=act.feature_names())
    if leak is not None and leak.excluded:
        tr.rows = tr.rows.drop(columns=leak.excluded)
    return tr, leak


def _ship(tr: TrainingRows, measured: Measured, spec: TrainSpec, steps: Steps) -> Shipped:
    """The model to save: the chosen recipe refit on every labelled row, or (``refit =
    false``) the measured model itself. Unless cross-validation reads them afterwards, the
    rows are handed to the refit, which lets them go once it has their features."""
    if not spec.training.refit:
        with steps.step("refit"):
            return as_measured(measured, tr.rows.iloc[tr.split.test])
    keep = spec.training.evaluation == "cv"
    return refit(tr.rows if keep else tr.take_rows(), tr.y, tr.split, measured, spec, steps)


def _outcomes_until(tr: TrainingRows, refit_all: bool, horizon_days: int) -> str | None:
    """The last outcome date the shipped model learned from (snapshot exports only)."""
    if not tr.dates:
        return None
    split = tr.split
    learned = np.arange(len(tr.y)) if refit_all else np.concatenate([split.fit, split.calibration])
    last = pd.Timestamp(tr.examples["as_of"].to_numpy()[learned].max())
    until = last + pd.Timedelta(days=horizon_days)
    return str(until.date()) if until == until.normalize() else str(until)


def _info(spec: TrainSpec, tr: TrainingRows, measured: Measured, shipped: Shipped,
          figures: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """What the saved model says about itself (``metadata.json``, ``scorer.info``)."""
    t, sel = spec.training, measured.selection
    return {
        "model": sel.chosen,
        "recipe": sel.candidates[sel.chosen].recipe.describe(),
        "selection": sel.summary(),
        "calibration": measured.method[1],
        "horizon_days": t.horizon_days,
        "window": {
            "snapshot_every_days": t.snapshot_every_days,
            "test_fraction": t.test_fraction,
            "calibration_fraction": t.calibration_fraction,
            "max_rows": t.max_rows,
            "seed": t.seed,
        },  # fmt: skip
        "split": tr.split.description,
        "refit": shipped.description,
        "examples": t.examples,
        **figures,
    }


def _warnings(y: np.ndarray, split: Split, measured: Measured) -> list[str]:
    """Thin calibration, and a world that moved between the learned and the test rows."""
    learned = np.concatenate([split.fit, split.calibration])
    out = checks.calibration_warnings(measured.y_learned, measured.method[0])
    shift = checks.base_rate_shift(y[learned], y[split.test], measured.probs["chosen"])
    if measured.selection.chosen == "base_rate":
        out.append(
            "no model ranked the validation rows better than chance: every lead gets the "
            "conversion rate of the rows learned from, with no reasons (the columns of this "
            "export carry no signal the models could find)"
        )
    return out + ([shift] if shift else [])


def train(
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    spec: TrainSpec,
    *,
    source: str | None = None,
    steps: Steps | None = None,
) -> TrainResult:
    """Choose, measure and ship the better model (module docstring: the four steps).

    Args:
        contacts: canonical contacts (``contact_id``, ``status``, dates, attributes).
        activities: canonical activity log, or None.
        spec: the training settings (``TrainSpec.from_config``).
        source: the contacts file's name, for error messages.
        steps: where to record the time of each step (``TrainResult.steps`` either way).
    """
    t, steps = spec.training, steps if steps is not None else Steps()
    act = learn_activity_spec(activities, spec.features.windows_days)
    tr, leak = _checked_rows(contacts, activities, spec, act, source, steps)
    y, split, rows = tr.y, tr.split, tr.rows
    card_metrics = None
    if spec.scorecard is not None:  # it reads the export: measured before letting it go
        with steps.step("scorecard baseline"):
            card_metrics = _scorecard_baseline(spec, contacts, activities, tr)
    facts = _export_facts(contacts, activities, tr)
    # the rest reads only the rows: the export's frames are released here, freeing them when
    # the caller handed them over (jobs.training does; 10 M activities: 0.8 GB)
    del contacts, activities  # their pages go back at the next step's start (model.steps)
    measured = measure(rows, y, tr.examples["contact_id"].to_numpy(), split, spec, steps)
    sel = measured.selection
    # the test rows global importance is measured on; the reference they rank in comes back
    # with the shipped model, as its features make them (``Shipped.reference``)
    sample = rows.iloc[split.test].sample(
        min(len(split.test), IMPORTANCE_ROWS), random_state=t.seed
    )
    del rows  # only ``tr`` holds them now: the refit may let them go (``_ship``)
    shipped = _ship(tr, measured, spec, steps)
    y_test, p_test = y[split.test], measured.probs["chosen"]
    with steps.step("baseline"):
        metrics = summarize(y_test, p_test)
        metrics["ece_uncalibrated"] = summarize(y_test, measured.probs["raw"])["ece"]
        baseline_metrics = summarize(y_test, measured.probs["runner_up"])
    with steps.step("report"):
        learned = np.concatenate([split.fit, split.calibration])
        thresholds, tier_rule = tier_thresholds(float(y[learned].mean()), spec, len(learned))
        tiers = tier_table(p_test, assign_tiers(p_test, thresholds), y_test)
        data = _data_facts(facts, shipped.features.excluded_, leak, (act.types, act.high_intent))
        data["outcomes_until"] = _outcomes_until(tr, t.refit, t.horizon_days)
        figures = {
            "tier_rule": tier_rule, "metrics": metrics,
            "baseline": {"model": sel.runner_up, "metrics": baseline_metrics},
            **({"scorecard": {"metrics": card_metrics}} if card_metrics else {}),
            "tier_table": tiers.to_dict(orient="records"), "data": data,
        }  # fmt: skip
        scorer = LeadScorer(
            estimator=shipped.model, activity_spec=act, thresholds=thresholds,
            info=_info(spec, tr, measured, shipped, figures),
        )  # fmt: skip
        # score ranks, spreads, drift
        scorer.set_reference(None, "the held-out test rows", features=shipped.reference)
    if t.evaluation == "cv":
        with steps.step("cross-validation"):
            scorer.info["cv"] = cross_validate(tr, spec)
    with steps.step("importance"):
        _explainability(scorer, shipped, sample)
    return TrainResult(
        scorer, metrics, baseline_metrics, sel.runner_up, split, measured.method[1], data, tiers,
        _holdout(tr, p_test, measured.probs["runner_up"]), card_metrics, leak,
        _warnings(y, split, measured), scorer.info["importance"], sel.summary(), steps,
    )  # fmt: skip


def _holdout(tr: TrainingRows, p: np.ndarray, baseline: np.ndarray) -> pd.DataFrame:
    """The test rows: id, as_of, outcome, the model's and the runner-up's probability."""
    test = tr.split.test
    as_of = tr.examples["as_of"].to_numpy()[test] if "as_of" in tr.examples else pd.NaT
    return pd.DataFrame(
        {"contact_id": tr.examples["contact_id"].to_numpy()[test], "as_of": as_of,
         "y": tr.y[test], "probability": p, "baseline_probability": baseline}
    )  # fmt: skip


def _explainability(scorer: LeadScorer, shipped: Shipped, sample: pd.DataFrame) -> None:
    """Store what reasons need (the logistic part's training means) and global importance
    (on ``sample``, test rows)."""
    kind = scorer.info["model"]
    if kind in ("logistic", "blend"):
        part = shipped.head if kind == "logistic" else dict(shipped.head.estimators_)["logistic"]
        scorer.info["reasons_reference"] = reasons.logistic_reference(part)
    importance = reasons.importance(reasons.contributions(scorer, sample)).head(20)
    scorer.info["importance"] = {k: round(float(v), 4) for k, v in importance.items()}
