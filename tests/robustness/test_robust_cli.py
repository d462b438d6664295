"""End-to-end safety of the CLI: spreadsheet-safe output, drift warning, interrupted writes
and two trainings at once against one MLflow store."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leadscore.cli import app

WIDE = {"COLUMNS": "400"}
LEADSCORE = str(Path(sys.executable).parent / "leadscore")


def _leads(crm_dir: Path, n: int = 150) -> pd.DataFrame:
    return pd.read_csv(crm_dir / "contacts.csv", dtype=str, keep_default_na=False).head(n)


def test_formula_in_a_lead_list_comes_out_neutralised(crm_dir, model_dir, as_of, tmp_path):
    # given a lead list whose id and name carry a spreadsheet formula
    leads = _leads(crm_dir)
    evil = '=HYPERLINK("http://x","y")'
    leads.loc[0, ["contact_id", "first_name"]] = [evil, evil]
    leads.to_csv(tmp_path / "leads.csv", index=False)
    out = tmp_path / "pred.csv"
    args = ["predict", str(tmp_path / "leads.csv"), "-m", str(model_dir), "--as-of", as_of]
    args += ["--include-closed", "-o", str(out)]
    # when it is scored
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    # then the output cell is quote-prefixed text and the numbers are untouched
    text = out.read_text()
    assert "'=HYPERLINK(" in text and "\n=HYPERLINK" not in text
    back = pd.read_csv(out)
    assert back.loc[0, "contact_id"] == "'" + evil
    assert back["probability"].dtype == float and back["score"].dtype.kind in "if"
    # and --no-csv-safe writes the raw value
    result = CliRunner().invoke(app, [*args, "--no-csv-safe"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out).loc[0, "contact_id"] == evil


def test_drift_warning_names_shifted_features(crm_dir, model_dir, as_of, tmp_path, mlflow_tmp):
    leads = pd.read_csv(crm_dir / "contacts.csv", dtype=str, keep_default_na=False)
    leads["industry"] = "Underwater Basket Weaving"  # every row: a level never seen
    leads.to_csv(tmp_path / "leads.csv", index=False)
    args = ["predict", str(tmp_path / "leads.csv"), "-m", str(model_dir), "--as-of", as_of]
    args += ["-a", str(crm_dir / "activities.csv"), "-o", str(tmp_path / "p.csv")]
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    warning = next(ln for ln in result.output.splitlines() if ln.startswith("warning:"))
    assert "shifted since training (PSI > 0.25)" in warning and "industry" in warning
    # and the figures are logged to the configured tracking store
    import mlflow

    mlflow.set_tracking_uri(mlflow_tmp)
    runs = mlflow.search_runs(experiment_names=["leadscore-drift"])
    assert len(runs) == 1 and runs.loc[0, "metrics.psi.industry"] > 0.25


def _predict_cmd(model_dir: Path, leads: Path, out: Path, as_of: str) -> list[str]:
    return [
        LEADSCORE, "predict", str(leads), "-m", str(model_dir), "-o", str(out),
        "--as-of", as_of, "--include-closed", "--drift-threshold", "99",
    ]  # fmt: skip


@pytest.mark.slow
def test_killing_predict_never_leaves_a_partial_file(crm_dir, model_dir, as_of, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "400"}
    contacts = pd.read_csv(crm_dir / "contacts.csv", dtype=str, keep_default_na=False)
    contacts.head(150).to_csv(tmp_path / "old.csv", index=False)
    contacts.head(300).to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "out" / "predictions.csv"
    # the old complete output, and the new complete output the killed runs would write
    subprocess.run(_predict_cmd(model_dir, tmp_path / "old.csv", out, as_of), env=env, check=True)
    old = out.read_bytes()
    start = time.monotonic()
    new_path = tmp_path / "new_predictions.csv"
    cmd = _predict_cmd(model_dir, tmp_path / "new.csv", new_path, as_of)
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    duration = time.monotonic() - start
    new = new_path.read_bytes()
    assert old != new

    rng = np.random.default_rng(0)
    seen = {"old": 0, "new": 0, "killed while writing": 0}
    for i in range(20):
        out.write_bytes(old)
        cmd = _predict_cmd(model_dir, tmp_path / "new.csv", out, as_of)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i % 2 == 0:  # anywhere in the run, early or late
            time.sleep(rng.uniform(0.05, 0.8) * duration)
        else:  # the moment the temp file of the output appears
            deadline = time.monotonic() + 3 * duration
            while time.monotonic() < deadline and proc.poll() is None:
                if any(out.parent.glob(".predictions.csv.*.tmp")):
                    time.sleep(rng.uniform(0, 0.005))
                    seen["killed while writing"] += proc.poll() is None
                    break
                time.sleep(0.0005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        content = out.read_bytes()
        assert content in (old, new), f"kill {i}: partial output of {len(content)} bytes"
        seen["old" if content == old else "new"] += 1
        for stray in out.parent.glob(".predictions.csv.*.tmp"):
            stray.unlink()  # a killed run cannot clean its temp file; it is never the output
    print(f"20 kills, full run {duration:.1f} s: {seen}")
    assert seen["old"] > 0


@pytest.mark.slow
def test_two_trainings_at_once_are_both_recorded(crm_dir, tmp_path):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "COLUMNS": "400"}
    env["MLFLOW_TRACKING_URI"] = f"sqlite:///{tmp_path}/shared.db"
    procs = [
        subprocess.Popen(
            [
                LEADSCORE,
                "train",
                str(crm_dir / "contacts.csv"),
                "-a",
                str(crm_dir / "activities.csv"),
                "--model-dir",
                str(tmp_path / f"m{i}"),
            ],  # fmt: skip
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, output
        assert "Traceback" not in output
    import mlflow

    mlflow.set_tracking_uri(env["MLFLOW_TRACKING_URI"])
    runs = mlflow.search_runs(experiment_names=["leadscore"])
    assert len(runs) == 2 and set(runs["status"]) == {"FINISHED"}
    shutil.rmtree(tmp_path / "m0")


def test_predict_output_and_messages_carry_no_personal_data(crm_dir, model_dir, as_of, tmp_path):
    from leadscore.data.pii import find_pii

    leads = _leads(crm_dir, 300)
    leads.to_csv(tmp_path / "leads.csv", index=False)
    out = tmp_path / "pred.csv"
    args = ["predict", str(tmp_path / "leads.csv"), "-m", str(model_dir), "--as-of", as_of]
    result = CliRunner().invoke(app, [*args, "-o", str(out), "--include-closed"], env=WIDE)
    assert result.exit_code == 0, result.output
    known = pd.concat([leads[c] for c in ("email", "phone", "first_name", "last_name")])
    known = [k for k in known.unique() if k]
    assert find_pii(leads.to_csv(index=False), known)  # the scanner does see them in the input
    assert find_pii(out.read_text(), known) == []
    assert find_pii(result.output, known) == []
    metadata = (model_dir / "metadata.json").read_text()
    assert find_pii(metadata, known) == []
