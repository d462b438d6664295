"""``leadscore serve``: leads posted as JSON get the values ``predict`` gives the same rows.

Leads are built as a web form or a CRM webhook would send them: the contact's fields as JSON
values (numbers as numbers, blanks as null) and its recent activities as a list. The
in-process tests call the service the server wraps; the ``server`` test starts the real
command, scores over HTTP, checks the errors, and stops it with Ctrl-C (SIGINT).
"""

from __future__ import annotations

import json
import math
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

import leadscore
from leadscore.jobs.serving import RequestError

AS_OF = "2026-07-01"
REPO = Path(__file__).resolve().parents[1]


def _leads(contacts: pd.DataFrame, activities: pd.DataFrame, ids: list[str]) -> list[dict]:
    """The contacts ``ids`` as JSON leads: fields (null when blank) plus their activities."""
    out = []
    rows = contacts.set_index("contact_id").loc[ids].reset_index()
    for row in rows.to_dict(orient="records"):
        lead = {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.items()}
        log = activities[activities["contact_id"] == lead["contact_id"]]
        lead["activities"] = [
            {"occurred_at": r.occurred_at, "activity_type": r.activity_type}
            for r in log.itertuples()
        ]
        out.append(json.loads(json.dumps(lead, default=str)))
    return out


@pytest.fixture(scope="module")
def world(sample_crm, trained):
    """The sample export as read from its files, 40 open contacts, and predict's rows."""
    _, _, folder = trained
    contacts = pd.read_csv(sample_crm["contacts"], dtype={"contact_id": str})
    activities = pd.read_csv(sample_crm["activities"], dtype={"contact_id": str})
    ids = list(contacts[contacts["outcome"].isna()].sample(40, random_state=3)["contact_id"])
    predicted = leadscore.predict(
        sample_crm["contacts"], sample_crm["activities"], model=folder, as_of=AS_OF
    ).output.set_index("contact_id")
    return {"leads": _leads(contacts, activities, ids), "ids": ids, "predicted": predicted,
            "folder": folder}  # fmt: skip


def test_posted_leads_get_predicts_values(world):
    service = leadscore.scoring_service(world["folder"])
    answer = service.score({"as_of": AS_OF, "leads": world["leads"]})
    got = pd.DataFrame(answer["leads"]).set_index("contact_id")
    want = world["predicted"].loc[world["ids"]]
    assert list(got.index) == world["ids"]  # in the order posted
    assert (got["probability"] - want["probability"]).abs().max() <= 1e-9
    assert list(got["tier"]) == list(want["tier"]) and list(got["score"]) == list(want["score"])
    assert got["reasons_up"].map(list).tolist() == [
        [r for r in want.loc[i, ["reason_up_1", "reason_up_2", "reason_up_3"]] if r]
        for i in world["ids"]
    ]
    assert answer["model"] == str(world["folder"])


def test_a_new_lead_without_activities_is_scored(world):
    service = leadscore.scoring_service(world["folder"])
    lead = {"contact_id": "web-1", "created_at": "2026-06-30 18:00:00", "industry": "Software",
            "employees": 300, "job_title": "VP of Sales", "lead_source": "Webinar"}  # fmt: skip
    (out,) = service.score({"as_of": AS_OF, **lead})["leads"]
    assert out["status"] == "scored" and 0 < out["probability"] < 1
    assert out["tier"] in ("lead", "prospect", "opportunity")


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ([1, 2], 422, "the body must be a JSON object"),
        ({"leads": []}, 422, "'leads' must be a non-empty list"),
        ({"leads": [{"contact_id": "a", "created_at": "2026-01-01"}, {"contact_id": "b"}]},
         422, "lead 2: missing field 'created_at'"),
        ({"contact_id": "a", "created_at": "2026-01-01", "activities": [{"occurred_at": "x"}]},
         422, "lead 1, activity 1: missing field 'activity_type'"),
        ({"contact_id": "a", "created_at": "not a date"}, 422, "leads, column 'created_at'"),
        ({"as_of": "someday", "contact_id": "a", "created_at": "2026-01-01"}, 422,
         "as_of: cannot read 'someday'"),
    ],
)  # fmt: skip
def test_bad_requests_name_what_is_wrong(world, payload, status, message):
    service = leadscore.scoring_service(world["folder"])
    with pytest.raises(RequestError) as err:
        service.score(payload)
    assert err.value.status == status and message in str(err.value)
    assert "\n" not in str(err.value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.server
def test_serve_over_http_then_stop_with_ctrl_c(world, tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"),
                                                        os.environ.get("PYTHONPATH", "")])}  # fmt: skip
    cmd = [sys.executable, "-c", "from leadscore.cli import app; app()", "serve",
           "--model", str(world["folder"]), "--port", str(port), "--quiet"]  # fmt: skip
    log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as r:
                    health = json.loads(r.read())
                    break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert health == {"status": "ok", "model": str(world["folder"])}
        # one lead over HTTP: predict's probability
        lead = world["leads"][0]
        status, answer = _post(f"{url}/score", json.dumps({"as_of": AS_OF, **lead}).encode())
        assert status == 200
        want = world["predicted"].loc[lead["contact_id"], "probability"]
        assert abs(answer["leads"][0]["probability"] - want) <= 1e-9
        # bad JSON and a missing field: 4xx with a message
        status, answer = _post(f"{url}/score", b'{"contact_id": "a",')
        assert status == 400 and answer["error"].startswith("the body is not valid JSON")
        status, answer = _post(f"{url}/score", b'{"contact_id": "a"}')
        assert status == 422 and answer["error"] == "lead 1: missing field 'created_at'"
        # Ctrl-C stops it, and it exits cleanly
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    assert "stopped" in (tmp_path / "serve.log").read_text()
