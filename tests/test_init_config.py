"""``init-config`` drafts a config that trains unchanged, on HubSpot- and Salesforce-shaped
exports with their activity logs: init-config -> train -> predict, no hand edit."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from crm_shapes import hubspot, salesforce
from leadscore.cli import app
from leadscore.data.initconfig import draft_config

ENV = {"COLUMNS": "400", "MLFLOW_DISABLE_TELEMETRY": "true"}
RUN = CliRunner()


def _ok(*args: str) -> str:
    res = RUN.invoke(app, [str(a) for a in args], env=ENV)
    assert res.exit_code == 0, res.output + repr(res.exception)
    return res.output


# what each shape's draft must map, and the columns it must leave out as likely leaks
SHAPES = {
    "hubspot": (hubspot, dict(dates="us", numbers="us"), {
        "id": "Record ID", "outcome": "Lifecycle Stage", "won": ["Closed Won"],
        "lost": ["Closed Lost"], "created_at": "Create Date", "closed_at": "Close Date",
        "activities": ("Associated Contact ID", "Activity Date", "Activity Type"),
        "personal": {"First Name", "Last Name", "Email", "Phone Number", "Street Address",
                     "Company Name"},
        "leaks": {"Lead Status", "Days To Close"},
    }),
    "hubspot-european": (hubspot, dict(dates="dayfirst", numbers="eu"), {
        "id": "Record ID", "outcome": "Lifecycle Stage", "won": ["Closed Won"],
        "lost": ["Closed Lost"], "created_at": "Create Date", "closed_at": "Close Date",
        "activities": ("Associated Contact ID", "Activity Date", "Activity Type"),
        "personal": {"First Name", "Last Name", "Email", "Phone Number", "Street Address",
                     "Company Name"},
        "leaks": {"Lead Status", "Days To Close"},
    }),
    "salesforce": (salesforce, dict(dates="iso", numbers="plain"), {
        "id": "Id", "outcome": "StageName", "won": ["Closed Won"], "lost": ["Closed Lost"],
        "created_at": "CreatedDate", "closed_at": "CloseDate",
        "activities": ("WhoId", "ActivityDate", "Type"),
        "personal": {"FirstName", "LastName", "Name", "Email", "Phone", "Street", "Company"},
        "leaks": {"IsWon", "IsClosed"},
    }),
}  # fmt: skip


@pytest.mark.parametrize("shape", list(SHAPES))
def test_init_config_train_predict_with_no_hand_edit(shape: str, tmp_path: Path) -> None:
    make, conventions, want = SHAPES[shape]
    paths = make(tmp_path / shape, **conventions)
    contacts, acts, cfg = paths["contacts"], paths["activities"], tmp_path / "leadscore.toml"
    # when init-config drafts a config from the export and its activity log
    _ok("init-config", contacts, "-a", acts, "-o", cfg)
    text = cfg.read_text()
    drafted = tomllib.loads(text)
    # then ids, outcome values, dates, personal columns and the activity log are mapped
    c, a, f = drafted["contacts"], drafted["activities"], drafted["features"]
    for key in ("id", "outcome", "won", "lost", "created_at", "closed_at"):
        assert c[key] == want[key], key
    assert (a["contact_id"], a["occurred_at"], a["activity_type"]) == want["activities"]
    assert set(f["personal"]) == want["personal"]
    assert drafted["training"]["examples"] == "snapshots"
    # and the columns whose headers say they are filled at the close are left out, marked EDIT
    assert want["leaks"] <= set(f["ignore"])
    assert "# EDIT: likely leaks" in text and all(col in text for col in want["leaks"])

    # when trained and used exactly as drafted
    model = tmp_path / "model"
    _ok("train", contacts, "-a", acts, "-c", cfg, "--model-dir", model, "--no-mlflow")
    meta = json.loads((model / "metadata.json").read_text())
    out = tmp_path / "scores.csv"
    _ok("predict", contacts, "-a", acts, "-c", cfg, "-m", model, "-o", out,
        "--as-of", meta["data"]["export_end"][:10])  # fmt: skip
    # then the model learned from the export and never from a personal or leaking column
    used = {name.split("__")[0] for name in meta["features"]}
    assert not used & (want["personal"] | want["leaks"])
    assert {"Job Title", "Title"} & used and {"Number of Employees", "NumberOfEmployees"} & used
    assert meta["metrics"]["roc_auc"] >= 0.75
    # and every open contact is scored
    scores = pd.read_csv(out, dtype=str)
    raw = pd.read_csv(contacts, dtype=str)
    is_open = ~raw[want["outcome"]].isin(want["won"] + want["lost"])
    assert len(scores) == len(raw)
    assert (scores.loc[is_open.to_numpy(), "status"] == "scored").mean() > 0.9


@pytest.mark.parametrize("dates", ["iso", "us", "dayfirst", "dotted"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_draft_maps_every_date_convention(shape: str, dates: str, tmp_path: Path) -> None:
    # given an export whose dates follow one of the usual conventions
    make, _, want = SHAPES[shape]
    paths = make(tmp_path, months=4, per_month=60, dates=dates)
    frame, acts = (pd.read_csv(paths[k], dtype=str) for k in ("contacts", "activities"))
    # then the draft finds its created and close dates and the activity time
    drafted = tomllib.loads(draft_config(frame, "contacts.csv", acts, "activities.csv"))
    assert drafted["contacts"]["created_at"] == want["created_at"]
    assert drafted["contacts"]["closed_at"] == want["closed_at"]
    assert drafted["activities"]["occurred_at"] == want["activities"][1]


def test_revenue_in_every_number_convention_is_a_role(tmp_path: Path) -> None:
    # "$1,200,000", 1200000 and "1.200.000 €" all read as numbers (data/numbers.py decides the
    # marks per column), so each is drafted as the revenue role
    for numbers in ("us", "plain", "eu"):
        paths = hubspot(tmp_path / numbers, months=4, per_month=60, numbers=numbers)
        frame = pd.read_csv(paths["contacts"], dtype=str)
        roles = tomllib.loads(draft_config(frame, "contacts.csv"))["roles"]
        assert roles["revenue"] == "Annual Revenue", numbers
        assert roles["company_size"] == "Number of Employees"


def test_a_column_that_is_not_unique_is_never_the_id_and_guesses_say_edit() -> None:
    # given an export whose id-like column repeats one value, and no other unique column
    rng = np.random.default_rng(0)
    n = 300
    frame = pd.DataFrame({
        "Contact ID": [f"C{i:04d}" for i in range(n - 1)] + ["C0000"],
        "Owner": rng.choice(["A", "B", "C"], n),
        "Result": rng.choice(["Signed", "Dropped"], n),
        "Visits": rng.poisson(3, n),
    })  # fmt: skip
    text = draft_config(frame, "x.csv")
    drafted = tomllib.loads(text)
    # then no id is proposed, and the line says why, marked EDIT
    assert drafted["contacts"]["id"] == ""
    assert 'id = ""  # EDIT: no column has a unique value on every row' in text
    # and an outcome guessed without won/lost words is marked EDIT too
    assert drafted["contacts"]["outcome"] == "Result"
    assert 'outcome = "Result"  # EDIT:' in text
