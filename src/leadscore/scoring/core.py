"""The one scoring core: a batch of canonical contact rows in, the output rows out.

Every engine (in memory, streamed, Spark), the scorecard and the served model call
``score_batch``; they differ only in how they read, batch, find activity aggregates and write.
For each contact row the core decides, in this order:

1. **times** (``scoring_times``): the moment its status is judged (the requested as-of time,
   or the row's own ``as_of`` column in a flat lead list) and the moment its features are
   computed: the same, except for a model trained on flat rows, which learned each row as of
   its created date and so scores it as of that date too;
2. **status** (``row_status``): ``scored``, or why not (closed, created after the as-of time);
3. **model rows** (``model_rows``): attributes + ``as_of`` + the activity aggregates the
   ``behavior`` source supplies for those rows (or the list's own aggregate columns);
4. **prediction** (``predict_guarded``): probability, score and tier; a batch that fails on a
   data error is retried row by row so one bad row costs only itself (its status says why); a
   programming error raises;
5. **reasons**, when asked: from the same model call as the prediction.

Output rows keep the batch's index and order, one per input row: the id, the columns the
caller asked to keep (``keep``: passed through as text, unchanged, never features), the
prediction, the reasons and the status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd
import pyarrow as pa

from leadscore.features.activity import ActivitySpec, aggregate_activities

ID, AS_OF, STATUS, CLOSED, CREATED, ORDER = (
    "contact_id",
    "as_of",
    "status",
    "closed_at",
    "created_at",
    "order_key",
)
SCORED = "scored"
# Errors that bad values in a row can raise while features are computed: they become a
# row's status. Anything else is a bug and is raised.
DATA_ERRORS: tuple[type[Exception], ...] = (ValueError, ArithmeticError)
COLUMN_TYPES = {"probability": pa.float64(), "score": pa.int64()}
# Rows per model call: the trees walk every row once per tree, and a slice this size stays in
# the CPU cache (measured: 200,000 flat rows in one call took ~20 % more CPU than in slices).
MODEL_ROWS = 25_000

# A source of activity aggregates: keys (contact_id, as_of) in, aggregate columns out
# (aligned with the keys' index), or None when the rows already hold them.
Behavior = Callable[[pd.DataFrame], pd.DataFrame | None]
# Model rows in, output columns out (``predict_frame``, with or without the reasons).
Predict = Callable[[pd.DataFrame], pd.DataFrame]


class Scorer(Protocol):
    """What the core needs of a model (``LeadScorer``, the scorecards)."""

    thresholds: dict[str, float]
    info: dict[str, Any]

    @property
    def activity_spec(self) -> ActivitySpec: ...

    def predict_frame(self, rows: pd.DataFrame) -> pd.DataFrame: ...

    def explain(self, rows: pd.DataFrame) -> pd.DataFrame: ...

    def output_columns(self, reasons: bool) -> list[str]: ...


@dataclass
class Batch:
    """The output rows of a batch, and the model rows of its scored contacts (for drift)."""

    out: pd.DataFrame
    rows: pd.DataFrame


def learned_from_flat_rows(model: Scorer) -> bool:
    """True for a model trained on flat rows (each row as of its created date)."""
    return model.info.get("examples") == "flat"


def scoring_times(
    model: Scorer, contacts: pd.DataFrame, requested: pd.Timestamp | None
) -> tuple[pd.Series, pd.Series | None]:
    """(status time, feature time) per row; the feature time is None when rows carry no time.

    ``requested`` None means: the list's own ``as_of`` column (a flat lead list); callers
    resolve "now" once and pass it, so every batch of a run shares it.
    """
    index = contacts.index
    if requested is not None:
        status_at = pd.Series(requested, index=index)
    elif AS_OF in contacts:
        status_at = contacts[AS_OF]
    else:
        raise ValueError("scoring_times needs an as-of time or an as_of column")
    flat = learned_from_flat_rows(model)  # trained each row as of its created date
    return status_at, (contacts.get(CREATED) if flat else status_at)


def row_status(
    contacts: pd.DataFrame, as_of: pd.Series, *, include_closed: bool = False
) -> pd.Series:
    """``scored`` or why a contact row is not scored (closed, created after ``as_of``)."""
    status = pd.Series(SCORED, index=contacts.index, dtype=object)
    if not include_closed and STATUS in contacts:
        closed = contacts[STATUS].isin(["won", "lost"])
        status[closed] = "not scored: closed (" + contacts.loc[closed, STATUS] + ")"
    if CREATED in contacts:
        future = (contacts[CREATED] > as_of).to_numpy()
        status[future & (status == SCORED).to_numpy()] = "not scored: created after the as-of time"
    return status


def activity_log(activities: pd.DataFrame | None, spec: ActivitySpec) -> Behavior:
    """Aggregates computed from an activity log held in memory (None: no activity at all)."""

    def aggregates(keys: pd.DataFrame) -> pd.DataFrame:
        acts = activities
        if acts is not None:
            acts = acts[acts[ID].isin(set(keys[ID]))]
        return aggregate_activities(acts, keys, spec)

    return aggregates


def own_columns(keys: pd.DataFrame) -> None:
    """The rows already hold their aggregates (a flat lead list, or joined beforehand)."""
    return None


def model_rows(
    contacts: pd.DataFrame,
    features_at: pd.Series | None,
    behavior: Behavior,
    spec: ActivitySpec,
) -> pd.DataFrame:
    """The raw rows a model scores: attributes, ``as_of`` and the activity aggregates.

    Outcome columns (``status``, ``closed_at``) and the order key are never part of them.
    Rows without a time get no aggregates (nothing places them in time).
    """
    rows = contacts.drop(columns=[c for c in (STATUS, CLOSED, ORDER) if c in contacts])
    if features_at is None:
        return rows
    rows[AS_OF] = features_at.to_numpy()
    names = spec.feature_names()
    if names:
        aggregates = behavior(rows[[ID, AS_OF]])
        if aggregates is not None:
            rows = pd.concat([rows.drop(columns=names, errors="ignore"), aggregates], axis=1)
    return rows


def _failure(exc: Exception) -> str:
    return f"not scored: features could not be computed ({type(exc).__name__})"


def _predict_parts(
    predict: Predict, rows: pd.DataFrame, failed: dict[Any, Exception]
) -> list[pd.DataFrame]:
    """Predict ``rows``; on a data error, halve and retry, so bad rows are found in
    O(bad rows x log rows) model calls and every other row is still scored."""
    try:
        return [predict(rows)]
    except DATA_ERRORS as exc:
        if len(rows) == 1:
            failed[rows.index[0]] = exc
            return []
        half = len(rows) // 2
        return _predict_parts(predict, rows.iloc[:half], failed) + _predict_parts(
            predict, rows.iloc[half:], failed
        )


def _with_reasons(model: Scorer) -> Predict:
    """``predict_frame`` plus the reasons: from one pass where the model offers it."""
    one_pass = getattr(model, "predict_explained", None)
    if one_pass is not None:
        return one_pass
    return lambda rows: pd.concat([model.predict_frame(rows), model.explain(rows)], axis=1)


def predict_guarded(
    model: Scorer, rows: pd.DataFrame, *, reasons: bool = False
) -> tuple[pd.DataFrame, pd.Series]:
    """Predictions of the rows that can be scored, and a status for the others.

    Rows go to the model in slices of ``MODEL_ROWS`` (each row's prediction is its own);
    with ``reasons``, each slice's reasons come from the same call (``_with_reasons``). A
    row whose features raise a data error, or whose probability is not a finite number
    between 0 and 1, is set aside with its reason. When every row fails the same way the
    cause is not in the rows: the first error is raised.
    """
    failed: dict[Any, Exception] = {}
    predict = _with_reasons(model) if reasons else model.predict_frame
    parts = [
        part
        for start in range(0, len(rows), MODEL_ROWS)
        for part in _predict_parts(predict, rows.iloc[start : start + MODEL_ROWS], failed)
    ]
    if failed and len(failed) == len(rows):
        raise next(iter(failed.values()))
    pred = pd.concat(parts) if parts else model.predict_frame(rows.iloc[:0])
    status = pd.Series({k: _failure(v) for k, v in failed.items()}, dtype=object)
    if "probability" in pred:
        p = pred["probability"].to_numpy(dtype=float)
        bad = ~(np.isfinite(p) & (p >= 0) & (p <= 1))
        if bad.any():
            extra = pd.Series("not scored: probability is not a number", index=pred.index[bad])
            status, pred = pd.concat([status, extra]), pred[~bad]
    return pred, status


def output_schema(model: Scorer, reasons: bool, keep: Mapping[str, str] | None = None) -> pa.Schema:
    """The output columns of ``score_batch`` for this model, with their Arrow types: the
    id, the kept columns (text), the model's columns and the status."""
    names = [ID, *(keep or {}), *model.output_columns(reasons), STATUS]
    return pa.schema([(n, COLUMN_TYPES.get(n, pa.string())) for n in names])


def _cell_text(value: object) -> str:
    """One kept value as text: text as it is, whole floats without ``.0``, times in ISO."""
    if isinstance(value, str):
        return value
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def kept_text(values: pd.Series) -> np.ndarray:
    """A kept column as text, cell by cell (missing cells stay missing)."""
    text = values.astype(object).map(_cell_text, na_action="ignore")
    return text.where(values.notna(), None).to_numpy(dtype=object)


def _empty_output(
    contacts: pd.DataFrame, status: pd.Series, schema: pa.Schema, keep: Mapping[str, str]
) -> pd.DataFrame:
    out = pd.DataFrame(index=contacts.index)
    for field in schema:
        if field.name == ID:
            out[ID] = contacts[ID].to_numpy(dtype=object)
        elif field.name in keep:
            out[field.name] = kept_text(contacts[keep[field.name]])
        elif field.name == STATUS:
            out[STATUS] = status.to_numpy(dtype=object)
        elif field.type == pa.float64():
            out[field.name] = np.nan
        elif field.type == pa.int64():  # all missing (from a list of NA: 5 ms a batch)
            n = len(contacts)
            out[field.name] = pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool))
        else:
            out[field.name] = ""
    return out


@dataclass
class Prepared:
    """A batch ready for the model: its output rows so far (id, kept columns, status) and the
    model rows of the contacts to score (``prepare_batch``)."""

    out: pd.DataFrame
    rows: pd.DataFrame


def prepare_batch(
    model: Scorer,
    contacts: pd.DataFrame,
    behavior: Behavior,
    as_of: pd.Timestamp | None,
    *,
    include_closed: bool = False,
    reasons: bool = False,
    keep: Mapping[str, str] | None = None,
) -> Prepared:
    """Steps 1-3 of ``score_batch``: times, status and the model rows of the rows to score."""
    keep = keep or {}
    status_at, features_at = scoring_times(model, contacts, as_of)
    status = row_status(contacts, status_at, include_closed=include_closed)
    out = _empty_output(contacts, status, output_schema(model, reasons, keep), keep)
    todo = (status == SCORED).to_numpy()
    if not todo.any():
        return Prepared(out, contacts.iloc[:0])
    times = None if features_at is None else features_at[todo]
    return Prepared(out, model_rows(contacts[todo], times, behavior, model.activity_spec))


def finish_batch(prepared: Prepared, pred: pd.DataFrame, failed: pd.Series) -> Batch:
    """``prepared``'s output rows with ``predict_guarded``'s predictions and statuses."""
    out, rows = prepared.out, prepared.rows
    every = pred.index.equals(out.index)  # every row scored: whole columns, no alignment
    for col in [c for c in pred.columns if c in out.columns]:
        if every and pred[col].dtype == out[col].dtype:
            out[col] = pred[col].array  # its own array: text stays Arrow text
        else:
            out.loc[pred.index, col] = pred[col].array
    out.loc[failed.index, STATUS] = failed.to_numpy(dtype=object)
    scored = rows if pred.index.equals(rows.index) else rows.loc[pred.index]  # no copy if all
    return Batch(out, scored)


def score_batch(
    model: Scorer,
    contacts: pd.DataFrame,
    behavior: Behavior,
    as_of: pd.Timestamp | None,
    *,
    include_closed: bool = False,
    reasons: bool = False,
    keep: Mapping[str, str] | None = None,
) -> Batch:
    """Score a batch of canonical contact rows: one output row per input row, same index.

    ``prepare_batch``, then the model (``predict_guarded``), then ``finish_batch``: the steps
    ``scoring.pool`` runs with the model's part on a worker process.

    Args:
        model: a ``LeadScorer`` or a scorecard model.
        contacts: canonical contacts (``contact_id``, ``status``, dates, attributes; a flat
            lead list also its aggregate columns and maybe ``as_of``).
        behavior: where the activity aggregates come from (``activity_log``,
            ``own_columns`` or an engine's precomputed store).
        as_of: the requested time (None: the rows' own ``as_of`` column).
        include_closed: also score won and lost contacts.
        reasons: add the model's reason columns.
        keep: output column -> contacts column, passed through unchanged (as text).
    """
    prepared = prepare_batch(
        model, contacts, behavior, as_of, include_closed=include_closed, reasons=reasons,
        keep=keep,
    )  # fmt: skip
    if not len(prepared.rows):
        return Batch(prepared.out, prepared.rows)
    return finish_batch(prepared, *predict_guarded(model, prepared.rows, reasons=reasons))
