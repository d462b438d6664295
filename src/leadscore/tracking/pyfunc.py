"""The model as an MLflow pyfunc: raw model rows in, probability, score and tier out.

``mlflow_model.py`` declares it as code ("models from code"); the trained estimator travels
as the ``model_dir`` artifact and is loaded by ``io.store.load_model`` (checksum first).
The input example is synthetic: built from the schema, never from a contact's values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel

from leadscore import __version__


class LeadScorePyfunc(PythonModel):
    """Serves a leadscore model folder: per-contact rows in, probability/score/tier out.

    The input rows are the model's raw rows: contact attributes, the behavioral aggregate
    columns and ``as_of``. Columns the model does not know are ignored; missing ones are
    treated as missing values.
    """

    def load_context(self, context: Any) -> None:
        from leadscore.io.store import load_model

        self.scorer = load_model(context.artifacts["model_dir"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        return serve(self.scorer, model_input)


def serve(scorer: Any, rows: pd.DataFrame) -> pd.DataFrame:
    """The pyfunc's output for raw rows: probability, score (as float) and tier."""
    out = scorer.predict_frame(rows)
    out["score"] = out["score"].astype("float64")
    return out.reset_index(drop=True)


def synthetic_example(scorer: Any, n: int = 2) -> pd.DataFrame:
    """Input example built only from the schema: no value comes from a real contact.

    Personal columns are left out, so the logged signature never asks a caller for a name,
    e-mail or phone number (a served model ignores columns its signature lacks).
    """
    features = scorer.features
    private = getattr(features, "personal_", {})
    cols: dict[str, Any] = {}
    for name in features.input_columns_:
        kind = features.plan_.get(name)
        if name in private:
            continue
        if name in ("as_of", "created_at") or kind in ("date", "date_text"):
            cols[name] = pd.to_datetime(["2025-01-31", "2025-02-28"][:n])
        elif kind == "numeric":
            cols[name] = np.arange(n, dtype=float)
        elif kind is None and name not in features.excluded_:
            continue
        else:
            cols[name] = [f"example {i + 1}" for i in range(n)]
    return pd.DataFrame(cols)


def _requirements() -> list[str]:
    import joblib
    import sklearn

    return [
        f"leadscore=={__version__}",
        f"scikit-learn=={sklearn.__version__}",
        f"pandas=={pd.__version__}",
        f"numpy=={np.__version__}",
        f"joblib=={joblib.__version__}",
    ]


def save_pyfunc(model_dir: str | Path, path: str | Path) -> str:
    """Save a model folder as a local MLflow pyfunc (no tracking store); return its URI."""
    from mlflow.models import infer_signature

    from leadscore.io.store import load_model

    scorer = load_model(model_dir)
    example = synthetic_example(scorer)
    mlflow.pyfunc.save_model(
        path=str(path),
        python_model=str(Path(__file__).with_name("mlflow_model.py")),
        artifacts={"model_dir": str(model_dir)},
        signature=infer_signature(example, serve(scorer, example)),
        input_example=example,
        pip_requirements=_requirements(),
    )
    return str(path)
