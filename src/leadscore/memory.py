"""Memory a big job does not need: freed memory handed back to the system between its steps
(``release_unused``), an emptied frame that holds none of its data (``empty_like``), and a
frame made of blocks without a copy (``frame_of_blocks``).

Arrow's allocator (mimalloc) keeps the pages of the tables it freed for its next tables, and
glibc's ``malloc`` keeps freed heap below the top of its arena: once ``train`` has let a
million-contact export go (the contacts and 10 M activities as read, and the tables their
training rows were built from), the process still held about 0.75 GB it no longer used, which
the rest of training then counted on top of (RSS 1,865 MB; 1,207 MB once Arrow's pool released
its unused pages, 1,108 MB once ``malloc_trim`` ran too; docs/scale.md). Nothing changes but
the process's resident memory: both allocators ask the system again when they need to.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd


def release_unused() -> None:
    """Return the freed pages of Arrow's memory pool (if Arrow is loaded) and of the C heap
    (where the C library can: glibc's ``malloc_trim``) to the system."""
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def empty_like(frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with ``frame``'s columns and dtypes and no rows that holds none of its data:
    ``frame.iloc[:0].copy()`` keeps every Arrow-backed column's buffers alive (an Arrow array
    is never copied, and an empty slice of it still refers to all of it: a million training
    rows' text columns, 0.18 GB, held until training returned)."""
    empty = frame.iloc[:0].copy()
    for position, dtype in enumerate(frame.dtypes):  # by position: names may repeat
        empty.isetitem(position, pd.Series([], dtype=dtype, index=empty.index))
    return empty


def frame_of_blocks(
    blocks: Sequence[tuple[np.ndarray, Sequence[int]]], index: pd.Index, columns: Sequence[str]
) -> pd.DataFrame:
    """A frame whose columns are those of 2-D arrays (rows x columns, each array of one dtype
    and laid out column by column) at the given positions among ``columns``, without a copy.

    The frame's own constructor copies every column into blocks by dtype, the columns and the
    blocks alive at once (a million rows of 65 numbers: a 0.5 GB block), and a frame of column
    views is copied again whenever pandas stacks it. pandas 3 takes blocks as they are
    (``pandas.api.internals.create_dataframe_from_blocks``); an older pandas copies them.
    """
    names = pd.Index(list(columns))
    try:
        from pandas.api.internals import create_dataframe_from_blocks
    except ImportError:  # pandas < 3
        series = {
            i: pd.Series(block[:, j], index=index, dtype=block.dtype)  # text stays object
            for block, at in blocks
            for j, i in enumerate(at)
        }
        out = pd.DataFrame({i: series[i] for i in range(len(names))}, index=index)
        out.columns = names
        return out
    return create_dataframe_from_blocks(
        [(block.T, np.asarray(at, dtype=np.intp)) for block, at in blocks if block.shape[1]],
        index=index,
        columns=names,
    )
