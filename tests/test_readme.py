"""README's Python example runs as written (in a scratch folder)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow  # a training in a fresh interpreter
def test_the_python_example_runs_as_written(tmp_path: Path) -> None:
    section = README.read_text(encoding="utf-8").split("## Python\n", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "README's Python section has no example"
    done = subprocess.run(
        [sys.executable, "-c", code.group(1)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={"MLFLOW_DISABLE_TELEMETRY": "true", "OMP_NUM_THREADS": "1",
             "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "held-out ROC AUC 0." in done.stdout and "rows scored" in done.stdout
    assert (tmp_path / "models" / "leadscore" / "model.joblib").exists()
