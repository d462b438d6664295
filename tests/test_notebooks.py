"""The walkthrough notebook runs top to bottom (so it never rots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


@pytest.mark.slow
def test_walkthrough_notebook_executes(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = NOTEBOOKS / "1.0-ls-lead-scoring-walkthrough.ipynb"
    nb = nbformat.read(path, as_version=4)
    real = os.environ.get("LEADSCORE_REAL_DATA", str(Path(__file__).parents[1] / "../shared/data"))
    monkeypatch.setenv("LEADSCORE_REAL_DATA", str(Path(real).resolve()))
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    text = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "[EXCLUDED] stage_notes" in text
