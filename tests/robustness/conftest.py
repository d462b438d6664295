"""Shared fixtures of the robustness tests: ONE tiny sample CRM and ONE model, per session.

Training the model once (10 months x 200 contacts a month) keeps every file here fast.
MLflow always points at a temporary SQLite store, never the repo folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.sample import generate_crm, write_crm

WIDE = {"COLUMNS": "400"}


@pytest.fixture(autouse=True)
def _no_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    """No tracking store unless a test asks for one (predict logs drift when one is set)."""
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


@pytest.fixture
def mlflow_tmp(mlflow_store: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point MLflow at this test's own new store (``mlflow_store`` of tests/conftest.py)."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_store)
    return mlflow_store


@pytest.fixture(scope="session")
def crm_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """contacts.csv and activities.csv of a tiny sample CRM."""
    folder = tmp_path_factory.mktemp("crm")
    contacts, activities = generate_crm(months=10, contacts_per_month=200, seed=7)
    write_crm(contacts, activities, folder)
    return folder


@pytest.fixture(scope="session")
def model_dir(crm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained once on the tiny CRM (no MLflow)."""
    folder = tmp_path_factory.mktemp("model") / "model"
    result = CliRunner().invoke(
        app,
        [
            "train",
            str(crm_dir / "contacts.csv"),
            "-a",
            str(crm_dir / "activities.csv"),
            "--model-dir",
            str(folder),
            "--no-mlflow",
        ],
        env=WIDE,
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture(scope="session")
def as_of(crm_dir: Path) -> str:
    """The moment the sample export ends (latest date in it)."""
    contacts = pd.read_csv(crm_dir / "contacts.csv", parse_dates=["created_at", "closed_at"])
    end = max(contacts["created_at"].max(), contacts["closed_at"].max())
    return str(end.date() + pd.Timedelta(days=1))
