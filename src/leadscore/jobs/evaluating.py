"""The ``evaluate`` use case: a saved model measured on a labelled export."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from leadscore.data.crm import Table
from leadscore.jobs.inputs import ConfigLike, load_export, read_config


@dataclass
class Evaluation:
    """A model's metrics and tier table (expected vs actual) on a labelled export."""

    metrics: dict[str, float]
    tiers: pd.DataFrame
    thresholds: dict[str, float]
    source: str
    model: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for ``--json``."""
        return {
            "file": self.source,
            "model": self.model,
            "metrics": self.metrics,
            "tiers": self.tiers.to_dict(orient="records"),
            "thresholds": self.thresholds,
        }


def evaluate(
    data: Table,
    activities: Table | None = None,
    config: ConfigLike = None,
    *,
    model: Any = None,
) -> Evaluation:
    """Score a labelled export with a saved model: ranking, calibration, lift and tiers.

    Args:
        data: the labelled export (file or DataFrame).
        activities: its activity log, optional.
        config: a TOML config file, a ``Config``, or None for the defaults.
        model: a model folder, an MLflow reference or a loaded model; None: the champion
            when the tracking store has one, else ``models/leadscore`` (``model`` says which).
    """
    from leadscore.model.evaluate import evaluate_labelled
    from leadscore.tracking.resolve import choose_model

    cfg = read_config(config)
    scorer, name = choose_model(model, cfg.tracking.model_name)
    crm = load_export(data, activities, cfg, require_outcome=True)
    report = evaluate_labelled(scorer, crm.contacts, crm.activities, crm.contacts_path)
    return Evaluation(
        metrics=report["metrics"],
        tiers=pd.DataFrame(report["tiers"]),
        thresholds=report["thresholds"],
        source=crm.contacts_path,
        model=name,
        notes=list(crm.notes),
    )
