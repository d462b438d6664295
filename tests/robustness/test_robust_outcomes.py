"""Outcomes kept in a table of won deals (leads in one file, closed deals in another, as the
Olist marketing funnel exports them): the export trains and scores with no outcome column."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from exports import WIDE, predict, raw_text
from leadscore.cli import app
from leadscore.sample import generate_crm, write_crm

CONFIG = """
[contacts]
outcome = ""
closed_at = ""

[won_deals]
file = "won.csv"
won_at = "won_date"
lost_after_days = 120
"""


def test_a_funnel_with_a_won_deals_table_trains_and_scores(tmp_path: Path) -> None:
    # given a CRM's leads without outcomes, and its won deals in a table of their own
    crm_dir, as_of = tmp_path / "crm", "2025-11-01"
    write_crm(*generate_crm(months=10, contacts_per_month=400, seed=11), crm_dir)
    contacts = raw_text(crm_dir / "contacts.csv")
    won = contacts[contacts["outcome"] == "won"][["contact_id", "closed_at"]]
    won.rename(columns={"closed_at": "won_date"}).to_csv(tmp_path / "won.csv", index=False)
    contacts.drop(columns=["outcome", "closed_at"]).to_csv(tmp_path / "leads.csv", index=False)
    (tmp_path / "cfg.toml").write_text(CONFIG)
    # when a model is trained on them
    model = tmp_path / "model"
    args = ["train", str(tmp_path / "leads.csv"), "-a", str(crm_dir / "activities.csv"),
            "-c", str(tmp_path / "cfg.toml"), "--model-dir", str(model), "--no-mlflow"]  # fmt: skip
    result = CliRunner().invoke(app, args, env=WIDE)
    # then it learned from the won deals, and the won contacts are closed when scoring
    assert result.exit_code == 0, result.output
    metrics = json.loads((model / "metadata.json").read_text())["metrics"]
    assert metrics["positives"] > 20 and metrics["roc_auc"] > 0.7
    _, rows = predict(tmp_path / "leads.csv", crm_dir / "activities.csv", model, as_of,
                      tmp_path / "out.csv", "-c", str(tmp_path / "cfg.toml"),
                      include_closed=False)  # fmt: skip
    assert rows is not None
    status = rows.set_index("contact_id")["status"]
    assert (status[won["contact_id"]] == "not scored: closed (won)").all()
    assert (status == "scored").sum() > 50
