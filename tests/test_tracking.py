"""MLflow runs, registry, promotion rule, retraining and PII-free artifacts, end to end.

One small sample CRM (12 months, 200 contacts a month) and its later export (16 months, same
seed: it continues the same history) are trained on a few times and shared by the tests. A
real ``mlflow server`` is started once for the HTTP test.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.data.pii import find_pii, scan_folder
from leadscore.model.promotion import AUC_TOLERANCE, decide
from leadscore.sample import generate_crm, write_crm

RUNNER = CliRunner()
PER_MONTH = 200
STORE: dict[str, str] = {}  # the module's tracking URI (a per-test autouse fixture may reset env)


def _run(*args: str, uri: str | None = None):
    env = {"COLUMNS": "400", "MLFLOW_TRACKING_URI": uri or STORE["uri"]}
    return RUNNER.invoke(app, list(args), env=env)


def _invoke(*args: str, uri: str | None = None) -> str:
    result = _run(*args, uri=uri)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, _empty_mlflow_store: Path):
    """A tmp folder holding the MLflow store, the model cache and two exports."""
    root = tmp_path_factory.mktemp("tracking")
    shutil.copyfile(_empty_mlflow_store, root / "mlflow.db")  # a new store, tables made
    with pytest.MonkeyPatch.context() as mp, threadpool_limits(1):
        STORE["uri"] = f"sqlite:///{root}/mlflow.db"
        mp.setenv("MLFLOW_TRACKING_URI", STORE["uri"])
        mp.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        mp.setenv("LEADSCORE_CACHE_DIR", str(root / "cache"))
        mp.chdir(root)
        for name, months in (("old", 12), ("new", 16)):
            contacts, activities = generate_crm(months=months, contacts_per_month=PER_MONTH, seed=7)
            write_crm(contacts, activities, root / name)
        yield root


def _export(root: Path, name: str) -> list[str]:
    return [str(root / name / "contacts.csv"), "-a", str(root / name / "activities.csv")]


def _client():
    import mlflow

    return mlflow.tracking.MlflowClient(tracking_uri=STORE["uri"])


@pytest.fixture(scope="module")
def story(home: Path) -> dict:
    """Train (model chosen), train (logistic), promote v1, retrain better, retrain worse."""
    out: dict = {}
    out["train1"] = _invoke("train", *_export(home, "old"), "--model-dir", str(home / "m1"))
    (home / "logistic.toml").write_text('[training]\nmodel = "logistic"\n')
    out["train2"] = _invoke(
        "train", *_export(home, "old"), "-c", str(home / "logistic.toml"),
        "--model-dir", str(home / "m2"),
    )  # fmt: skip
    out["runs_json"] = json.loads(_invoke("runs", "--json"))
    out["chosen1"] = json.loads((home / "m1" / "metadata.json").read_text())["model"]
    out["promote1"] = _run("promote", "1")
    out["predict_v1"] = _invoke("predict", *_export(home, "new"), "-o", "v1.csv")
    out["retrain_good"] = _invoke("retrain", *_export(home, "new"), "--model-dir", str(home / "m3"))
    out["predict_after"] = _invoke("predict", *_export(home, "new"), "-o", "after.csv")
    # a deliberately worse challenger: it may only look at the contact's country
    meta = json.loads((home / "m1" / "metadata.json").read_text())
    ignore = [c for c in meta["input_columns"] if c not in ("contact_id", "as_of", "country")]
    (home / "bad.toml").write_text(f"[features]\nignore = {json.dumps(ignore)}\n")
    out["retrain_bad"] = _invoke(
        "retrain", *_export(home, "new"), "-c", str(home / "bad.toml"),
        "--model-dir", str(home / "m4"),
    )  # fmt: skip
    out["champion_after"] = str(
        _client().get_model_version_by_alias("leadscore", "champion").version
    )
    out["promote_refused"] = _run("promote", "4")
    out["runs_table"] = _invoke("runs")
    return out


def test_two_trainings_with_different_settings_side_by_side(story: dict, home: Path) -> None:
    runs = story["runs_json"]
    chosen = story["chosen1"]  # the default config lets train choose the model family
    assert [r["model"] for r in runs] == ["logistic", chosen]  # newest first
    # numbers are numbers, the calibration is the method chosen, the export is named
    assert [r["version"] for r in runs] == [2, 1]
    assert all(isinstance(r["examples"], int) and r["examples"] > 0 for r in runs)
    assert all(isinstance(r["horizon_days"], int) for r in runs)
    assert {r["calibration"] for r in runs} <= {"sigmoid", "isotonic"}
    sha = __import__("hashlib").sha256((home / "old" / "contacts.csv").read_bytes()).hexdigest()
    assert {(r["contacts_file"], r["contacts_sha256"]) for r in runs} == {("contacts.csv", sha)}
    # same export, same split settings: measured on the same rows, so they compare
    assert [r["eval_rows"] for r in runs] == ["A", "A"]
    assert runs[0]["eval_rows_count"] == runs[1]["eval_rows_count"] > 100
    assert all(0.5 < r["roc_auc"] <= 1 and r["log_loss"] > 0 for r in runs)
    table = story["runs_table"]
    for r in runs:
        assert r["run_id"][:8] in table
    assert "logistic" in table and chosen in table


def test_first_training_is_champion_and_predict_follows_the_champion(story: dict) -> None:
    # the first train in an empty store makes its version the champion, and says so
    assert "champion: models:/leadscore/1 (the first version of 'leadscore')" in story["train1"]
    assert "champion unchanged: version 2 is a challenger" in story["train2"]
    assert [r["champion"] for r in story["runs_json"]] == [False, True]
    # promoting the champion is a no-op, not a refusal
    assert story["promote1"].exit_code == 0, story["promote1"].output
    assert "already the champion: nothing to do" in story["promote1"].output
    # a plain predict uses the champion, and after a promoting retrain the new one
    assert "model: models:/leadscore@champion (version 1)" in story["predict_v1"]
    assert "promoted: models:/leadscore/3" in story["retrain_good"]
    assert "challenger wins" in story["retrain_good"]
    assert "model: models:/leadscore@champion (version 3)" in story["predict_after"]


def test_runs_compare_only_runs_measured_on_the_same_rows(story: dict) -> None:
    table = story["runs_table"]
    # trainings on the old export share rows A, the retrains on the new export rows B
    assert "Rows A: 2 runs measured on the same" in table
    assert "Rows B: 2 runs measured on the same" in table
    assert "do not compare" in table


def test_several_models_in_one_store_do_not_mix(story: dict, home: Path) -> None:
    (home / "team_b.toml").write_text('[tracking]\nmodel_name = "team-b"\n')
    out = _invoke(
        "train", *_export(home, "old"), "-c", str(home / "team_b.toml"),
        "--model-dir", str(home / "mb"),
    )  # fmt: skip
    assert "registered as models:/team-b/1" in out and "champion: models:/team-b/1" in out
    team_b = json.loads(_invoke("runs", "--json", "-c", str(home / "team_b.toml")))
    assert [(r["version"], r["champion"]) for r in team_b] == [(1, True)]
    assert "team-b" not in _invoke("runs")  # the default model's runs do not list it
    assert str(_client().get_model_version_by_alias("leadscore", "champion").version) == "3"


def test_worse_challenger_refused_and_champion_kept(story: dict) -> None:
    assert "not promoted: models:/leadscore/4" in story["retrain_bad"]
    assert story["champion_after"] == "3"
    refused = story["promote_refused"]
    assert refused.exit_code == 1
    assert "refused" in refused.output and "AUC" in refused.output
    # both evaluations are in the challenger's run, on the same rows
    run = _client().get_run(_client().get_model_version("leadscore", "4").run_id)
    m = run.data.metrics
    assert m["challenger_rows"] == m["champion_rows"]
    assert m["challenger_roc_auc"] < m["champion_roc_auc"] - AUC_TOLERANCE
    assert run.data.tags["leadscore.compared_with_version"] == "3"


def test_force_overrides_and_is_recorded(story: dict) -> None:
    out = _invoke("promote", "4", "--force")
    assert "forced despite the rule" in out
    client = _client()
    assert str(client.get_model_version_by_alias("leadscore", "champion").version) == "4"
    assert client.get_model_version("leadscore", "4").tags["leadscore.forced"] == "true"
    _invoke("promote", "3", "--force")  # put the better model back for the next tests


def test_predict_from_registry_equals_local_folder(story: dict, home: Path) -> None:
    # given the champion (version 3, saved locally in m3)
    args = [*_export(home, "new"), "--as-of", "2026-04-01"]
    # when scoring through the registry and through the folder
    _invoke("predict", *args, "--model", "models:/leadscore@champion", "-o", "reg.csv")
    _invoke("predict", *args, "--model", str(home / "m3"), "-o", "local.csv")
    run_id = _client().get_model_version("leadscore", "3").run_id
    _invoke("predict", *args, "--model", f"runs:/{run_id}/model", "-o", "run.csv")
    _invoke("predict", *args, "--model", "models:/leadscore/3", "-o", "ver.csv")
    # then the probabilities are identical
    local = pd.read_csv(home / "local.csv")
    assert local["probability"].notna().sum() > 100
    for other in ("reg.csv", "run.csv", "ver.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(home / other), local)


def test_unknown_model_reference_is_a_clear_error(story: dict, home: Path) -> None:
    result = _run(
        "predict", *_export(home, "new"), "--model", "models:/leadscore/99", "-o", "x.csv"
    )
    assert result.exit_code == 2
    assert "no version 99 of registered model 'leadscore'" in result.output


def _known_pii(home: Path) -> list[str]:
    values: set[str] = set()
    for name in ("old", "new"):
        c = pd.read_csv(home / name / "contacts.csv", dtype=str)
        values |= set(c["email"].dropna()) | set(c["phone"].dropna())
        values |= set(c["company"].dropna())  # a company's name is personal data too
        full = (c["first_name"].fillna("") + " " + c["last_name"].fillna("")).str.strip()
        values |= {v for v in full if " " in v}
    return sorted(values)


def test_no_artifact_of_any_run_holds_personal_data(story: dict, home: Path) -> None:
    import mlflow

    known = _known_pii(home)
    assert len(known) > 5000
    client = _client()
    exp_id = client.get_experiment_by_name("leadscore").experiment_id
    runs = client.search_runs([exp_id])
    models = client.search_logged_models([exp_id])  # MLflow 3 keeps models apart from runs
    assert len(runs) == 4 and len(models) == 4
    for run in runs:
        dst = home / "artifacts" / run.info.run_id
        mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, dst_path=str(dst), tracking_uri=STORE["uri"]
        )
        assert (dst / "model_folder" / "model.joblib").exists()
        assert scan_folder(dst, known) == {}
        assert find_pii(json.dumps(run.data.params), known) == []
        assert len(run.data.params["data.contacts_sha256"]) == 64
    for model in models:
        dst = home / "artifacts" / model.model_id
        mlflow.artifacts.download_artifacts(
            f"models:/{model.model_id}", dst_path=str(dst), tracking_uri=STORE["uri"]
        )
        example = json.loads((dst / "input_example.json").read_text())
        assert "example 1" in json.dumps(example)  # synthetic values only
        assert scan_folder(dst, known) == {}
        # the scanner does see personal data when it is there (the check can fail)
        (dst / "leak.txt").write_text(f"call {known[0]}")
        assert scan_folder(dst, known) == {"leak.txt": [known[0]]}


def test_find_pii_matches_values_not_noise() -> None:
    known = ["ana.lima@acme.example", "+1-555-3655-512", "Ana Lima", ""]
    text = "x ANA.LIMA@acme.example y (1) 555 3655 512 ana lima 2025-01-31 123456"
    assert find_pii(text, known) == ["+1-555-3655-512", "Ana Lima", "ana.lima@acme.example"]
    assert find_pii(b"roc_auc 0.91 15553655 2025-01-01 Ana", known) == []


def test_promotion_rule_tolerances() -> None:
    champ = {"roc_auc": 0.90, "log_loss": 0.100}
    assert decide({"roc_auc": 0.8985, "log_loss": 0.099}, champ).promote  # AUC within 0.002
    assert not decide({"roc_auc": 0.897, "log_loss": 0.090}, champ).promote  # AUC too low
    assert not decide({"roc_auc": 0.95, "log_loss": 0.102}, champ).promote  # loss > +1 %
    assert not decide(dict(champ), champ).promote  # no strict improvement
    assert not decide({"roc_auc": float("nan"), "log_loss": 0.05}, champ).promote


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mlflow_server(home: Path):
    """A real ``mlflow server`` on loopback with a SQLite store and artifacts in tmp."""
    port = _free_port()
    root = home / "server"
    root.mkdir()
    mlflow_bin = Path(sys.executable).parent / "mlflow"
    cmd = [
        str(mlflow_bin), "server",
        "--backend-store-uri", f"sqlite:///{root}/server.db",
        "--artifacts-destination", str(root / "artifacts"),
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
    ]  # fmt: skip
    # no job runner and its huey consumers (MLflow's GenAI jobs): two processes to stop
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true",
           "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}  # fmt: skip
    log = open(root / "server.log", "w")  # noqa: SIM115 - closed in finally
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("mlflow server did not start:\n" + (root / "server.log").read_text())
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.server
def test_train_over_http_and_reproducible(story: dict, home: Path, mlflow_server: str) -> None:
    import mlflow

    # given a fresh server: train the same data, config and seed as run version 1
    out = _invoke(
        "train", *_export(home, "old"), "--model-dir", str(home / "m5"), uri=mlflow_server
    )
    assert mlflow_server in out
    # then the run reads back through MLflow's REST client
    client = mlflow.tracking.MlflowClient(tracking_uri=mlflow_server)
    exp = client.get_experiment_by_name("leadscore")
    (run,) = client.search_runs([exp.experiment_id])
    assert run.data.tags["leadscore.model"] == story["chosen1"]
    assert "model_folder" in {a.path for a in client.list_artifacts(run.info.run_id)}
    assert str(client.get_model_version("leadscore", "1").run_id) == run.info.run_id
    # and the metrics equal the first training's, to the last digit
    local = _client().get_run(_client().get_model_version("leadscore", "1").run_id)
    assert run.data.metrics == local.data.metrics
    assert run.data.params["data.contacts_sha256"] == local.data.params["data.contacts_sha256"]
