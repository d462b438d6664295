"""Monitoring runs in MLflow: one run per monitored list, in ``<model name>-monitoring``.

A run holds the as-of date, horizon, model and input fingerprints (parameters), the verdict
and its rule (tags), the counts, the metrics of the resolved contacts, expected and actual
conversions per tier with their distance in standard deviations, the largest PSI (metrics),
and the report folder (artifacts). Kept apart from the training experiment so ``leadscore
runs`` compares trainings only.
"""

from __future__ import annotations

import re
from typing import Any

import mlflow
import numpy as np

from leadscore import __version__
from leadscore.tracking.store import setup


def _key(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z_.\-/ ]", "_", text).replace(" ", "_")


def monitoring_metrics(result: Any) -> dict[str, float]:
    """The run's metrics: counts, resolved-contact metrics, per-tier figures, PSI max."""
    out = {f"count.{_key(k)}": float(v) for k, v in result.counts.items()}
    out["open_share"] = float(result.open_share)
    out.update({k: float(v) for k, v in result.metrics.items()})
    for row in result.tiers.itertuples():
        tier = _key(str(row.tier))
        for col in ("contacts", "expected_conversions", "actual_conversions", "z"):
            out[f"{tier}.{col}"] = float(getattr(row, col))
    drift = result.drift
    if drift is not None and drift.table:
        out["psi_max"] = max(drift.table.values())
        out["features_shifted"] = float(len(drift.shifted))
    return {k: v for k, v in out.items() if np.isfinite(v)}


def log_monitoring(result: Any, experiment: str, inputs: dict[str, dict[str, str]]) -> str:
    """Log one monitored list as a run; return its id."""
    setup(experiment)
    with mlflow.start_run(run_name=f"monitor-{result.as_of:%Y-%m-%d}") as run:
        mlflow.set_tags(
            {
                "leadscore.kind": "monitor",
                "leadscore.version": __version__,
                "leadscore.verdict": result.verdict.action,
                "leadscore.verdict_reasons": "; ".join(result.verdict.reasons)[:5000],
                "leadscore.rule": result.verdict.rule[:5000],
            }
        )
        params: dict[str, Any] = {
            "as_of": f"{result.as_of:%Y-%m-%d %H:%M:%S}",
            "horizon_days": result.horizon_days,
            "export_end": f"{result.export_end:%Y-%m-%d %H:%M:%S}",
            "model": result.model[:500],
            "list": result.source[:500],
        }
        for role, found in inputs.items():
            params[f"data.{role}_file"] = found["file"]
            params[f"data.{role}_sha256"] = found["sha256"]
        mlflow.log_params(params)
        mlflow.log_metrics(monitoring_metrics(result))
        if result.report is not None:
            mlflow.log_artifacts(str(result.report.parent), artifact_path="report")
        return str(run.info.run_id)
