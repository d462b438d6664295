"""Retraining, promotion and run listing against the registry's champion.

``retrain`` trains a challenger on an updated export, evaluates it and the current champion
on the challenger's held-out window (the most recent closed snapshots, which neither model
learned from), logs both evaluations in the challenger's MLflow run (``challenger_*`` and
``champion_*`` metrics) and promotes it when ``model.promotion.decide`` says so.

``promote`` gives the champion alias to a registered version by the same rule: on an export
given to it (both models evaluated on that export's window), or on the comparison its own
retrain run logged against the version that is still champion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from leadscore.data.crm import Table
from leadscore.jobs.inputs import ConfigLike, fingerprints, load_export, read_config
from leadscore.jobs.training import fit, model_names
from leadscore.model.metrics import summarize
from leadscore.model.promotion import (
    RULE,
    Decision,
    decide,
    evaluate_scorer,
    evaluation_window,
    overlap_note,
    unseen_window,
)
from leadscore.model.spec import TrainSpec
from leadscore.paths import MODELS_DIR
from leadscore.threads import with_threads


@dataclass
class RetrainOutcome:
    """What a retrain did."""

    result: Any  # model.train.TrainResult of the challenger
    run: Any  # tracking.runs.LoggedRun
    champion_version: str | None
    challenger_metrics: dict[str, float]
    champion_metrics: dict[str, float] | None
    decision: Decision
    promoted: bool
    model_dir: Path
    note: str | None = None
    notes: list[str] = field(default_factory=list)
    rule: str = RULE
    name: str = ""


@dataclass
class Promotion:
    """The outcome of ``promote``."""

    version: str
    decision: Decision
    promoted: bool
    rule: str = RULE
    already: bool = False  # the version was the champion already: nothing to do
    name: str = ""


def _prefixed(metrics: dict[str, float], prefix: str) -> dict[str, float]:
    return {f"{prefix}{k}": v for k, v in metrics.items()}


@with_threads
def retrain(
    contacts: Table,
    activities: Table | None = None,
    config: ConfigLike = None,
    *,
    model_dir: str | Path = MODELS_DIR / "challenger",
    experiment: str | None = None,
    name: str | None = None,
) -> RetrainOutcome:
    """Train a challenger on an updated export; promote it only if it beats the champion
    on the same most recent closed window (both evaluations logged in its MLflow run).

    ``name`` defaults to the config's ``[tracking] model_name``, ``experiment`` to the name.
    Once promoted, the new champion is what ``predict``, ``evaluate`` and ``monitor`` use
    when no model is named; nothing else needs changing."""
    from leadscore.io.store import save_model
    from leadscore.tracking import registry
    from leadscore.tracking.runs import log_training

    cfg = read_config(config)
    name, experiment = model_names(cfg, name, experiment)
    crm = load_export(contacts, activities, cfg, require_outcome=True)
    result = fit(crm, cfg)
    inputs = {"contacts": contacts, "activities": activities, "config": config}
    save_model(result.scorer, model_dir, extra={"data_fingerprint": fingerprints(inputs)})
    window = result.holdout[["contact_id", "as_of", "y", "probability"]]
    challenger = dict(result.metrics)
    champ_mv = registry.champion_version(name)
    champion, note = None, None
    tags = {"leadscore.kind": "retrain", "leadscore.rule": RULE}
    if champ_mv is None:
        decision = Decision(True, "no champion yet: the first model becomes champion")
    else:
        scorer = registry.resolve_model(f"models:/{name}/{champ_mv.version}")
        window, _ = unseen_window(window, scorer)  # rows the (refit) champion never learned
        challenger = summarize(window["y"].to_numpy(), window["probability"].to_numpy())
        champion = evaluate_scorer(scorer, crm.contacts, crm.activities, window)
        note = overlap_note(scorer, window)
        decision = decide(challenger, champion)
        tags["leadscore.compared_with_version"] = str(champ_mv.version)
    tags["leadscore.decision"] = decision.reason[:5000]
    extra = _prefixed(challenger, "challenger_")
    if champion is not None:
        extra.update(_prefixed(champion, "champion_"))
    params = {"config": cfg.to_dict(), "chosen": {"calibration": result.calibration}}
    files = {k: v for k, v in inputs.items() if isinstance(v, str | Path)}
    run = log_training(
        result, params, model_dir, experiment=experiment, inputs=files, register=name,
        extra_metrics=extra, tags=tags,
    )  # fmt: skip
    if decision.promote:
        registry.set_champion(name, str(run.version), decision.reason)
    else:
        registry.record_refusal(name, str(run.version), decision.reason)
    return RetrainOutcome(
        result, run, None if champ_mv is None else str(champ_mv.version), challenger, champion,
        decision, decision.promote, Path(model_dir), note, list(crm.notes), name=name,
    )  # fmt: skip


def _logged_decision(name: str, version: str, champion: str) -> Decision:
    """The decision a version's own retrain run logged against ``champion``, if it did."""
    from leadscore.tracking import registry

    metrics, tags = registry.version_metrics(name, version)
    if tags.get("leadscore.compared_with_version") != champion:
        return Decision(
            False,
            f"version {version} was never evaluated against the champion (version "
            f"{champion}) on the same data: pass the export (CONTACTS, --activities) "
            "to evaluate both on its most recent closed window",
        )
    strip: dict[str, dict[str, float]] = {"challenger_": {}, "champion_": {}}
    for key, value in metrics.items():
        for prefix, into in strip.items():
            if key.startswith(prefix):
                into[key[len(prefix) :]] = value
    decision = decide(strip["challenger_"], strip["champion_"])
    return Decision(
        decision.promote,
        f"{decision.reason}, as logged by its retrain run against version {champion}",
    )


def promote(
    version: str | int,
    contacts: Table | None = None,
    activities: Table | None = None,
    config: ConfigLike = None,
    *,
    name: str | None = None,
    force: bool = False,
) -> Promotion:
    """Give ``version`` the champion alias if it wins by the rule (or ``force``).

    With an export, both models are evaluated on its most recent closed window; without
    one, the comparison logged by the version's retrain run is used, but only if it was made
    against the version that is champion now. Promoting the champion itself does nothing
    (``already``).
    """
    from leadscore.tracking import registry

    version = str(version)
    cfg = read_config(config)
    name, _ = model_names(cfg, name, None)
    registry.model_version(name, version)  # a clear error when it does not exist
    champ = registry.champion_version(name)
    if champ is None:
        decision = Decision(True, "no champion yet: this version becomes champion")
    elif str(champ.version) == version:
        same = Decision(False, f"version {version} is already the champion: nothing to do")
        return Promotion(version, same, False, already=True, name=name)
    elif contacts is not None:
        crm = load_export(contacts, activities, cfg, require_outcome=True)
        window = evaluation_window(
            crm.contacts, crm.activities, TrainSpec.from_config(cfg), crm.contacts_path
        )
        scorers = [
            registry.resolve_model(f"models:/{name}/{v}") for v in (version, str(champ.version))
        ]
        window, _ = unseen_window(window, *scorers)
        both = [evaluate_scorer(s, crm.contacts, crm.activities, window) for s in scorers]
        decision = decide(*both)
        if overlap_note(scorers[0], window):  # the version learned from these very rows
            decision = Decision(False, (
                f"version {version} learned from the outcomes of this export's most recent "
                "window (it was refit on them): pass a later export, or promote without one "
                "to use the comparison its retrain logged"
            ))  # fmt: skip
        decision = Decision(
            decision.promote,
            f"{decision.reason}, on {len(window):,} rows of {crm.contacts_path} "
            f"(champion: version {champ.version})",
        )
    else:
        decision = _logged_decision(name, version, str(champ.version))
    if decision.promote or force:
        reason = decision.reason if decision.promote else f"forced: {decision.reason}"
        registry.set_champion(name, version, reason, forced=not decision.promote)
        return Promotion(version, decision, True, name=name)
    registry.record_refusal(name, version, decision.reason)
    return Promotion(version, decision, False, name=name)


@dataclass
class RunList:
    """The training runs of an experiment in a tracking store, newest first."""

    store: str
    experiment: str
    name: str
    rows: list[dict[str, Any]]


def runs(
    experiment: str | None = None, name: str | None = None, config: ConfigLike = None
) -> RunList:
    """Training runs of a registered model, newest first: the export each learned from, the
    calibration chosen, the held-out metrics and the rows they were measured on (runs with
    the same ``eval_rows`` letter compare), the version and the champion mark.

    ``name`` defaults to the config's ``[tracking] model_name``, ``experiment`` to the name.
    """
    from leadscore.tracking.listing import list_runs
    from leadscore.tracking.store import tracking_uri

    name, experiment = model_names(read_config(config), name, experiment)
    return RunList(tracking_uri(), experiment, name, list_runs(experiment, name))
