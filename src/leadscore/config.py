"""The TOML config: column roles, outcome values, training settings and tiers.

Without a config file the defaults below apply; they match the CRM data contract in README.
A config file only needs the keys it changes. Unknown sections or keys are an error that names
them, so a typo never silently falls back to a default.

Example (every key optional)::

    [contacts]
    id = "contact_id"
    created_at = "created_at"
    outcome = "outcome"
    closed_at = "closed_at"
    won = ["won"]
    lost = ["lost"]

    [activities]
    contact_id = "contact_id"
    occurred_at = "occurred_at"
    activity_type = "activity_type"

    [features]
    ignore = ["notes"]
    missing_values = ["", "N/A", "Select"]

    [roles]              # optional meaning of attribute columns, for derived features
    company_size = "employees"
    job_title = "job_title"

    [training]
    horizon_days = 90

    [tiers]
    opportunity_odds = 4.0
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from leadscore.errors import ConfigError

DEFAULT_MISSING_VALUES = ("", "N/A", "n/a", "NA", "na", "null", "NULL", "None", "none", "-", "?")


@dataclass
class ContactsConfig:
    """Where the contacts table keeps its id, dates and outcome."""

    id: str = "contact_id"
    created_at: str | None = "created_at"
    outcome: str = "outcome"
    closed_at: str | None = "closed_at"
    won: list[str] = field(default_factory=lambda: ["won"])
    lost: list[str] = field(default_factory=lambda: ["lost"])
    open: list[str] = field(default_factory=list)
    # Column that orders rows in time when there are no dates ("@row": the file's row order);
    # it drives the time-ordered split and is never a feature. See docs/column-roles.md.
    order_by: str | None = None


@dataclass
class JoinConfig:
    """One table joined onto the main table before features are built (``[[joins]]``).

    ``file`` is read relative to the main data file's folder unless absolute; each main row
    takes the columns of the row whose ``key`` equals its ``on`` value (many-to-one).
    """

    file: str = ""
    on: str = ""
    key: str = ""
    prefix: str = ""
    columns: list[str] = field(default_factory=list)


@dataclass
class ActivitiesConfig:
    """Column names of the optional activity log."""

    contact_id: str = "contact_id"
    occurred_at: str = "occurred_at"
    activity_type: str = "activity_type"
    detail: str | None = "detail"


@dataclass
class RolesConfig:
    """Optional meaning of attribute columns; each enables derived features.

    Columns without a role are still used, typed from their values: numbers as numbers, few
    distinct strings as categories, job-title-like free text parsed for seniority.
    """

    company_size: str | None = "employees"
    revenue: str | None = "annual_revenue"
    job_title: str | None = "job_title"
    budget: str | None = "budget"


@dataclass
class FeaturesConfig:
    """Which columns become features and how values are normalised."""

    ignore: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    numeric: list[str] = field(default_factory=list)
    missing_values: list[str] = field(default_factory=lambda: list(DEFAULT_MISSING_VALUES))
    windows_days: list[int] = field(default_factory=lambda: [7, 30, 90])
    max_categories: int = 30
    min_category_count: int = 20
    keep: list[str] = field(default_factory=list)  # columns the leakage guard must not exclude
    leakage_guard: bool = True


@dataclass
class TrainingConfig:
    """How training examples are built, split and fitted."""

    horizon_days: int = 90
    snapshot_every_days: int = 30
    model: str = "hgb"
    calibration: str = "auto"
    test_fraction: float = 0.2
    calibration_fraction: float = 0.2
    seed: int = 42
    max_rows: int = 1_000_000
    # "snapshots": contacts + activity log, point-in-time snapshots; "flat": one row is one
    # example (label = the outcome column, open rows are scored, not trained on).
    examples: str = "snapshots"
    # "holdout": one time-ordered (or stratified) holdout; "cv": also stratified k-fold.
    evaluation: str = "holdout"
    cv_folds: int = 5


@dataclass
class TiersConfig:
    """Tier thresholds.

    By default they are derived at training time from the conversion rate ``b`` of the
    held-out contacts: a prospect has at least ``prospect_odds`` times the average odds of
    converting, an opportunity at least ``opportunity_odds`` times. Explicit probabilities
    (``opportunity``, ``prospect``) win.
    """

    prospect_odds: float = 1.0
    opportunity_odds: float = 4.0
    opportunity: float | None = None
    prospect: float | None = None


@dataclass
class ScorecardConfig:
    """A points scorecard (see docs/scorecard.md): score thresholds in points and the rules.

    Each entry of ``rules`` is a ``[[scorecard.rules]]`` table; ``leadscore.scorecard`` parses
    and checks them against the data.
    """

    prospect: float = 40.0
    opportunity: float = 70.0
    rules: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Config:
    """The whole config."""

    contacts: ContactsConfig = field(default_factory=ContactsConfig)
    activities: ActivitiesConfig = field(default_factory=ActivitiesConfig)
    roles: RolesConfig = field(default_factory=RolesConfig)
    features: FeaturesConfig = field(default_factory=FeaturesConfig)
    training: TrainingConfig = field(default_factory=TrainingConfig)
    tiers: TiersConfig = field(default_factory=TiersConfig)
    scorecard: ScorecardConfig | None = None  # only when the file has a [scorecard] section
    joins: list[JoinConfig] = field(default_factory=list)
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every setting (for logging as run parameters)."""
        data = asdict(self)
        data.pop("source", None)
        return data


_SECTIONS = {f.name: f.type for f in fields(Config) if f.name != "source"}


def _build_joins(values: Any, source: str) -> list[JoinConfig]:
    if not isinstance(values, list):
        raise ConfigError("joins must be written as [[joins]] tables", file=source)
    joins = [_build(JoinConfig, "joins", v, source) for v in values]
    for j in joins:
        if not j.file or not j.on:
            raise ConfigError("every [[joins]] entry needs file and on", file=source)
        j.key = j.key or j.on
    return joins


def _build(section_cls: type, name: str, values: Any, source: str) -> Any:
    if not isinstance(values, dict):
        raise ConfigError(f"[{name}] must be a table of keys", file=source)
    known = {f.name: f for f in fields(section_cls)}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(
            f"unknown key(s) {', '.join(unknown)} in [{name}]; known keys: {', '.join(known)}",
            file=source,
        )
    default = section_cls()
    for key, value in values.items():
        expected = getattr(default, key)
        if isinstance(expected, list) and not isinstance(value, list):
            raise ConfigError(f"[{name}] {key} must be a list", file=source)
        is_number = isinstance(expected, int | float) and not isinstance(expected, bool)
        if is_number and (not isinstance(value, int | float) or isinstance(value, bool)):
            raise ConfigError(f"[{name}] {key} must be a number, got {value!r}", file=source)
        setattr(default, key, value)
    return default


def load_config(path: str | Path | None) -> Config:
    """Read a TOML config; ``None`` gives the defaults.

    Raises:
        ConfigError: the file is missing, not valid TOML, or has unknown keys or wrong types.
    """
    if path is None:
        return validate(Config())
    source = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("config file not found", file=source) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=source) from None
    cfg = Config(source=source)
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise ConfigError(
            f"unknown section(s) {', '.join(unknown)}; known: {', '.join(_SECTIONS)}",
            file=source,
        )
    for name, values in raw.items():
        if name == "joins":
            cfg.joins = _build_joins(values, source)
            continue
        section_cls = ScorecardConfig if name == "scorecard" else type(getattr(cfg, name))
        setattr(cfg, name, _build(section_cls, name, values, source))
    return validate(cfg)


def validate(cfg: Config) -> Config:
    """Check values that have a meaning beyond their type."""
    src = cfg.source
    t = cfg.training
    if t.horizon_days <= 0 or t.snapshot_every_days <= 0:
        raise ConfigError("[training] horizon_days and snapshot_every_days must be > 0", file=src)
    if t.model not in {"hgb", "logistic"}:
        raise ConfigError(
            f"[training] model must be 'hgb' or 'logistic', got {t.model!r}", file=src
        )
    if t.calibration not in {"auto", "sigmoid", "isotonic"}:
        raise ConfigError(
            f"[training] calibration must be auto, sigmoid or isotonic, got {t.calibration!r}",
            file=src,
        )
    for key in ("test_fraction", "calibration_fraction"):
        if not 0.05 <= getattr(t, key) <= 0.5:
            raise ConfigError(f"[training] {key} must be between 0.05 and 0.5", file=src)
    tiers = cfg.tiers
    if not 0 < tiers.prospect_odds < tiers.opportunity_odds:
        raise ConfigError("[tiers] need 0 < prospect_odds < opportunity_odds", file=src)
    if tiers.opportunity is not None or tiers.prospect is not None:
        if tiers.opportunity is None or tiers.prospect is None:
            raise ConfigError("[tiers] give both opportunity and prospect, or neither", file=src)
        if not 0 <= tiers.prospect <= tiers.opportunity <= 1:
            raise ConfigError("[tiers] need 0 <= prospect <= opportunity <= 1", file=src)
    if not cfg.contacts.won:
        raise ConfigError("[contacts] won must list at least one value", file=src)
    if t.examples not in {"snapshots", "flat"}:
        raise ConfigError(
            f"[training] examples must be 'snapshots' or 'flat', got {t.examples!r}", file=src
        )
    if t.evaluation not in {"holdout", "cv"}:
        raise ConfigError(
            f"[training] evaluation must be 'holdout' or 'cv', got {t.evaluation!r}", file=src
        )
    if not 2 <= t.cv_folds <= 20:
        raise ConfigError("[training] cv_folds must be between 2 and 20", file=src)
    if any(w <= 0 for w in cfg.features.windows_days):
        raise ConfigError("[features] windows_days must be positive", file=src)
    return cfg


# Default locations (relative to the working folder); they become the CLI's option defaults.
RAW_DIR = Path("data/raw")
PROCESSED_DIR = Path("data/processed")
MODELS_DIR = Path("models")
DEFAULT_MODEL_DIR = MODELS_DIR / "leadscore"
REPORTS_DIR = Path("reports")
