"""Batches through the one core, the model's part shared with worker processes when that pays.

``score_batches`` is how the in-memory and streaming engines score a list batch by batch. Each
batch goes through ``core.prepare_batch`` (times, status, model rows: in this process, which
reads the list and holds the activity aggregates), then the model (``core.predict_guarded``),
then ``core.finish_batch``, and comes out in input order.

With reasons, a list of ``PROCESS_ROWS`` rows or more, and a thread setting of two or more,
the model's part is shared: this process keeps each worker fed with ``QUEUED`` batches and
scores the others itself, with one thread, as every worker does; there is one worker per
thread beyond the first. Processes, not threads: the reasons' tree walk makes thousands of
short numpy calls per batch, and beside a thread doing Python work each call waits for the
GIL (docs/scale.md: a batch's walk took 3.4x as long beside the reasons' words as alone).
Without reasons one process already scores at the hand-written script's CPU cost, which a
worker would raise (its start-up, the rows' transfer), so it stays in this process.

Each batch's prediction is a function of its model rows and the model alone, so the output
is the same, bit for bit, wherever a batch is scored; ``tests/test_pool.py`` compares them. A
worker receives the pickled model with each batch (unpickled once: it keeps the last one) and
the batch's model rows; it returns the predictions and the statuses of the rows it could not
score.
"""

from __future__ import annotations

import hashlib
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import pandas as pd

from leadscore.scoring.core import (
    Batch,
    Behavior,
    Prepared,
    Scorer,
    finish_batch,
    predict_guarded,
    prepare_batch,
    score_batch,
)

# Rows from which a list with reasons shares its batches with workers: a worker's start-up
# (a Python with the model's libraries, about 2 s of one core) must be paid back.
PROCESS_ROWS = 100_000
QUEUED = 2  # batches each worker holds (one scored, one waiting), so it never waits for us
# What a worker's model libraries may use: one thread (there is a worker per thread)
ONE_THREAD = {
    name: "1"
    for name in ("LEADSCORE_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}
_MODELS: dict[str, Any] = {}  # in a worker: the model it was last sent, by its pickle's hash

Predicted = tuple[pd.DataFrame, pd.Series]  # ``predict_guarded``'s predictions and statuses


def worker_count(rows: int, reasons: bool, threads: int | None = None) -> int:
    """The worker processes for a list of ``rows`` rows (0: this process scores it alone)."""
    from leadscore.threads import thread_count

    count = thread_count(threads)
    return count - 1 if reasons and count >= 2 and rows >= PROCESS_ROWS else 0


def _model(key: str, blob: bytes) -> Any:
    """In a worker: the model of this pickle (unpickled the first time it comes)."""
    if key not in _MODELS:
        _MODELS.clear()
        _MODELS[key] = pickle.loads(blob)
    return _MODELS[key]


def _load(key: str, blob: bytes) -> None:
    _model(key, blob)


def _predict(key: str, blob: bytes, rows: pd.DataFrame, reasons: bool) -> Predicted:
    """``core.predict_guarded`` in a worker."""
    return predict_guarded(_model(key, blob), rows, reasons=reasons)


def _pickled(model: Scorer) -> tuple[str, bytes]:
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    return hashlib.sha256(blob).hexdigest(), blob


def _executor(workers: int) -> Any:
    """The process's worker pool (loky's, through joblib, which scikit-learn already needs).

    loky rather than ``concurrent.futures``: its workers do not run the caller's ``__main__``
    again (a script calling ``leadscore.predict`` without an ``if __name__ == "__main__"``
    guard would run itself in each spawned worker), and they get their environment (one
    thread) before their libraries load.
    """
    from joblib.externals.loky import get_reusable_executor

    return get_reusable_executor(workers, env=ONE_THREAD)


def _warm() -> None:
    """In a new worker: import what scoring a batch needs (while the caller loads the model)."""
    import sklearn.ensemble  # noqa: F401

    import leadscore.model.reasons  # noqa: F401
    import leadscore.model.scorer  # noqa: F401


@contextmanager
def running(workers: int) -> Iterator[Callable[[Scorer], None]]:
    """Workers for one run: ``workers`` processes started on entry, without waiting, so
    their start-up overlaps the caller's loading of the model and reading of the list; the
    function given hands them the model once it is loaded. On exit they are stopped at once:
    a worker holds nothing to keep, and no process outlives the run (0: nothing at all)."""
    if workers < 1:
        yield lambda model: None
        return
    pool = _executor(workers)
    for _ in range(workers):
        pool.submit(_warm)

    def send(model: Scorer) -> None:
        key, blob = _pickled(model)
        for _ in range(workers):
            pool.submit(_load, key, blob)

    try:
        yield send
    finally:
        pool.shutdown(wait=True, kill_workers=True)


def _here(model: Scorer, rows: pd.DataFrame, reasons: bool) -> Predicted:
    """``core.predict_guarded`` in this process, with one thread (a worker has the other)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits={"openmp": 1, "blas": 1}):
        return predict_guarded(model, rows, reasons=reasons)


def score_batches(
    model: Scorer,
    batches: Iterable[pd.DataFrame],
    behavior: Behavior,
    as_of: pd.Timestamp | None,
    *,
    workers: int = 0,
    include_closed: bool = False,
    reasons: bool = False,
    keep: Mapping[str, str] | None = None,
) -> Iterator[Batch]:
    """Each batch of canonical contact rows scored (``core.score_batch``), in order.

    ``workers`` 1 or more (``worker_count``): the model's part shared with that many worker
    processes (module docstring). A batch comes out as soon as it and those before it are
    scored, and at most ``QUEUED`` batches per worker wait, so memory holds a few batches
    whatever the list's length.
    """
    options: dict[str, Any] = {"include_closed": include_closed, "reasons": reasons, "keep": keep}
    if workers < 1:
        for contacts in batches:
            yield score_batch(model, contacts, behavior, as_of, **options)
        return
    pool = _executor(workers)
    key, blob = _pickled(model)
    # each batch, in order, with its predictions, or the worker's future of them
    pending: deque[tuple[Prepared, Predicted | Future[Predicted] | None]] = deque()
    try:
        for contacts in batches:
            prepared = prepare_batch(model, contacts, behavior, as_of, **options)
            away = sum(isinstance(p, Future) and not p.done() for _, p in pending)
            if not len(prepared.rows):
                pending.append((prepared, None))
            elif away < QUEUED * workers:
                pending.append((prepared, pool.submit(_predict, key, blob, prepared.rows, reasons)))
            else:
                pending.append((prepared, _here(model, prepared.rows, reasons)))
            while pending and (_ready(pending[0][1]) or len(pending) > QUEUED * (workers + 1)):
                yield _finished(*pending.popleft())
        while pending:
            yield _finished(*pending.popleft())
    finally:
        for _, todo in pending:  # a run stopped early (an error, a closed writer)
            if isinstance(todo, Future):
                todo.cancel()


def _ready(predicted: Predicted | Future[Predicted] | None) -> bool:
    return not isinstance(predicted, Future) or predicted.done()


def _finished(prepared: Prepared, predicted: Predicted | Future[Predicted] | None) -> Batch:
    if predicted is None:
        return Batch(prepared.out, prepared.rows)
    pred, failed = predicted.result() if isinstance(predicted, Future) else predicted
    return finish_batch(prepared, pred, failed)
