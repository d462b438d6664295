"""What an MLflow model reference looks like (no MLflow import: telling a reference from a
folder must stay cheap)."""

from __future__ import annotations

import re
from pathlib import Path

RUN_ID = re.compile(r"^[0-9a-f]{32}$")  # an MLflow run id


def is_mlflow_reference(model: str | Path) -> bool:
    """Whether ``model`` reads as an MLflow reference rather than a folder."""
    text = str(model)
    return text.startswith(("models:/", "runs:/")) or bool(RUN_ID.match(text))
