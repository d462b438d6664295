"""Turn a ``--model`` value into a loaded scorer: a local folder or an MLflow reference.

Accepted: a model folder (``models/leadscore``), ``models:/NAME@ALIAS`` (e.g.
``models:/leadscore@champion``), ``models:/NAME/VERSION``, ``runs:/RUN_ID/model`` or a bare
run id. A folder that exists is loaded without importing MLflow (fast); a reference is
resolved by ``tracking.resolve_model``, which downloads the run's model folder into a cache
and loads it through ``store.load_model``, so the checksum is verified either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leadscore.errors import ModelError
from leadscore.tracking.refs import is_mlflow_reference


def load_scorer(model: str | Path) -> Any:
    """Load the scorer that ``model`` names (see the module docstring for the forms)."""
    from leadscore.io.store import load_model

    if Path(model).exists() or not is_mlflow_reference(model):
        if not Path(model).exists():
            raise ModelError(
                "model not found: neither a folder nor an MLflow reference "
                "(models:/leadscore@champion, models:/leadscore/3, runs:/RUN_ID/model, RUN_ID)",
                file=str(model),
            )
        return load_model(model)
    from leadscore.tracking.registry import resolve_model

    return resolve_model(str(model))
