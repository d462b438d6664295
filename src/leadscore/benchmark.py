"""``make real-data``: leadscore beside three reference models on each shared real data set.

For each data set with an example config in ``examples/``, leadscore is trained through its
public API (``leadscore.train``, exactly as ``leadscore train FILE --config CONFIG``), and on
the same rows, the same split and the same cross-validation folds, three references are fitted
on everything before the test part:

- ``hgb default``: ``HistGradientBoostingClassifier()`` with its defaults;
- ``hgb tuned``: learning rate x tree size chosen by 3-fold inner cross-validated ROC AUC on
  the training rows, each setting stopped early (``_tuned_hgb``);
- ``logistic``: one-hot categories, median-imputed and standardised numbers,
  ``LogisticRegression()``.

They see the raw columns leadscore sees (the config's ignored columns and those leadscore's
leakage guard excluded left out), categories as text; they are not recalibrated. leadscore's
figures are its held-out ones (``result.metrics``: the method measured before the shipped
model is refit on every row, see docs/trust.md) and its cross-validation
(``scorer.info["cv"]``). A data set whose config asks for cross-validation on ordered rows is
also measured shuffled (order ignored: stratified split and folds), the setting of published
results. Nothing here reads a column name of a data set.

Run: ``python -m leadscore.benchmark [DATA_DIR]`` (default ``$LEADSCORE_REAL_DATA`` or
``../shared/data``); prints one table and writes ``reports/real-data.json``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

from leadscore import api
from leadscore.choices import Evaluation
from leadscore.config import Config, load_config
from leadscore.data.crm import load_crm
from leadscore.features.activity import learn_activity_spec
from leadscore.model.evaluate import fold_problem
from leadscore.model.examples import cv_splits, flat_training_rows
from leadscore.model.metrics import summarize
from leadscore.model.spec import TrainSpec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
REPORT = ROOT / "reports" / "real-data.json"
DATASETS = {
    "x_education_leads": "x_education_leads/Leads.csv",
    "uci_bank_marketing": "uci_bank_marketing/bank-full.csv",
    "maven_crm_pipeline": "maven_crm_pipeline/sales_pipeline.csv",
}
MEASURES = ("roc_auc", "log_loss", "ece")
REFERENCES = ("hgb default", "hgb tuned", "logistic")


def data_dir() -> Path:
    """The shared real data folder (``LEADSCORE_REAL_DATA`` or ``../shared/data``)."""
    return Path(os.environ.get("LEADSCORE_REAL_DATA") or ROOT / ".." / "shared" / "data")


def _columns(rows: pd.DataFrame, drop: set[str]) -> tuple[list[str], list[str]]:
    """(categorical, numeric) raw columns a reference model uses."""
    cols = [c for c in rows.columns if c not in drop]
    cat = [c for c in cols if not pd.api.types.is_numeric_dtype(rows[c])]
    return cat, [c for c in cols if c not in cat]


def _ordinal(cat: list[str], num: list[str]) -> ColumnTransformer:
    ordinal = OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=np.nan, max_categories=250
    )
    return ColumnTransformer([("cat", ordinal, cat), ("num", "passthrough", num)])


def _hgb(cat: list[str], num: list[str], seed: int, **settings: Any) -> Pipeline:
    model = HistGradientBoostingClassifier(
        categorical_features=list(range(len(cat))), random_state=seed, **settings
    )
    return Pipeline([("encode", _ordinal(cat, num)), ("model", model)])


def _tuned_hgb(cat: list[str], num: list[str], seed: int) -> GridSearchCV:
    """Learning rate x leaves x minimum leaf size by inner 3-fold ROC AUC, stopped early."""
    grid = {
        "model__learning_rate": [0.05, 0.1],
        "model__max_leaf_nodes": [15, 31],
        "model__min_samples_leaf": [20, 100],
    }
    pipe = _hgb(cat, num, seed, max_iter=500, early_stopping=True, n_iter_no_change=20)
    inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=seed)
    return GridSearchCV(pipe, grid, scoring="roc_auc", cv=inner)


def _logistic(cat: list[str], num: list[str], seed: int) -> Pipeline:
    numbers = Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])
    onehot = OneHotEncoder(handle_unknown="ignore", min_frequency=10)
    encode = ColumnTransformer([("cat", onehot, cat), ("num", numbers, num)])
    model = LogisticRegression(max_iter=3000, random_state=seed)
    return Pipeline([("encode", encode), ("model", model)])


BUILD = {"hgb default": _hgb, "hgb tuned": _tuned_hgb, "logistic": _logistic}


def _as_text(rows: pd.DataFrame) -> pd.DataFrame:
    """Text and category columns as plain text (missing stays missing)."""
    out = rows.copy()
    for c in out.columns:
        kind = out[c].dtype
        if not pd.api.types.is_numeric_dtype(kind) and not pd.api.types.is_datetime64_any_dtype(
            kind
        ):
            out[c] = out[c].astype(object).where(out[c].notna(), np.nan)
            out.loc[out[c].notna(), c] = out.loc[out[c].notna(), c].astype(str)
    return out


def references(rows: pd.DataFrame, y: np.ndarray, parts: list[tuple[np.ndarray, np.ndarray]],
               drop: set[str], seed: int) -> dict[str, dict[str, float]]:  # fmt: skip
    """Each reference's mean metrics over ``parts`` ((train rows, test rows) pairs)."""
    cat, num = _columns(rows, drop)
    X = _as_text(rows[cat + num])
    out = {}
    for name, build in BUILD.items():
        figures = []
        for train, test in parts:
            model = build(cat, num, seed).fit(X.iloc[train], y[train])
            figures.append(summarize(y[test], model.predict_proba(X.iloc[test])[:, 1]))
        out[name] = {k: float(np.mean([f[k] for f in figures])) for k in MEASURES}
    return out


def _train(path: Path, cfg: Config) -> Any:
    """leadscore trained through the public API, as ``leadscore train`` does."""
    with tempfile.TemporaryDirectory(prefix="leadscore-real-") as tmp:
        return api.train(path, config=cfg, model_dir=Path(tmp) / "model", mlflow=False).result


def _rows_of(name: str, evaluation: str, leadscore: dict[str, float],
             refs: dict[str, dict[str, float]], split: str) -> list[dict[str, Any]]:  # fmt: skip
    """Table rows: leadscore, then each reference, with the margin over the best reference."""
    best = max(r["roc_auc"] for r in refs.values())
    common = {"data set": name, "evaluation": evaluation, "split": split}
    out = [{**common, "model": "leadscore", **{k: leadscore[k] for k in MEASURES},
            "auc_minus_best_reference": leadscore["roc_auc"] - best}]  # fmt: skip
    out += [{**common, "model": ref, **figures} for ref, figures in refs.items()]
    return out


def run_one(name: str, path: Path, shuffled: bool = False,
            with_cv: bool = True) -> list[dict[str, Any]]:  # fmt: skip
    """leadscore and the references on one data set: holdout rows, then CV rows if the config
    asks for them and ``with_cv`` allows (the test suite measures holdouts only, to fit its time)."""
    cfg = load_config(EXAMPLES / f"{name}.toml")
    if shuffled:
        cfg.contacts.order_by = None
    if not with_cv:
        cfg.training.evaluation = Evaluation.HOLDOUT
    result = _train(path, cfg)
    crm = load_crm(path, None, cfg, require_outcome=True)
    spec = TrainSpec.from_config(cfg)
    tr = flat_training_rows(crm.contacts, None, spec, learn_activity_spec(None, ()))
    split = result.split
    assert (tr.examples["contact_id"].to_numpy()[split.test] == result.holdout["contact_id"]).all()
    drop = {"contact_id", "as_of", "created_at", *cfg.features.ignore}
    drop |= set(result.leakage.excluded if result.leakage else [])
    seed, label = cfg.training.seed, name + (" (shuffled)" if shuffled else "")
    before = np.concatenate([split.fit, split.calibration])
    refs = references(tr.rows, tr.y, [(before, split.test)], drop, seed)
    what = split.description.split(":")[0]
    out = _rows_of(label, "holdout", result.metrics, refs, what)
    cv = result.scorer.info.get("cv")
    if cv:
        folds = [f for f in cv_splits(tr, spec)[0] if fold_problem(tr.y, f) is None]
        parts = [(np.concatenate([f.fit, f.calibration]), f.test) for f in folds]
        refs = references(tr.rows, tr.y, parts, drop, seed)
        out += _rows_of(label, f"cv ({cv['folds']} folds)", cv, refs, cv["scheme"])
    return out


def run(folder: Path | None = None) -> pd.DataFrame:
    """The whole table: every data set present (absent ones listed as skipped)."""
    folder = folder or data_dir()
    rows: list[dict[str, Any]] = []
    for name, rel in DATASETS.items():
        path = folder / rel
        if not path.exists():
            rows.append({"data set": name, "split": f"skipped: {path} not found"})
            continue
        rows += run_one(name, path)
        cfg = load_config(EXAMPLES / f"{name}.toml")
        if cfg.training.evaluation == "cv" and cfg.contacts.order_by:
            rows += run_one(name, path, shuffled=True)
    return pd.DataFrame(rows)


def main() -> None:
    """Print the table and write ``reports/real-data.json`` (used by ``make real-data``)."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    table = run(folder)
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(table.to_dict(orient="records"), indent=1, default=str) + "\n")
    print(f"wrote {REPORT}")


if __name__ == "__main__":
    main()
