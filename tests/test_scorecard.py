"""Tests for the points scorecard (leadscore.scorecard, scorecard_model, scorecard_proposal)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import score_contacts
from leadscore.config import ScorecardConfig, load_config
from leadscore.errors import ConfigError
from leadscore.scorecard.model import PointsScorer, ScoreCalibrator, scorecard_metrics
from leadscore.scorecard.proposal import propose_scorecard
from leadscore.scorecard.rules import Scorecard

ROOT = Path(__file__).resolve().parents[1]
AS_OF = pd.Timestamp("2026-01-31")

RULES = [
    {"name": "decision-maker title", "column": "job_title", "decision_maker": True, "points": 15},
    {"name": "budget in range", "column": "budget", "range": [10_000, 100_000], "points": 10},
    {"name": "referral", "column": "lead_source", "in": ["Referral", "Partner"], "points": 10},
    {"name": "student", "column": "job_title", "seniority": ["intern_student"], "points": -30},
    {"name": "engaged", "activity": "web_visit", "window_days": 30, "min_count": 3, "points": 10},
    {
        "name": "requested a demo",
        "activity": "Demo Request",
        "within_days": 60,
        "points": 40,
        "half_life_days": 10,
    },
    {"name": "met sales", "activity": ["meeting"], "within_days": 30, "points": 50},
]


def _contacts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contact_id": ["a", "b", "c", "d"],
            "created_at": pd.to_datetime(["2025-06-01"] * 4),
            "status": ["open"] * 4,
            "job_title": ["VP Sales", "Marketing Intern", "Analyst", None],
            "budget": [50_000.0, 5_000.0, np.nan, 20_000.0],
            "lead_source": ["referral", "Cold Outbound", "Partner", "Organic Search"],
        }
    )


def _activities() -> pd.DataFrame:
    rows = [("a", "2026-01-26", "demo_request")]  # 5 days before AS_OF
    rows += [("a", f"2026-01-{d:02d}", "web_visit") for d in (5, 10, 20)]
    rows += [("a", "2026-01-30", "meeting"), ("b", "2026-01-30", "web_visit")]
    rows += [("c", "2026-01-31", "meeting")]  # at as_of: not yet known
    rows += [("d", "2025-12-22", "demo_request")]  # 40 days before: decayed
    return pd.DataFrame(rows, columns=["contact_id", "occurred_at", "activity_type"]).assign(
        occurred_at=lambda f: pd.to_datetime(f["occurred_at"])
    )


def _card(rules: list[dict] = RULES, **kw: float) -> Scorecard:
    return Scorecard.from_config(ScorecardConfig(rules=rules, **kw))


def _score(card: Scorecard, contacts: pd.DataFrame, activities: pd.DataFrame | None):
    card.validate(contacts, activities)
    scored = score_contacts(PointsScorer(card), contacts, activities, AS_OF, reasons=True)
    return scored.set_index("contact_id")


def test_scores_tiers_and_reasons_name_the_rules_that_fired() -> None:
    out = _score(_card(), _contacts(), _activities())
    # a: 15 + 10 + 10 + 10 + 40 * 0.5**(5/10) = 28.3 + 50 = 123 → clipped to 100
    assert out.loc["a", "score"] == 100
    assert out.loc["a", "tier"] == "opportunity"
    assert out.loc["a", "reasons"].startswith("+50 met sales (1 days ago); +28 requested a demo")
    assert "+15 decision-maker title" in out.loc["a", "reasons"]
    assert "3 in 30 days" in out.loc["a", "reasons"]
    # b: intern, -30, clipped at 0
    assert out.loc["b", "score"] == 0 and out.loc["b", "reasons"] == "-30 student"
    # c: a meeting AT the as-of time is not known yet; only the channel fires
    assert out.loc["c", "score"] == 10 and out.loc["c", "reasons"] == "+10 referral"
    # d: budget 10 + demo 40 * 0.5**4 = 2.5 → 12.5 rounds to 13; blank title is no decision-maker
    assert out.loc["d", "score"] == 13
    assert "decayed from +40" in out.loc["d", "reasons"]


def test_tier_thresholds_are_points_and_ties_go_up() -> None:
    card = _card(prospect=10, opportunity=13)
    out = _score(card, _contacts(), _activities())
    assert out["tier"].to_dict() == {
        "a": "opportunity",
        "b": "lead",
        "c": "prospect",
        "d": "opportunity",
    }


def test_a_demo_request_never_lowers_the_score() -> None:
    card = _card()
    before = _score(card, _contacts(), _activities())["score"]
    more = pd.concat(
        [
            _activities(),
            pd.DataFrame(
                {
                    "contact_id": list("abcd"),
                    "occurred_at": AS_OF - pd.Timedelta(days=1),
                    "activity_type": "demo_request",
                }
            ),
        ]
    )
    after = _score(card, _contacts(), more)["score"]
    assert (after >= before).all() and (after > before).any()


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"column": "revenue", "equals": "x"}, "column 'revenue' is not in the file"),
        ({"column": "lead_source", "range": [1, 5]}, "range needs numbers"),
        (
            {"column": "budget", "equals": "high"},
            "holds numbers, but the rule compares it with text",
        ),
        ({"column": "budget", "contains": ["vp"]}, "contains needs text"),
        ({"activity": "webinar"}, "unknown activity type 'webinar'"),
        ({"column": "job_title", "equals": "x", "within_days": 3}, "only apply to activity"),
        ({"column": "job_title", "equals": "x", "colour": 3}, "unknown key"),
        ({"column": "job_title"}, "needs exactly one condition"),
        ({"column": "job_title", "seniority": ["boss"]}, "unknown seniority"),
    ],
)
def test_a_rule_that_cannot_apply_is_a_config_error_naming_it(rule: dict, message: str) -> None:
    card_rules = [*RULES[:2], {"name": "bad one", "points": 5, **rule}]
    with pytest.raises(ConfigError, match=message) as err:
        _card(card_rules).validate(_contacts(), _activities())
    assert "scorecard rule 'bad one'" in str(err.value)


def test_activity_rules_without_an_activity_log_are_refused() -> None:
    with pytest.raises(ConfigError, match="'engaged': reads the activity log, but none was given"):
        _card().validate(_contacts(), None)


def test_config_section_loads_and_the_example_parses(tmp_path: Path) -> None:
    assert load_config(None).scorecard is None
    cfg = load_config(ROOT / "examples" / "scorecard.toml")
    card = Scorecard.from_config(cfg.scorecard)
    assert (card.prospect, card.opportunity) == (40, 70)
    assert "requested a demo" in [r.name for r in card.rules]
    path = tmp_path / "c.toml"
    path.write_text("[scorecard]\nprospect = 80\nopportunity = 60\n[[scorecard.rules]]\n")
    with pytest.raises(ConfigError, match="prospect <= opportunity"):
        Scorecard.from_config(load_config(path).scorecard)


def test_calibrator_is_monotone_and_metrics_rank_by_points() -> None:
    rng = np.random.default_rng(0)
    contacts = pd.DataFrame(
        {"contact_id": [f"c{i}" for i in range(400)], "budget": rng.uniform(0, 20_000, 400)}
    )
    keys = contacts[["contact_id"]].assign(as_of=AS_OF)
    card = _card([RULES[1]]).validate(contacts, None)
    rows = card.rows(contacts, None, keys)
    y = (
        rng.uniform(size=400) < np.where(contacts["budget"].between(10_000, 100_000), 0.3, 0.05)
    ).astype(int)
    calib = ScoreCalibrator().fit(card.score(rows)[0], y)
    p = calib.predict(np.array([0, 10, 50]))
    assert p[0] < p[1] < p[2] and calib.method_ == "sigmoid"
    m = scorecard_metrics(card, rows.iloc[:200], y[:200], rows.iloc[200:], y[200:])
    assert 0.6 < m["roc_auc"] < 0.85


def test_proposal_is_marked_valid_toml_and_rewards_what_converts() -> None:
    rng = np.random.default_rng(1)
    n = 2000
    rows = pd.DataFrame(
        {
            "contact_id": np.arange(n).astype(str),
            "channel": rng.choice(["Referral", "Paid", "Social"], n),
            "n_demo_request_30d": (rng.uniform(size=n) < 0.1).astype(float),
            "days_since_last_demo_request": np.nan,
        }
    )
    p = 0.03 + 0.3 * (rows["channel"] == "Referral") + 0.4 * rows["n_demo_request_30d"]
    y = (rng.uniform(size=n) < p).astype(int)
    text = propose_scorecard(rows, y, activity_types=("demo_request",))
    assert text.startswith("# PROPOSAL")
    section = tomllib.loads(text)["scorecard"]
    card = Scorecard.from_config(ScorecardConfig(**section))
    points = {r.name: r.points for r in card.rules}
    assert points["channel = Referral"] > 0 and points["demo_request in the last 30 days"] > 0
    assert points.get("channel = Social", 0) < 0
