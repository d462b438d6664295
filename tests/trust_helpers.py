"""Shared helpers of the trust tests (reasons, leakage guard, report): a small sample CRM."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from leadscore.config import Config, load_config
from leadscore.data.crm import CRM, load_crm
from leadscore.sample import generate_crm, write_crm


def small_crm(
    tmp: Path, *, months: int = 14, per_month: int = 300, seed: int = 3, leak: bool = False
) -> tuple[CRM, Config]:
    """A small sample CRM written to ``tmp`` and read back; with ``leak``, two planted leaks.

    ``stage_notes`` is filled only for won contacts; ``final_amount`` is 0 for every lost one
    and a positive amount for won ones (open contacts have neither).
    """
    contacts, activities = generate_crm(months=months, contacts_per_month=per_month, seed=seed)
    if leak:
        rng = np.random.default_rng(seed)
        won = contacts["outcome"].eq("won").to_numpy()
        lost = contacts["outcome"].eq("lost").to_numpy()
        notes = np.array(["signed after call", "PO received", "contract sent back"])
        contacts["stage_notes"] = np.where(won, notes[rng.integers(0, 3, len(won))], None)
        amount = np.where(won, rng.integers(2_000, 90_000, len(won)).astype(float), np.nan)
        contacts["final_amount"] = np.where(lost, 0.0, amount)
    write_crm(contacts, activities, tmp)
    cfg = load_config(None)
    crm = load_crm(tmp / "contacts.csv", tmp / "activities.csv", cfg, require_outcome=True)
    return crm, cfg


def one_contact_per_row(frame: pd.DataFrame) -> pd.DataFrame:
    """Helper for assertions: the last snapshot of each contact."""
    return frame.sort_values("as_of").groupby("contact_id").tail(1)


def fast_hgb(monkeypatch) -> None:
    """One boosted setting with a fixed, small number of rounds in tests: the same model
    family, fitted in a fraction of the time."""
    from leadscore.model import estimators

    original = estimators.build_hgb

    def build(features, seed=42):
        return original(features, seed=seed).set_params(model__max_iter=60)

    monkeypatch.setitem(estimators.BUILDERS, "hgb", build)
    one = {"learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 100, "max_iter": 60}
    monkeypatch.setattr(estimators, "HGB_GRID", (one,))  # a fixed count: no early stopping
