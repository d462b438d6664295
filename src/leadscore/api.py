"""leadscore's public Python API: the one layer the CLI, the notebook and the benchmarks call.

Every function takes files or DataFrames and returns a typed result::

    import leadscore

    trained = leadscore.train("data/raw/contacts.csv", "data/raw/activities.csv")
    print(trained.result.metrics["roc_auc"])
    scored = leadscore.predict("data/raw/contacts.csv", "data/raw/activities.csv",
                               model=trained.model_dir, as_of="2026-07-01")
    print(scored.output.head())
"""

from __future__ import annotations

from typing import Any

from leadscore.config import Config, load_config
from leadscore.jobs.data import (
    SampleSummary,
    generate_sample,
    init_config,
    propose_scorecard,
    sample_data,
)
from leadscore.jobs.evaluating import Evaluation, evaluate
from leadscore.jobs.monitoring import Monitoring, monitor
from leadscore.jobs.predicting import NothingScoredError, Prediction, predict
from leadscore.jobs.registry import Promotion, RetrainOutcome, RunList, promote, retrain, runs
from leadscore.jobs.serving import Service, scoring_service, serve
from leadscore.jobs.training import TrainOutcome, train


def load_model(ref: Any) -> Any:
    """A trained model from a folder or an MLflow reference (``models:/leadscore@champion``,
    ``models:/leadscore/3``, ``runs:/RUN_ID/model`` or a run id); its checksum is verified
    before it is unpickled. Load models only from a store you trust."""
    from leadscore.tracking.resolve import load_scorer

    return load_scorer(ref)


__all__ = [
    "Config",
    "Evaluation",
    "Monitoring",
    "NothingScoredError",
    "Prediction",
    "Promotion",
    "RetrainOutcome",
    "RunList",
    "SampleSummary",
    "Service",
    "TrainOutcome",
    "evaluate",
    "generate_sample",
    "init_config",
    "load_config",
    "load_model",
    "monitor",
    "predict",
    "promote",
    "propose_scorecard",
    "retrain",
    "runs",
    "sample_data",
    "scoring_service",
    "serve",
    "train",
]
