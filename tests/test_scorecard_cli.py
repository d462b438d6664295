"""End to end: a team with 10 closed deals scores with a scorecard; train points to it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from leadscore.cli import app
from leadscore.sample import generate_crm, write_crm

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "scorecard.toml"
ENV = {"COLUMNS": "400"}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def small_team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample CRM cut down to a team with exactly 10 won deals (the rest open or lost)."""
    contacts, activities = generate_crm(months=8, contacts_per_month=120, seed=7)
    won = np.flatnonzero(contacts["outcome"].eq("won").to_numpy())
    reopen = won[10:]
    contacts.loc[reopen, ["outcome", "closed_at"]] = [np.nan, pd.NaT]
    lost = np.flatnonzero(contacts["outcome"].eq("lost").to_numpy())
    contacts.loc[lost[60:], ["outcome", "closed_at"]] = [np.nan, pd.NaT]
    out = tmp_path_factory.mktemp("team")
    write_crm(contacts, activities, out)
    return out


def test_ten_closed_deals_get_scores_tiers_and_reasons(small_team: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    c, a = str(small_team / "contacts.csv"), str(small_team / "activities.csv")
    # given a team with 10 won deals, train refuses and points to the scorecard
    res = runner.invoke(app, ["train", c, "-a", a, "--no-mlflow"], env=ENV)
    assert res.exit_code == 2
    assert "too few closed contacts" in res.output and "10 won" in res.output
    assert "leadscore predict --scorecard" in res.output
    # when it scores with the example scorecard
    out = tmp_path / "scores.csv"
    res = runner.invoke(
        app,
        [
            "predict",
            c,
            "-a",
            a,
            "--scorecard",
            str(EXAMPLE),
            "--as-of",
            "2025-08-20",
            "-o",
            str(out),
        ],
        env=ENV,
    )
    assert res.exit_code == 0, res.output
    # then every open contact has a 0-100 score, a tier and reasons
    scores = pd.read_csv(out, keep_default_na=False)
    scored = scores[scores["status"] == "scored"]
    assert len(scored) > 100
    points = scored["score"].astype(int)
    assert points.between(0, 100).all()
    assert set(scored["tier"]) == {"lead", "prospect", "opportunity"}
    assert (scored.loc[points >= 70, "tier"] == "opportunity").all()
    # a reason cell starting "+15 ..." would run as a formula in a spreadsheet: it is
    # quote-prefixed, which a spreadsheet shows as the text itself
    raw = scored["reasons"]
    assert raw[raw != ""].str.startswith(("'+", "'-")).all()
    reasons = raw.str.removeprefix("'")
    assert reasons.str.contains(r"^\+\d+ [a-z]", regex=True).any()
    assert reasons.str.contains("requested a demo").any()
    # the score is the clipped sum of the points the reasons list (±1 for rounded decays)
    listed = reasons.str.findall(r"(?:^|; )([+-]\d+) ").map(lambda ps: sum(map(int, ps)))
    assert (points - listed.clip(0, 100)).abs().max() <= 1


def test_a_rule_on_a_missing_column_stops_before_scoring(small_team: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        EXAMPLE.read_text() + '\n[[scorecard.rules]]\nname = "big budget"\ncolumn = "budget_usd"\n'
        "min = 100000\npoints = 10\n"
    )
    out = tmp_path / "scores.csv"
    c = str(small_team / "contacts.csv")
    res = CliRunner().invoke(
        app,
        [
            "predict",
            c,
            "-a",
            str(small_team / "activities.csv"),
            "--scorecard",
            str(bad),
            "-o",
            str(out),
        ],
        env=ENV,
    )
    assert res.exit_code == 2
    assert "scorecard rule 'big budget': column 'budget_usd' is not in the file" in res.output
    assert not out.exists()


def test_train_scorecard_calibrates_saves_and_logs(small_team: Path, tmp_path: Path) -> None:
    c, a = str(small_team / "contacts.csv"), str(small_team / "activities.csv")
    model = tmp_path / "model"
    res = CliRunner().invoke(
        app, ["train", c, "-a", a, "--scorecard", str(EXAMPLE), "--model-dir", str(model)], env=ENV
    )
    assert res.exit_code == 0, res.output
    assert "scorecard calibrated: sigmoid" in res.output and "MLflow run" in res.output
    out = tmp_path / "p.csv"
    res = CliRunner().invoke(
        app,
        ["predict", c, "-a", a, "--model", str(model), "--as-of", "2025-08-20", "-o", str(out)],
        env=ENV,
    )
    assert res.exit_code == 0, res.output
    pred = pd.read_csv(out)
    scored = pred[pred["status"] == "scored"]
    # probabilities rise with the points
    by_score = scored.groupby("score")["probability"].mean()
    assert by_score.is_monotonic_increasing and by_score.iloc[-1] > by_score.iloc[0]


def test_scorecard_output_is_spreadsheet_safe_and_keeps_the_file_mode(
    small_team: Path, tmp_path: Path
) -> None:
    # given a lead list whose first id is a spreadsheet formula, and an output file that
    # already exists with the team's permissions (group-readable)
    evil = '=HYPERLINK("http://x","y")'
    leads = pd.read_csv(small_team / "contacts.csv", dtype=str)
    leads.loc[0, "contact_id"] = evil
    leads.to_csv(tmp_path / "leads.csv", index=False)
    out = tmp_path / "scores.csv"
    out.write_text("old\n")
    out.chmod(0o640)
    args = ["predict", str(tmp_path / "leads.csv"), "-a", str(small_team / "activities.csv"),
            "--scorecard", str(EXAMPLE), "--as-of", "2025-10-01", "-o", str(out),
            "--include-closed"]  # fmt: skip
    # when the scorecard scores it
    res = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output
    # then the formula comes out as quote-prefixed text and the file keeps its mode
    assert pd.read_csv(out, dtype=str).loc[0, "contact_id"] == "'" + evil
    assert out.stat().st_mode & 0o777 == 0o640
