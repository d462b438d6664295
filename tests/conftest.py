"""Shared fixtures: a trained model on the default sample CRM, MLflow pointed at tmp."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("LEADSCORE_THREADS", "1")  # every job, and commands run in subprocesses

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session", autouse=True)
def _one_thread():
    """One OpenMP/BLAS thread for every test (a test about threads sets its own): on a busy
    2-core machine threads that spin for cores they do not get make the suite several times
    slower."""
    import sklearn.ensemble  # noqa: F401 - loads OpenMP, so the limit below takes hold
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


@pytest.fixture(scope="session")
def _empty_mlflow_store(tmp_path_factory) -> Path:
    """An empty MLflow SQLite store, its tables created once per session: creating them
    (MLflow's migrations) takes about 2 s, and every test that predicts or trains with a
    tracking store set would otherwise pay it again."""
    from mlflow.tracking import MlflowClient

    path = tmp_path_factory.mktemp("mlflow-empty") / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def mlflow_store(tmp_path_factory, _empty_mlflow_store) -> Iterator[str]:
    """The URI of a new, empty MLflow store of this test's own (a copy of the empty store,
    outside ``tmp_path``, which tests may list); removed after the test if never written."""
    folder = tmp_path_factory.mktemp("mlflow")
    path = folder / "mlflow.db"
    shutil.copyfile(_empty_mlflow_store, path)
    copied = path.stat().st_mtime_ns
    yield f"sqlite:///{path}"
    if path.stat().st_mtime_ns == copied:  # unused: not 1 MB more per test in the tmp folder
        shutil.rmtree(folder)


@pytest.fixture(autouse=True)
def _mlflow_in_tmp(mlflow_store, monkeypatch):
    """No test ever writes to the repository's MLflow store: each has a new one of its own."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_store)
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")


@pytest.fixture(scope="session")
def sample_crm(tmp_path_factory) -> dict[str, Path]:
    """The default sample CRM (about 20,000 contacts, 18 months) written as CSV."""
    from leadscore.sample import generate_crm, write_crm

    folder = tmp_path_factory.mktemp("crm")
    contacts, activities = generate_crm()
    write_crm(contacts, activities, folder, fmt="csv")
    return {"contacts": folder / "contacts.csv", "activities": folder / "activities.csv"}


@pytest.fixture(scope="session")
def trained(sample_crm, tmp_path_factory):
    """(TrainResult, CRM, model folder) for the default sample CRM, trained once."""
    from helpers import train
    from leadscore.config import load_config
    from leadscore.data.crm import load_crm
    from leadscore.io.store import save_model

    cfg = load_config(None)
    crm = load_crm(sample_crm["contacts"], sample_crm["activities"], cfg, require_outcome=True)
    result = train(crm, cfg)
    folder = tmp_path_factory.mktemp("model") / "leadscore"
    save_model(result.scorer, folder)
    return result, crm, folder


@pytest.fixture(scope="session")
def engines_world(tmp_path_factory):
    """A 5,000-contact sample CRM (CSV, Parquet) and a snapshot, a flat dated and a flat
    undated model trained on it, shared by the engine tests."""
    from engines_world import build

    return build(tmp_path_factory.mktemp("engines"))


@pytest.fixture(scope="session")
def small_crm(tmp_path_factory) -> dict[str, Path]:
    """A small sample CRM (12 months x 250 contacts, CSV), for tests of what a command does
    around training or scoring (output, logging, imports, threads) rather than of the model's
    quality on the default sample CRM: it trains in a fraction of the time."""
    import leadscore

    folder = tmp_path_factory.mktemp("small")
    contacts, activities = leadscore.generate_sample(months=12, contacts_per_month=250, seed=3)
    contacts.to_csv(folder / "contacts.csv", index=False)
    activities.to_csv(folder / "activities.csv", index=False)
    return {"contacts": folder / "contacts.csv", "activities": folder / "activities.csv"}


@pytest.fixture(scope="session")
def small_model(small_crm, tmp_path_factory) -> dict[str, Path]:
    """``small_crm`` and a model trained on it (no MLflow), for tests of what a command does
    around scoring (imports, threads) rather than of the scores."""
    import leadscore

    folder = tmp_path_factory.mktemp("small-model") / "model"
    leadscore.train(small_crm["contacts"], small_crm["activities"], model_dir=folder,
                    mlflow=False)  # fmt: skip
    return {**small_crm, "model": folder}
