"""How many threads the model libraries use (OpenMP in scikit-learn's gradient boosting, BLAS).

One setting, read where a job runs: ``--threads`` on the command line (which sets
``LEADSCORE_THREADS``), else the ``LEADSCORE_THREADS`` environment variable, else
``OMP_NUM_THREADS`` (the usual way to pin a worker to one thread), else the machine's
physical cores (as scikit-learn counts them). The limit is applied with
threadpoolctl around each job that fits or applies a model (``train``, ``predict``,
``evaluate``, ``retrain``), so a notebook that calls the API gets the same rule, and the
process's own limits come back when the job returns.

BLAS (numpy's matrix products, the logistic model's solver) keeps one thread whatever the
setting: leadscore's BLAS work is matrix-vector products bound by memory, where a second
thread doubled the CPU for the same wall time (the solver on 1 M × 135: 1.66 s wall, 1.66
CPU s at one thread against 1.70 s, 3.30 CPU s at two) and, between a scored batch's small
products, spun on the other core (``predict`` of 200,000 rows: 0.6 CPU s).

Idle OpenMP threads also sleep at once instead of spinning (``OMP_WAIT_POLICY=PASSIVE``,
unless the variable is set): scoring enters the trees' parallel sections hundreds of times per
batch, and on a machine whose cores are busy a spinning thread takes CPU from the thread it
waits for. The policy is read when the OpenMP runtime loads, so it is set by the CLI before
scikit-learn is imported, and by a job only if scikit-learn is not loaded yet. docs/scale.md
gives the measurements behind both defaults.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from leadscore.errors import ConfigError

ENV = "LEADSCORE_THREADS"
WAIT_POLICY = "OMP_WAIT_POLICY"
P = ParamSpec("P")
R = TypeVar("R")


def physical_cores() -> int:
    """The physical cores this process may use (joblib's count, which scikit-learn uses)."""
    from joblib import cpu_count

    return max(1, int(cpu_count(only_physical_cores=True)))


def thread_count(requested: int | None = None) -> int:
    """The thread count in force: ``requested``, else ``LEADSCORE_THREADS``, else
    ``OMP_NUM_THREADS``, else the physical cores.

    Raises:
        ConfigError: the count (or a variable) is not a whole number of at least 1.
    """
    if requested is not None:
        return _at_least_one(requested, "--threads")
    for name in (ENV, "OMP_NUM_THREADS"):
        text = os.environ.get(name, "").strip()
        if text:
            try:
                return _at_least_one(int(text), name)
            except ValueError:
                raise ConfigError(
                    f"{name} must be a whole number of threads, got {text!r}"
                ) from None
    return physical_cores()


def _at_least_one(count: int, source: str) -> int:
    if count < 1:
        raise ConfigError(f"{source} must be at least 1 thread, got {count}")
    return count


def configure(threads: int | None = None) -> None:
    """Set the process's thread count (None: keep the environment's) and passive waiting."""
    if threads is not None:
        os.environ[ENV] = str(thread_count(threads))
    if "sklearn" not in sys.modules:  # read once, when the OpenMP runtime loads
        os.environ.setdefault(WAIT_POLICY, "PASSIVE")


@contextmanager
def limited(threads: int | None = None) -> Iterator[int]:
    """Limit the OpenMP thread pool to ``thread_count(threads)`` and BLAS to one thread
    (module docstring) inside the block.

    scikit-learn's OpenMP runtime is loaded first: threadpoolctl only limits the libraries
    already in the process.
    """
    count = thread_count(threads)
    configure()
    import sklearn.ensemble  # noqa: F401 - loads the OpenMP runtime the limit applies to
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits={"openmp": count, "blas": 1}):
        yield count


def with_threads(job: Callable[P, R]) -> Callable[P, R]:
    """Run ``job`` under ``limited()``: the thread setting in force when it is called."""

    @functools.wraps(job)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with limited():
            return job(*args, **kwargs)

    return run
