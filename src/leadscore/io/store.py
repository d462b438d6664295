"""Saving and loading a trained model folder: ``model.joblib`` plus ``metadata.json``.

The metadata records the versions that made the model, its features, thresholds and metrics,
and the SHA-256 of ``model.joblib``. Loading checks the checksum *before* unpickling: a
truncated, corrupted or swapped file is refused with a clear message. A model file is code
(unpickling runs it): load only models from a store you trust.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from leadscore import __version__
from leadscore.errors import ModelError
from leadscore.io.writer import write_text

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
FORMAT_VERSION = 1


def sha256_of(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    import numpy
    import pandas
    import sklearn

    return {
        "leadscore": __version__,
        "scikit-learn": sklearn.__version__,
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "joblib": joblib.__version__,
        "python": platform.python_version(),
    }


def save_model(scorer: Any, folder: str | Path, extra: dict[str, Any] | None = None) -> Path:
    """Write the model folder atomically (each file via a temp file and rename)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{MODEL_FILE}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        joblib.dump(scorer, tmp, compress=3)
        checksum = sha256_of(tmp)
        os.replace(tmp, folder / MODEL_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    metadata = {
        "format_version": FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": _versions(),
        "sha256": checksum,
        "thresholds": scorer.thresholds,
        "features": list(scorer.features.feature_names_out_),
        "input_columns": list(scorer.features.input_columns_),
        **scorer.info,
        **(extra or {}),
    }
    write_text(json.dumps(metadata, indent=2, default=str), folder / METADATA_FILE)
    return folder


def read_metadata(folder: str | Path) -> dict[str, Any]:
    """The metadata of a model folder."""
    path = Path(folder) / METADATA_FILE
    if not path.exists():
        raise ModelError("no metadata.json: not a leadscore model folder", file=str(folder))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"metadata.json is unreadable: {exc}", file=str(path)) from None


def load_model(folder: str | Path) -> Any:
    """Load a model folder after checking its checksum and the versions that made it.

    Raises:
        ModelError: not a model folder, checksum mismatch, incompatible versions, or a file
            that cannot be unpickled.
    """
    folder = Path(folder)
    if folder.is_file():
        folder = folder.parent
    if not folder.exists():
        raise ModelError("model folder not found", file=str(folder))
    meta = read_metadata(folder)
    model_path = folder / MODEL_FILE
    if not model_path.exists():
        raise ModelError("model.joblib is missing", file=str(folder))
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"model format {meta.get('format_version')!r} is not the format this leadscore "
            f"reads ({FORMAT_VERSION}): retrain the model",
            file=str(folder),
        )
    if sha256_of(model_path) != meta.get("sha256"):
        raise ModelError(
            "checksum mismatch: model.joblib is not the file its metadata describes (truncated, "
            "corrupted or replaced); refusing to load it",
            file=str(model_path),
        )
    made = meta.get("versions", {})
    here = _versions()
    for lib in ("leadscore", "scikit-learn"):
        if made.get(lib, "").split(".")[:2] != here[lib].split(".")[:2]:
            raise ModelError(
                f"made with {lib} {made.get(lib)}, this is {lib} {here[lib]}: retrain the model "
                "with this version",
                file=str(folder),
            )
    try:
        return joblib.load(model_path)
    except Exception as exc:  # unpickling errors come in many types
        raise ModelError(f"cannot load model.joblib: {exc}", file=str(model_path)) from None
