"""Training examples, their raw model rows, the split that measures the model and the folds.

- snapshot exports: point-in-time snapshots (``features.snapshots``), split by time with a
  purge gap (``split.time_split``);
- flat exports: one closed row is one example; with an order column (``[contacts]
  order_by``) or a created date the split is time-ordered (the last ``test_fraction`` of rows
  by order/time is the test), otherwise stratified random;
- cross-validation (``cv_splits``) follows the same time, order or stratification.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from leadscore.features.activity import ActivitySpec
from leadscore.features.contact import ContactFeatures
from leadscore.features.flat import flat_examples, flat_rows
from leadscore.features.snapshots import assemble_rows, snapshot_examples
from leadscore.memory import empty_like
from leadscore.model.folds import forward_folds, stratified_folds
from leadscore.model.spec import TrainSpec
from leadscore.model.split import Split, order_split, snapshot_split, stratified_split
from leadscore.model.steps import Steps, step_of


def feature_transformer(spec: TrainSpec) -> ContactFeatures:
    """The unfitted ContactFeatures set up from the spec."""
    f, r = spec.features, spec.roles
    never = tuple(c for c in (spec.outcome_name, spec.order_by, "order_key") if c)
    return ContactFeatures(
        ignore=tuple(f.ignore) + never,
        personal=tuple(f.personal),
        categorical=tuple(f.categorical),
        numeric=tuple(f.numeric),
        company_size=r.company_size,
        revenue=r.revenue,
        job_title=r.job_title,
        max_categories=f.max_categories,
        min_category_count=f.min_category_count,
    )


@dataclass
class TrainingRows:
    """Examples (``contact_id``, ``label``, maybe ``as_of``), their raw rows and the split."""

    examples: pd.DataFrame
    rows: pd.DataFrame
    split: Split
    dates: list[pd.Timestamp]

    @property
    def y(self) -> np.ndarray:
        """The 0/1 labels."""
        return self.examples["label"].to_numpy(dtype=int)

    def take_rows(self) -> pd.DataFrame:
        """The rows, handed over: ``rows`` becomes an empty copy, so a callee that needs them
        no longer can let them go (``model.refit``: 0.7 GB on a million rows)."""
        rows, self.rows = self.rows, empty_like(self.rows)
        return rows


def examples_of(
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    spec: TrainSpec,
    source: str | None = None,
) -> tuple[pd.DataFrame, list[pd.Timestamp]]:
    """Snapshot examples of an export (``contact_id``, ``as_of``, ``label``) and their dates."""
    t = spec.training
    return snapshot_examples(
        contacts,
        activities,
        horizon_days=t.horizon_days,
        every_days=t.snapshot_every_days,
        max_rows=t.max_rows,
        seed=t.seed,
        source=source,
    )


def flat_training_rows(
    contacts: pd.DataFrame, activities: pd.DataFrame | None, spec: TrainSpec, act: ActivitySpec
) -> TrainingRows:
    """Examples, raw rows and split of a flat export; only closed rows are examples."""
    t = spec.training
    examples = flat_examples(contacts)
    rows = flat_rows(contacts.loc[examples.index], activities, act)
    examples, rows = examples.reset_index(drop=True), rows.reset_index(drop=True)
    y = examples["label"].to_numpy(dtype=int)
    fractions = {"test_fraction": t.test_fraction, "calibration_fraction": t.calibration_fraction}
    if "order_key" in examples:
        name = "row order" if spec.order_by == "@row" else str(spec.order_by)
        order = examples["order_key"].to_numpy()
        split = order_split(order, y, seed=t.seed, order_name=name, **fractions)
    elif "as_of" in examples:
        order = examples["as_of"].to_numpy()
        name = str(spec.created_name)
        split = order_split(order, y, seed=t.seed, order_name=name, **fractions)
    else:
        split = stratified_split(y, seed=t.seed, **fractions)
    return TrainingRows(examples, rows, split, [])


def training_rows(
    contacts: pd.DataFrame,
    activities: pd.DataFrame | None,
    spec: TrainSpec,
    act: ActivitySpec,
    source: str | None = None,
    steps: Steps | None = None,
) -> TrainingRows:
    """The examples, raw rows and split of either kind of export (``[training] examples``)."""
    if spec.training.examples == "flat":
        with step_of(steps, "examples"):
            return flat_training_rows(contacts, activities, spec, act)
    with step_of(steps, "examples"):
        examples, dates = examples_of(contacts, activities, spec, source)
    with step_of(steps, "rows (attributes, activity)"):
        rows = assemble_rows(contacts, activities, examples, act, compact=True)
    with step_of(steps, "split"):
        split = snapshot_split(examples, spec.training)
    return TrainingRows(examples, rows, split, dates)


def cv_splits(tr: TrainingRows, spec: TrainSpec) -> tuple[list[Split], str]:
    """Cross-validation folds (``model.folds``) and the scheme's name: forward-chaining in
    time or order and grouped by contact; stratified only for flat rows with neither."""
    t = spec.training
    common: dict[str, Any] = {
        "folds": t.cv_folds, "calibration_fraction": t.calibration_fraction, "seed": t.seed
    }  # fmt: skip
    ex, y = tr.examples, tr.y
    if tr.dates:  # snapshot examples
        folds = forward_folds(
            ex["as_of"].to_numpy(), y, order_name="snapshot date",
            contacts=ex["contact_id"].to_numpy(), horizon_days=t.horizon_days, **common,
        )  # fmt: skip
        return folds, "forward-chaining by snapshot date, grouped by contact"
    if "order_key" in ex or "as_of" in ex:
        key = "order_key" if "order_key" in ex else "as_of"
        name = str(spec.created_name) if key == "as_of" else str(spec.order_by)
        name = "row order" if name == "@row" else name
        folds = forward_folds(ex[key].to_numpy(), y, order_name=name, **common)
        return folds, f"forward-chaining by {name}"
    return stratified_folds(y, **common), "stratified (the rows carry no time or order)"
