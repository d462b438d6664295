"""Where the MLflow tracking store is, and whether there is one, without importing MLflow.

``predict``, ``evaluate`` and ``monitor`` ask this before anything else: with no store in
reach (no ``MLFLOW_TRACKING_URI`` and no ``mlflow.db`` in the working folder) there is no
champion to look up, and the local model folder is used without loading MLflow at all.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_URI = "sqlite:///mlflow.db"


def tracking_uri() -> str:
    """The tracking URI in force: ``MLFLOW_TRACKING_URI``, else ``sqlite:///mlflow.db``."""
    return os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_URI


def store_exists() -> bool:
    """True when there is a store to ask: a SQLite file that exists, or any server URI."""
    uri = tracking_uri()
    if uri.startswith("sqlite:///"):
        path = uri.removeprefix("sqlite:///")
        return not path.startswith(":memory:") and Path(path).is_file()
    if uri.startswith("file:") or "://" not in uri:
        return Path(uri.removeprefix("file://").removeprefix("file:")).exists()
    return True
