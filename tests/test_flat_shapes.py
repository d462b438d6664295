"""Flat and multi-table exports through config alone: init-config, train, predict, evaluate."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.config import load_config
from leadscore.data.crm import load_crm
from leadscore.errors import InputError
from leadscore.model.split import order_split, stratified_split

ENV = {"COLUMNS": "400", "MLFLOW_DISABLE_TELEMETRY": "true"}


def make_flat(n: int = 1000, seed: int = 0) -> pd.DataFrame:
    """A flat lead export with column names leadscore has never seen."""
    rng = np.random.default_rng(seed)
    visits = rng.poisson(3, n)
    minutes = rng.gamma(2.0, 10.0, n).round(1)
    channel = rng.choice(["Webinar", "Referral", "Cold", "Select"], n, p=[0.3, 0.2, 0.4, 0.1])
    logit = -3.0 + 0.8 * visits + 0.04 * minutes + np.where(channel == "Referral", 2.0, 0.0)
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    result = np.where(won, "Signed", "Dropped").astype(object)
    result[rng.random(n) < 0.1] = "Pending"
    return pd.DataFrame(
        {
            "Ref Code": [f"K{i:05d}" for i in range(n)],
            "Seq": np.arange(10_000, 10_000 + n),
            "Web Visits": visits,
            "Mins On Site": minutes,
            "Came Via": channel,
            "Deal Result": result,
        }
    )


def test_init_config_edit_train_predict_evaluate(tmp_path: Path) -> None:
    # given a flat CSV with unknown column names
    data = tmp_path / "leads.csv"
    make_flat().to_csv(data, index=False)
    cfg_path = tmp_path / "leads.toml"
    runner = CliRunner()
    # when init-config drafts a config
    res = runner.invoke(app, ["init-config", str(data), "--out", str(cfg_path)], env=ENV)
    assert res.exit_code == 0, res.output
    text = cfg_path.read_text()
    assert 'id = "Ref Code"' in text
    assert "Deal Result" in text and "Came Via" in text
    # and the user edits it as text: target values, an order column, a placeholder
    text = re.sub(r"(?m)^outcome = .*$", 'outcome = "Deal Result"', text)
    text = re.sub(r"(?m)^won = .*$", 'won = ["Signed"]', text)
    text = re.sub(r"(?m)^lost = .*$", 'lost = ["Dropped"]', text)
    text = re.sub(r"(?m)^open = .*$", 'open = ["Pending"]', text)
    text = re.sub(r"(?m)^# order_by = .*$", 'order_by = "Seq"', text)
    text = re.sub(r"(?m)^ignore = .*$", 'ignore = ["Seq"]', text)
    text = text.replace('missing_values = ["', 'missing_values = ["Select", "')
    cfg_path.write_text(text)
    # then train, predict and evaluate work with no code change
    model = tmp_path / "model"
    res = runner.invoke(
        app,
        ["train", str(data), "-c", str(cfg_path), "--model-dir", str(model), "--no-mlflow"],
        env=ENV,
    )
    assert res.exit_code == 0, res.output
    assert "time-ordered by Seq" in res.output
    meta = json.loads((model / "metadata.json").read_text())
    assert meta["examples"] == "flat" and meta["split"].startswith("time-ordered by Seq")
    assert meta["metrics"]["roc_auc"] > 0.7

    # predict on a file with an unseen category and an extra column
    new = make_flat(50, seed=1)
    new.loc[0, "Came Via"] = "Podcast"
    new["Shoe Size"] = 42
    new_path = tmp_path / "new.csv"
    new.to_csv(new_path, index=False)
    out = tmp_path / "pred.csv"
    res = runner.invoke(
        app,
        ["predict", str(new_path), "-c", str(cfg_path), "-m", str(model), "-o", str(out)],
        env=ENV,
    )
    assert res.exit_code == 0, res.output
    assert "Shoe Size" in res.output
    pred = pd.read_csv(out)
    assert len(pred) == 50
    pending = (new["Deal Result"] == "Pending").to_numpy()
    assert pred.loc[pending, "status"].eq("scored").all()
    assert pred.loc[pending, "probability"].between(0, 1).all()

    res = runner.invoke(
        app, ["evaluate", str(data), "-c", str(cfg_path), "-m", str(model), "--json"], env=ENV
    )
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    for key in ("roc_auc", "pr_auc", "brier", "log_loss", "ece", "lift_top10", "capture_top20"):
        assert key in report["metrics"]
    assert {t["tier"] for t in report["tiers"]} == {"lead", "prospect", "opportunity"}
    assert "actual_rate" in report["tiers"][0]


def test_flat_without_order_uses_stratified_split_and_cv(tmp_path: Path) -> None:
    data = tmp_path / "leads.csv"
    make_flat(500).drop(columns=["Ref Code"]).to_csv(data, sep=";", index=False)
    cfg_path = tmp_path / "c.toml"
    cfg_path.write_text(
        '[contacts]\nid = ""\ncreated_at = ""\noutcome = "Deal Result"\n'
        'won = ["Signed"]\nlost = ["Dropped"]\nopen = ["Pending"]\n'
        '[training]\nexamples = "flat"\nevaluation = "cv"\ncv_folds = 3\nmodel = "logistic"\n'
    )
    cfg = load_config(cfg_path)
    crm = load_crm(data, None, cfg, require_outcome=True)
    assert crm.contacts["contact_id"].iloc[0] == "row-2"
    from helpers import train

    result = train(crm, cfg)
    assert result.split.description.startswith("stratified")
    assert result.scorer.info["cv"]["folds"] == 3
    assert 0.5 < result.scorer.info["cv"]["roc_auc"] <= 1


def test_join_adds_lookup_columns_and_reports_unmatched(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text(
        "deal,acct,stage\nd1,A,Won\nd2,B,Lost\nd3,Z,Open\nd4,,Open\n"
    )
    (tmp_path / "accounts.csv").write_text("acct,sector,staff\nA,retail,10\nB,tech,200\n")
    cfg_path = tmp_path / "c.toml"
    cfg_path.write_text(
        '[contacts]\nid = "deal"\ncreated_at = ""\noutcome = "stage"\nwon = ["Won"]\n'
        'lost = ["Lost"]\nopen = ["Open"]\n[training]\nexamples = "flat"\n'
        '[[joins]]\nfile = "accounts.csv"\non = "acct"\nprefix = "account_"\n'
    )
    crm = load_crm(tmp_path / "deals.csv", None, load_config(cfg_path), require_outcome=True)
    c = crm.contacts.set_index("contact_id")
    assert c.loc["d2", "account_sector"] == "tech"
    assert pd.isna(c.loc["d3", "account_staff"])
    assert len(c) == 4
    assert any("2 of 4 rows" in n for n in crm.notes)


def test_join_with_duplicate_key_names_file_and_row(tmp_path: Path) -> None:
    (tmp_path / "deals.csv").write_text("deal,acct,stage\nd1,A,Won\n")
    (tmp_path / "accounts.csv").write_text("acct,sector\nA,retail\nA,tech\n")
    cfg_path = tmp_path / "c.toml"
    cfg_path.write_text(
        '[contacts]\nid = "deal"\ncreated_at = ""\noutcome = "stage"\nwon = ["Won"]\n'
        '[training]\nexamples = "flat"\n[[joins]]\nfile = "accounts.csv"\non = "acct"\n'
    )
    with pytest.raises(InputError, match=r"accounts\.csv.*acct.*row 3"):
        load_crm(tmp_path / "deals.csv", None, load_config(cfg_path), require_outcome=True)


def test_order_split_tests_the_latest_rows() -> None:
    order = np.array([5, 1, 9, 3, 7, 2, 8, 4, 6, 10] * 10, dtype=float) + np.repeat(
        np.arange(10) * 10, 10
    )
    y = np.tile([0, 1], 50)
    split = order_split(
        order, y, test_fraction=0.2, calibration_fraction=0.2, seed=0, order_name="n"
    )
    assert len(split.test) == 20
    assert order[split.test].min() > order[np.concatenate([split.fit, split.calibration])].max()
    assert len(np.intersect1d(split.fit, split.calibration)) == 0


def test_stratified_split_keeps_the_conversion_rate() -> None:
    y = np.array([1] * 100 + [0] * 900)
    split = stratified_split(y, test_fraction=0.2, calibration_fraction=0.2, seed=0)
    assert y[split.test].mean() == pytest.approx(0.1)
    assert len(set(split.test) | set(split.fit) | set(split.calibration)) == 1000


def test_a_flat_export_gets_a_proposed_scorecard_and_its_baseline_row(tmp_path: Path) -> None:
    from helpers import train
    from leadscore import api

    data = tmp_path / "leads.csv"
    make_flat(1500, seed=3).to_csv(data, index=False)
    base = (
        '[contacts]\nid = "Ref Code"\ncreated_at = ""\noutcome = "Deal Result"\n'
        'won = ["Signed"]\nlost = ["Dropped"]\nopen = ["Pending"]\norder_by = "Seq"\n'
        '[features]\nmissing_values = ["", "Select"]\n'
        '[training]\nexamples = "flat"\n'
    )
    cfg_path = tmp_path / "c.toml"
    cfg_path.write_text(base)
    cfg = load_config(cfg_path)
    proposal = api.propose_scorecard(data, config=cfg)
    assert proposal.startswith("# PROPOSAL") and "Came Via" in proposal
    cfg_path.write_text(base + proposal)
    cfg = load_config(cfg_path)
    result = train(load_crm(data, None, cfg, require_outcome=True), cfg)
    card = result.scorecard_metrics
    assert card is not None and card["rows"] == result.metrics["rows"]  # same held-out rows
    assert 0.6 < card["roc_auc"] <= 1
