"""The ``serve`` use case: leads posted as JSON, scored live by the same core as ``predict``.

``leadscore serve`` answers on loopback (``127.0.0.1:8000`` unless told otherwise; never all
interfaces unless asked) with the champion, or the model named:

- ``POST /score`` with ``{"as_of": "2026-07-01T09:30:00", "leads": [LEAD, ...]}`` (``as_of``
  optional: default now, UTC; ``"reasons": false`` skips the reasons, about half the time;
  a single ``LEAD`` object works too), where a lead is an object
  of the export's contact fields (named as the config names them: ``contact_id``,
  ``created_at``, any attributes) plus ``"activities": [{"occurred_at": ..., "activity_type":
  ...}, ...]``, its recent activity log. The answer has, per lead in order, ``contact_id``,
  ``probability``, ``score``, ``tier``, ``status``, ``reasons_up``, ``reasons_down`` and
  ``contributions``: the values ``predict`` writes for the same rows.
- ``GET /health``: ``{"status": "ok", "model": ...}``.

Each request goes through ``data.crm.load_crm`` (the same validation and canonical columns
as a file) and ``scoring.memory.score_frame`` (the one scoring core). Bad JSON answers 400,
a lead that breaks the contract (a missing field, an unreadable date) 422, each with one line
saying what and where (``lead 2, activity 1: missing field 'occurred_at'``).

The server is the standard library's ``ThreadingHTTPServer``: no dependency beyond the
model's own, and MLflow's model server takes model rows, not attributes plus activities.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from leadscore.config import Config
from leadscore.errors import LeadscoreError
from leadscore.jobs.inputs import ConfigLike, load_export, read_config
from leadscore.jobs.predicting import requested_time

MAX_BODY = 5 * 1024 * 1024  # bytes of one request
MAX_LEADS = 10_000
REQUEST_KEYS = ("as_of", "reasons")  # keys of a request that are not a lead's fields


class RequestError(LeadscoreError):
    """A request the server cannot score; ``status`` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def _lead_list(payload: Any) -> list[Any]:
    if isinstance(payload, dict) and "leads" in payload:
        leads = payload["leads"]
        if not isinstance(leads, list) or not leads:
            raise RequestError("'leads' must be a non-empty list of lead objects")
        return leads
    if isinstance(payload, dict):  # one lead, beside the request's own keys
        return [{k: v for k, v in payload.items() if k not in REQUEST_KEYS}]
    raise RequestError('the body must be a JSON object: {"leads": [{...}, ...]} or one lead')


def _blank(value: Any, missing: set[str]) -> Any:
    """``None`` for the config's missing-value placeholders (as a file read would)."""
    return None if isinstance(value, str) and value in missing else value


def leads_frames(payload: Any, cfg: Config) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The posted leads as a contacts table and an activity log, in the export's own names.

    Raises:
        RequestError: a lead or an activity is not an object or lacks a required field.
    """
    leads = _lead_list(payload)
    if len(leads) > MAX_LEADS:
        raise RequestError(f"at most {MAX_LEADS:,} leads per request, got {len(leads):,}", 413)
    c, a = cfg.contacts, cfg.activities
    need = [f for f in (c.id, c.created_at) if f]
    missing = set(cfg.features.missing_values)
    rows, acts = [], []
    for i, lead in enumerate(leads, start=1):
        if not isinstance(lead, dict):
            raise RequestError(f"lead {i}: must be a JSON object")
        absent = [f for f in need if lead.get(f) in (None, "")]
        if absent:
            raise RequestError(f"lead {i}: missing field '{absent[0]}'")
        log = lead.get("activities") or []
        if not isinstance(log, list):
            raise RequestError(f"lead {i}: 'activities' must be a list")
        for j, act in enumerate(log, start=1):
            if not isinstance(act, dict):
                raise RequestError(f"lead {i}, activity {j}: must be a JSON object")
            gone = [f for f in (a.occurred_at, a.activity_type) if act.get(f) in (None, "")]
            if gone:
                raise RequestError(f"lead {i}, activity {j}: missing field '{gone[0]}'")
            acts.append({**act, a.contact_id: lead.get(c.id)})
        rows.append({k: _blank(v, missing) for k, v in lead.items() if k != "activities"})
    return pd.DataFrame(rows), (pd.DataFrame(acts) if acts else None)


def _number(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value


def _answer(row: dict[str, Any]) -> dict[str, Any]:
    """One output row of the core as JSON: reasons as lists, contributions as an object."""
    up = [row[k] for k in sorted(row) if k.startswith("reason_up_") and row[k]]
    down = [row[k] for k in sorted(row) if k.startswith("reason_down_") and row[k]]
    raw = row.get("reasons_json") or "{}"
    try:
        contributions = json.loads(raw)
    except (TypeError, ValueError):
        contributions = raw
    score = _number(row.get("score"))
    return {
        "contact_id": row["contact_id"],
        "probability": _number(row.get("probability")),
        "score": None if score is None else int(score),
        "tier": row.get("tier") or None,
        "status": row.get("status"),
        "reasons_up": up,
        "reasons_down": down,
        "contributions": contributions,
    }


@dataclass
class Service:
    """A loaded model and the config that maps the posted fields: what each request uses."""

    scorer: Any
    cfg: Config
    model: str  # which model answers (the champion's version, or the folder)

    def score(self, payload: Any) -> dict[str, Any]:
        """Score a decoded request body; the JSON-ready answer."""
        from leadscore.scoring.memory import score_frame

        stamp = payload.get("as_of") if isinstance(payload, dict) else None
        try:
            as_of = requested_time(stamp) or pd.Timestamp.now(tz="UTC").tz_localize(None)
        except LeadscoreError:
            raise RequestError(f"as_of: cannot read {stamp!r} as a date") from None
        contacts, activities = leads_frames(payload, self.cfg)
        try:
            crm = load_export(contacts, activities, self.cfg, require_outcome=False)
        except LeadscoreError as exc:
            text = str(exc).replace("contacts (DataFrame)", "leads")
            raise RequestError(text.replace("activities (DataFrame)", "activities")) from None
        reasons = payload.get("reasons", True) if isinstance(payload, dict) else True
        if not isinstance(reasons, bool):
            raise RequestError(f"reasons: must be true or false, got {reasons!r}")
        out, _ = score_frame(self.scorer, crm.contacts, crm.activities, as_of, reasons=reasons)
        rows = out.reset_index(drop=True).to_dict(orient="records")
        return {
            "model": self.model,
            "as_of": as_of.isoformat(),
            "leads": [_answer(r) for r in rows],
        }


def scoring_service(model: Any = None, config: ConfigLike = None) -> Service:
    """The model (champion by default, see ``tracking.resolve.choose_model``) with the tier
    thresholds in force, and the config, ready to score requests."""
    from leadscore.model.tiers import effective_thresholds
    from leadscore.tracking.resolve import choose_model

    cfg = read_config(config)
    scorer, label = choose_model(model, cfg.tracking.model_name)
    configured = (cfg.tiers.opportunity, cfg.tiers.prospect)
    scorer.thresholds = effective_thresholds(scorer.thresholds, configured)
    return Service(scorer, cfg, label)


def serve(
    model: Any = None,
    config: ConfigLike = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    quiet: bool = False,
    ready: Callable[[str, Service], None] | None = None,
) -> None:
    """Serve ``POST /score`` until interrupted (Ctrl-C or SIGTERM stop it cleanly).

    Args:
        model: a model folder, an MLflow reference or a loaded model; None: the champion
            when the tracking store has one, else ``models/leadscore``.
        config: the config mapping the posted field names (as for the export's files).
        host: the interface to listen on; loopback unless told otherwise.
        port: the port (0: any free one).
        quiet: no access log on stderr.
        ready: called with the URL and the service once the server listens.
    """
    import signal
    import threading

    from leadscore.io.http import make_server

    svc = scoring_service(model, config)
    try:
        server = make_server(svc.score, {"model": svc.model}, host, port, max_body=MAX_BODY,
                             quiet=quiet)  # fmt: skip
    except OSError as exc:
        raise LeadscoreError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    main = threading.current_thread() is threading.main_thread()
    # Ctrl-C and SIGTERM stop it, also when started in the background (which ignores SIGINT)
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {s: signal.signal(s, _interrupt) for s in stops} if main else {}
    if ready is not None:
        ready(f"http://{host}:{server.server_address[1]}", svc)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        for number, handler in previous.items():
            signal.signal(number, handler)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
