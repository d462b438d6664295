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


def _blocks(n: int):
    rng = np.random.default_rng(4)
    wide = np.asfortranarray(rng.standard_normal((n, 3)))
    narrow = np.asfortranarray(rng.integers(0, 9, (n, 2)).astype(np.float32))
    text = np.empty((n, 1), dtype=object, order="F")
    text[:, 0] = rng.choice(["a", "b", None], n)
    return [(wide, [0, 3, 5]), (narrow, [1, 4]), (text, [2])]


@pytest.mark.parametrize("pandas_blocks", [True, False], ids=["pandas 3", "older pandas"])
def test_a_frame_made_of_blocks_is_the_frame_its_columns_make(pandas_blocks, monkeypatch):
    import sys

    from leadscore.memory import frame_of_blocks

    # given blocks of three dtypes whose columns interleave (a name repeats), with the
    # pandas 3 way of taking them as they are, or without it (older pandas: a copy)
    if not pandas_blocks:
        monkeypatch.setitem(sys.modules, "pandas.api.internals", None)  # its import fails
    blocks, names = _blocks(500), ["w0", "n0", "t", "w1", "n1", "w1"]
    index = pd.RangeIndex(100, 600)
    # when the frame is made
    frame = frame_of_blocks(blocks, index, names)
    # then it is the frame the columns make, in order, each with its block's dtype
    columns = {i: block[:, j] for block, at in blocks for j, i in enumerate(at)}
    want = pd.DataFrame(
        {i: pd.Series(columns[i], index=index, dtype=columns[i].dtype) for i in range(6)}
    )
    want.columns = names
    pd.testing.assert_frame_equal(frame, want)
    # and with pandas 3 it holds the blocks themselves, not copies
    wide = frame.iloc[:, 0].to_numpy()
    assert np.shares_memory(wide, blocks[0][0]) == pandas_blocks


def test_compact_activity_counts_give_the_same_features(monkeypatch):
    from leadscore.features import activity
    from leadscore.features.activity import aggregate_activities, learn_activity_spec
    from leadscore.features.contact import ContactFeatures
    from leadscore.features.snapshots import assemble_rows
    from leadscore.sample import generate_crm

    # given a sample CRM's contacts as of a date, their aggregates made float64 and compact
    contacts, activities = generate_crm(months=6, contacts_per_month=150, seed=5)
    activities["occurred_at"] = pd.to_datetime(activities["occurred_at"])
    spec = learn_activity_spec(activities, (7, 30, 90))
    keys = pd.DataFrame({"contact_id": contacts["contact_id"],
                         "as_of": pd.Timestamp("2025-06-20")})  # fmt: skip
    wide = aggregate_activities(activities, keys, spec)
    compact = aggregate_activities(activities, keys, spec, compact=True)
    # then the counts are float32 and hold the same numbers, every other column as it was
    assert list(compact.columns) == list(wide.columns) == spec.feature_names()
    counts = spec.counts()
    assert counts and all(compact[c].dtype == np.float32 for c in counts)
    assert all(compact[c].dtype == np.float64 for c in compact.columns if c not in counts)
    assert (wide[sorted(counts)].to_numpy() > 0).any()
    for column in wide.columns:
        np.testing.assert_array_equal(compact[column].to_numpy(dtype=float), wide[column])
    # and a log too long for every count to be sure of float32 keeps them all float64
    monkeypatch.setattr(activity, "FLOAT32_EXACT", len(activities))
    long_log = aggregate_activities(activities, keys, spec, compact=True)
    assert (long_log.dtypes == np.float64).all()
    # and the features made of the rows are the same, bit for bit
    y = (contacts["outcome"] == "won").to_numpy(dtype=int)
    frames = []
    for flag in (False, True):
        rows = assemble_rows(contacts, activities, keys, spec, compact=flag)
        frames.append(ContactFeatures().fit(rows, y).transform(rows))
    pd.testing.assert_frame_equal(frames[1], frames[0], check_exact=True)
