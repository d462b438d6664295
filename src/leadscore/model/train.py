"""Training: examples → time-ordered split → fitted, calibrated model and its held-out metrics.

Pure: takes the contacts and activity frames (canonical columns, see ``data.crm``) and a
``TrainSpec``; returns a ``TrainResult``; it reads and writes nothing. Both classifiers are
trained on the same rows and evaluated on the same held-out rows; the one named in the spec
is kept, the other is reported as the baseline.
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
from leadscore.features.contact import ContactFeatures
from leadscore.features.personal import personal_columns
from leadscore.features.snapshots import SCORECARD_HINT, export_end
from leadscore.model import checks, leakage, reasons
from leadscore.model.calibration import calibrate, choose_method
from leadscore.model.drift import reference as drift_reference
from leadscore.model.estimators import BUILDERS
from leadscore.model.evaluate import cross_validate
from leadscore.model.examples import TrainingRows, training_rows
from leadscore.model.metrics import summarize
from leadscore.model.scorer import LeadScorer
from leadscore.model.spec import TrainSpec
from leadscore.model.split import Split
from leadscore.model.tiers import assign_tiers, derive_thresholds, tier_table


@dataclass
class TrainResult:
    """What training produced and measured."""

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


@dataclass
class _Fitted:
    """The calibrated models fitted on one split, and their test-row probabilities."""

    models: dict[str, Any]
    probs: dict[str, np.ndarray]
    raw_probs: dict[str, np.ndarray]
    methods: dict[str, tuple[str, str]]


def feature_transformer(spec: TrainSpec) -> ContactFeatures:
    """The unfitted ContactFeatures set up from the spec."""
    f, r = spec.features, spec.roles
    never = tuple(c for c in (spec.outcome_name, spec.order_by, "order_key") if c)
    return ContactFeatures(
        ignore=tuple(f.ignore) + never,
        personal=tuple(f.personal),
        categorical=tuple(f.categorical),
        numeric=tuple(f.numeric),
        company_size=r.company_size,
        revenue=r.revenue,
        job_title=r.job_title,
        max_categories=f.max_categories,
        min_category_count=f.min_category_count,
    )


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
    fit = rows.iloc[split.fit]
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


def _fit_all(features: ContactFeatures, rows: pd.DataFrame, y: np.ndarray, split: Split,
             spec: TrainSpec) -> _Fitted:  # fmt: skip
    """Fit, choose a calibration for, and calibrate every classifier on the same rows."""
    t = spec.training
    X_fit, X_cal, X_test = (rows.iloc[idx] for idx in (split.fit, split.calibration, split.test))
    y_fit, y_cal = y[split.fit], y[split.calibration]
    out = _Fitted({}, {}, {}, {})
    for name, build in BUILDERS.items():
        pipe = build(features, seed=t.seed).fit(X_fit, y_fit)
        out.raw_probs[name] = pipe.predict_proba(X_test)[:, 1]
        out.methods[name] = choose_method(y_cal, t.calibration, pipe.predict_proba(X_cal)[:, 1])
        out.models[name] = calibrate(pipe, X_cal, y_cal, out.methods[name][0])
        out.probs[name] = out.models[name].predict_proba(X_test)[:, 1]
    return out


def tier_thresholds(base_rate: float, spec: TrainSpec) -> tuple[dict[str, float], str]:
    """Tier thresholds and the sentence that says where they come from."""
    tiers = spec.tiers
    if tiers.opportunity is not None and tiers.prospect is not None:
        return {"opportunity": tiers.opportunity, "prospect": tiers.prospect}, "set in config"
    thresholds = derive_thresholds(base_rate, tiers.prospect_odds, tiers.opportunity_odds)
    rule = (
        f"derived from the held-out conversion rate {base_rate:.2%}: prospect = odds "
        f">= {tiers.prospect_odds:g}x the average, opportunity = odds >= "
        f"{tiers.opportunity_odds:g}x"
    )
    return thresholds, rule


def _data_facts(contacts: pd.DataFrame, activities: pd.DataFrame | None, tr: TrainingRows,
                excluded: dict[str, str], leak: leakage.LeakageReport | None,
                act_types: tuple[tuple[str, ...], tuple[str, ...]]) -> dict[str, Any]:  # fmt: skip
    """Facts about the training data for the model's metadata (no contact's values)."""
    status = contacts["status"]
    dates = tr.dates
    data: dict[str, Any] = {
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
                  act: Any, source: str | None) -> tuple[TrainingRows, Any]:  # fmt: skip
    """Training rows once the minimum-data rule passed and the leakage guard dropped its
    excluded columns; and the guard's report."""
    status = contacts["status"]
    with _scorecard_hint():
        checks.check_outcomes(int((status == "won").sum()), int((status == "lost").sum()), source)
    tr = training_rows(contacts, activities, spec, act, source)
    with _scorecard_hint():
        split = tr.split
        parts = {"fit": split.fit, "calibration": split.calibration, "test": split.test}
        checks.check_split(tr.y, parts, split.description, source)
    leak = guard_leakage(tr.rows, tr.y, split, spec, own=act.feature_names())
    if leak is not None and leak.excluded:
        tr.rows = tr.rows.drop(columns=leak.excluded)
    return tr, leak


def train(
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    spec: TrainSpec,
    *,
    source: str | None = None,
) -> TrainResult:
    """Train, calibrate and evaluate the configured model and the baseline.

    Args:
        contacts: canonical contacts (``contact_id``, ``status``, dates, attributes).
        activities: canonical activity log, or None.
        spec: the training settings (``TrainSpec.from_config``).
        source: the contacts file's name, for error messages.
    """
    t = spec.training
    act = learn_activity_spec(activities, spec.features.windows_days)
    tr, leak = _checked_rows(contacts, activities, spec, act, source)
    y, split, rows = tr.y, tr.split, tr.rows

    features = feature_transformer(spec).fit(rows.iloc[split.fit])
    fitted = _fit_all(features, rows, y, split, spec)
    chosen = t.model
    baseline = next(n for n in BUILDERS if n != chosen)
    method, why = fitted.methods[chosen]
    y_test, p_test = y[split.test], fitted.probs[chosen]
    metrics = summarize(y_test, p_test)
    metrics["ece_uncalibrated"] = summarize(y_test, fitted.raw_probs[chosen])["ece"]
    baseline_metrics = summarize(y_test, fitted.probs[baseline])
    thresholds, tier_rule = tier_thresholds(float(y_test.mean()), spec)
    tiers = tier_table(p_test, assign_tiers(p_test, thresholds), y_test)
    model = fitted.models[chosen]
    data = _data_facts(
        contacts, activities, tr, features.excluded_, leak, (act.types, act.high_intent)
    )
    card_metrics = _scorecard_baseline(spec, contacts, activities, tr)
    X_test = rows.iloc[split.test]
    scorer = LeadScorer(
        estimator=model,
        activity_spec=act,
        thresholds=thresholds,
        info={
            "model": chosen,
            "calibration": why,
            "tier_rule": tier_rule,
            "horizon_days": t.horizon_days,
            "split": split.description,
            "examples": t.examples,
            "metrics": metrics,
            "baseline": {"model": baseline, "metrics": baseline_metrics},
            **({"scorecard": {"metrics": card_metrics}} if card_metrics else {}),
            "tier_table": tiers.to_dict(orient="records"),
            "data": data,
        },
        drift_reference=drift_reference(features.transform(X_test)),
    )
    scorer.set_reference(X_test, "the held-out test rows")
    if t.evaluation == "cv":
        scorer.info["cv"] = cross_validate(rows, y, features, t)
    _explainability(scorer, rows.iloc[split.fit], X_test, t.seed)
    return TrainResult(
        scorer, metrics, baseline_metrics, baseline, split, why, data, tiers,
        _holdout(tr, p_test, fitted.probs[baseline]), card_metrics, leak,
        checks.calibration_warnings(y[split.calibration], method), scorer.info["importance"],
    )  # fmt: skip


def _holdout(tr: TrainingRows, p: np.ndarray, baseline: np.ndarray) -> pd.DataFrame:
    """The test rows: id, as_of, outcome, the model's and the baseline's probability."""
    test = tr.split.test
    as_of = tr.examples["as_of"].to_numpy()[test] if "as_of" in tr.examples else pd.NaT
    return pd.DataFrame(
        {"contact_id": tr.examples["contact_id"].to_numpy()[test], "as_of": as_of,
         "y": tr.y[test], "probability": p, "baseline_probability": baseline}
    )  # fmt: skip


def _explainability(
    scorer: LeadScorer, X_fit: pd.DataFrame, X_test: pd.DataFrame, seed: int
) -> None:
    """Store what reasons need (the logistic model's reference) and global importance."""
    if scorer.info["model"] == "logistic":
        scorer.info["reasons_reference"] = reasons.logistic_reference(scorer.pipeline, X_fit)
    sample = X_test.sample(min(len(X_test), 5000), random_state=seed)
    importance = reasons.importance(reasons.contributions(scorer, sample)).head(20)
    scorer.info["importance"] = {k: round(float(v), 4) for k, v in importance.items()}
