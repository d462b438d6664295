"""Turn a ``--model`` value into a loaded scorer: a local folder or an MLflow reference.

Accepted: a model folder (``models/leadscore``), ``models:/NAME@ALIAS`` (e.g.
``models:/leadscore@champion``), ``models:/NAME/VERSION``, ``runs:/RUN_ID/model`` or a bare
run id. A folder that exists is loaded without importing MLflow (fast); a reference is
resolved by ``tracking.resolve_model``, which downloads the run's model folder into a cache
and loads it through ``store.load_model``, so the checksum is verified either way.

No ``--model`` at all means: the champion of the registered model (the config's
``[tracking] model_name``) when the tracking store has one, else the local folder
``models/leadscore`` (``choose_model``); the result says which.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leadscore.errors import ModelError
from leadscore.paths import DEFAULT_MODEL_DIR
from leadscore.tracking.location import store_exists, tracking_uri
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


@dataclass(frozen=True)
class ModelChoice:
    """The model a command uses when none is named: what to load and how to say it."""

    reference: str  # a folder or models:/NAME/VERSION (the champion, pinned to its version)
    label: str  # e.g. "models:/leadscore@champion (version 3) in sqlite:///mlflow.db"
    champion: bool


def default_model(name: str, folder: str | Path = DEFAULT_MODEL_DIR) -> ModelChoice:
    """The champion of ``name`` when the tracking store has one, else the local ``folder``.

    With no store in reach (no ``MLFLOW_TRACKING_URI``, no ``mlflow.db`` here) MLflow is not
    even imported. The champion is pinned to its version, so a promotion while a command
    runs cannot mix two models.
    """
    uri = tracking_uri()
    if store_exists():
        from leadscore.tracking.registry import champion_version

        found = champion_version(name)
        if found is not None:
            version = str(found.version)
            return ModelChoice(
                f"models:/{name}/{version}",
                f"models:/{name}@champion (version {version}) in {uri}",
                champion=True,
            )
    return ModelChoice(
        str(folder), f"{folder} (local folder; no champion of '{name}' in {uri})", champion=False
    )


def choose_model(model: Any, name: str) -> tuple[Any, str]:
    """A loaded scorer and how to name it: ``model`` as given (a folder, a reference or a
    loaded model), or the default of ``default_model`` when it is None."""
    if model is None:
        choice = default_model(name)
        return load_scorer(choice.reference), choice.label
    if isinstance(model, str | Path):
        return load_scorer(model), str(model)
    return model, "the given model"
