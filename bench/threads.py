"""Training and prediction at 1 and 2 model threads (``leadscore --threads N``), side by side.

Generates a sample CRM (``--months`` x ``--contacts-per-month``, default 4,800 contacts) and a
200,000-row flat list from a model trained on it, unless ``--work`` holds them already; then
runs, in interleaved rounds (1 thread, 2 threads, ...), ``leadscore --threads N train
--no-mlflow`` on the CRM and ``leadscore --threads N predict --no-reasons`` on the flat list.
Prints one JSON line (medians of wall and CPU seconds per job and thread count, the load
average before and after) and writes it to ``--out``/threads.json. The cores may be shared:
read the load with the figures.

Usage: ``python bench/threads.py [--rounds 3] [--work /tmp/bench-threads]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import LEADSCORE, ROOT, emit, interleaved, log, model_rows_of, run, tiled  # noqa: E402

import leadscore  # noqa: E402

AS_OF = pd.Timestamp("2026-06-25")


def prepare(work: Path, months: int, per_month: int, rows: int) -> None:
    """The CRM, a model trained on it and the flat list (skipped when already there)."""
    crm, flat = work / "crm", work / "flat.parquet"
    if flat.exists():
        return
    crm.mkdir(parents=True, exist_ok=True)
    contacts, activities = leadscore.generate_sample(
        months=months, contacts_per_month=per_month, seed=7
    )
    contacts.to_parquet(crm / "contacts.parquet", index=False)
    activities.to_parquet(crm / "activities.parquet", index=False)
    run([LEADSCORE, "train", str(crm / "contacts.parquet"), "-a", str(crm / "activities.parquet"),
         "--model-dir", str(work / "model"), "--no-mlflow"])  # fmt: skip
    base = model_rows_of(work / "model", crm / "contacts.parquet", crm / "activities.parquet",
                         AS_OF)  # fmt: skip
    pd.concat(list(tiled(base, rows))).to_parquet(flat, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--contacts-per-month", type=int, default=400)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-threads"))
    parser.add_argument("--out", type=Path, default=ROOT / "reports/bench")
    args = parser.parse_args()
    work = args.work
    log(f"preparing {work}")
    prepare(work, args.months, args.contacts_per_month, args.rows)
    crm = work / "crm"
    commands = {}
    for n in (1, 2):
        commands[f"train_{n}"] = [
            LEADSCORE, "--threads", str(n), "train", str(crm / "contacts.parquet"), "-a",
            str(crm / "activities.parquet"), "--model-dir", str(work / f"model-{n}"),
            "--no-mlflow",
        ]  # fmt: skip
        commands[f"predict_{n}"] = [
            LEADSCORE, "--threads", str(n), "predict", str(work / "flat.parquet"), "-m",
            str(work / "model"), "-o", str(work / f"out-{n}.parquet"), "--no-reasons",
        ]  # fmt: skip
    runs = interleaved(commands, args.rounds)
    report = {"load": runs.pop("load"), "rounds": args.rounds}
    for name, figures in runs.items():
        report[name] = {k: figures[k] for k in ("seconds", "cpu_seconds")}
    emit(report, args.out, "threads")


if __name__ == "__main__":
    main()
