"""MLflow: the one module that imports it.

The tracking store is ``MLFLOW_TRACKING_URI`` when set, else ``sqlite:///mlflow.db`` in the
working folder. Nothing happens at import time: callers import this module inside the
commands that log.

Each training run logs its parameters (the whole config, flattened, plus data facts: rows,
positives, time span, SHA-256 of each input file, excluded columns), held-out metrics of the
model and of the baseline (``baseline_*``), every file of the model folder as artifacts
(``model_folder/``), the feature list (``features.json``), and the model as an MLflow pyfunc
with a signature and a synthetic input example (never a real contact's values), registered
under a model name (default ``leadscore``) as a new version.

The registry alias ``champion`` marks the model in use; ``resolve_model`` turns
``models:/leadscore@champion``, ``models:/leadscore/3``, ``runs:/<id>/model``, a bare run id
or a local folder into a loaded scorer, always through ``store.load_model`` so the
checksum is verified.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd

from leadscore import __version__

DEFAULT_URI = "sqlite:///mlflow.db"
DEFAULT_EXPERIMENT = "leadscore"
DEFAULT_MODEL_NAME = "leadscore"
CHAMPION = "champion"
FOLDER_ARTIFACT = "model_folder"


def tracking_uri() -> str:
    """The tracking URI in force."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_URI


def setup(experiment: str = DEFAULT_EXPERIMENT) -> str:
    """Point MLflow at the store and experiment; return the URI.

    With a SQLite store, the first access (which creates or migrates the tables) and the
    experiment's creation run under a lock file beside the database, so two commands started
    at once do not both try to create the same tables or experiment.
    """
    _quiet()
    uri = tracking_uri()
    with _store_lock(uri):
        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment(experiment)
    return uri


@contextmanager
def _store_lock(uri: str) -> Iterator[None]:
    """An exclusive inter-process lock for a local SQLite store (no-op for other stores)."""
    path = uri.removeprefix("sqlite:///") if uri.startswith("sqlite:///") else None
    if path is None or path.startswith(":memory:"):
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: no flock; fall back to MLflow's own handling
        yield
        return
    lock = Path(path).with_name(Path(path).name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class LeadScorePyfunc(mlflow.pyfunc.PythonModel):
    """Serves a leadscore model folder: per-contact rows in, probability/score/tier out.

    The input rows are the model's raw rows: contact attributes, the behavioral aggregate
    columns and ``as_of``. Columns the model does not know are ignored; missing ones are
    treated as missing values.
    """

    def load_context(self, context: Any) -> None:
        from leadscore.io.store import load_model

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


@dataclass(frozen=True)
class LoggedRun:
    """Where a logged training run landed."""

    run_id: str
    uri: str
    version: str | None  # registered model version, None when not registered


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
    return facts


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


def _client() -> Any:
    setup_uri()
    return mlflow.tracking.MlflowClient()


def setup_uri() -> str:
    """Point MLflow at the store (no experiment); return the URI."""
    _quiet()
    uri = tracking_uri()
    mlflow.set_tracking_uri(uri)
    return uri


def _quiet() -> None:
    """No telemetry, no download progress bars, no INFO chatter in the user's terminal."""
    import logging

    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    logging.getLogger("mlflow").setLevel(logging.WARNING)


def _model_error(message: str) -> Exception:
    from leadscore.errors import ModelError

    return ModelError(message)


def champion_version(name: str = DEFAULT_MODEL_NAME) -> Any | None:
    """The ModelVersion holding the champion alias, or None when there is none yet."""
    from mlflow.exceptions import MlflowException

    try:
        return _client().get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None


def model_version(name: str, version: str | int) -> Any:
    """A registered ModelVersion; a clear error when it does not exist."""
    from mlflow.exceptions import MlflowException

    try:
        return _client().get_model_version(name, str(version))
    except MlflowException:
        raise _model_error(
            f"no version {version} of registered model '{name}' in {tracking_uri()}"
        ) from None


def set_champion(name: str, version: str | int, reason: str, forced: bool = False) -> None:
    """Give ``version`` the champion alias and record why on the version (tags)."""
    client = _client()
    previous = champion_version(name)
    client.set_registered_model_alias(name, CHAMPION, str(version))
    client.set_model_version_tag(name, str(version), "leadscore.promotion", reason[:5000])
    client.set_model_version_tag(name, str(version), "leadscore.forced", str(forced).lower())
    if previous is not None:
        client.set_model_version_tag(
            name, str(version), "leadscore.replaced_version", str(previous.version)
        )


def record_refusal(name: str, version: str | int, reason: str) -> None:
    """Record on the version why it was not promoted."""
    _client().set_model_version_tag(name, str(version), "leadscore.promotion", reason[:5000])


_RUN_ID = re.compile(r"^[0-9a-f]{32}$")


def run_id_of(ref: str) -> str:
    """The run id behind a model reference (registry URI, runs URI or bare run id)."""
    if ref.startswith("models:/"):
        body = ref[len("models:/") :].strip("/")
        if "@" in body:
            name, alias = body.split("@", 1)
            from mlflow.exceptions import MlflowException

            try:
                return _client().get_model_version_by_alias(name, alias).run_id
            except MlflowException:
                raise _model_error(
                    f"no alias '{alias}' on registered model '{name}' in {tracking_uri()}"
                    + (
                        ": promote a version first (leadscore promote VERSION)"
                        if alias == CHAMPION
                        else ""
                    )
                ) from None
        name, _, version = body.rpartition("/")
        if not name or not version.isdigit():
            raise _model_error(
                f"cannot read {ref!r}: use models:/NAME@ALIAS or models:/NAME/VERSION"
            )
        return model_version(name, version).run_id
    if ref.startswith("runs:/"):
        ref = ref[len("runs:/") :].split("/", 1)[0]
    if _RUN_ID.match(ref):
        return ref
    raise _model_error(
        f"cannot read model reference {ref!r}: give a model folder, models:/NAME@champion, "
        "models:/NAME/VERSION, runs:/RUN_ID/model or a run id"
    )


def cache_dir() -> Path:
    """Where downloaded model folders are kept (``LEADSCORE_CACHE_DIR`` or ~/.cache)."""
    root = os.environ.get("LEADSCORE_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "leadscore" / "models"


def download_model_folder(run_id: str) -> Path:
    """The run's model folder, downloaded once into the cache."""
    from mlflow.exceptions import MlflowException

    setup_uri()
    target = cache_dir() / run_id
    folder = target / FOLDER_ARTIFACT
    if not (folder / "metadata.json").exists():
        target.mkdir(parents=True, exist_ok=True)
        try:
            mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=FOLDER_ARTIFACT, dst_path=str(target)
            )
        except MlflowException as exc:
            raise _model_error(
                f"cannot download the model of run {run_id} from {tracking_uri()}: "
                f"{str(exc).splitlines()[0]}"
            ) from None
    return folder


def resolve_model(ref: str | Path) -> Any:
    """Load a scorer from a local folder or an MLflow reference (checksum verified)."""
    from leadscore.io.store import load_model

    if Path(ref).exists():
        return load_model(ref)
    return load_model(download_model_folder(run_id_of(str(ref))))


def version_metrics(name: str, version: str | int) -> tuple[dict[str, float], dict[str, str]]:
    """Metrics and tags of the run that made a registered version."""
    run = _client().get_run(model_version(name, version).run_id)
    return dict(run.data.metrics), dict(run.data.tags)


RUN_COLUMNS = ("roc_auc", "pr_auc", "log_loss", "brier", "ece", "lift_top10")


def list_runs(
    experiment: str = DEFAULT_EXPERIMENT, name: str = DEFAULT_MODEL_NAME
) -> list[dict[str, Any]]:
    """Runs of an experiment, newest first, with key metrics, version and champion mark."""
    client = _client()
    exp = client.get_experiment_by_name(experiment)
    if exp is None:
        return []
    runs = client.search_runs([exp.experiment_id], order_by=["attributes.start_time DESC"])
    versions: dict[str, str] = {}
    try:
        for mv in client.search_model_versions(f"name='{name}'"):
            versions[mv.run_id] = str(mv.version)
    except Exception:  # noqa: BLE001 - a store without a registry still lists runs
        versions = {}
    champ = champion_version(name) if versions else None
    out = []
    for run in runs:
        m, p, t = run.data.metrics, run.data.params, run.data.tags
        version = versions.get(run.info.run_id)
        out.append(
            {
                "run_id": run.info.run_id,
                "run_name": run.info.run_name,
                "start_time": pd.Timestamp(run.info.start_time, unit="ms").strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "kind": t.get("leadscore.kind", "train"),
                "model": t.get("leadscore.model", ""),
                "calibration": p.get("config.training.calibration", ""),
                "horizon_days": p.get("config.training.horizon_days", ""),
                "rows": p.get("data.rows", ""),
                "version": version,
                "champion": champ is not None and version == str(champ.version),
                **{k: m.get(k) for k in RUN_COLUMNS},
            }
        )
    return out


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
    import re

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


def save_pyfunc(model_dir: str | Path, path: str | Path) -> str:
    """Save a model folder as a local MLflow pyfunc (no tracking store); return its URI."""
    from mlflow.models import infer_signature

    from leadscore.io.store import load_model

    scorer = load_model(model_dir)
    example = synthetic_example(scorer)
    mlflow.pyfunc.save_model(
        path=str(path),
        python_model=str(Path(__file__).with_name("mlflow_model.py")),
        artifacts={"model_dir": str(model_dir)},
        signature=infer_signature(example, serve(scorer, example)),
        input_example=example,
        pip_requirements=_requirements(),
    )
    return str(path)


def spark_udf(spark: Any, model_uri: str) -> Any:
    """The pyfunc as a Spark UDF returning a struct (probability, score, tier)."""
    return mlflow.pyfunc.spark_udf(
        spark,
        model_uri,
        result_type="probability double, score double, tier string",
        env_manager="local",
    )
