"""The ``evaluate`` use case: a saved model measured on a labelled export."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leadscore.data.crm import Table
from leadscore.jobs.inputs import ConfigLike, load_export, read_config
from leadscore.threads import with_threads


@dataclass
class Evaluation:
    """A model's metrics and tier table (expected vs actual) on a labelled export.

    ``rows`` says which rows were scored (for a snapshot model, the most recent complete
    window, labelled with the model's horizon, as training measured it); ``overlap`` counts
    the rows whose label window began before the last outcome the model learned from
    (``outcomes_until``), with ``fresh_metrics`` on the others, and ``trained`` holds the
    held-out metrics recorded at training, for comparison.
    """

    metrics: dict[str, float]
    tiers: pd.DataFrame
    thresholds: dict[str, float]
    source: str
    model: str
    notes: list[str] = field(default_factory=list)
    rows: str = ""
    overlap: dict[str, Any] | None = None
    trained: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain values for ``--json``."""
        return {
            "file": self.source,
            "model": self.model,
            "rows": self.rows,
            "metrics": self.metrics,
            "tiers": self.tiers.to_dict(orient="records"),
            "thresholds": self.thresholds,
            "overlap": self.overlap,
            "trained_metrics": self.trained,
        }


@with_threads
def evaluate(
    data: Table,
    activities: Table | None = None,
    config: ConfigLike = None,
    *,
    model: Any = None,
) -> Evaluation:
    """Score a labelled export with a saved model, as training measured it: ranking,
    calibration, lift and tiers.

    Args:
        data: the labelled export (file or DataFrame).
        activities: its activity log, optional.
        config: a TOML config file, a ``Config``, or None for the defaults.
        model: a model folder, an MLflow reference (``models:/leadscore@champion``,
            ``models:/leadscore/3``, ``runs:/RUN_ID/model``, a run id) or a loaded model;
            None: the champion when the tracking store has one, else ``models/leadscore``
            (``model`` says which).
    """
    from leadscore.model.evaluate import evaluate_labelled
    from leadscore.model.spec import TrainSpec
    from leadscore.tracking.resolve import choose_model

    cfg = read_config(config)
    scorer, name = choose_model(model, cfg.tracking.model_name)
    crm = load_export(data, activities, cfg, require_outcome=True)
    spec = TrainSpec.from_config(cfg)
    report = evaluate_labelled(scorer, crm.contacts, crm.activities, spec, crm.contacts_path)
    return Evaluation(
        metrics=report["metrics"],
        tiers=pd.DataFrame(report["tiers"]),
        thresholds=report["thresholds"],
        source=crm.contacts_path,
        model=name,
        notes=list(crm.notes),
        rows=report["rows"],
        overlap=report["overlap"],
        trained=report["trained"],
    )
