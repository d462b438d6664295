"""The model registry: versions, the champion alias, model references and their download.

``resolve_model`` turns ``models:/leadscore@champion``, ``models:/leadscore/3``,
``runs:/<id>/model``, a bare run id or a local folder into a loaded scorer, always through
``io.store.load_model`` so the checksum is verified.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import mlflow

from leadscore.tracking.refs import RUN_ID
from leadscore.tracking.store import (
    CHAMPION,
    DEFAULT_MODEL_NAME,
    FOLDER_ARTIFACT,
    _client,
    setup_uri,
    tracking_uri,
)


def _model_error(message: str) -> Exception:
    from leadscore.errors import ModelError

    return ModelError(message)


def champion_version(name: str = DEFAULT_MODEL_NAME) -> Any | None:
    """The ModelVersion holding the champion alias, or None when there is none yet."""
    from mlflow.exceptions import MlflowException

    try:
        return _client().get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None


def model_version(name: str, version: str | int) -> Any:
    """A registered ModelVersion; a clear error when it does not exist."""
    from mlflow.exceptions import MlflowException

    try:
        return _client().get_model_version(name, str(version))
    except MlflowException:
        raise _model_error(
            f"no version {version} of registered model '{name}' in {tracking_uri()}"
        ) from None


def set_champion(name: str, version: str | int, reason: str, forced: bool = False) -> None:
    """Give ``version`` the champion alias and record why on the version (tags)."""
    client = _client()
    previous = champion_version(name)
    client.set_registered_model_alias(name, CHAMPION, str(version))
    client.set_model_version_tag(name, str(version), "leadscore.promotion", reason[:5000])
    client.set_model_version_tag(name, str(version), "leadscore.forced", str(forced).lower())
    if previous is not None:
        client.set_model_version_tag(
            name, str(version), "leadscore.replaced_version", str(previous.version)
        )


FIRST_CHAMPION = "the first version registered under this name: champion until one beats it"


def crown_if_first(name: str, version: str | int) -> bool:
    """Make ``version`` the champion when ``name`` has none yet; True when it did.

    So the first ``train`` into a store gives every command a default model at once; later
    versions become champion only through ``promote`` or a ``retrain`` that wins.
    """
    if champion_version(name) is not None:
        return False
    set_champion(name, version, FIRST_CHAMPION)
    return True


def record_refusal(name: str, version: str | int, reason: str) -> None:
    """Record on the version why it was not promoted."""
    _client().set_model_version_tag(name, str(version), "leadscore.promotion", reason[:5000])


def run_id_of(ref: str) -> str:
    """The run id behind a model reference (registry URI, runs URI or bare run id)."""
    if ref.startswith("models:/"):
        body = ref[len("models:/") :].strip("/")
        if "@" in body:
            name, alias = body.split("@", 1)
            from mlflow.exceptions import MlflowException

            try:
                return _client().get_model_version_by_alias(name, alias).run_id
            except MlflowException:
                raise _model_error(
                    f"no alias '{alias}' on registered model '{name}' in {tracking_uri()}"
                    + (
                        ": promote a version first (leadscore promote VERSION)"
                        if alias == CHAMPION
                        else ""
                    )
                ) from None
        name, _, version = body.rpartition("/")
        if not name or not version.isdigit():
            raise _model_error(
                f"cannot read {ref!r}: use models:/NAME@ALIAS or models:/NAME/VERSION"
            )
        return model_version(name, version).run_id
    if ref.startswith("runs:/"):
        ref = ref[len("runs:/") :].split("/", 1)[0]
    if RUN_ID.match(ref):
        return ref
    raise _model_error(
        f"cannot read model reference {ref!r}: give a model folder, models:/NAME@champion, "
        "models:/NAME/VERSION, runs:/RUN_ID/model or a run id"
    )


def cache_dir() -> Path:
    """Where downloaded model folders are kept (``LEADSCORE_CACHE_DIR`` or ~/.cache)."""
    root = os.environ.get("LEADSCORE_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "leadscore" / "models"


def download_model_folder(run_id: str) -> Path:
    """The run's model folder, downloaded once into the cache."""
    from mlflow.exceptions import MlflowException

    setup_uri()
    target = cache_dir() / run_id
    folder = target / FOLDER_ARTIFACT
    if not (folder / "metadata.json").exists():
        target.mkdir(parents=True, exist_ok=True)
        try:
            mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=FOLDER_ARTIFACT, dst_path=str(target)
            )
        except MlflowException as exc:
            raise _model_error(
                f"cannot download the model of run {run_id} from {tracking_uri()}: "
                f"{str(exc).splitlines()[0]}"
            ) from None
    return folder


def resolve_model(ref: str | Path) -> Any:
    """Load a scorer from a local folder or an MLflow reference (checksum verified)."""
    from leadscore.io.store import load_model

    if Path(ref).exists():
        return load_model(ref)
    return load_model(download_model_folder(run_id_of(str(ref))))


def version_metrics(name: str, version: str | int) -> tuple[dict[str, float], dict[str, str]]:
    """Metrics and tags of the run that made a registered version."""
    run = _client().get_run(model_version(name, version).run_id)
    return dict(run.data.metrics), dict(run.data.tags)
