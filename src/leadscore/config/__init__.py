"""The TOML config: typed sections (``models``) and the file reader (``loading``).

Without a config file the defaults apply; they match the CRM data contract in README. A
config file only needs the keys it changes; see ``models`` for every key.
"""

from leadscore.choices import Calibration, Engine, Evaluation, Examples, ModelKind
from leadscore.config.loading import load_config
from leadscore.config.models import (
    DEFAULT_MISSING_VALUES,
    ActivitiesConfig,
    Config,
    ContactsConfig,
    FeaturesConfig,
    JoinConfig,
    PredictConfig,
    RolesConfig,
    ScorecardConfig,
    TiersConfig,
    TrackingConfig,
    TrainingConfig,
    WonDealsConfig,
)

__all__ = [
    "DEFAULT_MISSING_VALUES",
    "ActivitiesConfig",
    "Calibration",
    "Config",
    "ContactsConfig",
    "Engine",
    "Evaluation",
    "Examples",
    "FeaturesConfig",
    "JoinConfig",
    "ModelKind",
    "PredictConfig",
    "RolesConfig",
    "ScorecardConfig",
    "TiersConfig",
    "TrackingConfig",
    "TrainingConfig",
    "WonDealsConfig",
    "load_config",
]
