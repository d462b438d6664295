"""MLflow: the one module that imports it.

The tracking store is ``MLFLOW_TRACKING_URI`` when set, else ``sqlite:///mlflow.db`` in the
working folder. Nothing happens at import time: callers import this module inside the
commands that log.

Each training run logs its parameters (the whole config, flattened), held-out metrics of the
model and of the baseline (``baseline_*``), the model folder's metadata as an artifact, and
the model as an MLflow pyfunc with a signature and a synthetic input example (never a real
contact's values).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd

from leadscore import __version__

DEFAULT_URI = "sqlite:///mlflow.db"
DEFAULT_EXPERIMENT = "leadscore"


def tracking_uri() -> str:
    """The tracking URI in force."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_URI


def setup(experiment: str = DEFAULT_EXPERIMENT) -> str:
    """Point MLflow at the store and experiment; return the URI."""
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment(experiment)
    return uri


class LeadScorePyfunc(mlflow.pyfunc.PythonModel):
    """Serves a leadscore model folder: per-contact rows in, probability/score/tier out.

    The input rows are the model's raw rows: contact attributes, the behavioral aggregate
    columns and ``as_of``. Columns the model does not know are ignored; missing ones are
    treated as missing values.
    """

    def load_context(self, context: Any) -> None:
        from leadscore.store import load_model

        self.scorer = load_model(context.artifacts["model_dir"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        return serve(self.scorer, model_input)


def serve(scorer: Any, rows: pd.DataFrame) -> pd.DataFrame:
    """The pyfunc's output for raw rows: probability, score (as float) and tier."""
    out = scorer.predict_frame(rows)
    out["score"] = out["score"].astype("float64")
    return out.reset_index(drop=True)


def flatten(prefix: str, value: Any, out: dict[str, Any]) -> dict[str, Any]:
    """Nested dict → dotted keys (MLflow parameters are flat)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    else:
        out[prefix] = value if not isinstance(value, list | tuple) else ",".join(map(str, value))
    return out


def synthetic_example(scorer: Any, n: int = 2) -> pd.DataFrame:
    """Input example built only from the schema: no value comes from a real contact."""
    features = scorer.features
    cols: dict[str, Any] = {}
    for name in features.input_columns_:
        kind = features.plan_.get(name)
        if name in ("as_of", "created_at") or kind in ("date", "date_text"):
            cols[name] = pd.to_datetime(["2025-01-31", "2025-02-28"][:n])
        elif kind == "numeric":
            cols[name] = np.arange(n, dtype=float)
        elif kind is None and name not in features.excluded_:
            continue
        else:
            cols[name] = [f"example {i + 1}" for i in range(n)]
    return pd.DataFrame(cols)


def git_commit() -> str | None:
    """The current git commit, when run inside a checkout."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _finite(metrics: dict[str, float], prefix: str = "") -> dict[str, float]:
    return {f"{prefix}{k}": float(v) for k, v in metrics.items() if np.isfinite(v)}


def log_training(
    result: Any,
    params: dict[str, Any],
    model_dir: str | Path,
    *,
    experiment: str = DEFAULT_EXPERIMENT,
    run_name: str | None = None,
) -> tuple[str, str]:
    """Log a training run; return (run id, tracking URI)."""
    from mlflow.models import infer_signature

    uri = setup(experiment)
    scorer = result.scorer
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.set_tags(
            {
                "leadscore.version": __version__,
                "leadscore.model": scorer.info["model"],
                **({"git.commit": c} if (c := git_commit()) else {}),
            }
        )
        flat = flatten("", params, {})
        mlflow.log_params({k: str(v)[:500] for k, v in flat.items()})
        mlflow.log_metrics(_finite(result.metrics))
        mlflow.log_metrics(_finite(result.baseline_metrics, "baseline_"))
        leak = getattr(result, "leakage", None)
        if leak is not None:  # the leakage guard's decisions, searchable and in full
            mlflow.log_params(
                {
                    "leakage.excluded": ",".join(leak.excluded)[:500] or "none",
                    "leakage.suspect": ",".join(leak.suspect)[:500] or "none",
                }
            )
            mlflow.log_dict(leak.to_dict(), "leakage.json")
        mlflow.log_artifacts(str(model_dir), artifact_path="model_folder")
        example = synthetic_example(scorer)
        signature = infer_signature(example, serve(scorer, example))
        mlflow.pyfunc.log_model(
            name="model",
            python_model=LeadScorePyfunc(),
            artifacts={"model_dir": str(model_dir)},
            signature=signature,
            input_example=example,
            pip_requirements=_requirements(),
        )
        return run.info.run_id, uri


def _requirements() -> list[str]:
    import joblib
    import sklearn

    return [
        f"leadscore=={__version__}",
        f"scikit-learn=={sklearn.__version__}",
        f"pandas=={pd.__version__}",
        f"numpy=={np.__version__}",
        f"joblib=={joblib.__version__}",
    ]
