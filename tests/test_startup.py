"""Each command imports only what it uses: start-up is a fixed cost every run pays, and a
small list feels it most (docs/scale.md gives the figures).

The commands run in a fresh interpreter, as a user starts them, and report the top-level
packages they imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

REPORT = (
    "import json, sys\n"
    "from leadscore.cli import app\n"
    "try:\n"
    "    app(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "print(json.dumps({'exit': code, 'packages': sorted({m.split('.')[0] for m in sys.modules})}))\n"
)


def imported_by(*args: str) -> set[str]:
    """The top-level packages a ``leadscore`` command imports (no MLflow store configured)."""
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env["COLUMNS"] = "200"
    proc = subprocess.run([sys.executable, "-c", REPORT, *map(str, args)], env=env,
                          capture_output=True, text=True, check=True)  # fmt: skip
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["exit"] in (0, None), proc.stderr
    return set(report["packages"])


def test_predicting_a_small_list_with_a_local_model_loads_neither_mlflow_nor_matplotlib(
    small_model, tmp_path
) -> None:
    packages = imported_by(
        "predict", small_model["contacts"], "-a", small_model["activities"], "-m",
        small_model["model"], "--as-of", "2025-12-20", "-o", tmp_path / "scored.csv",
    )  # fmt: skip
    assert "sklearn" in packages  # it did score
    assert not packages & {"mlflow", "matplotlib"}


@pytest.mark.parametrize(
    ("args", "unused"),
    [
        (["--help"], {"pandas", "sklearn", "pyarrow", "mlflow", "matplotlib"}),
        (["predict", "--help"], {"pandas", "sklearn", "mlflow", "matplotlib"}),
        (
            ["sample-data", "--months", "2", "--contacts-per-month", "20"],
            {"sklearn", "scipy", "mlflow", "matplotlib"},
        ),
    ],  # fmt: skip
)
def test_commands_that_do_not_model_load_no_model_library(args, unused, tmp_path) -> None:
    if args[0] == "sample-data":
        args = [*args, "--out", str(tmp_path)]
    assert not imported_by(*args) & unused
