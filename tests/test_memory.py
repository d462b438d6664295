"""Memory a job freed goes back to the system when training lets its inputs go."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from leadscore.memory import release_unused

STATM = Path("/proc/self/statm")


def _rss_mb() -> float:
    return int(STATM.read_text().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not STATM.exists(), reason="resident memory is read from Linux's /proc")
def test_the_pages_arrow_freed_are_handed_back():
    base = pa.array(np.arange(100_000, dtype=np.int64))
    tables = [pc.add(base, i) for i in range(300)]  # 240 MB that Arrow's own pool allocated
    assert pa.total_allocated_bytes() >= 200 * 2**20
    del tables
    freed = _rss_mb()  # Arrow's pool keeps the pages it freed for its next arrays
    release_unused()
    assert _rss_mb() < freed - 150


def test_a_handed_over_frame_leaves_an_empty_frame_that_holds_none_of_its_text():
    from leadscore.memory import empty_like

    before = pa.total_allocated_bytes()  # what the rest of the process holds in Arrow
    text = pc.utf8_upper(pa.array([f"lead-{i}" for i in range(200_000)]))  # Arrow's own buffers
    frame = pd.DataFrame({"id": pd.arrays.ArrowStringArray(text), "x": np.arange(200_000.0)})
    frame.insert(2, "x", np.ones(200_000), allow_duplicates=True)  # names may repeat
    del text
    held, dtypes = pa.total_allocated_bytes() - before, frame.dtypes.tolist()
    empty = empty_like(frame)
    del frame
    assert held > 2**20 and pa.total_allocated_bytes() - before < held / 10  # gone with it
    assert len(empty) == 0 and list(empty.columns) == ["id", "x", "x"]
    assert empty.dtypes.tolist() == dtypes
