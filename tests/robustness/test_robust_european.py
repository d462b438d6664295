"""A European export: semicolons, day-first dates, decimal commas and thousands dots.

The same CRM as the tiny sample, written the way a European spreadsheet exports it, must
train the same model and score the same probabilities, with no setting at all.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from exports import WIDE, predict, raw_text, rewrite
from leadscore.cli import app


@pytest.fixture(scope="module")
def european(crm_dir: Path, tmp_path_factory) -> Path:
    """The tiny sample CRM as a European export ('13/01/2025 09:30:00', '1.200', '0,5')."""
    folder = tmp_path_factory.mktemp("european")
    for name in ("contacts", "activities"):
        frame = rewrite(raw_text(crm_dir / f"{name}.csv"), "%d/%m/%Y %H:%M:%S", True)
        frame.to_csv(folder / f"{name}.csv", sep=";", index=False)
    return folder


def test_the_export_is_written_the_european_way(european: Path) -> None:
    head = pd.read_csv(european / "contacts.csv", sep=";", dtype=str, keep_default_na=False)
    assert head["employees"].str.fullmatch(r"\d{1,3}(\.\d{3})+").any()  # 1.200 is 1200
    filled = head["annual_revenue"][head["annual_revenue"] != ""]
    assert filled.str.fullmatch(r"\d{1,3}(\.\d{3})+").all()
    assert head["created_at"].str[:2].astype(int).max() > 12  # day-first


def test_a_european_export_trains_the_same_model_and_scores_alike(
    european: Path, crm_dir: Path, model_dir: Path, as_of: str, tmp_path: Path
) -> None:
    # when the European export is trained on with the default config
    model = tmp_path / "model"
    args = ["train", str(european / "contacts.csv"), "-a", str(european / "activities.csv"),
            "--model-dir", str(model), "--no-mlflow"]  # fmt: skip
    result = CliRunner().invoke(app, args, env=WIDE)
    assert result.exit_code == 0, result.output
    # then it learned from the same values as the model trained on the plain export
    ours = json.loads((model / "metadata.json").read_text())
    plain = json.loads((model_dir / "metadata.json").read_text())
    assert ours["metrics"] == plain["metrics"] and ours["split"] == plain["split"]
    # and it scores the European lead list as the plain model scores the plain one
    euro = predict(european / "contacts.csv", european / "activities.csv", model, as_of,
                   tmp_path / "euro.csv")[1]  # fmt: skip
    base = predict(crm_dir / "contacts.csv", crm_dir / "activities.csv", model_dir, as_of,
                   tmp_path / "plain.csv")[1]  # fmt: skip
    assert euro is not None and base is not None
    assert euro["contact_id"].tolist() == base["contact_id"].tolist()
    got = pd.to_numeric(euro["probability"].replace("", None)).to_numpy(dtype=float)
    want = pd.to_numeric(base["probability"].replace("", None)).to_numpy(dtype=float)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert (euro["status"] == "scored").sum() > 100
    # streamed in batches, each column read with the format decided once
    streamed = predict(
        european / "contacts.csv",
        european / "activities.csv",
        model,
        as_of,
        tmp_path / "stream.csv",
        "--engine",
        "stream",
        "--batch-rows",
        "300",
    )[1]
    assert streamed is not None
    got = pd.to_numeric(streamed["probability"].replace("", None)).to_numpy(dtype=float)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
