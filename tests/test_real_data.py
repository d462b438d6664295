"""The example configs on the shared real data sets (skipped when the data is absent)."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from typer.testing import CliRunner

from helpers import train
from leadscore.benchmark import DATASETS, run_one
from leadscore.cli import app
from leadscore.config import load_config
from leadscore.data.crm import load_crm
from leadscore.io.store import save_model

pytestmark = [pytest.mark.realdata, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("LEADSCORE_REAL_DATA") or ROOT / ".." / "shared" / "data")


def _path(name: str) -> Path:
    path = DATA / DATASETS[name]
    if not path.exists():
        pytest.skip(f"real data set {name} not found at {path} (set LEADSCORE_REAL_DATA)")
    return path


def _by_model(rows: list[dict], evaluation: str) -> dict[str, dict]:
    return {r["model"]: r for r in rows if r["evaluation"].startswith(evaluation)}


def test_education_leads_time_ordered_level_with_the_best_reference_and_calibrated() -> None:
    rows = _by_model(run_one("x_education_leads", _path("x_education_leads")), "holdout")
    ours = rows.pop("leadscore")
    assert ours["split"] == "time-ordered by Lead Number"
    assert set(rows) == {"hgb default", "hgb tuned", "logistic"}
    best = max(r["roc_auc"] for r in rows.values())
    # measured: leadscore 0.8998 against the tuned boosted reference's 0.8987
    assert ours["roc_auc"] >= best - 0.002
    assert ours["roc_auc"] >= 0.89
    # measured 0.031; a perfectly calibrated model has ECE 0.019 on these 1,848 rows by chance
    assert ours["ece"] <= 0.035
    assert ours["log_loss"] <= min(r["log_loss"] for r in rows.values())


def test_bank_marketing_time_ordered_and_shuffled() -> None:
    # holdouts only, to fit the suite's time (46 s against 212 s with both 5-fold CVs); the CVs
    # are measured by `make real-data` (docs/trust.md)
    path = _path("uci_bank_marketing")
    ordered = _by_model(run_one("uci_bank_marketing", path, with_cv=False), "holdout")
    # in time order (the last fifth converts at 31.6 % against 6.7 % before it); measured 0.6974
    # against the logistic reference's 0.6834
    assert ordered["leadscore"]["roc_auc"] >= 0.685
    assert ordered["leadscore"]["roc_auc"] > max(
        r["roc_auc"] for name, r in ordered.items() if name != "leadscore"
    )
    # shuffled (a stratified holdout, the setting of published results); measured 0.7998
    # against the tuned gradient boosting's 0.7955
    shuffled = _by_model(
        run_one("uci_bank_marketing", path, shuffled=True, with_cv=False), "holdout"
    )
    best = max(r["roc_auc"] for name, r in shuffled.items() if name != "leadscore")
    assert shuffled["leadscore"]["roc_auc"] >= best - 0.002
    assert shuffled["leadscore"]["roc_auc"] >= 0.795


MAVEN_CONFIG = ROOT / "examples" / "maven_crm_pipeline.toml"


def _maven_train(config: Path):
    """(config, CRM, TrainResult) of the Maven pipeline trained as ``leadscore train`` does."""
    cfg = load_config(config)
    crm = load_crm(_path("maven_crm_pipeline"), None, cfg, require_outcome=True)
    return cfg, crm, train(crm, cfg)


def _null_auc_se(positives: int, negatives: int) -> float:
    """Standard deviation of the AUC of a model with no signal (Mann-Whitney U, no ties)."""
    return math.sqrt((positives + negatives + 1) / (12 * positives * negatives))


def _predict(model: Path, data: Path, out: Path, *extra: str) -> pd.DataFrame:
    args = ["predict", str(data), "--config", str(MAVEN_CONFIG), "-m", str(model)]
    res = CliRunner().invoke(app, [*args, "-o", str(out), *extra], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    return pd.read_csv(out, keep_default_na=False)


def test_b2b_pipeline_never_uses_close_value_and_scores_every_open_deal(tmp_path) -> None:
    # given the example config (close_value, 0 for every lost deal, is ignored) and its model
    cfg, _, result = _maven_train(MAVEN_CONFIG)
    model = save_model(result.scorer, tmp_path / "model")
    assert not [f for f in result.scorer.features.feature_names_out_ if "close_value" in f]
    # when every open deal of the export is scored with `leadscore predict`
    source = _path("maven_crm_pipeline")
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    scored = _predict(model, source, tmp_path / "open.csv")
    # then every row comes back, and the rows scored are exactly the open deals
    open_deal = raw["deal_stage"].isin(cfg.contacts.open).to_numpy()
    assert list(scored["contact_id"].astype(str)) == list(raw["opportunity_id"])
    assert ((scored["status"] == "scored").to_numpy() == open_deal).all()
    assert scored.loc[open_deal, "probability"].astype(float).between(0, 1).all()
    # and rewriting close_value into a perfect reverse leak changes no probability of any deal
    data = tmp_path / "data"
    shutil.copytree(source.parent, data, ignore=shutil.ignore_patterns("sales_pipeline.csv"))
    lying = raw.assign(close_value=np.where(raw["deal_stage"] == "Lost", "9999", "0"))
    lying.to_csv(data / "sales_pipeline.csv", index=False)
    every = _predict(model, source, tmp_path / "all.csv", "--include-closed")
    rewritten = _predict(
        model, data / "sales_pipeline.csv", tmp_path / "lie.csv", "--include-closed"
    )
    assert len(every) == len(raw)
    pdt.assert_series_equal(every["probability"], rewritten["probability"])

    # what the model does instead: this teaching data carries no signal, and the model says so.
    # It ranks the held-out deals no better than chance: within 3 standard deviations of the
    # AUC of a signal-free model on as many won and lost deals (measured 0.499, sd 0.016)
    m = result.metrics
    positives = int(m["positives"])
    assert abs(m["roc_auc"] - 0.5) <= 3 * _null_auc_se(positives, int(m["rows"]) - positives)
    # and it gives every deal about the conversion rate of the deals it learned from: the
    # calibrator (fitted on out-of-fold scores of every learned deal) sets that level, so a
    # model without signal may stray from it by sampling noise only (3 standard errors of a
    # rate on those deals; the shipped model, refit on every closed deal, is held to the same)
    learned_rows = result.data["examples"] - len(result.holdout)
    rate = (result.data["positives"] - result.holdout["y"].sum()) / learned_rows
    noise = 3 * math.sqrt(rate * (1 - rate) / learned_rows)
    probabilities = pd.concat([every["probability"], result.holdout["probability"]])
    assert (probabilities.astype(float) - rate).abs().max() <= noise


def test_b2b_pipeline_guard_excludes_close_value_when_the_config_forgets_it(tmp_path) -> None:
    # given the example config without close_value among the ignored columns
    text = MAVEN_CONFIG.read_text()
    assert '"close_value", ' in text
    config = tmp_path / "forgot.toml"
    config.write_text(text.replace('"close_value", ', "", 1))
    # when trained
    _, _, result = _maven_train(config)
    # then the guard finds it from the data and excludes it, naming its evidence
    report = result.leakage.to_dict()
    assert report["excluded"] == ["close_value"], report
    evidence = report["evidence"]["close_value"]
    assert "out-of-fold AUC 1.000" in evidence
    assert "'<= 0'" in evidence and "100.0% not converted" in evidence  # lost deals: 0
    assert not [f for f in result.scorer.features.feature_names_out_ if "close_value" in f]
    # and the held-out AUC stays within chance (a leak that got through would lift it to ~1)
    m = result.metrics
    positives = int(m["positives"])
    assert abs(m["roc_auc"] - 0.5) <= 3 * _null_auc_se(positives, int(m["rows"]) - positives)


def _education_all_columns(tmp_path: Path, guard: bool) -> tuple[dict, str]:
    """Train on the education leads with every column kept but the row number."""
    text = (ROOT / "examples" / "x_education_leads.toml").read_text()
    start, end = text.index("ignore = ["), text.index("]", text.index("ignore = [")) + 1
    text = text[:start] + 'ignore = ["Lead Number"]' + ("" if guard else "\nleakage_guard = false")
    text += (ROOT / "examples" / "x_education_leads.toml").read_text()[end:]
    # no refit: every figure asserted is measured on the held-out rows before the refit
    text = text.replace("[training]\n", "[training]\nrefit = false\n", 1)
    config = tmp_path / f"guard-{guard}.toml"
    config.write_text(text)
    model = tmp_path / f"model-{guard}"
    res = CliRunner().invoke(
        app,
        ["train", str(_path("x_education_leads")), "--config", str(config),
         "--model-dir", str(model), "--no-mlflow"],
        env={"COLUMNS": "400"},
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return json.loads((model / "metadata.json").read_text()), res.output


def test_education_leads_every_column_kept_naive_near_099_guarded_at_most_095(tmp_path) -> None:
    # given the education leads with every column but the row number, time-ordered
    # when trained with the guard off, then the sales team's own columns make it look perfect
    naive, _ = _education_all_columns(tmp_path, guard=False)
    assert naive["metrics"]["roc_auc"] >= 0.98
    # when trained with the guard on (the default)
    guarded, output = _education_all_columns(tmp_path, guard=True)
    leakage = guarded["data"]["leakage"]
    # then the status tags are excluded and named with the evidence in a loud warning
    assert "Tags" in leakage["excluded"]
    assert "LEAKAGE GUARD" in output and "[EXCLUDED] Tags" in output
    assert "AUC" in leakage["evidence"]["Tags"]
    # the quality judgement is at least suspect; visits, time on site, source, origin are clean
    flagged = set(leakage["excluded"]) | set(leakage["suspect"])
    assert "Lead Quality" in flagged
    for clean in ("TotalVisits", "Total Time Spent on Website", "Lead Origin"):
        assert clean not in flagged
    assert "Lead Source" not in leakage["excluded"]  # suspect: every 'Welingak Website' lead won
    # and the AUC that remains is at most 0.95
    assert guarded["metrics"]["roc_auc"] <= 0.95
