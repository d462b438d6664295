"""Training runs in MLflow: parameters, metrics, artifacts and the registered model.

Each training run logs its parameters (the whole config, flattened, plus data facts: rows,
positives, time span, SHA-256 of each input file, excluded columns), held-out metrics of the
model and of the baseline (``baseline_*``), every file of the model folder as artifacts
(``model_folder/``), the feature list (``features.json``), and the model as an MLflow pyfunc
with a signature and a synthetic input example (never a real contact's values), registered
under a model name (default ``leadscore``) as a new version.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd

from leadscore import __version__
from leadscore.tracking.pyfunc import _requirements, serve, synthetic_example
from leadscore.tracking.store import (
    DEFAULT_EXPERIMENT,
    DEFAULT_MODEL_NAME,
    FOLDER_ARTIFACT,
    setup,
)


def flatten(prefix: str, value: Any, out: dict[str, Any]) -> dict[str, Any]:
    """Nested dict → dotted keys (MLflow parameters are flat)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    else:
        out[prefix] = value if not isinstance(value, list | tuple) else ",".join(map(str, value))
    return out


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


@dataclass(frozen=True)
class LoggedRun:
    """Where a logged training run landed."""

    run_id: str
    uri: str
    version: str | None  # registered model version, None when not registered


def evaluation_rows(result: Any) -> dict[str, Any]:
    """The held-out rows a run's metrics were measured on, as a count and a fingerprint.

    The fingerprint is the SHA-256 of the sorted (contact id, as-of time, outcome) triples:
    two runs with the same one were measured on exactly the same rows, so their metrics
    compare; it reveals no id. Empty when the result has no held-out rows.
    """
    import hashlib

    holdout = getattr(result, "holdout", None)
    if holdout is None or not len(holdout):
        return {}
    as_of = holdout["as_of"] if "as_of" in holdout else pd.Series("", index=holdout.index)
    triples = zip(holdout["contact_id"], as_of, holdout["y"], strict=True)
    keys = sorted(f"{i}\t{t}\t{int(y)}" for i, t, y in triples)
    digest = hashlib.sha256("\n".join(keys).encode("utf-8")).hexdigest()
    return {"eval.rows": len(keys), "eval.rows_sha256": digest}


def data_params(result: Any, inputs: dict[str, str | Path] | None) -> dict[str, Any]:
    """Facts about the training data, without any raw value of a contact."""
    from leadscore.io.store import sha256_of

    d = getattr(result, "data", None) or {}
    dates = d.get("snapshot_dates") or []
    facts: dict[str, Any] = {
        f"data.{key}": d.get(key)
        for key in ("contacts", "activities", "won", "lost", "open", "positives")
        + ("first_created", "export_end", "test_start")
    }
    facts["data.rows"] = d.get("examples")
    facts["data.first_snapshot"] = dates[0] if dates else ""
    facts["data.last_snapshot"] = dates[-1] if dates else ""
    facts["data.snapshots"] = len(dates)
    split = getattr(result, "split", None)
    facts["split"] = getattr(split, "description", split)
    facts["calibration.chosen"] = getattr(result, "calibration", None)
    info = getattr(result.scorer, "info", {})
    selection = getattr(result, "selection", None) or {}
    facts["model.chosen"] = selection.get("chosen")
    facts["model.runner_up"] = selection.get("runner_up")
    facts["model.recipe"] = info.get("recipe")
    facts["model.refit"] = info.get("refit")
    features = getattr(getattr(result.scorer, "features", None), "feature_names_out_", None)
    if features is not None:
        facts["features.count"] = len(features)
        facts["features"] = ",".join(features)
    facts = {k: v for k, v in facts.items() if v is not None}
    for column, reason in d.get("excluded_columns", {}).items():
        facts[f"excluded.{column}"] = reason
    for role, path in (inputs or {}).items():
        if path is not None:
            facts[f"data.{role}_file"] = Path(path).name
            facts[f"data.{role}_sha256"] = sha256_of(path)
    return {**facts, **evaluation_rows(result)}


def log_training(
    result: Any,
    params: dict[str, Any],
    model_dir: str | Path,
    *,
    experiment: str = DEFAULT_EXPERIMENT,
    run_name: str | None = None,
    inputs: dict[str, str | Path] | None = None,
    register: str | None = DEFAULT_MODEL_NAME,
    extra_metrics: dict[str, float] | None = None,
    tags: dict[str, str] | None = None,
) -> LoggedRun:
    """Log a training run, register its model under ``register`` (unless None)."""
    from mlflow.models import infer_signature

    uri = setup(experiment)
    scorer = result.scorer
    with mlflow.start_run(run_name=run_name) as run:
        mlflow.set_tags(
            {
                "leadscore.version": __version__,
                "leadscore.model": scorer.info["model"],
                **({"leadscore.model_name": register} if register else {}),
                **({"git.commit": c} if (c := git_commit()) else {}),
                **(tags or {}),
            }
        )
        flat = flatten("", params, {})
        flat.update(data_params(result, inputs))
        mlflow.log_params({k: str(v)[:6000] for k, v in flat.items()})
        mlflow.log_metrics(_finite(result.metrics))
        mlflow.log_metrics(_finite(result.baseline_metrics, "baseline_"))
        if getattr(result, "scorecard_metrics", None):
            mlflow.log_metrics(_finite(result.scorecard_metrics, "scorecard_"))
        if extra_metrics:
            mlflow.log_metrics(_finite(extra_metrics))
        _log_selection(getattr(result, "selection", None), scorer.info.get("cv"))
        mlflow.log_artifacts(str(model_dir), artifact_path=FOLDER_ARTIFACT)
        mlflow.log_text(
            json.dumps(list(scorer.features.feature_names_out_), indent=1), "features.json"
        )
        leak = getattr(result, "leakage", None)
        if leak is not None:  # the leakage guard's decisions, searchable and in full
            mlflow.log_params(
                {
                    "leakage.excluded": ",".join(leak.excluded)[:500] or "none",
                    "leakage.suspect": ",".join(leak.suspect)[:500] or "none",
                }
            )
            mlflow.log_dict(leak.to_dict(), "leakage.json")
        example = synthetic_example(scorer)
        signature = infer_signature(example, serve(scorer, example))
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(Path(__file__).with_name("mlflow_model.py")),
            artifacts={"model_dir": str(model_dir)},
            signature=signature,
            input_example=example,
            pip_requirements=_requirements(),
            registered_model_name=register,
        )
        version = info.registered_model_version
        return LoggedRun(run.info.run_id, uri, None if version is None else str(version))


def _log_selection(selection: dict[str, Any] | None, cv: dict[str, Any] | None) -> None:
    """The model choice: each candidate's validation figures (``validation_<name>_*``), the
    reason as a tag and ``selection.json``; cross-validation means (``cv_*``) when run."""
    if selection:
        for name, figures in selection.get("candidates", {}).items():
            numbers = {k: v for k, v in figures.items() if isinstance(v, int | float)}
            mlflow.log_metrics(_finite(numbers, f"validation_{name}_"))
        mlflow.set_tag("leadscore.choice", str(selection.get("reason", ""))[:5000])
        mlflow.log_dict(selection, "selection.json")
    if cv:
        keys = ("roc_auc", "log_loss", "ece", "roc_auc_std")
        mlflow.log_metrics(_finite({k: cv[k] for k in keys if k in cv}, "cv_"))


def log_drift(
    table: dict[str, float],
    threshold: float,
    *,
    rows: int,
    experiment: str = DEFAULT_EXPERIMENT + "-drift",
) -> str:
    """Log a scoring batch's PSI per feature as a run of its own; return the run id.

    Drift runs go to their own experiment (``leadscore-drift``), so the training runs that
    ``leadscore runs`` compares are not mixed with one run per scored batch.
    """

    setup(experiment)
    with mlflow.start_run(run_name="predict-drift") as run:
        mlflow.set_tags({"leadscore.kind": "drift", "leadscore.version": __version__})
        mlflow.log_params({"psi_threshold": threshold, "rows": rows})
        metrics = {
            "psi." + re.sub(r"[^0-9A-Za-z_.\-/ ]", "_", k)[:200]: float(v)
            for k, v in table.items()
            if np.isfinite(v)
        }
        metrics["psi_max"] = max(metrics.values(), default=0.0)
        metrics["features_shifted"] = float(sum(v > threshold for v in table.values()))
        mlflow.log_metrics(metrics)
        return run.info.run_id
