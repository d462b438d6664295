"""One small sample CRM and model shared by the scale tests (trained once per session)."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from helpers import train
from leadscore.config import load_config
from leadscore.data.crm import load_crm
from leadscore.io.store import save_model
from leadscore.sample import generate_crm, write_crm


@functools.cache
def world() -> dict:
    """Sample CRM as CSV and Parquet, the loaded CRM, a trained scorer and its model folder."""
    root = Path(tempfile.mkdtemp(prefix="leadscore-scale-"))
    contacts, activities = generate_crm(months=10, contacts_per_month=300, seed=3)
    write_crm(contacts, activities, root / "csv", fmt="csv")
    write_crm(contacts, activities, root / "pq", fmt="parquet")
    cfg = load_config(None)
    crm = load_crm(
        root / "csv/contacts.csv", root / "csv/activities.csv", cfg, require_outcome=True
    )
    scorer = train(crm, cfg).scorer
    save_model(scorer, root / "model")
    return {"root": root, "cfg": cfg, "crm": crm, "scorer": scorer, "model_dir": root / "model"}
