"""The TOML config: defaults, enums, one-line errors a user can act on, params for MLflow."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadscore.config import (
    Calibration,
    Engine,
    Evaluation,
    Examples,
    ModelKind,
    ScorecardConfig,
    load_config,
)
from leadscore.errors import ConfigError
from leadscore.tracking.runs import flatten

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))

# The defaults before the config became typed models (minus the removed roles.budget and
# activities.detail): a config file only lists what it changes, so these must not move.
DEFAULTS = {
    "contacts": {
        "id": "contact_id",
        "created_at": "created_at",
        "outcome": "outcome",
        "closed_at": "closed_at",
        "won": ["won"],
        "lost": ["lost"],
        "open": [],
        "order_by": None,
        "date_format": None,
        "dayfirst": None,
        "sheet": None,
        "exported_at": None,
        "missing_close_date": "refuse",
    },
    "activities": {
        "contact_id": "contact_id",
        "occurred_at": "occurred_at",
        "activity_type": "activity_type",
        "date_format": None,
        "dayfirst": None,
        "sheet": None,
    },
    "roles": {"company_size": "employees", "revenue": "annual_revenue", "job_title": "job_title"},
    "features": {
        "ignore": [],
        "personal": [],
        "categorical": [],
        "numeric": [],
        "missing_values": ["", "N/A", "n/a", "NA", "na", "null", "NULL", "-", "?"],
        "windows_days": [7, 30, 90],
        "max_categories": 30,
        "min_category_count": 20,
        "keep": [],
        "leakage_guard": True,
        "decimal": None,
    },
    "training": {
        "horizon_days": 90,
        "snapshot_every_days": 30,
        "model": "auto",
        "calibration": "auto",
        "test_fraction": 0.2,
        "calibration_fraction": 0.2,
        "seed": 42,
        "max_rows": 1_000_000,
        "examples": "snapshots",
        "evaluation": "holdout",
        "cv_folds": 5,
        "refit": True,
    },
    "tiers": {"prospect_odds": 1.0, "opportunity_odds": 4.0, "opportunity": None, "prospect": None},
    "tracking": {"model_name": "leadscore"},
    "scorecard": None,
    "joins": [],
    "won_deals": None,
    "predict": {"keep": []},
}


def _load(tmp_path: Path, text: str) -> object:
    path = tmp_path / "leads.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def _error(tmp_path: Path, text: str) -> str:
    """The message of the ConfigError a config file raises; it names the file, on one line."""
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, text)
    message = str(err.value)
    assert message.startswith(str(tmp_path / "leads.toml") + ": ")
    assert "\n" not in message and "pydantic" not in message and "Input should" not in message
    return message


def test_defaults_are_unchanged() -> None:
    cfg = load_config(None)
    assert cfg.to_dict() == DEFAULTS
    assert cfg.source is None


def test_a_file_only_changes_the_keys_it_sets(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "[training]\nhorizon_days = 30\n")
    assert cfg.training.horizon_days == 30
    assert cfg.to_dict()["contacts"] == DEFAULTS["contacts"]
    assert cfg.source == str(tmp_path / "leads.toml")


@pytest.mark.parametrize(
    ("key", "enum"),
    [
        ("model", ModelKind),
        ("calibration", Calibration),
        ("examples", Examples),
        ("evaluation", Evaluation),
    ],
)
def test_every_choice_rejects_a_bad_value_listing_the_allowed_ones(tmp_path, key, enum) -> None:
    message = _error(tmp_path, f"[training]\n{key} = 'nonsense'\n")
    allowed = ", ".join(member.value for member in enum)
    assert f"[training] {key} must be one of: {allowed}; got 'nonsense'" in message


def test_choices_read_as_enums_and_compare_as_text(tmp_path: Path) -> None:
    t = _load(tmp_path, "[training]\nmodel = 'logistic'\ncalibration = 'isotonic'\n").training
    assert t.model is ModelKind.LOGISTIC and t.calibration is Calibration.ISOTONIC
    assert t.model == "logistic" and f"{t.model}-{t.calibration}" == "logistic-isotonic"
    assert [e.value for e in Engine] == ["auto", "memory", "stream", "spark"]
    assert Engine("stream") == "stream"


def test_unknown_key_is_not_allowed_and_lists_the_known_keys(tmp_path: Path) -> None:
    message = _error(tmp_path, "[training]\nhorizon = 30\n")
    assert "[training] unknown key 'horizon' — not allowed; known keys: horizon_days," in message
    assert "ignored" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[contacts]\nmax_categories = 10\n",
            "[contacts] unknown key 'max_categories' — not allowed here; it belongs in [features]",
        ),
        (
            "[contacts]\nprospect = 0.2\n",
            "[contacts] unknown key 'prospect' — not allowed here; it belongs in [tiers] or "
            "[scorecard]",
        ),
        (
            "horizon_days = 30\n[training]\nseed = 1\n",
            "key 'horizon_days' outside any section — not allowed here; it belongs in [training]",
        ),
        ("[trainig]\nseed = 1\n", "unknown section [trainig] — not allowed; known sections:"),
        ("source = 'x.toml'\n", "unknown section [source] — not allowed"),
    ],
)
def test_a_misplaced_key_says_where_it_belongs(tmp_path, text, expected) -> None:
    assert expected in _error(tmp_path, text)


@pytest.mark.parametrize(("section", "key"), [("roles", "budget"), ("activities", "detail")])
def test_removed_keys_are_an_error_asking_to_delete_them(tmp_path, section, key) -> None:
    message = _error(tmp_path, f"[{section}]\n{key} = 'x'\n")
    assert f"[{section}] key '{key}' was removed" in message and "delete it" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[training]\nhorizon_days = '90'\n", "[training] horizon_days must be a whole number, "),
        ("[training]\nseed = 1.5\n", "[training] seed must be a whole number, got 1.5"),
        ("[tiers]\nprospect_odds = '2'\n", "[tiers] prospect_odds must be a number, got text '2'"),
        ("[features]\nleakage_guard = 'no'\n", "leakage_guard must be true or false, got text"),
        ("[features]\nignore = 'notes'\n", "[features] ignore must be a list ([...]), got text"),
        ("[contacts]\nid = 7\n", "[contacts] id must be text (in quotes), got 7"),
        ("[features]\nwindows_days = [7, '30']\n", "windows_days (item 2) must be a whole num"),
        ("[training]\nmax_rows = true\n", "[training] max_rows must be a whole number, got true"),
        ("training = 5\n", "[training] must be a table, got 5"),
        ("[joins]\nfile = 'a.csv'\non = 'a'\n", "joins must be written as [[joins]] tables"),
    ],
)
def test_a_wrong_type_names_key_expected_type_and_value(tmp_path, text, expected) -> None:
    assert expected in _error(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[training]\ntest_fraction = 0.7\n",
            "test_fraction must be between 0.05 and 0.5, got 0.7",
        ),
        ("[training]\ncalibration_fraction = 0.01\n", "must be between 0.05 and 0.5, got 0.01"),
        ("[training]\ncv_folds = 1\n", "[training] cv_folds must be between 2 and 20, got 1"),
        ("[training]\ncv_folds = 21\n", "[training] cv_folds must be between 2 and 20, got 21"),
        ("[training]\nhorizon_days = 0\n", "[training] horizon_days must be greater than 0, got 0"),
        ("[training]\nsnapshot_every_days = -3\n", "snapshot_every_days must be greater than 0"),
        ("[features]\nwindows_days = [7, -30]\n", "windows_days (item 2) must be greater than 0"),
        ("[tiers]\nopportunity_odds = inf\n", "[tiers] opportunity_odds must be a finite number"),
    ],
)
def test_a_value_out_of_range_says_the_range(tmp_path, text, expected) -> None:
    assert expected in _error(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[tiers]\nprospect_odds = 5.0\n", "[tiers] need 0 < prospect_odds < opportunity_odds"),
        ("[tiers]\nprospect_odds = 0\n", "[tiers] need 0 < prospect_odds < opportunity_odds"),
        ("[tiers]\nopportunity = 0.5\n", "[tiers] give both opportunity and prospect, or neither"),
        ("[tiers]\nprospect = 0.6\nopportunity = 0.5\n", "need 0 <= prospect <= opportunity <= 1"),
        ("[tiers]\nprospect = 0.6\nopportunity = 1.5\n", "need 0 <= prospect <= opportunity <= 1"),
        ("[contacts]\nwon = []\n", "[contacts] won must list at least one value"),
        ("[[joins]]\nfile = 'a.csv'\n", "[[joins]] entry 1 needs both file and on"),
        ("[[joins]]\nfile = 'a.csv'\non = 'a'\nonn = 'b'\n", "[[joins]] entry 1 unknown key 'onn'"),
    ],
)
def test_settings_that_contradict_each_other_are_refused(tmp_path, text, expected) -> None:
    assert expected in _error(tmp_path, text)


def test_cross_field_settings_that_agree_load(tmp_path: Path) -> None:
    cfg = _load(
        tmp_path,
        "[tiers]\nprospect = 0.1\nopportunity = 0.1\n[contacts]\nwon = [1, 2]\n"
        "[[joins]]\nfile = 'a.csv'\non = 'account'\n",
    )
    assert (cfg.tiers.prospect, cfg.tiers.opportunity) == (0.1, 0.1)
    assert cfg.contacts.won == ["1", "2"]  # outcome cells are compared as text
    assert cfg.joins[0].key == "account"  # key defaults to on


def test_several_problems_are_all_reported_on_one_line(tmp_path: Path) -> None:
    message = _error(tmp_path, "[training]\nmodel = 'xgb'\ncv_folds = 50\n[roles]\nbudget = 'b'\n")
    assert "3 problems: (1) [roles] key 'budget' was removed" in message
    assert "(2) [training] model must be one of: auto, hgb, logistic, blend; got 'xgb';" in message
    assert "(3) [training] cv_folds must be between 2 and 20, got 50" in message


def test_missing_file_and_bad_toml_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")
    assert "not valid TOML" in _error(tmp_path, "[training\n")


def test_params_flatten_to_plain_text_with_the_same_keys(tmp_path: Path) -> None:
    cfg = _load(tmp_path, "[training]\nmodel = 'logistic'\nevaluation = 'cv'\n[scorecard]\n")
    params = flatten("config", cfg.to_dict(), {})
    assert set(params) == set(flatten("config", DEFAULTS, {})) - {"config.scorecard"} | {
        "config.scorecard.prospect",
        "config.scorecard.opportunity",
        "config.scorecard.rules",
    }
    assert {type(v) for v in params.values()} <= {str, int, float, bool, type(None)}
    assert params["config.training.model"] == "logistic"
    assert type(params["config.training.model"]) is str  # not a str subclass (enum)
    assert params["config.features.windows_days"] == "7,30,90"
    assert json.loads(json.dumps(cfg.to_dict())) == cfg.to_dict()


def test_sections_stay_assignable() -> None:
    cfg = load_config(None)
    cfg.scorecard = ScorecardConfig(prospect=30)
    cfg.training.seed = 7
    assert cfg.scorecard.prospect == 30 and cfg.to_dict()["training"]["seed"] == 7


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_example_configs_load(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.source == str(path)
    assert cfg.training.model == "auto"


def test_the_example_configs_mean_what_they_say() -> None:
    maven = load_config(ROOT / "examples" / "maven_crm_pipeline.toml")
    assert maven.training.examples is Examples.FLAT
    assert [(j.file, j.key, j.prefix) for j in maven.joins][1] == (
        "products.csv",
        "product",
        "product_",
    )
    bank = load_config(ROOT / "examples" / "uci_bank_marketing.toml")
    assert bank.training.evaluation is Evaluation.CV and bank.contacts.id == ""
    card = load_config(ROOT / "examples" / "scorecard.toml").scorecard
    assert card is not None and (card.prospect, card.opportunity) == (40, 70) and card.rules
