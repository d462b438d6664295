"""Every engine gives the same answer: in memory and streamed, for snapshot and flat models,
with and without created dates (Spark: tests/test_spark.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import leadscore
from engines_world import AS_OF, config_for
from leadscore.io.csvsafe import neutralise_cell
from leadscore.model.reasons import reason_columns

KEEP = "first_name,company,phone,employees"  # passed through by every engine, never features


def predict_with(world: dict, kind: str, engine: str, fmt: str = "csv",
                 batch_rows: int = 700) -> pd.DataFrame:  # fmt: skip
    root = world["root"]
    acts = None if kind == "flat-undated" else root / f"activities.{fmt}"
    out = root / f"{kind}-{engine}-{fmt}-{batch_rows}.csv"
    done = leadscore.predict(
        root / f"contacts.{fmt}", acts, config_for(kind), model=world["models"][kind], out=out,
        as_of=AS_OF, engine=engine, batch_rows=batch_rows, keep=KEEP,
    )  # fmt: skip
    assert done.engine == engine
    return pd.read_csv(out, dtype=str, keep_default_na=False)


def assert_same_rows(got: pd.DataFrame, want: pd.DataFrame) -> None:
    """Same rows in the same order: ids, kept columns, status, tier and reasons equal,
    probability 1e-9."""
    assert len(got) == len(want)
    assert list(got.columns) == list(want.columns)
    for col in ("contact_id", *KEEP.split(","), "status", "tier", "score", *reason_columns()):
        assert got[col].tolist() == want[col].tolist(), col
    p_got = pd.to_numeric(got["probability"]).to_numpy()
    p_want = pd.to_numeric(want["probability"]).to_numpy()
    np.testing.assert_allclose(p_got, p_want, rtol=0, atol=1e-9)


@pytest.mark.parametrize("kind", ["snapshots", "flat-dated", "flat-undated"])
def test_memory_and_stream_write_the_same_rows(engines_world: dict, kind: str) -> None:
    # given one model, when the same list is scored in memory and streamed in batches
    memory, stream = (
        predict_with(engines_world, kind, "memory"),
        predict_with(engines_world, kind, "stream"),
    )
    # then every row is the same, and most open rows are scored
    assert_same_rows(stream, memory)
    assert len(memory) == engines_world["rows"]
    assert (memory["status"] == "scored").sum() > 500
    # and the kept columns are the list's own cells, as written (spreadsheet-safe: a phone
    # starting with + gets a quote); a column the model uses shows the number it read
    raw = pd.read_csv(engines_world["root"] / "contacts.csv", dtype=str, keep_default_na=False)
    for col in ("first_name", "company", "phone"):
        assert memory[col].tolist() == [neutralise_cell(v) for v in raw[col]], col
    as_read = pd.to_numeric(memory["employees"].replace("", None))
    assert as_read.equals(pd.to_numeric(raw["employees"].replace("", None)))


def test_a_list_without_a_log_scored_in_memory_in_slices_is_the_list_scored_whole(
    engines_world: dict,
) -> None:
    # the in-memory engine scores a list without an activity log in slices of --batch-rows
    sliced = predict_with(engines_world, "flat-undated", "memory", batch_rows=700)
    whole = predict_with(engines_world, "flat-undated", "memory", batch_rows=10**6)
    assert_same_rows(sliced, whole)  # every cell; probabilities to 1e-12
    p = [pd.to_numeric(t["probability"]).to_numpy() for t in (sliced, whole)]
    np.testing.assert_allclose(p[0], p[1], rtol=0, atol=1e-12)


def test_a_flat_model_scores_each_row_as_of_its_created_date_in_every_engine(
    engines_world: dict,
) -> None:
    # a flat model learned each row as of its created date: the requested as-of time only
    # decides which rows exist yet, so two as-of times give the same probabilities
    root = engines_world["root"]
    runs = [
        leadscore.predict(root / "contacts.csv", root / "activities.csv", config_for("flat-dated"),
                          model=engines_world["models"]["flat-dated"], as_of=when, engine="memory")
        for when in (AS_OF, "2026-01-01")
    ]  # fmt: skip
    early, late = (r.output.set_index("contact_id") for r in runs)
    both = early.index[early["status"] == "scored"]
    np.testing.assert_allclose(late.loc[both, "probability"], early.loc[both, "probability"])
