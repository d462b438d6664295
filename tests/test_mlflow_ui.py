"""``make mlflow-ui``: one worker, no job runner, and Ctrl-C leaves no process behind.

The target is started as a terminal starts a foreground job (a process group of its own),
and Ctrl-C is sent the way a terminal sends it: SIGINT to the whole group.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session(sid: int) -> list[str]:
    """Command lines of the live (not zombie) processes of session ``sid``."""
    out = subprocess.run(["ps", "-eo", "sid=,stat=,args="], capture_output=True, text=True)
    rows = [line.split(None, 2) for line in out.stdout.splitlines() if line.strip()]
    return [r[2] for r in rows if len(r) == 3 and int(r[0]) == sid and not r[1].startswith("Z")]


@pytest.mark.server
def test_mlflow_ui_runs_one_worker_and_ctrl_c_stops_everything(tmp_path):
    port = _free_port()
    stamp = tmp_path / "installed"  # newer than pyproject.toml: make installs nothing
    stamp.touch()
    cmd = ["make", "-s", "-C", str(REPO), "mlflow-ui", f"MLFLOW_PORT={port}",
           f"BIN={Path(sys.executable).parent}", f"STAMP={stamp}"]  # fmt: skip
    log = open(tmp_path / "ui.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, (tmp_path / "ui.log").read_text()
            assert time.monotonic() < deadline, "the UI did not answer"
            time.sleep(0.5)
        running = _session(proc.pid)
        # make, mlflow and one uvicorn worker; no job runner, no huey consumer
        assert len(running) <= 3, running
        assert not [p for p in running if "huey" in p or "job" in p], running
        assert sum("uvicorn" in p for p in running) == 1, running
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        proc.wait(timeout=60)
        deadline = time.monotonic() + 30
        while _session(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _session(proc.pid) == []
    finally:
        if proc.poll() is None or _session(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
