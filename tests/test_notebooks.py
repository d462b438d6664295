"""The walkthrough notebook runs top to bottom (so it never rots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


REAL_ROWS = 3_000  # of the education leads' 9,240: the same cells run, in a third of the time


def _first_leads(real: Path, tmp_path: Path) -> Path:
    """A data folder whose education leads are the first ``REAL_ROWS`` of the shared file (as
    written, so still in time order), or ``real`` itself when the file is absent (the
    notebook then says it skipped that part). The notebook's real-data cells are measured
    in full by tests/test_real_data.py; here they only have to run."""
    leads = real / "x_education_leads" / "Leads.csv"
    if not leads.exists():
        return real
    import pandas as pd

    first = pd.read_csv(leads, dtype=str, keep_default_na=False, nrows=REAL_ROWS)
    (tmp_path / "x_education_leads").mkdir()
    first.to_csv(tmp_path / "x_education_leads" / "Leads.csv", index=False)
    return tmp_path


@pytest.mark.notebook
def test_walkthrough_notebook_executes(monkeypatch, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    path = NOTEBOOKS / "1.0-ls-lead-scoring-walkthrough.ipynb"
    nb = nbformat.read(path, as_version=4)
    real = os.environ.get("LEADSCORE_REAL_DATA", str(Path(__file__).parents[1] / "../shared/data"))
    monkeypatch.setenv("LEADSCORE_REAL_DATA", str(_first_leads(Path(real).resolve(), tmp_path)))
    monkeypatch.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
    client = nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    text = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "[EXCLUDED] stage_notes" in text


def test_the_notebook_uses_only_the_public_api():
    """Every leadscore name the notebook uses is a public name of ``import leadscore``."""
    import ast

    nbformat = pytest.importorskip("nbformat")
    import leadscore

    nb = nbformat.read(NOTEBOOKS / "1.0-ls-lead-scoring-walkthrough.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    tree = ast.parse(code)
    imported = [
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert [m for m in imported if m.startswith("leadscore")] == ["leadscore"]
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "leadscore"
    }
    assert used and used <= set(leadscore.__all__)
