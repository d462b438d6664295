"""The training runs of an experiment, read back for ``leadscore runs``: one typed row each.

Each row says which export the run learned from (file name and the start of its SHA-256),
the calibration method actually chosen (never ``auto``), the registered version and whether
it is the champion, the held-out metrics, and which *rows* those metrics were measured on:
runs whose held-out rows have the same fingerprint (``eval.rows_sha256``) share a letter in
``eval_rows`` (A, B, ...), and only runs sharing a letter can be compared metric by metric.
Numbers are numbers (``int`` counts, ``float`` metrics), so ``--json`` needs no parsing.
"""

from __future__ import annotations

import string
from typing import Any

import pandas as pd

from leadscore.tracking.registry import champion_version
from leadscore.tracking.store import _client

RUN_COLUMNS = ("roc_auc", "pr_auc", "log_loss", "brier", "ece", "lift_top10")


def _int(value: Any) -> int | None:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def chosen_calibration(params: dict[str, str]) -> str:
    """The method the run used (``sigmoid: 1,116 rows ...`` → ``sigmoid``)."""
    chosen = params.get("calibration.chosen", "")
    return chosen.split(":", 1)[0].strip() or params.get("config.training.calibration", "")


def export_of(params: dict[str, str]) -> dict[str, Any]:
    """The export a run learned from: contacts file name and SHA-256 (activities too)."""
    return {
        "contacts_file": params.get("data.contacts_file"),
        "contacts_sha256": params.get("data.contacts_sha256"),
        "activities_file": params.get("data.activities_file"),
        "activities_sha256": params.get("data.activities_sha256"),
    }


def _versions(name: str) -> dict[str, int]:
    """Registered version per run id of the model ``name`` (empty when there is none)."""
    from mlflow.exceptions import MlflowException

    try:
        found = _client().search_model_versions(f"name='{name}'")
    except MlflowException:
        return {}
    return {mv.run_id: int(mv.version) for mv in found}


def _row(run: Any, version: int | None, champion: int | None) -> dict[str, Any]:
    m, p, t = run.data.metrics, run.data.params, run.data.tags
    return {
        "run_id": run.info.run_id,
        "run_name": run.info.run_name,
        "start_time": pd.Timestamp(run.info.start_time, unit="ms").strftime("%Y-%m-%d %H:%M:%S"),
        "kind": t.get("leadscore.kind", "train"),
        "model": t.get("leadscore.model", ""),
        "calibration": chosen_calibration(p),
        "horizon_days": _int(p.get("config.training.horizon_days")),
        "examples": _int(p.get("data.rows")),
        **export_of(p),
        "eval_rows_count": _int(p.get("eval.rows")),
        "eval_rows_sha256": p.get("eval.rows_sha256"),
        "eval_rows": None,
        "version": version,
        "champion": version is not None and version == champion,
        **{k: (None if m.get(k) is None else float(m[k])) for k in RUN_COLUMNS},
    }


def mark_same_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give runs measured on the same held-out rows the same letter (A first, newest first);
    runs that did not record their rows get None."""
    letters: dict[str, str] = {}
    for row in rows:
        key = row["eval_rows_sha256"]
        if key is None:
            continue
        if key not in letters:
            n = len(letters)
            letters[key] = string.ascii_uppercase[n % 26] + (str(n // 26) if n >= 26 else "")
        row["eval_rows"] = letters[key]
    return rows


def list_runs(experiment: str, name: str) -> list[dict[str, Any]]:
    """Runs of ``experiment`` that belong to the registered model ``name``, newest first.

    A run belongs to ``name`` when its ``leadscore.model_name`` tag says so; runs logged
    before that tag existed are kept.
    """
    client = _client()
    exp = client.get_experiment_by_name(experiment)
    if exp is None:
        return []
    runs = client.search_runs([exp.experiment_id], order_by=["attributes.start_time DESC"])
    versions = _versions(name)
    champ = champion_version(name) if versions else None
    champion = None if champ is None else int(champ.version)
    rows = [
        _row(run, versions.get(run.info.run_id), champion)
        for run in runs
        if run.data.tags.get("leadscore.model_name", name) == name
    ]
    return mark_same_rows(rows)
