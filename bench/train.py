"""``make bench``'s training stage on its own: ``leadscore train`` on the bench CRM.

Generates the CRM of ``bench/run.py`` (18 months x ``--contacts-per-month`` contacts, the
activity log thinned to ``--activities``; Parquet and CSV under ``--work``/crm) unless it is
there already, then runs ``leadscore train --no-mlflow --verbose`` in a subprocess under
``/usr/bin/time``: wall and CPU seconds, peak RSS, examples, AUC and the per-step breakdown
that ``--verbose`` prints. The load average before and after is recorded (the cores may be
shared). Prints one JSON line and writes it to ``--out``/train.json.

Usage: ``python bench/train.py [--contacts-per-month 55556] [--activities 10000000]``
(``--contacts-per-month 11111 --activities 2000000 --work data/bench/200k`` for 200 k).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import ROOT, emit, load, log  # noqa: E402 - the folder of this script, put on the path
from run import generate, train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts-per-month", type=int, default=55_556)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "data/bench")
    parser.add_argument("--out", type=Path, default=ROOT / "reports/bench")
    parser.add_argument("--generate-only", action="store_true", help="Only make the CRM.")
    args = parser.parse_args()
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    crm = args.work / "crm"
    if not (crm / "activities.parquet").exists():
        log(f"generating: {generate(args.work, args.contacts_per_month, args.activities, 0)}")
    if args.generate_only:
        return
    report = {
        "contacts": pq.ParquetFile(crm / "contacts.parquet").metadata.num_rows,
        "activities": pq.ParquetFile(crm / "activities.parquet").metadata.num_rows,
        "load_before": load(),
    }
    report |= train(args.work, args.work / "model", verbose=True)
    emit(report, args.out, "train")


if __name__ == "__main__":
    main()
