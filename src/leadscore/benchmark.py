"""``make real-data``: train and evaluate on each shared real data set that is present.

For each data set with an example config in ``examples/``, this trains leadscore exactly as
``leadscore train FILE --config CONFIG`` does, and measures beside it, on the same rows and
the same split, a plain gradient-boosting baseline: a default
``HistGradientBoostingClassifier`` on the same raw columns (the config's ignored columns left
out), categories ordinal-encoded, without leadscore's feature work or calibration. When the
config asks for cross-validation, the baseline is cross-validated on the same folds' scheme.
Open rows (no outcome yet) are scored with the saved scorer and counted.

Run: ``python -m leadscore.benchmark [DATA_DIR]`` (default ``$LEADSCORE_REAL_DATA`` or
``../shared/data``).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OrdinalEncoder

from leadscore import api
from leadscore.config import Config, load_config
from leadscore.data.crm import load_crm
from leadscore.features.activity import learn_activity_spec
from leadscore.model.examples import flat_training_rows
from leadscore.model.metrics import summarize
from leadscore.model.spec import TrainSpec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DATASETS = {
    "x_education_leads": "x_education_leads/Leads.csv",
    "uci_bank_marketing": "uci_bank_marketing/bank-full.csv",
    "maven_crm_pipeline": "maven_crm_pipeline/sales_pipeline.csv",
}


def data_dir() -> Path:
    """The shared real data folder (``LEADSCORE_REAL_DATA`` or ``../shared/data``)."""
    default = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    return Path(os.environ.get("LEADSCORE_REAL_DATA") or default)


def plain_gb(rows: pd.DataFrame, cfg: Config, seed: int) -> Pipeline:
    """A default HistGradientBoostingClassifier on the raw columns (unfitted)."""
    drop = {"contact_id", "as_of", "created_at", *cfg.features.ignore}
    cols = [c for c in rows.columns if c not in drop]
    cat = [c for c in cols if not pd.api.types.is_numeric_dtype(rows[c])]
    num = [c for c in cols if c not in cat]
    encode = ColumnTransformer(
        [
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value", unknown_value=np.nan, max_categories=250
                ),
                cat,
            ),
            ("num", "passthrough", num),
        ],
        verbose_feature_names_out=False,
    )
    model = HistGradientBoostingClassifier(
        categorical_features=list(range(len(cat))), random_state=seed
    )
    return Pipeline([("encode", encode), ("model", model)])


def _as_text(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_datetime64_any_dtype(
            out[c]
        ):
            out[c] = out[c].astype(object).where(out[c].notna(), np.nan).astype(str)
            out.loc[rows[c].isna(), c] = np.nan
    return out


def run_one(name: str, path: Path) -> dict[str, Any]:
    """Train leadscore and the plain baseline on one data set; the figures of one table row."""
    config = EXAMPLES / f"{name}.toml"
    cfg = load_config(config)
    with tempfile.TemporaryDirectory(prefix="leadscore-real-") as tmp:
        trained = api.train(path, config=config, model_dir=Path(tmp) / "model", mlflow=False)
        try:
            scored = api.predict(path, config=config, model=Path(tmp) / "model", reasons=False)
            open_scored = scored.scored
        except api.NothingScoredError:  # no open rows in the export
            open_scored = 0
    result = trained.result
    crm = load_crm(path, None, cfg, require_outcome=True)
    act = learn_activity_spec(None, cfg.features.windows_days)
    tr = flat_training_rows(crm.contacts, None, TrainSpec.from_config(cfg), act)
    split, rows, y = tr.split, _as_text(tr.rows), tr.y
    seed = cfg.training.seed
    before = np.concatenate([split.fit, split.calibration])
    plain = plain_gb(rows, cfg, seed).fit(rows.iloc[before], y[before])
    plain_holdout = summarize(y[split.test], plain.predict_proba(rows.iloc[split.test])[:, 1])
    row: dict[str, Any] = {
        "data set": name,
        "examples": len(y),
        "converted": float(y.mean()),
        "split": split.description.split(":")[0],
        "roc_auc": result.metrics["roc_auc"],
        "plain_gb_roc_auc": plain_holdout["roc_auc"],
        "pr_auc": result.metrics["pr_auc"],
        "ece": result.metrics["ece"],
        "lift_top10": result.metrics["lift_top10"],
    }
    cv = result.scorer.info.get("cv")
    if cv:
        folds = StratifiedKFold(n_splits=cfg.training.cv_folds, shuffle=True, random_state=seed)
        aucs = []
        for tr, te in folds.split(np.zeros(len(y)), y):
            model = plain_gb(rows, cfg, seed).fit(rows.iloc[tr], y[tr])
            aucs.append(summarize(y[te], model.predict_proba(rows.iloc[te])[:, 1])["roc_auc"])
        row["cv_roc_auc"] = cv["roc_auc"]
        row["plain_gb_cv_roc_auc"] = float(np.mean(aucs))
        row["cv_ece"] = cv["ece"]
    row["open"] = int((crm.contacts["status"] == "open").sum())
    row["open_scored"] = open_scored
    return row


def run(folder: Path | None = None) -> pd.DataFrame:
    """One row per data set present (data sets absent are listed as skipped)."""
    folder = folder or data_dir()
    rows = []
    for name, rel in DATASETS.items():
        path = folder / rel
        if not path.exists():
            rows.append({"data set": name, "split": f"skipped: {path} not found"})
            continue
        rows.append(run_one(name, path))
    return pd.DataFrame(rows)


def main() -> None:
    """Print the table (used by ``make real-data``)."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    table = run(folder)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))


if __name__ == "__main__":
    main()
