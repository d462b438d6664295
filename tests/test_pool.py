"""Worker processes (``scoring.pool``): the same output wherever a batch is scored."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pandas as pd
import pandas.testing as pdt
import pytest

from leadscore.scoring import pool
from leadscore.scoring.engine import choose_workers
from leadscore.scoring.memory import score_frame
from leadscore.scoring.stream import predict_stream

AS_OF = pd.Timestamp("2025-09-15")


@pytest.fixture(scope="module")
def world() -> dict:
    from scale_world import world as build

    return build()


def _same_summary(a, b) -> None:
    assert (a.rows, a.scored, a.statuses) == (b.rows, b.scored, b.statuses)
    pdt.assert_frame_equal(a.tiers, b.tiers)
    pdt.assert_frame_equal(a.drift_rows, b.drift_rows)


@pytest.mark.parametrize("queued", [pool.QUEUED, 10**6], ids=["shared", "all-on-the-worker"])
def test_a_streamed_list_scored_with_a_worker_is_the_same_file(world, tmp_path, monkeypatch,
                                                                queued) -> None:  # fmt: skip
    """Batches with reasons, their activity aggregates looked up in this process, scored on
    a worker (every one, or those it can take while this process scores the others): the
    output file and the run's summary are the ones of a run in one process."""
    monkeypatch.setattr(pool, "QUEUED", queued)
    src = world["root"] / "pq"
    runs = {}
    for workers in (0, 1):
        out = tmp_path / f"out-{workers}.parquet"
        summary = predict_stream(
            world["scorer"], src / "contacts.parquet", src / "activities.parquet", world["cfg"],
            out, AS_OF, reasons=True, include_closed=True, batch_rows=250, progress=False,
            workers=workers,
        )  # fmt: skip
        runs[workers] = pd.read_parquet(out), summary
    alone, shared = runs[0], runs[1]
    assert len(alone[0]) == alone[1].rows > 4 * 250  # several batches
    assert alone[0]["reason_up_1"].str.len().gt(0).any()
    pdt.assert_frame_equal(shared[0], alone[0])
    _same_summary(shared[1], alone[1])


def test_a_list_in_memory_scored_with_a_worker_is_the_same(world) -> None:
    """The in-memory engine's batches (no activity log: the rows' own columns), unscored rows
    among them (closed contacts), give the same rows and summary with a worker."""
    contacts = world["crm"].contacts
    alone = score_frame(world["scorer"], contacts, None, AS_OF, reasons=True, batch_rows=300)
    shared = score_frame(world["scorer"], contacts, None, AS_OF, reasons=True, batch_rows=300,
                         workers=1)  # fmt: skip
    assert (alone[0]["status"] != "scored").any() and (alone[0]["status"] == "scored").any()
    pdt.assert_frame_equal(shared[0], alone[0])
    _same_summary(shared[1], alone[1])


def test_workers_are_used_for_long_lists_with_reasons_and_threads_to_spare(world) -> None:
    rows = pool.PROCESS_ROWS
    assert pool.worker_count(rows, reasons=True, threads=2) == 1  # this process + one worker
    assert pool.worker_count(rows, reasons=True, threads=4) == 3
    assert pool.worker_count(rows, reasons=True, threads=1) == 0  # --threads 1: one core
    assert pool.worker_count(rows, reasons=False, threads=2) == 0  # at the script's cost alone
    assert pool.worker_count(rows - 1, reasons=True, threads=2) == 0  # start-up not paid back
    contacts = world["root"] / "pq" / "contacts.parquet"
    activities = world["root"] / "pq" / "activities.parquet"
    assert choose_workers("memory", contacts, activities, True) == 0  # one batch: the log
    assert choose_workers("spark", contacts, None, True) == 0  # Spark has its own executors


def test_a_script_without_a_main_guard_runs_once(world, tmp_path) -> None:
    """A user's script calling leadscore with workers, without ``if __name__ ==
    "__main__"``, is not run again in the workers (multiprocessing's spawn would run it in
    each one, which then fails as it starts)."""
    script = tmp_path / "score.py"
    script.write_text(
        textwrap.dedent(f"""
        import pandas as pd
        from leadscore.io.store import load_model
        from leadscore.data.crm import load_crm
        from leadscore.config import load_config
        from leadscore.scoring.memory import score_frame

        print("script started", flush=True)
        crm = load_crm({str(world["root"] / "pq" / "contacts.parquet")!r}, None, load_config(None),
                       require_outcome=False)
        out, _ = score_frame(load_model({str(world["model_dir"])!r}), crm.contacts.iloc[:600],
                             None, pd.Timestamp("2025-09-15"), reasons=True, batch_rows=100,
                             workers=1)
        print("scored", len(out), flush=True)
    """)
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["script started", "scored 600"]


def _children() -> set[int]:
    """This process's child processes (Linux: /proc)."""
    import os
    from pathlib import Path

    tasks = Path(f"/proc/{os.getpid()}/task")
    return {int(pid) for t in tasks.iterdir() for pid in (t / "children").read_text().split()}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="children read from /proc")
def test_predict_streams_a_long_list_with_reasons_through_a_worker_then_stops_it(
    world, tmp_path, monkeypatch
) -> None:
    """``leadscore.predict`` of a flat list long enough (``PROCESS_ROWS``, lowered here) with
    two threads: streamed, its model's part shared with a worker, the same file as in memory
    with one thread; and no worker left running once it returns."""
    import leadscore
    from helpers import rows_of

    monkeypatch.setattr(pool, "PROCESS_ROWS", 1_000)
    crm = world["crm"]
    flat = tmp_path / "flat.parquet"  # rows holding their own aggregates and as_of
    rows_of(world["scorer"], crm.contacts, crm.activities, AS_OF).to_parquet(flat, index=False)
    before = _children()
    runs = {}
    for threads in ("1", "2"):
        monkeypatch.setenv("LEADSCORE_THREADS", threads)
        out = tmp_path / f"out-{threads}.parquet"
        done = leadscore.predict(flat, model=world["model_dir"], out=out, batch_rows=300)
        runs[threads] = done.engine, pd.read_parquet(out)
    assert runs["1"][0] == "memory" and runs["2"][0] == "stream"
    assert len(runs["2"][1]) > 4 * 300
    pdt.assert_frame_equal(runs["2"][1], runs["1"][1])
    assert _children() <= before
