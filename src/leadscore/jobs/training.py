"""The ``train`` use case: an export in, a saved model folder, its report and an MLflow run out."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadscore.config import Config
from leadscore.data.crm import CRM, Table
from leadscore.errors import LeadscoreError
from leadscore.jobs.inputs import ConfigLike, fingerprints, load_export, read_config
from leadscore.model.spec import TrainSpec
from leadscore.paths import DEFAULT_MODEL_DIR
from leadscore.threads import with_threads


@dataclass
class TrainOutcome:
    """What ``train`` made: the result (metrics, split, tiers), where it went, what to say."""

    result: Any  # model.train.TrainResult, or scorecard.model.ScorecardTrainResult
    model_dir: Path
    run: Any = None  # tracking.runs.LoggedRun when logged to MLflow
    experiment: str | None = None
    name: str | None = None  # the registered model
    champion: bool = False  # True when this first version of ``name`` became its champion
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    steps: Any = None  # model.steps.Steps: seconds and peak memory per step (train --verbose)


def model_names(cfg: Config, name: str | None, experiment: str | None) -> tuple[str, str]:
    """The registered model (``name``, else the config's ``[tracking] model_name``) and the
    experiment (``experiment``, else the model's name): one of each per data set or team."""
    if name:
        from pydantic import ValidationError

        from leadscore.config import TrackingConfig

        try:
            TrackingConfig(model_name=name)
        except ValidationError:
            raise LeadscoreError(
                f"--name must be 1-100 letters, digits, '_', '.' or '-', got {name!r}"
            ) from None
    name = name or cfg.tracking.model_name
    return name, experiment or name


def validated_scorecard(cfg: Config, crm: CRM) -> Any:
    """The config's scorecard, checked against the loaded export (before any scoring)."""
    from leadscore.scorecard.rules import Scorecard

    if cfg.scorecard is None:
        return None
    card = Scorecard.from_config(cfg.scorecard, cfg.source)
    return card.validate(
        crm.contacts, crm.activities, file=crm.contacts_path, activities_file=crm.activities_path
    )


def fit(crm: CRM, cfg: Config, *, calibrate_scorecard: bool = False, steps: Any = None,
        release: bool = False) -> Any:  # fmt: skip
    """Train on a loaded export: the learned model (with the config's scorecard beside it as
    a baseline), or the scorecard itself calibrated into probabilities.

    ``release``: hand the export's frames over to training (``crm.contacts`` and
    ``crm.activities`` become empty), which drops them once its rows are built — for a caller
    that needs only the export's notes afterwards (10 M activities: 0.8 GB less at the peak).
    """
    card = validated_scorecard(cfg, crm)
    spec = TrainSpec.from_config(cfg, scorecard=card)
    if calibrate_scorecard:
        from leadscore.scorecard.model import train_scorecard

        return train_scorecard(crm.contacts, crm.activities, spec, card, crm.contacts_path)
    from leadscore.model.train import train as train_model

    if not release:
        return train_model(crm.contacts, crm.activities, spec, source=crm.contacts_path,
                           steps=steps)  # fmt: skip
    # passed straight from the CRM (no name keeps them): the callee's ``del`` frees them
    return train_model(crm.take("contacts"), crm.take("activities"), spec,
                       source=crm.contacts_path, steps=steps)  # fmt: skip


@with_threads
def train(
    contacts: Table,
    activities: Table | None = None,
    config: ConfigLike = None,
    *,
    model_dir: str | Path = DEFAULT_MODEL_DIR,
    mlflow: bool = True,
    experiment: str | None = None,
    scorecard: str | Path | None = None,
    name: str | None = None,
) -> TrainOutcome:
    """Learn from closed contacts: save the calibrated model, its report and an MLflow run.

    Args:
        contacts: the contacts export (CSV, Parquet or a DataFrame).
        activities: the activity log (file or DataFrame), optional.
        config: a TOML config file, a ``Config``, or None for the defaults.
        model_dir: the folder the model is saved in (``model.joblib`` + ``metadata.json``).
        mlflow: log the run and register the model in the MLflow store; the first version
            of a registered model becomes its champion.
        experiment: the MLflow experiment (default: the registered model's name).
        scorecard: a config with ``[scorecard]``: calibrate those points instead of learning.
        name: the registered model (default: the config's ``[tracking] model_name``).

    Returns:
        A ``TrainOutcome``: ``result.metrics`` (held-out), ``result.split``, the tier table,
        the leakage findings, the model folder and the MLflow run.
    """
    from leadscore.io.store import save_model
    from leadscore.model.steps import Steps

    steps = Steps()
    with steps.step("load"):
        cfg = read_config(config, scorecard)
        crm = load_export(contacts, activities, cfg, require_outcome=True)
    result = fit(crm, cfg, calibrate_scorecard=scorecard is not None, steps=steps, release=True)
    outcome = TrainOutcome(result, Path(model_dir), notes=list(crm.notes), steps=steps)
    inputs = {"contacts": contacts, "activities": activities, "config": config}
    with steps.step("save"):
        save_model(result.scorer, model_dir, extra={"data_fingerprint": fingerprints(inputs)})
    if scorecard is None:
        from leadscore.features import noise
        from leadscore.io.report import write_report

        with steps.step("report file"):
            write_report(result, model_dir)
        leak = result.leakage.warning() if result.leakage else None
        outcome.warnings = [w for w in (leak, *result.warnings) if w]
        outcome.notes += noise.describe(getattr(result.scorer.features, "signal_", None))
    if mlflow:
        with steps.step("MLflow"):
            _log(outcome, cfg, inputs, name, experiment)
    return outcome


def _log(outcome: TrainOutcome, cfg: Config, inputs: dict[str, Any], name: str | None,
         experiment: str | None) -> None:  # fmt: skip
    """Log the run to MLflow and register the model; the first version becomes champion."""
    from leadscore.tracking.registry import crown_if_first
    from leadscore.tracking.runs import log_training

    result = outcome.result
    params = {"config": cfg.to_dict(), "chosen": {"calibration": result.calibration}}
    files = {k: v for k, v in inputs.items() if isinstance(v, str | Path)}
    name, experiment = model_names(cfg, name, experiment)
    outcome.run = log_training(
        result, params, outcome.model_dir, experiment=experiment, inputs=files, register=name
    )
    outcome.experiment, outcome.name = experiment, name
    outcome.champion = crown_if_first(name, outcome.run.version)
