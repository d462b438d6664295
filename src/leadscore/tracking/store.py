"""The MLflow tracking store: where it is, and pointing MLflow at it quietly.

The store is ``MLFLOW_TRACKING_URI`` when set, else ``sqlite:///mlflow.db`` in the working
folder. Nothing happens at import time: commands call ``setup`` when they start logging.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mlflow

from leadscore.tracking.location import DEFAULT_URI as DEFAULT_URI
from leadscore.tracking.location import tracking_uri

DEFAULT_EXPERIMENT = "leadscore"
DEFAULT_MODEL_NAME = "leadscore"
CHAMPION = "champion"
FOLDER_ARTIFACT = "model_folder"


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


def _client() -> Any:
    setup_uri()
    return mlflow.tracking.MlflowClient()
