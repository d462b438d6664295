"""One helper thread per process, for reason work that can run beside the caller's.

Used only when OpenMP may use two threads or more (``--threads``, the thread limit a job runs
under): with one thread allowed, the work runs on the calling thread, so ``--threads 1``
keeps a run on one core. The helper's work is a pure function of its arguments, so what it
gives is the same on either thread; callers hand it work that holds no GIL for most of its
time (numpy, Arrow, the trees' compiled walk), while they do Python work of their own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_HELPER: tuple[int, ThreadPoolExecutor] | None = None  # (process id, its helper thread)
_STARTING = threading.Lock()  # requests served on several threads start one helper between them


def _forked() -> None:
    """In a forked child: no helper yet, and a lock no thread of the parent may still hold."""
    global _HELPER, _STARTING
    _HELPER, _STARTING = None, threading.Lock()


os.register_at_fork(after_in_child=_forked)


def openmp_threads() -> int:
    """The OpenMP threads the trees may use here (the job's thread limit, else the cores)."""
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    return int(_openmp_effective_n_threads())


def helper_allowed() -> bool:
    """True when the thread limit allows a second thread."""
    return openmp_threads() >= 2


def beside(work: Callable[..., T], *args: Any) -> Callable[[], T]:
    """Start ``work(*args)`` on the helper thread; call what it returns for the result.

    The helper is per process: a forked child (which has not the parent's thread) starts its
    own instead of queueing work for a thread that is not there.
    """
    global _HELPER
    with _STARTING:
        if _HELPER is None or _HELPER[0] != os.getpid():
            _HELPER = os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="leadscore-reasons")
        helper = _HELPER[1]
    return helper.submit(work, *args).result


def now(work: Callable[..., T], *args: Any) -> Callable[[], T]:
    """``work(*args)`` on the calling thread, handed back like ``beside``'s result."""
    result = work(*args)
    return lambda: result
