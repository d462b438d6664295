"""Retraining and promotion against the registry's champion (the jobs behind the CLI).

``retrain`` trains a challenger on an updated export, evaluates it and the current champion
on the challenger's held-out window (the most recent closed snapshots, which neither model
learned from), logs both evaluations in the challenger's MLflow run (``challenger_*`` and
``champion_*`` metrics) and promotes it when ``promotion.decide`` says so.

``promote`` gives the champion alias to a registered version by the same rule: on an export
given to it (both models evaluated on that export's window), or on the comparison its own
retrain run logged against the version that is still champion.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadscore.config import Config
from leadscore.data.crm import CRM
from leadscore.io.store import save_model
from leadscore.model.promotion import (
    RULE,
    Decision,
    decide,
    evaluate_scorer,
    evaluation_window,
    overlap_note,
)
from leadscore.model.train import train
from leadscore.tracking import runs as tracking


@dataclass
class RetrainOutcome:
    """What a retrain did."""

    result: Any  # TrainResult of the challenger
    logged: tracking.LoggedRun
    champion_version: str | None
    challenger_metrics: dict[str, float]
    champion_metrics: dict[str, float] | None
    decision: Decision
    promoted: bool
    note: str | None


def _prefixed(metrics: dict[str, float], prefix: str) -> dict[str, float]:
    return {f"{prefix}{k}": v for k, v in metrics.items()}


def retrain(
    crm: CRM,
    cfg: Config,
    model_dir: str | Path,
    *,
    inputs: dict[str, str | Path] | None = None,
    experiment: str = tracking.DEFAULT_EXPERIMENT,
    name: str = tracking.DEFAULT_MODEL_NAME,
) -> RetrainOutcome:
    """Train a challenger, compare it with the champion on the same rows, promote or not."""
    result = train(crm, cfg)
    save_model(result.scorer, model_dir)
    window = result.holdout[["contact_id", "as_of", "y"]]
    challenger = dict(result.metrics)
    champ_mv = tracking.champion_version(name)
    champion, note = None, None
    tags = {"leadscore.kind": "retrain", "leadscore.rule": RULE}
    if champ_mv is None:
        decision = Decision(True, "no champion yet: the first model becomes champion")
    else:
        scorer = tracking.resolve_model(f"models:/{name}/{champ_mv.version}")
        champion = evaluate_scorer(scorer, crm, window)
        note = overlap_note(scorer, window)
        decision = decide(challenger, champion)
        tags["leadscore.compared_with_version"] = str(champ_mv.version)
    tags["leadscore.decision"] = decision.reason[:5000]
    extra = _prefixed(challenger, "challenger_")
    if champion is not None:
        extra.update(_prefixed(champion, "champion_"))
    params = {"config": cfg.to_dict(), "chosen": {"calibration": result.calibration}}
    logged = tracking.log_training(
        result,
        params,
        model_dir,
        experiment=experiment,
        inputs=inputs,
        register=name,
        extra_metrics=extra,
        tags=tags,
    )
    promoted = False
    if decision.promote:
        tracking.set_champion(name, logged.version, decision.reason)
        promoted = True
    else:
        tracking.record_refusal(name, logged.version, decision.reason)
    return RetrainOutcome(
        result=result,
        logged=logged,
        champion_version=None if champ_mv is None else str(champ_mv.version),
        challenger_metrics=challenger,
        champion_metrics=champion,
        decision=decision,
        promoted=promoted,
        note=note,
    )


def promote(
    version: str | int,
    *,
    name: str = tracking.DEFAULT_MODEL_NAME,
    crm: CRM | None = None,
    cfg: Config | None = None,
    force: bool = False,
) -> tuple[Decision, bool]:
    """Give ``version`` the champion alias if it wins by the rule (or ``force``).

    Returns the decision and whether the alias was set. Without an export, the comparison
    logged by the version's retrain run is used, but only if it was made against the version
    that is champion now; otherwise both models need to be evaluated on an export.
    """
    version = str(version)
    tracking.model_version(name, version)  # a clear error when it does not exist
    champ = tracking.champion_version(name)
    if champ is None:
        decision = Decision(True, "no champion yet: this version becomes champion")
    elif str(champ.version) == version:
        return Decision(False, f"version {version} is already the champion"), False
    elif crm is not None and cfg is not None:
        window = evaluation_window(crm, cfg)
        challenger = evaluate_scorer(
            tracking.resolve_model(f"models:/{name}/{version}"), crm, window
        )
        champion = evaluate_scorer(
            tracking.resolve_model(f"models:/{name}/{champ.version}"), crm, window
        )
        decision = decide(challenger, champion)
        decision = Decision(
            decision.promote,
            f"{decision.reason}, on {len(window):,} rows of {crm.contacts_path} "
            f"(champion: version {champ.version})",
        )
    else:
        metrics, tags = tracking.version_metrics(name, version)
        if tags.get("leadscore.compared_with_version") != str(champ.version):
            decision = Decision(
                False,
                f"version {version} was never evaluated against the champion (version "
                f"{champ.version}) on the same data: pass the export (CONTACTS, --activities) "
                "to evaluate both on its most recent closed window",
            )
        else:
            strip = {"challenger_": {}, "champion_": {}}
            for key, value in metrics.items():
                for prefix, into in strip.items():
                    if key.startswith(prefix):
                        into[key[len(prefix) :]] = value
            decision = decide(strip["challenger_"], strip["champion_"])
            decision = Decision(
                decision.promote,
                f"{decision.reason}, as logged by its retrain run against version {champ.version}",
            )
    if decision.promote or force:
        reason = decision.reason if decision.promote else f"forced: {decision.reason}"
        tracking.set_champion(name, version, reason, forced=not decision.promote)
        return decision, True
    tracking.record_refusal(name, version, decision.reason)
    return decision, False
