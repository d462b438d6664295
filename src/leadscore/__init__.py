"""leadscore: calibrated, point-in-time lead conversion scoring.

The public API (``train``, ``predict``, ``evaluate``, ``monitor``, ``serve``, ``retrain``,
``promote``, ``runs``, ``load_model``, ``load_config``, ``sample_data``, ``generate_sample``,
``init_config``, ``propose_scorecard``, ``scoring_service`` and their result types)
lives in ``leadscore.api`` and is reachable from here. Importing the package does nothing
beyond defining the version: the API is loaded on first use, and there is no logging setup,
no MLflow, no folders created.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

# The public API: the names of ``leadscore.api.__all__`` (tests/test_layout.py checks that
# the two lists agree), loaded on first use.
_API = (
    "Config", "Evaluation", "Monitoring", "NothingScoredError", "Prediction", "Promotion",
    "RetrainOutcome", "RunList", "SampleSummary", "Service", "TrainOutcome", "evaluate",
    "generate_sample", "init_config", "load_config", "load_model", "monitor", "predict",
    "promote", "propose_scorecard", "retrain", "runs", "sample_data", "scoring_service",
    "serve", "train",
)  # fmt: skip
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        from leadscore import api

        return getattr(api, name)
    raise AttributeError(f"module 'leadscore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
