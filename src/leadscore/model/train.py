"""Training: examples → time-ordered split → fitted, calibrated model and its held-out metrics.

Pure: takes a loaded ``CRM`` and a ``Config``, returns a ``TrainResult``; it reads and writes
nothing. Both classifiers are trained on the same rows and evaluated on the same held-out
rows; the one named in the config is kept, the other is reported as the baseline.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from leadscore.config import Config
from leadscore.data.crm import CRM
from leadscore.errors import ConfigError, NotEnoughDataError
from leadscore.features.activity import learn_activity_spec
from leadscore.features.contact import ContactFeatures
from leadscore.features.snapshots import assemble_rows, build_examples, snapshot_dates
from leadscore.model import checks, leakage, reasons
from leadscore.model.calibration import calibrate, choose_method
from leadscore.model.drift import reference as drift_reference
from leadscore.model.estimators import BUILDERS
from leadscore.model.evaluate import cross_validate, flat_training_rows
from leadscore.model.metrics import summarize
from leadscore.model.scorer import LeadScorer
from leadscore.model.split import Split, snapshot_split
from leadscore.model.tiers import assign_tiers, derive_thresholds, tier_table
from leadscore.scorecard.model import load_scorecard, scorecard_metrics

SCORECARD_HINT = (
    "; with few closed deals, score with a points scorecard instead: leadscore predict "
    "--scorecard CONFIG (and leadscore train --scorecard CONFIG to calibrate it), see "
    "docs/scorecard.md"
)


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
    scorecard_metrics: dict[str, float] | None = None  # the config's scorecard, same test rows
    leakage: leakage.LeakageReport | None = None
    warnings: list[str] = field(default_factory=list)
    importance: dict[str, float] = field(default_factory=dict)


def feature_transformer(cfg: Config) -> ContactFeatures:
    """The unfitted ContactFeatures set up from the config."""
    f, r = cfg.features, cfg.roles
    return ContactFeatures(
        ignore=tuple(f.ignore)
        + tuple(c for c in (cfg.contacts.outcome, cfg.contacts.order_by, "order_key") if c),
        categorical=tuple(f.categorical),
        numeric=tuple(f.numeric),
        company_size=r.company_size,
        revenue=r.revenue,
        job_title=r.job_title,
        max_categories=f.max_categories,
        min_category_count=f.min_category_count,
    )


def snapshot_examples(crm: CRM, cfg: Config) -> tuple[pd.DataFrame, list[pd.Timestamp]]:
    """Point-in-time training examples of a contacts (+ activities) export."""
    if "created_at" not in crm.contacts:
        raise ConfigError(
            "training from snapshots needs a created date: map [contacts] created_at",
            file=cfg.source,
        )
    t = cfg.training
    dates = snapshot_dates(crm.contacts, crm.export_end, t.horizon_days, t.snapshot_every_days)
    if len(dates) < 2:
        raise NotEnoughDataError(
            f"the export spans too little time for {t.horizon_days}-day labels: it needs at "
            f"least {t.horizon_days + 2 * t.snapshot_every_days} days of history, from the "
            "first created contact to the last date in the export" + SCORECARD_HINT,
            file=crm.contacts_path,
        )
    examples = build_examples(crm.contacts, dates, t.horizon_days)
    if len(examples) > t.max_rows:
        examples = examples.sample(n=t.max_rows, random_state=t.seed).sort_index()
    return examples.reset_index(drop=True), dates


@contextmanager
def _scorecard_hint() -> Iterator[None]:
    """Point a refusal for too little data to the scorecard, which needs no history."""
    try:
        yield
    except NotEnoughDataError as exc:
        raise NotEnoughDataError(exc.message + SCORECARD_HINT, file=exc.file) from None


def _check_counts(y: np.ndarray, split: Split, path: str) -> None:
    parts = {"fit": split.fit, "calibration": split.calibration, "test": split.test}
    with _scorecard_hint():
        checks.check_split(y, parts, split.description, path)


def guard_leakage(rows: pd.DataFrame, y: np.ndarray, split: Split, cfg: Config):  # noqa: ANN201
    """Scan the fit rows' candidate columns for leakage (None when disabled in config)."""
    if not cfg.features.leakage_guard:
        return None
    skip = {"contact_id", "as_of", "label", "status", "closed_at", "order_key"}
    skip |= set(cfg.features.ignore)
    fit = rows.iloc[split.fit]
    return leakage.scan(
        fit,
        y[split.fit],
        [c for c in rows.columns if c not in skip],
        as_of=fit.get("as_of", None),
        groups=fit["contact_id"].to_numpy() if "contact_id" in fit else None,
        keep=cfg.features.keep,
        seed=cfg.training.seed,
    )


def train(crm: CRM, cfg: Config) -> TrainResult:
    """Train, calibrate and evaluate the configured model and the baseline."""
    t = cfg.training
    card = load_scorecard(cfg, crm) if cfg.scorecard is not None else None
    status = crm.contacts["status"]
    with _scorecard_hint():
        checks.check_outcomes(
            int((status == "won").sum()), int((status == "lost").sum()), crm.contacts_path
        )
    spec = learn_activity_spec(crm.activities, cfg.features.windows_days)
    if t.examples == "flat":
        examples, rows, split = flat_training_rows(crm, cfg, spec)
        dates: list[pd.Timestamp] = []
    else:
        examples, dates = snapshot_examples(crm, cfg)
        rows = assemble_rows(crm.contacts, crm.activities, examples, spec)
        split = snapshot_split(examples, t)
    y = examples["label"].to_numpy(dtype=int)
    _check_counts(y, split, crm.contacts_path)
    leak = guard_leakage(rows, y, split, cfg)
    if leak is not None and leak.excluded:
        rows = rows.drop(columns=leak.excluded)

    features = feature_transformer(cfg).fit(rows.iloc[split.fit])
    X_fit, X_cal, X_test = (rows.iloc[idx] for idx in (split.fit, split.calibration, split.test))
    y_fit, y_cal, y_test = y[split.fit], y[split.calibration], y[split.test]
    chosen = t.model
    baseline = next(n for n in BUILDERS if n != chosen)
    fitted, probs, raw_probs, methods = {}, {}, {}, {}
    for name, build in BUILDERS.items():
        pipe = build(features, seed=t.seed).fit(X_fit, y_fit)
        raw_probs[name] = pipe.predict_proba(X_test)[:, 1]
        methods[name] = choose_method(y_cal, t.calibration, pipe.predict_proba(X_cal)[:, 1])
        fitted[name] = calibrate(pipe, X_cal, y_cal, methods[name][0])
        probs[name] = fitted[name].predict_proba(X_test)[:, 1]
    method, why = methods[chosen]
    warnings = checks.calibration_warnings(y_cal, method)

    metrics = summarize(y_test, probs[chosen])
    metrics["ece_uncalibrated"] = summarize(y_test, raw_probs[chosen])["ece"]
    baseline_metrics = summarize(y_test, probs[baseline])
    card_metrics = None
    if card is not None:
        flat = t.examples == "flat"  # flat rows already hold every column a rule can use
        card_rows = rows if flat else card.rows(crm.contacts, crm.activities, examples)
        earlier = np.concatenate([split.fit, split.calibration])
        card_metrics = scorecard_metrics(
            card, card_rows.iloc[earlier], y[earlier], card_rows.iloc[split.test], y_test
        )

    if cfg.tiers.opportunity is not None and cfg.tiers.prospect is not None:
        thresholds = {"opportunity": cfg.tiers.opportunity, "prospect": cfg.tiers.prospect}
        tier_rule = "set in config"
    else:
        thresholds = derive_thresholds(
            float(y_test.mean()), cfg.tiers.prospect_odds, cfg.tiers.opportunity_odds
        )
        tier_rule = (
            f"derived from the held-out conversion rate {y_test.mean():.2%}: prospect = odds "
            f">= {cfg.tiers.prospect_odds:g}x the average, opportunity = odds >= "
            f"{cfg.tiers.opportunity_odds:g}x"
        )
    tiers = tier_table(probs[chosen], assign_tiers(probs[chosen], thresholds), y_test)

    data = {
        "contacts": int(len(crm.contacts)),
        "activities": int(len(crm.activities)) if crm.activities is not None else 0,
        "won": int((crm.contacts["status"] == "won").sum()),
        "lost": int((crm.contacts["status"] == "lost").sum()),
        "open": int((crm.contacts["status"] == "open").sum()),
        "examples": int(len(examples)),
        "positives": int(y.sum()),
        "snapshot_dates": [str(d.date()) for d in dates],
        "first_created": str(crm.contacts["created_at"].min())
        if "created_at" in crm.contacts
        else None,
        "export_end": str(crm.export_end) if dates else None,
        "test_start": str(split.test_start) if split.test_start is not None else None,
        "activity_types": list(spec.types),
        "high_intent_types": list(spec.high_intent),
        "excluded_columns": dict(
            fitted[chosen]
            .calibrated_classifiers_[0]
            .estimator.estimator.named_steps["features"]
            .excluded_
        ),
        "leakage": leak.to_dict() if leak is not None else "guard off ([features] leakage_guard)",
    }
    for col in leak.excluded if leak is not None else []:
        data["excluded_columns"][col] = "leakage guard: " + leak.to_dict()["evidence"][col]
    scorer = LeadScorer(
        estimator=fitted[chosen],
        activity_spec=spec,
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
    if t.evaluation == "cv":
        scorer.info["cv"] = cross_validate(rows, y, features, cfg)
    if chosen == "logistic":
        scorer.info["reasons_reference"] = reasons.logistic_reference(scorer.pipeline, X_fit)
    sample = X_test.sample(min(len(X_test), 5000), random_state=t.seed)
    importance = reasons.importance(reasons.contributions(scorer, sample)).head(20)
    scorer.info["importance"] = {k: round(float(v), 4) for k, v in importance.items()}
    holdout = pd.DataFrame(
        {
            "contact_id": examples["contact_id"].to_numpy()[split.test],
            "as_of": examples["as_of"].to_numpy()[split.test] if "as_of" in examples else pd.NaT,
            "y": y_test,
            "probability": probs[chosen],
            "baseline_probability": probs[baseline],
        }
    )
    return TrainResult(
        scorer=scorer,
        metrics=metrics,
        baseline_metrics=baseline_metrics,
        baseline_name=baseline,
        split=split,
        calibration=why,
        data=data,
        tier_table=tiers,
        holdout=holdout,
        scorecard_metrics=card_metrics,
        leakage=leak,
        warnings=warnings,
        importance=scorer.info["importance"],
    )
