"""End to end: train with a planted leak → guard, report, metadata; predict with reasons; minimum data."""

from __future__ import annotations

import json

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.errors import NotEnoughDataError
from leadscore.model import checks
from leadscore.sample import generate_crm, write_crm
from trust_helpers import fast_hgb, small_crm

runner = CliRunner()
ENV = {"COLUMNS": "400", "MLFLOW_DISABLE_TELEMETRY": "true"}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    fast_hgb(mp)
    tmp = tmp_path_factory.mktemp("leaky")
    try:
        small_crm(tmp, months=12, per_month=220, leak=True)
        model = tmp / "model"
        res = runner.invoke(
            app,
            [
                "train",
                str(tmp / "contacts.csv"),
                "-a",
                str(tmp / "activities.csv"),
                "--model-dir",
                str(model),
                "--no-mlflow",
            ],
            env=ENV,
        )
    finally:
        mp.undo()
    assert res.exit_code == 0, res.output
    return tmp, model, res.output


def test_planted_leaks_are_excluded_loudly_and_the_auc_stays_realistic(trained):
    _, model, output = trained
    assert "LEAKAGE GUARD" in output and "[EXCLUDED] stage_notes" in output
    assert "[EXCLUDED] final_amount" in output
    meta = json.loads((model / "metadata.json").read_text())
    assert sorted(meta["data"]["leakage"]["excluded"]) == ["final_amount", "stage_notes"]
    assert "AUC" in meta["data"]["leakage"]["evidence"]["stage_notes"]
    assert "stage_notes" not in meta["input_columns"]
    assert 0.75 < meta["metrics"]["roc_auc"] <= 0.95


def test_the_report_and_its_figures_are_written_next_to_the_model(trained):
    _, model, _ = trained
    report = (model / "report.md").read_text()
    for section in ("Calibration", "Cumulative gains", "Tiers", "Leakage guard", "importance"):
        assert section in report
    for png in ("calibration.png", "gains.png", "score_distribution.png", "importance.png"):
        assert (model / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        image = mpimg.imread(model / png)
        assert image.shape[0] > 200 and image.shape[1] > 200
        assert image[..., :3].std() > 0.05  # not a blank canvas
        assert f"]({png})" in report


def test_the_report_explains_the_probability_and_the_score(trained):
    _, model, _ = trained
    report = (model / "report.md").read_text()
    meta = json.loads((model / "metadata.json").read_text())
    section = report[report.index("## Probability and score") :]
    assert "calibrated chance" in section and "score 90 = more likely than 90 %" in section
    # the probability each score stands for is read from the reference stored with the model
    at_90 = np.quantile(meta["score_reference"]["quantiles"], 0.9)
    assert f"| 90 | {at_90:.4f} |" in section
    assert "Prospects start at score" in section


def test_predict_adds_readable_reasons_to_every_scored_row(trained):
    tmp, model, _ = trained
    out = tmp / "pred.csv"
    res = runner.invoke(
        app,
        [
            "predict",
            str(tmp / "contacts.csv"),
            "-a",
            str(tmp / "activities.csv"),
            "-m",
            str(model),
            "-o",
            str(out),
            "--as-of",
            "2025-10-01",
        ],
        env=ENV,
    )
    assert res.exit_code == 0, res.output
    pred = pd.read_csv(out, keep_default_na=False)
    scored = pred[pred["status"] == "scored"]
    assert len(scored) > 100
    assert (scored["reason_up_1"] != "").mean() > 0.9
    assert (scored["reason_down_1"] != "").mean() > 0.9
    parsed = json.loads(scored["reasons_json"].iloc[0])
    assert parsed and all(isinstance(v, float) for v in parsed.values())


def test_train_refuses_too_few_closed_contacts_with_the_numbers(tmp_path):
    contacts, activities = generate_crm(months=10, contacts_per_month=200, seed=2)
    won = np.flatnonzero(contacts["outcome"].eq("won").to_numpy())
    contacts = contacts.drop(index=contacts.index[won[25:]])
    activities = activities[activities["contact_id"].isin(contacts["contact_id"])]
    write_crm(contacts, activities, tmp_path)
    res = runner.invoke(
        app,
        [
            "train",
            str(tmp_path / "contacts.csv"),
            "-a",
            str(tmp_path / "activities.csv"),
            "--model-dir",
            str(tmp_path / "m"),
            "--no-mlflow",
        ],
        env=ENV,
    )
    assert res.exit_code == 2
    assert "25 won" in res.output and "at least 40 won and 40 lost" in res.output


def test_the_split_rule_names_the_part_and_the_calibration_warning_the_method():
    y = np.r_[np.ones(30), np.zeros(300), np.ones(8), np.zeros(100), np.ones(20), np.zeros(90)]
    parts = {"fit": np.arange(330), "calibration": np.arange(330, 438), "test": np.arange(438, 548)}
    with pytest.raises(NotEnoughDataError, match="calibration part has 8 converted"):
        checks.check_split(y.astype(int), parts, "test split", None)
    notes = checks.calibration_warnings(np.r_[np.ones(30), np.zeros(400)], "isotonic")
    assert any("isotonic" in n for n in notes) and any("only 30" in n for n in notes)


def test_predict_that_scores_nothing_fails_but_writes_every_row_with_its_status(trained):
    tmp, model, _ = trained
    out = tmp / "early.csv"
    args = ["predict", str(tmp / "contacts.csv"), "-m", str(model), "-o", str(out)]
    res = runner.invoke(app, [*args, "--as-of", "2020-01-01"], env=ENV)
    # then the run fails with the reason, and the file still accounts for every row
    assert res.exit_code == 3, res.output
    assert "none of the" in res.output and "created after the as-of time" in res.output
    pred = pd.read_csv(out, keep_default_na=False)
    assert len(pred) == len(pd.read_csv(tmp / "contacts.csv"))
    assert "reason_up_1" in pred and (pred["reason_up_1"] == "").all()


def test_the_mlflow_run_records_the_leakage_decisions_and_the_report(trained):
    tmp, model, _ = trained  # MLflow: this test's own store (conftest)
    import mlflow

    from leadscore.io.store import load_model
    from leadscore.model.leakage import scan
    from leadscore.tracking.runs import log_training

    frame = pd.DataFrame({"stage_notes": ["x", None] * 50, "noise": np.arange(100) % 7})
    report = scan(frame, np.array([1, 0] * 50), ["stage_notes", "noise"])
    result = type("R", (), {})()
    result.scorer = load_model(model)
    result.metrics, result.baseline_metrics, result.leakage = {"roc_auc": 0.8}, {}, report
    run_id = log_training(result, {}, model, experiment="trust-test").run_id
    run = mlflow.get_run(run_id)
    assert run.data.params["leakage.excluded"] == "stage_notes"
    files = [a.path for a in mlflow.MlflowClient().list_artifacts(run_id, "model_folder")]
    assert "model_folder/report.md" in files and "model_folder/calibration.png" in files
    assert mlflow.artifacts.load_dict(f"runs:/{run_id}/leakage.json")["excluded"] == ["stage_notes"]
