"""The ``monitor`` use case: did an earlier list's scores hold, now that outcomes came in?

Given the list scored as of ``as_of`` (a predictions file ``predict`` wrote, or the model
that scored it, re-scored here from the newer export strictly as of ``as_of``) and a newer
export with outcomes, ``monitor`` joins them by contact id and reports, for the contacts
that closed or whose horizon has passed: conversions per tier against what was expected
(with the interval a calibrated model stays in), a calibration curve, ROC AUC and PR AUC,
the share still open, the input drift since training, and a verdict with its rule
(``model.monitoring.RULE``). It writes ``report.md`` with PNG figures and logs a run in the
``<model name>-monitoring`` experiment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadscore.data.crm import CRM, Table
from leadscore.errors import InputError, LeadscoreError, ModelError
from leadscore.jobs.inputs import ConfigLike, fingerprints, load_export, read_config
from leadscore.jobs.predicting import requested_time
from leadscore.jobs.training import model_names
from leadscore.model.drift import DriftCheck
from leadscore.model.monitoring import Verdict
from leadscore.paths import REPORTS_DIR


@dataclass
class Monitoring:
    """What ``monitor`` found: the figures, the verdict, and where they went."""

    as_of: pd.Timestamp
    horizon_days: int
    export_end: pd.Timestamp
    model: str  # which model scored (or re-scored) the list
    source: str  # the predictions file, or "re-scored"
    counts: dict[str, int]  # listed, converted, not converted, open, left out
    metrics: dict[str, float]  # of the resolved contacts
    trained: dict[str, float] | None  # the model's held-out metrics at training
    tiers: pd.DataFrame  # model.monitoring.tier_checks
    calibration: pd.DataFrame  # model.monitoring.calibration_bins
    drift: DriftCheck | None
    verdict: Verdict
    report: Path | None = None
    run_id: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def open_share(self) -> float:
        """Share of the list whose outcome is not known yet."""
        return self.counts["open"] / max(self.counts["listed"], 1)


def _model(model: Any, name: str, needed: bool, notes: list[str]) -> tuple[Any, str]:
    """The scorer (champion, folder or given) and its label; None when it is not needed and
    none can be found (drift and the training comparison are then skipped)."""
    from leadscore.tracking.resolve import choose_model

    try:
        return choose_model(model, name)
    except ModelError as exc:
        if needed or model is not None:
            raise
        notes.append(f"no model to compare with ({exc}): drift and training figures skipped")
        return None, "none"


def _open_at(crm: CRM, as_of: pd.Timestamp) -> pd.DataFrame:
    """The contacts that existed and were still open at ``as_of``, as the newer export says."""
    c = crm.contacts
    created = c["created_at"] < as_of if "created_at" in c else True
    still_open = c["closed_at"].isna() | (c["closed_at"] >= as_of) if "closed_at" in c else True
    return c[created & still_open]


def _rescore(scorer: Any, crm: CRM, contacts: pd.DataFrame, as_of: pd.Timestamp) -> Any:
    """Score ``contacts`` strictly as of ``as_of`` with the one scoring core (what ``predict``
    said then: activity at or after ``as_of`` is not used, later closes do not matter)."""
    from leadscore.scoring.memory import score_frame

    out, summary = score_frame(scorer, contacts, crm.activities, as_of, include_closed=True)
    return out[out["status"] == "scored"], summary


def _read_list(path: str | Path, notes: list[str]) -> pd.DataFrame:
    """The scored rows of a predictions file (``contact_id``, ``probability``, ``tier``)."""
    from leadscore.data.contract import require_columns
    from leadscore.io.tables import read_table

    frame = read_table(path, text=("contact_id",))
    require_columns(frame, ["contact_id", "probability", "tier"], path)
    keep = frame["probability"].notna()
    if "status" in frame:
        keep &= frame["status"] == "scored"
    if not keep.any():
        raise InputError("no scored row (probability and status 'scored')", file=str(path))
    if (~keep).sum():
        notes.append(f"{int((~keep).sum()):,} rows of {path} were not scored then (see their "
                     "status column), so there is nothing to monitor for them")  # fmt: skip
    rows = frame.loc[keep, ["contact_id", "probability", "tier"]]
    return rows.assign(probability=pd.to_numeric(rows["probability"], errors="raise"))


def _compare(listed: pd.DataFrame, rescored: pd.DataFrame, label: str, notes: list[str]) -> None:
    """Say when the file's probabilities are not what the model gives now."""
    now = rescored.set_index("contact_id")["probability"]
    mine = listed.set_index("contact_id")["probability"]
    both = mine.index.intersection(now.index)
    differ = int((np.abs(mine.loc[both] - now.loc[both]) > 1e-9).sum())
    if differ:
        notes.append(
            f"{differ:,} of {len(both):,} probabilities in the list differ from what {label} "
            "gives as of the same time: another model (or export) made the list; pass the one "
            "that did with --model for a fair drift and training comparison"
        )


def _scored_list(
    predictions: str | Path | None, scorer: Any, label: str, crm: CRM, as_of: pd.Timestamp,
    notes: list[str],
) -> tuple[pd.DataFrame, Any]:  # fmt: skip
    """The list as scored (file or re-scored) and the re-scoring summary (for drift)."""
    listed = None if predictions is None else _read_list(predictions, notes)
    if scorer is None:
        return listed, None
    if listed is None:
        rescored, summary = _rescore(scorer, crm, _open_at(crm, as_of), as_of)
        return rescored[["contact_id", "probability", "tier"]], summary
    ids = set(listed["contact_id"].astype(str))
    contacts = crm.contacts[crm.contacts["contact_id"].astype(str).isin(ids)]
    rescored, summary = _rescore(scorer, crm, contacts, as_of)
    _compare(listed, rescored, label, notes)
    return listed, summary


def monitor(
    contacts: Table,
    activities: Table | None = None,
    config: ConfigLike = None,
    *,
    as_of: str | pd.Timestamp,
    predictions: str | Path | None = None,
    model: Any = None,
    out: str | Path | None = REPORTS_DIR / "monitoring",
    mlflow: bool = True,
    name: str | None = None,
    experiment: str | None = None,
) -> Monitoring:
    """How the scores of a list made as of ``as_of`` held, judged on a newer export.

    Args:
        contacts: the newer export (file or DataFrame) with the outcomes that came in.
        activities: its activity log, optional.
        config: a TOML config file, a ``Config``, or None for the defaults.
        as_of: when the list was scored.
        predictions: the predictions file ``predict`` wrote then; None: re-score the contacts
            open at ``as_of`` with ``model``, strictly as of ``as_of``.
        model: the model that scored the list (folder, MLflow reference or loaded model);
            None: the champion when the tracking store has one, else ``models/leadscore``.
        out: the folder for ``report.md`` and its figures (a subfolder per as-of date);
            None writes no report.
        mlflow: log a run in the ``<name>-monitoring`` experiment.
        name: the registered model (default: the config's ``[tracking] model_name``).
        experiment: the experiment of the training runs (default: the name).
    """
    from leadscore.features.snapshots import latest_time
    from leadscore.model import monitoring as rules
    from leadscore.model.drift import check
    from leadscore.model.metrics import summarize

    when = requested_time(as_of)
    if when is None:
        raise LeadscoreError("--as-of: give the date the list was scored")
    cfg = read_config(config)
    name, experiment = model_names(cfg, name, experiment)
    notes: list[str] = []
    crm = load_export(contacts, activities, cfg, require_outcome=True)
    scorer, label = _model(model, name, predictions is None, notes)
    listed, summary = _scored_list(predictions, scorer, label, crm, when, notes)
    horizon = int(scorer.info.get("horizon_days", 0) if scorer else 0) or cfg.training.horizon_days
    end = latest_time(crm.contacts, crm.activities)
    if end is None or end <= when:
        raise InputError(
            f"the export ends on {end}, not after the as-of time", file=crm.contacts_path
        )
    joined = rules.outcomes(listed, crm.contacts, when, horizon, end)
    resolved = joined[joined["y"].notna()]
    counts = rules.count_states(joined)
    y, p = resolved["y"].to_numpy(dtype=int), resolved["probability"].to_numpy(dtype=float)
    metrics = summarize(y, p) if len(resolved) else {}
    trained = None if scorer is None else scorer.info.get("metrics")
    tiers = rules.tier_checks(resolved)
    open_share = counts[rules.OPEN] / max(len(joined), 1)
    result = Monitoring(
        when, horizon, end, label, str(predictions) if predictions else "re-scored", counts,
        metrics, trained, tiers, rules.calibration_bins(p, y),
        None if summary is None else check(scorer, summary.drift_rows),
        rules.decide(tiers, metrics, trained, open_share), notes=notes + list(crm.notes),
    )  # fmt: skip
    _write(result, out, mlflow, {"contacts": contacts, "activities": activities,
                                 "predictions": predictions}, name)  # fmt: skip
    return result


def _write(result: Monitoring, out: str | Path | None, mlflow: bool,
           inputs: dict[str, Any], name: str) -> None:  # fmt: skip
    """The report (PNG figures + report.md) and the MLflow run."""
    if out is not None:
        from leadscore.io.monitor_report import write_monitor_report

        folder = Path(out) / f"{result.as_of:%Y-%m-%d}"
        result.report = write_monitor_report(result, folder)
    if mlflow:
        from leadscore.tracking.monitoring import log_monitoring

        result.run_id = log_monitoring(result, f"{name}-monitoring", fingerprints(inputs))
