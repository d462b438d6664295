"""Honest evaluation: `evaluate` measures what `train` measured, and cross-validation
respects contacts and time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import leadscore
from leadscore.cli import app
from leadscore.config import load_config
from leadscore.model.folds import forward_folds, stratified_folds
from leadscore.sample import generate_crm, write_crm

ENV = {"COLUMNS": "400"}


@pytest.fixture(scope="module")
def small_export(tmp_path_factory) -> dict[str, Path]:
    """A 14-month sample CRM of about 4,200 contacts, written as CSV."""
    folder = tmp_path_factory.mktemp("small")
    contacts, activities = generate_crm(months=14, contacts_per_month=300, seed=3)
    write_crm(contacts, activities, folder, fmt="csv")
    return {"contacts": folder / "contacts.csv", "activities": folder / "activities.csv"}


def _config(tmp: Path, text: str) -> Path:
    path = tmp / "config.toml"
    path.write_text(text)
    return path


def test_evaluate_reproduces_the_held_out_figures_of_train(small_export, tmp_path) -> None:
    # given a snapshot model trained on an export, kept as measured (not refit on the test rows)
    config = _config(tmp_path, "[training]\nrefit = false\n")
    files = (small_export["contacts"], small_export["activities"])
    trained = leadscore.train(*files, config, model_dir=tmp_path / "m", mlflow=False)
    # when it is evaluated on its own export
    report = leadscore.evaluate(*files, config, model=tmp_path / "m")
    # then it scores the rows train held out, labelled the same way, with the same figures
    held_out = trained.result.metrics
    assert report.metrics["rows"] == len(trained.result.holdout)
    assert report.metrics["positives"] == trained.result.holdout["y"].sum()
    assert abs(report.metrics["roc_auc"] - held_out["roc_auc"]) <= 0.01
    assert abs(report.metrics["ece"] - held_out["ece"]) <= 0.01
    assert report.overlap is None  # it learned nothing inside that window
    assert "most recent complete window" in report.rows


def test_evaluate_says_when_the_model_learned_from_the_rows(small_export, tmp_path) -> None:
    # given the default model: refit on every labelled row, the most recent window included
    files = (small_export["contacts"], small_export["activities"])
    trained = leadscore.train(*files, model_dir=tmp_path / "m", mlflow=False)
    # when it is evaluated on its own export
    report = leadscore.evaluate(*files, model=tmp_path / "m")
    # then every row is reported as one it may have learned from, and the held-out figures of
    # training are given beside the in-sample ones
    assert report.overlap is not None
    assert report.overlap["rows"] == report.overlap["of"] == len(trained.result.holdout)
    assert report.trained["roc_auc"] == pytest.approx(trained.result.metrics["roc_auc"])
    res = CliRunner().invoke(
        app, ["evaluate", str(files[0]), "-a", str(files[1]), "-m", str(tmp_path / "m")], env=ENV
    )
    assert res.exit_code == 0, res.output
    assert "the last outcome this model learned from" in res.output
    assert "held out at training" in res.output


def test_evaluate_takes_the_champion_alias(small_export, tmp_path) -> None:
    # given a model registered in an MLflow store (a temporary one) and made champion
    files = [str(small_export["contacts"]), "-a", str(small_export["activities"])]
    runner = CliRunner()
    res = runner.invoke(app, ["train", *files, "--model-dir", str(tmp_path / "m")], env=ENV)
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["promote", "1"], env=ENV)
    assert res.exit_code == 0 and "champion" in res.output, res.output
    # when evaluate is given the alias, as predict is
    res = runner.invoke(app, ["evaluate", *files, "-m", "models:/leadscore@champion"], env=ENV)
    # then the champion is measured on the export's most recent window
    assert res.exit_code == 0, res.output
    assert "most recent complete window" in res.output and "roc_auc" in res.output


def _snapshots(seed: int = 0) -> pd.DataFrame:
    """Synthetic snapshot examples: 300 contacts open over 12 monthly snapshot dates."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2025-01-31", periods=12, freq="30D")
    rows = []
    for c in range(300):
        first, last = sorted(rng.integers(0, 12, 2))
        for d in dates[first : last + 1]:
            rows.append((f"c{c}", d, int(rng.random() < 0.2)))
    return pd.DataFrame(rows, columns=["contact_id", "as_of", "label"])


def test_snapshot_folds_chain_forward_purge_and_keep_contacts_apart() -> None:
    ex = _snapshots()
    y = ex["label"].to_numpy()
    ids, as_of = ex["contact_id"].to_numpy(), ex["as_of"].to_numpy()
    folds = forward_folds(as_of, y, folds=3, calibration_fraction=0.2, seed=1,
                          order_name="snapshot date", contacts=ids, horizon_days=60)  # fmt: skip
    assert len(folds) == 3
    starts = [as_of[f.test].min() for f in folds]
    assert starts == sorted(starts)  # forward in time
    for fold in folds:
        trained = np.concatenate([fold.fit, fold.calibration])
        start = as_of[fold.test].min()
        # every training label was known before the test block starts (the purge) ...
        assert (as_of[trained] + np.timedelta64(60, "D") <= start).all()
        # ... no contact is on both sides, and fit and calibration hold different contacts
        assert not set(ids[trained]) & set(ids[fold.test])
        assert not set(ids[fold.fit]) & set(ids[fold.calibration])
        assert "none of its contacts" in fold.description and "60-day purge" in fold.description
    tested = np.concatenate([f.test for f in folds])
    assert len(tested) == len(set(tested))  # test blocks never overlap


def test_ordered_rows_train_only_on_earlier_rows_and_unordered_ones_are_stratified() -> None:
    y = (np.arange(1000) % 5 == 0).astype(int)
    order = np.arange(1000)
    for fold in forward_folds(order, y, folds=4, calibration_fraction=0.2, seed=0,
                              order_name="row order"):  # fmt: skip
        assert order[np.concatenate([fold.fit, fold.calibration])].max() < order[fold.test].min()
    folds = stratified_folds(y, folds=4, calibration_fraction=0.2, seed=0)
    assert all(y[f.test].mean() == pytest.approx(0.2) for f in folds)
    assert sorted(np.concatenate([f.test for f in folds])) == list(range(1000))


def test_cv_on_snapshots_says_what_each_fold_holds(small_export, tmp_path, monkeypatch) -> None:
    from trust_helpers import fast_hgb

    fast_hgb(monkeypatch)
    config = _config(tmp_path, '[training]\nevaluation = "cv"\ncv_folds = 3\nmodel = "hgb"\n')
    out = leadscore.train(*small_export.values(), config, model_dir=tmp_path / "m", mlflow=False)
    cv = out.result.scorer.info["cv"]
    assert cv["description"].startswith("forward-chaining by snapshot date, grouped by contact")
    assert cv["folds"] + len(cv["skipped"]) == 3 and cv["folds"] >= 2
    assert all("none of its contacts" in d for d in cv["fold_descriptions"])
    assert 0.75 < cv["roc_auc"] <= 1
    assert load_config(config).training.cv_folds == 3
