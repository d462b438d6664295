"""What training needs to know, as one small typed object built from the config's sections.

The core (features, model, calibration, tiers, scorecard) takes DataFrames and a
``TrainSpec``: never the loaded export (``data.crm.CRM``) nor the whole file config, so it
can be called from the API, a notebook or a test with frames made anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from leadscore.config import Config, FeaturesConfig, RolesConfig, TiersConfig, TrainingConfig

if TYPE_CHECKING:
    from leadscore.scorecard.rules import Scorecard


@dataclass
class TrainSpec:
    """Training settings, feature settings, column roles, tier rules and an optional
    scorecard (validated against the data) to report beside the learned model."""

    training: TrainingConfig
    features: FeaturesConfig
    roles: RolesConfig
    tiers: TiersConfig
    order_by: str | None = None  # [contacts] order_by: the column that orders flat rows
    created_name: str | None = None  # the export's name of the created date, for messages
    outcome_name: str | None = None  # the export's outcome column: never a feature
    scorecard: Scorecard | None = None

    @classmethod
    def from_config(cls, cfg: Config, scorecard: Scorecard | None = None) -> TrainSpec:
        """The spec of a loaded config (and a scorecard already validated on the data)."""
        return cls(
            training=cfg.training,
            features=cfg.features,
            roles=cfg.roles,
            tiers=cfg.tiers,
            order_by=cfg.contacts.order_by,
            created_name=cfg.contacts.created_at,
            outcome_name=cfg.contacts.outcome,
            scorecard=scorecard,
        )
