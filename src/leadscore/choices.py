"""Every choice a setting or an option offers, as an enum (text values, so ``== "hgb"`` works).

A module of its own, with no heavy imports, so the command line can use them as option types
and ``leadscore --help`` stays instant.
"""

from enum import StrEnum


class ModelKind(StrEnum):
    """The classifier ``train`` ships; ``auto`` chooses it on validation rows (the default)."""

    AUTO = "auto"
    HGB = "hgb"
    LOGISTIC = "logistic"
    BLEND = "blend"


class Calibration(StrEnum):
    """How probabilities are calibrated; ``auto`` chooses from the calibration rows."""

    AUTO = "auto"
    SIGMOID = "sigmoid"
    ISOTONIC = "isotonic"


class Examples(StrEnum):
    """``snapshots``: contacts + activity log at points in time; ``flat``: one row, one example."""

    SNAPSHOTS = "snapshots"
    FLAT = "flat"


class Evaluation(StrEnum):
    """``holdout``: one time-ordered (or stratified) test; ``cv``: also k-fold, forward-chaining
    in time (or order) and grouped by contact, stratified only when rows carry no time."""

    HOLDOUT = "holdout"
    CV = "cv"


class Engine(StrEnum):
    """Where ``predict`` scores rows (a command option, not a config key)."""

    AUTO = "auto"
    MEMORY = "memory"
    STREAM = "stream"
    SPARK = "spark"


class TableFormat(StrEnum):
    """The file format ``sample-data`` writes."""

    CSV = "csv"
    PARQUET = "parquet"


class MissingCloseDate(StrEnum):
    """What a won or lost contact without a close date becomes (``[contacts]
    missing_close_date``): an error (``refuse``), closed at the export's end, or left out."""

    REFUSE = "refuse"
    EXPORT_END = "export_end"
    DROP = "drop"
