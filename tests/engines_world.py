"""The world the engine tests share: a 5,000-contact sample CRM and three models on it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import leadscore

AS_OF = "2025-09-15"


def config_for(kind: str) -> leadscore.Config:
    """The config of each model kind (snapshots, flat with created dates, flat without)."""
    cfg = leadscore.load_config(None)
    if kind != "snapshots":
        cfg.training.examples = "flat"
    if kind == "flat-undated":
        cfg.contacts.created_at = ""
        cfg.features.ignore = ["created_at_attr", "closed_at_attr"]
    return cfg


def build(root: Path) -> dict:
    """A 5,000-contact sample CRM as CSV and Parquet, and three models trained on it.

    The CRM record is made 15 days after the first touch (closes come 20 days or more after
    it), so a flat model's rows, taken as of their created date, have activity before it.
    """
    contacts, activities = leadscore.generate_sample(months=10, contacts_per_month=500, seed=5)
    contacts["created_at"] = pd.to_datetime(contacts["created_at"]) + pd.Timedelta(days=15)
    contacts.to_csv(root / "contacts.csv", index=False)
    activities.to_csv(root / "activities.csv", index=False)
    contacts.to_parquet(root / "contacts.parquet", index=False)
    activities.to_parquet(root / "activities.parquet", index=False)
    models = {}
    for kind in ("snapshots", "flat-dated", "flat-undated"):
        acts = None if kind == "flat-undated" else root / "activities.csv"
        leadscore.train(root / "contacts.csv", acts, config_for(kind), model_dir=root / kind,
                        mlflow=False)  # fmt: skip
        models[kind] = root / kind
    return {"root": root, "models": models, "rows": len(contacts)}
