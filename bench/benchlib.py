"""What ``bench/run.py`` (``make bench``) and ``bench/quick.py`` (``make bench-quick``) share:
timing whole processes, the hand-written reference, interleaved rounds, the flat lead list.

Every figure of a command is the whole process's (start-up included): wall seconds, CPU
seconds (user + system) and peak RSS, read by ``/usr/bin/time``. Comparisons between two
commands are made in interleaved rounds (A B A B ...) and quoted as medians, with the
machine's load average before and after, because the cores are shared.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LEADSCORE = str(BIN / "leadscore")
HANDWRITTEN = [sys.executable, str(Path(__file__).with_name("handwritten.py"))]


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def emit(report: dict, folder: Path, name: str) -> None:
    """Print the report as one JSON line and write it to ``folder``/``name``.json."""
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps(report)
    (folder / f"{name}.json").write_text(line + "\n")
    print(line)


def load() -> list[float]:
    """The 1, 5 and 15-minute load averages (``uptime``): how busy the shared cores were."""
    return [round(x, 2) for x in os.getloadavg()]


def run(cmd: list[str]) -> dict:
    """Run a command; wall seconds, CPU seconds and the peak RSS of that process.

    The command runs under ``/usr/bin/time``: Python starts children with ``vfork``, and a
    child's ``ru_maxrss`` read directly by this (large) process was measured to report this
    process's own peak instead of the child's.
    """
    fd, name = tempfile.mkstemp(prefix="bench-time-")
    os.close(fd)
    report = Path(name)
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-o", str(report), "-f", "%M %U %S", *cmd],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-3000:]}")
    max_kb, user, system = report.read_text().split()[-3:]
    report.unlink()
    return {
        "output": proc.stdout[-5000:],  # callers pop it before saving
        "seconds": round(seconds, 2),
        "cpu_seconds": round(float(user) + float(system), 2),
        "peak_rss_mb": round(int(max_kb) / 1024, 1),
    }


def predict_cmd(src: Path, model: Path, out: Path, *, reasons: bool = False) -> list[str]:
    """``leadscore predict`` of a flat lead list, as a user types it."""
    cmd = [LEADSCORE, "predict", str(src), "-m", str(model), "-o", str(out)]
    return cmd + ([] if reasons else ["--no-reasons"])


def handwritten_cmd(src: Path, model: Path, out: Path) -> list[str]:
    """The hand-written reference on the same list (``bench/handwritten.py``)."""
    return [*HANDWRITTEN, str(model), str(src), str(out)]


def interleaved(commands: dict[str, list[str]], rounds: int) -> dict:
    """Run each command once per round, in turn; medians per command, with the load.

    Returns ``{name: {"seconds", "cpu_seconds", "peak_rss_mb" (medians), "runs": [...]}}``
    and ``"load": {"before", "after"}``.
    """
    runs: dict[str, list[dict]] = {name: [] for name in commands}
    before = load()
    for i in range(rounds):
        for name, cmd in commands.items():
            r = run(cmd)
            r.pop("output")
            runs[name].append(r)
            log(f"round {i + 1}/{rounds} {name}: {r} (load {load()[0]})")
    out: dict = {"load": {"before": before, "after": load()}}
    for name, done in runs.items():
        out[name] = {k: statistics.median(r[k] for r in done) for k in done[0]} | {"runs": done}
    return out


def ratio(runs: dict, name: str, reference: str) -> dict:
    """Median of the round-by-round ratios ``name / reference`` in CPU and wall time."""
    pairs = list(zip(runs[name]["runs"], runs[reference]["runs"], strict=True))
    return {
        "cpu": round(statistics.median(a["cpu_seconds"] / b["cpu_seconds"] for a, b in pairs), 3),
        "wall": round(statistics.median(a["seconds"] / b["seconds"] for a, b in pairs), 3),
    }


def model_rows_of(model_dir: Path, contacts: Path, activities: Path, as_of: pd.Timestamp):
    """The per-contact rows the model scores (attributes, ``as_of``, activity aggregates):
    a flat lead list, as a warehouse job would write it."""
    from leadscore.config import load_config
    from leadscore.data.crm import load_crm
    from leadscore.io.store import load_model
    from leadscore.scoring.core import activity_log, model_rows, scoring_times

    crm = load_crm(contacts, activities, load_config(None), require_outcome=False)
    scorer = load_model(model_dir)
    _, features_at = scoring_times(scorer, crm.contacts, as_of)
    behavior = activity_log(crm.activities, scorer.activity_spec)
    rows = model_rows(crm.contacts, features_at, behavior, scorer.activity_spec)
    return rows.reset_index(drop=True)


def tiled(base: pd.DataFrame, rows: int, *, chunk: int = 500_000, seed: int = 11) -> Iterator:
    """``rows`` rows made of copies of ``base``, in chunks: each copy's ids get a suffix
    (``<id>-<k>``) and its numeric attributes a seeded ±10 % jitter, so no two rows repeat."""
    numeric = [c for c in ("employees", "annual_revenue", "budget") if c in base.columns]
    rng = np.random.default_rng(seed)
    ids = base["contact_id"].astype(str)
    made = k = 0
    while made < rows:
        take = min(len(base), rows - made)
        part = base.iloc[:take].copy()
        part["contact_id"] = ids.iloc[:take] + f"-{k}"
        for col in numeric:
            part[col] = part[col] * rng.uniform(0.9, 1.1, take)
        made += take
        k += 1
        for i in range(0, take, chunk):
            yield part.iloc[i : i + chunk]
