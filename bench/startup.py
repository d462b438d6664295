"""The fixed cost of each ``leadscore`` command: what a tiny input pays before any real work.

For each command, on inputs small enough that the work itself is negligible (a 3,000-contact
sample CRM, a 1,000-row lead list, a model trained on that CRM): whole-process wall and CPU
seconds (median of ``--rounds`` runs), and the time its imports take, read from
``python -X importtime`` (the sum of each module's own time) with the heavy packages it loads.

Usage: ``python bench/startup.py [--rounds 5]``; prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import LEADSCORE, load, log, model_rows_of, run  # noqa: E402 - this folder

HEAVY = ("pandas", "pyarrow", "sklearn", "scipy", "mlflow", "matplotlib", "pydantic", "rich")
AS_OF = "2025-12-20"


def imports(args: list[str], env: dict[str, str]) -> tuple[float, list[str]]:
    """Seconds spent importing (``-X importtime``) and the heavy packages a command loads."""
    code = "import sys; from leadscore.cli import app; sys.argv[0] = 'leadscore'; app()"
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args],
                          capture_output=True, text=True, check=False,
                          env={**os.environ, **env})  # fmt: skip
    total, seen = 0, set()
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, _, name = line.removeprefix("import time:").split("|")
        if own.strip().isdigit():
            total += int(own)
            seen.add(name.strip().split(".")[0])
    return total / 1e6, [p for p in HEAVY if p in seen]


def commands(work: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Each command on a tiny input (made by ``prepare``), and the variables it runs with:
    an MLflow store only where the row says so (``predict`` logs its drift check to a store
    when one is set)."""
    crm, model = work / "crm", work / "model"
    contacts, acts = str(crm / "contacts.csv"), str(crm / "activities.csv")
    scored = ["predict", str(work / "list.csv"), "-m", str(model), "-o", str(work / "out.csv")]
    store = {"MLFLOW_TRACKING_URI": f"sqlite:///{work / 'mlflow.db'}"}
    return {
        "--help": (["--help"], {}),
        "sample-data": (
            [
                "sample-data",
                "--months",
                "2",
                "--contacts-per-month",
                "20",
                "--out",
                str(work / "tiny"),
            ],
            {},
        ),  # fmt: skip
        "init-config": (["init-config", contacts], {}),
        "predict (1,000 rows)": (scored, {}),
        "predict --no-reasons": ([*scored, "--no-reasons"], {}),
        "predict, MLflow store set": (scored, store),
        "evaluate": (["evaluate", contacts, "-a", acts, "-m", str(model)], {}),
        "runs": (["runs"], store),
    }


def prepare(work: Path) -> None:
    """A 3,000-contact sample CRM, a model trained on it, and a 1,000-row flat lead list (the
    model rows of its first contacts, as ``bench/quick.py`` makes them)."""
    import pandas as pd

    import leadscore

    contacts, activities = leadscore.generate_sample(months=12, contacts_per_month=250, seed=3)
    crm = work / "crm"
    crm.mkdir(parents=True)
    contacts.to_csv(crm / "contacts.csv", index=False)
    activities.to_csv(crm / "activities.csv", index=False)
    leadscore.train(crm / "contacts.csv", crm / "activities.csv", model_dir=work / "model",
                    mlflow=False)  # fmt: skip
    rows = model_rows_of(work / "model", crm / "contacts.csv", crm / "activities.csv",
                         pd.Timestamp(AS_OF))  # fmt: skip
    rows.head(1_000).to_csv(work / "list.csv", index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="leadscore-startup-"))
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.pop("MLFLOW_TRACKING_URI", None)  # set per command (``commands``)
    prepare(work)
    before = load()
    lines = ["| command | wall s (median) | CPU s (median) | imports s | heavy packages |",
             "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for name, (cmd, env) in commands(work).items():
        prefix = ["/usr/bin/env", *(f"{k}={v}" for k, v in env.items())]
        runs = [run([*prefix, LEADSCORE, *cmd]) for _ in range(args.rounds)]
        wall = statistics.median(r["seconds"] for r in runs)
        cpu = statistics.median(r["cpu_seconds"] for r in runs)
        took, heavy = imports(cmd, env)
        log(f"{name}: wall {wall} s, cpu {cpu} s, imports {took:.2f} s, {heavy}")
        lines.append(f"| `leadscore {name}` | {wall:.2f} | {cpu:.2f} | {took:.2f} | "
                     f"{', '.join(heavy)} |")  # fmt: skip
    lines.append(f"\nload average before {before}, after {load()}; {args.rounds} runs each")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
