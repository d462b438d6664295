"""The config's typed sections: column roles, outcome values, training settings and tiers.

Without a config file the defaults below apply; they match the CRM data contract in README.
A config file only needs the keys it changes. Each section is a typed pydantic model and every
choice an enum (``ModelKind``, ``Calibration``, ``Examples``, ``Evaluation``), so a value is
checked once, here, when the file is read. Unknown sections or keys are an error that names
them (and the section a misplaced key belongs in), so a typo never silently falls back to a
default. Every problem in the file is reported at once, as clauses of one ``ConfigError`` line.

Removed keys: ``[roles] budget`` and ``[activities] detail`` were never read by any model; a
file that still sets them gets an error asking to delete the line.

Example (every key optional)::

    [contacts]
    id = "contact_id"
    created_at = "created_at"
    outcome = "outcome"
    closed_at = "closed_at"
    won = ["won"]
    lost = ["lost"]
    dayfirst = true      # 05/01/2025 is 5 January (default: decided per column)

    [activities]
    contact_id = "contact_id"
    occurred_at = "occurred_at"
    activity_type = "activity_type"

    [features]
    ignore = ["notes"]
    personal = ["nickname"]  # never a feature (most personal data is recognised anyway)
    missing_values = ["", "N/A", "Select"]
    decimal = ","        # numbers written 1.234,56 (default: decided per column)

    [roles]              # optional meaning of attribute columns, for derived features
    company_size = "employees"
    job_title = "job_title"

    [training]
    horizon_days = 90

    [tiers]
    opportunity_odds = 4.0

    [tracking]           # the registered model (and experiment) of this data set or team
    model_name = "leadscore"

    [predict]
    keep = ["first_name", "email"]  # passed through to predict's output, never features
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

from leadscore.choices import Calibration, Evaluation, Examples, MissingCloseDate, ModelKind

# Placeholders that mean "no value" in any export. "None" and "Unknown" are not among them:
# in real exports they are often answers (a competitor type of "None" converted at 31.7 %,
# "Unknown" at 21.8 %), and merging them into "missing" would merge real categories.
DEFAULT_MISSING_VALUES = ("", "N/A", "n/a", "NA", "na", "null", "NULL", "-", "?")
ISO_DATE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$"


# Numbers and switches take exactly the TOML type: "90" (text) or true is not a number.
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict(), AllowInfNan(False)]
Bool = Annotated[bool, Strict()]
Fraction = Annotated[float, Strict(), AllowInfNan(False), Field(ge=0.05, le=0.5)]
Days = Annotated[int, Strict(), Field(gt=0)]


class _Section(BaseModel):
    """A config section: unknown keys are an error; values stay assignable after loading."""

    model_config = ConfigDict(extra="forbid")


class ContactsConfig(_Section):
    """Where the contacts table keeps its id, dates and outcome."""

    id: str = "contact_id"
    created_at: str | None = "created_at"
    outcome: str = "outcome"
    closed_at: str | None = "closed_at"
    won: list[str] = Field(default_factory=lambda: ["won"])
    lost: list[str] = Field(default_factory=lambda: ["lost"])
    open: list[str] = Field(default_factory=list)
    # Column that orders rows in time when there are no dates ("@row": the file's row order);
    # it drives the time-ordered split and is never a feature. See docs/column-roles.md.
    order_by: str | None = None
    # How its date columns are written, when their values cannot tell (docs/column-roles.md).
    date_format: str | None = None
    dayfirst: Bool | None = None
    sheet: str | None = None  # the Excel sheet to read (default: the first)
    # The moment the export was taken (ISO 8601); default: its latest date.
    exported_at: str | None = None
    missing_close_date: MissingCloseDate = MissingCloseDate.REFUSE

    @field_validator("won", "lost", "open", mode="before")
    @classmethod
    def _values_as_text(cls, value: Any) -> Any:
        """Outcome values are compared as text, so ``won = [1]`` means the cell ``1``."""
        if isinstance(value, list):
            return [str(v) if isinstance(v, int | float) else v for v in value]
        return value

    @field_validator("exported_at")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(ISO_DATE, value.strip()):
            raise ValueError(f"must be an ISO 8601 date such as 2026-07-01, got {value!r}")
        return value

    @field_validator("won")
    @classmethod
    def _won_not_empty(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("must list at least one value")
        return value


class JoinConfig(_Section):
    """One table joined onto the main table before features are built (``[[joins]]``).

    ``file`` is read relative to the main data file's folder unless absolute; each main row
    takes the columns of the row whose ``key`` equals its ``on`` value (many-to-one). ``key``
    defaults to ``on``.
    """

    file: str = ""
    on: str = ""
    key: str = ""
    prefix: str = ""
    columns: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _file_on_and_key(self) -> JoinConfig:
        if not self.file or not self.on:
            raise ValueError("needs both file and on")
        self.key = self.key or self.on
        return self


class ActivitiesConfig(_Section):
    """Column names of the optional activity log."""

    contact_id: str = "contact_id"
    occurred_at: str = "occurred_at"
    activity_type: str = "activity_type"
    date_format: str | None = None
    dayfirst: Bool | None = None
    sheet: str | None = None


class WonDealsConfig(_Section):
    """Outcomes kept in a table of won deals (``[won_deals]``), as some funnels export them.

    A contact is won when its id appears in ``file`` (column ``id``, default the contacts'
    id column), closed at that row's ``won_at`` date; it is lost when it does not appear and
    its own outcome says lost, or it is older than ``lost_after_days`` at the export's end
    (closed then at created + ``lost_after_days``); otherwise it is open. Only the id and
    ``won_at`` are read from the table: its other columns are known only once a deal is won.
    """

    file: str
    id: str | None = None
    won_at: str | None = None
    lost_after_days: Days | None = None
    sheet: str | None = None


class PredictConfig(_Section):
    """Settings of ``predict``: ``keep`` names columns passed through to the output as
    written (a name, an e-mail, a company, a reference for a file without a usable id);
    they are read as text, never converted and never features."""

    keep: list[str] = Field(default_factory=list)


class RolesConfig(_Section):
    """Optional meaning of attribute columns; each enables derived features.

    Columns without a role are still used, typed from their values: numbers as numbers, few
    distinct strings as categories, job-title-like free text parsed for seniority.
    """

    company_size: str | None = "employees"
    revenue: str | None = "annual_revenue"
    job_title: str | None = "job_title"


class FeaturesConfig(_Section):
    """Which columns become features and how values are normalised."""

    ignore: list[str] = Field(default_factory=list)
    # personal data (names, e-mails, phones, addresses, companies): never features; most are
    # recognised from their values (features/personal.py), these are declared
    personal: list[str] = Field(default_factory=list)
    categorical: list[str] = Field(default_factory=list)
    numeric: list[str] = Field(default_factory=list)
    missing_values: list[str] = Field(default_factory=lambda: list(DEFAULT_MISSING_VALUES))
    windows_days: list[Days] = Field(default_factory=lambda: [7, 30, 90])
    max_categories: Int = Field(30, ge=1)
    min_category_count: Int = Field(20, ge=1)
    keep: list[str] = Field(default_factory=list)  # columns the leakage guard must not exclude
    leakage_guard: Bool = True
    decimal: str | None = None  # the decimal mark of numbers written as text: "," or "."

    @field_validator("decimal")
    @classmethod
    def _mark(cls, value: str | None) -> str | None:
        if value is not None and value not in (",", "."):
            raise ValueError(f'must be "," or ".", got {value!r}')
        return value


class TrainingConfig(_Section):
    """How training examples are built, split and fitted."""

    horizon_days: Days = 90
    snapshot_every_days: Days = 30
    model: ModelKind = ModelKind.AUTO
    calibration: Calibration = Calibration.AUTO
    test_fraction: Fraction = 0.2
    calibration_fraction: Fraction = 0.2
    seed: Int = Field(42, ge=0)
    max_rows: Int = Field(1_000_000, ge=1)
    examples: Examples = Examples.SNAPSHOTS
    evaluation: Evaluation = Evaluation.HOLDOUT
    cv_folds: Int = Field(5, ge=2, le=20)
    refit: Bool = True  # ship a model refit on every labelled example (docs/trust.md)


class TiersConfig(_Section):
    """Tier thresholds.

    By default they are derived at training time from the conversion rate ``b`` of the rows
    the model learned from (never the test rows): a prospect has at least ``prospect_odds`` times the average odds of
    converting, an opportunity at least ``opportunity_odds`` times. Explicit probabilities
    (``opportunity``, ``prospect``) win.
    """

    prospect_odds: Float = 1.0
    opportunity_odds: Float = 4.0
    opportunity: Float | None = None
    prospect: Float | None = None

    @model_validator(mode="after")
    def _ordered(self) -> TiersConfig:
        if not 0 < self.prospect_odds < self.opportunity_odds:
            raise ValueError(
                f"need 0 < prospect_odds < opportunity_odds, got {self.prospect_odds:g} "
                f"and {self.opportunity_odds:g}"
            )
        if (self.opportunity is None) != (self.prospect is None):
            raise ValueError("give both opportunity and prospect, or neither")
        low, high = self.prospect, self.opportunity
        if low is not None and high is not None and not 0 <= low <= high <= 1:
            raise ValueError(f"need 0 <= prospect <= opportunity <= 1, got {low:g} and {high:g}")
        return self


class ScorecardConfig(_Section):
    """A points scorecard (see docs/scorecard.md): score thresholds in points and the rules.

    Each entry of ``rules`` is a ``[[scorecard.rules]]`` table; ``leadscore.scorecard`` parses
    and checks them (and the thresholds' order) against the data.
    """

    prospect: Float = 40.0
    opportunity: Float = 70.0
    rules: list[dict[str, Any]] = Field(default_factory=list)


class TrackingConfig(_Section):
    """Where this export's runs and models go in the MLflow store.

    ``model_name`` is the registered model (and the experiment) of this data set or team, so
    several of them can share one store without mixing their runs or champions.
    """

    model_name: str = "leadscore"

    @field_validator("model_name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}", value):
            raise ValueError(
                "must be 1-100 letters, digits, '_', '.' or '-' (it becomes models:/NAME@champion)"
                f", got {value!r}"
            )
        return value


class Config(BaseModel):
    """The whole config; ``source`` is the file it was read from (``None``: defaults)."""

    model_config = ConfigDict(extra="forbid")

    contacts: ContactsConfig = Field(default_factory=lambda: ContactsConfig())
    activities: ActivitiesConfig = Field(default_factory=lambda: ActivitiesConfig())
    roles: RolesConfig = Field(default_factory=lambda: RolesConfig())
    features: FeaturesConfig = Field(default_factory=lambda: FeaturesConfig())
    training: TrainingConfig = Field(default_factory=lambda: TrainingConfig())
    tiers: TiersConfig = Field(default_factory=lambda: TiersConfig())
    tracking: TrackingConfig = Field(default_factory=lambda: TrackingConfig())
    scorecard: ScorecardConfig | None = None  # only when the file has a [scorecard] section
    joins: list[JoinConfig] = Field(default_factory=list)
    won_deals: WonDealsConfig | None = None  # only when the file has a [won_deals] section
    predict: PredictConfig = Field(default_factory=lambda: PredictConfig())
    source: str | None = Field(default=None, exclude=True)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of every setting, enums as their text (for logging as run parameters)."""
        return self.model_dump(mode="json")
