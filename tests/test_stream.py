"""Streaming prediction (leadscore.stream): same answers as the in-memory path, any size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from helpers import rows_of, score_contacts
from leadscore.errors import InputError
from leadscore.features.activity import aggregate_activities
from leadscore.scoring.partition import aggregate_partitioned
from leadscore.scoring.stream import predict_stream

AS_OF = pd.Timestamp("2025-09-15")


@pytest.fixture(scope="module")
def world() -> dict:
    """A small sample CRM as CSV and Parquet, and a model trained on it."""
    from scale_world import world as build

    return build()


def _in_memory(world: dict, include_closed: bool = False) -> pd.DataFrame:
    crm = world["crm"]
    return score_contacts(
        world["scorer"], crm.contacts, crm.activities, AS_OF, include_closed=include_closed
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_streamed_predictions_equal_the_in_memory_path(world: dict, fmt: str) -> None:
    src = world["root"] / ("csv" if fmt == "csv" else "pq")
    out = world["root"] / f"out-{fmt}.{fmt}"
    result = predict_stream(
        world["scorer"],
        src / f"contacts.{fmt}",
        src / f"activities.{fmt}",
        world["cfg"],
        out,
        AS_OF,
        batch_rows=300,  # several batches
        partitions=3,  # several activity partitions
        progress=False,
    )
    got = pd.read_csv(out) if fmt == "csv" else pd.read_parquet(out)
    want = _in_memory(world)
    assert result.rows == len(want) == len(got)
    assert got["contact_id"].astype(str).tolist() == want["contact_id"].tolist()
    assert got["status"].tolist() == want["status"].tolist()
    np.testing.assert_allclose(got["probability"], want["probability"], rtol=0, atol=1e-12)
    assert got["tier"].fillna("").tolist() == want["tier"].tolist()
    assert result.scored == int((want["status"] == "scored").sum())


def test_partitioned_aggregates_equal_aggregate_activities(world: dict, tmp_path) -> None:
    crm, scorer = world["crm"], world["scorer"]
    keys = pd.DataFrame({"contact_id": crm.contacts["contact_id"], "as_of": AS_OF})
    batches = [keys.iloc[i : i + 500] for i in range(0, len(keys), 500)]
    found = aggregate_partitioned(
        batches, world["root"] / "pq/activities.parquet", world["cfg"], scorer.activity_spec,
        tmp_path, batch_rows=500, partitions=4, progress=False,
    )  # fmt: skip
    want = aggregate_activities(crm.activities, keys, scorer.activity_spec)
    got = pd.DataFrame(np.asarray(found.store), columns=want.columns)
    assert found.partitions == 4
    pdt.assert_frame_equal(got, want.reset_index(drop=True), check_exact=True)


def test_flat_rows_are_scored_as_they_are(world: dict) -> None:
    crm, scorer = world["crm"], world["scorer"]
    open_ = (crm.contacts["status"] == "open") & (crm.contacts["created_at"] <= AS_OF)
    todo = crm.contacts[open_]
    rows = rows_of(scorer, todo, crm.activities, AS_OF).reset_index(drop=True)
    rows.to_parquet(world["root"] / "flat.parquet", index=False)
    out = world["root"] / "flat-out.parquet"
    result = predict_stream(
        scorer, world["root"] / "flat.parquet", None, world["cfg"], out, None,
        batch_rows=250, progress=False,
    )  # fmt: skip
    got = pd.read_parquet(out)
    assert result.rows == len(rows)
    assert got["contact_id"].tolist() == rows["contact_id"].tolist()
    np.testing.assert_allclose(got["probability"], scorer.predict_proba(rows), rtol=0, atol=1e-12)


def test_duplicate_id_in_a_later_batch_names_its_file_row(world: dict, tmp_path) -> None:
    contacts = pd.read_csv(world["root"] / "csv/contacts.csv")
    contacts.loc[1000, "contact_id"] = contacts.loc[3, "contact_id"]
    path = tmp_path / "dup.csv"
    contacts.to_csv(path, index=False)
    out = tmp_path / "out.csv"
    with pytest.raises(InputError) as err:
        predict_stream(
            world["scorer"], path, None, world["cfg"], out, AS_OF, batch_rows=300, progress=False
        )
    assert "row 1002" in str(err.value) and "first seen in row 5" in str(err.value)
    assert "'contact_id'" in str(err.value)
    assert not out.exists() and list(tmp_path.iterdir()) == [path]  # no half-written output


def test_bad_date_in_a_later_batch_names_its_file_row(world: dict, tmp_path) -> None:
    acts = pd.read_csv(world["root"] / "csv/activities.csv")
    acts["occurred_at"] = acts["occurred_at"].astype(object)
    acts.loc[2345, "occurred_at"] = "not a date"
    path = tmp_path / "acts.csv"
    acts.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        predict_stream(
            world["scorer"], world["root"] / "csv/contacts.csv", path, world["cfg"],
            tmp_path / "out.parquet", AS_OF, batch_rows=1000, progress=False,
        )  # fmt: skip
    assert "column 'occurred_at', row 2347" in str(err.value)
    assert "not a date" in str(err.value)


def test_streamed_reasons_equal_the_in_memory_reasons_and_csv_is_spreadsheet_safe(
    world: dict, tmp_path
) -> None:
    # given a lead list whose ids carry a spreadsheet formula
    crm = world["crm"]
    leads = pd.read_csv(world["root"] / "csv/contacts.csv", dtype=str, keep_default_na=False)
    leads["contact_id"] = "=HYPERLINK(" + leads["contact_id"] + ")"
    leads.to_csv(tmp_path / "leads.csv", index=False)
    acts = pd.read_csv(world["root"] / "csv/activities.csv", dtype=str, keep_default_na=False)
    acts["contact_id"] = "=HYPERLINK(" + acts["contact_id"] + ")"
    acts.to_csv(tmp_path / "acts.csv", index=False)
    # when it is streamed with reasons and spreadsheet-safe CSV
    out = tmp_path / "out.csv"
    predict_stream(
        world["scorer"], tmp_path / "leads.csv", tmp_path / "acts.csv", world["cfg"], out, AS_OF,
        batch_rows=400, partitions=2, progress=False, reasons=True, csv_safe=True,
    )  # fmt: skip
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    want = score_contacts(world["scorer"], crm.contacts, crm.activities, AS_OF, reasons=True)
    # then ids are neutralised and every row's reasons equal the in-memory path's
    assert got["contact_id"].str.startswith("'=HYPERLINK(").all()
    for col in ("reason_up_1", "reason_down_1", "reason_up_3"):
        assert got[col].tolist() == want[col].fillna("").tolist()
    assert (got.loc[want["status"] == "scored", "reason_up_1"] != "").all()


def test_a_row_that_cannot_be_scored_is_kept_with_its_reason_the_batch_is_scored(
    world: dict, tmp_path, monkeypatch
) -> None:
    # given a model that fails on one open contact's features (as a corrupt row would)
    crm, scorer = world["crm"], world["scorer"]
    want = _in_memory(world)
    bad = want.loc[want["status"] == "scored", "contact_id"].iloc[5]

    def fragile(method):
        def call(self, rows):
            if (rows["contact_id"] == bad).any():
                raise ValueError("cannot compute")
            return method(self, rows)

        return call

    # with reasons, a batch goes through predict_explained (one pass), else predict_frame
    for name in ("predict_frame", "predict_explained"):
        monkeypatch.setattr(type(scorer), name, fragile(getattr(type(scorer), name)))
    # when the list is streamed
    out = tmp_path / "out.parquet"
    result = predict_stream(
        scorer, world["root"] / "pq/contacts.parquet", world["root"] / "pq/activities.parquet",
        world["cfg"], out, AS_OF, batch_rows=400, progress=False, reasons=True,
    )  # fmt: skip
    got = pd.read_parquet(out).set_index("contact_id")
    # then that row says why it was not scored, and every other row of its batch is scored
    assert got.loc[bad, "status"] == "not scored: features could not be computed (ValueError)"
    assert np.isnan(got.loc[bad, "probability"]) and got.loc[bad, "reason_up_1"] == ""
    others = want[(want["status"] == "scored") & (want["contact_id"] != bad)]
    np.testing.assert_allclose(
        got.loc[others["contact_id"], "probability"], others["probability"], rtol=0, atol=1e-12
    )
    assert result.scored == len(others) and result.rows == len(crm.contacts)


def test_auto_engine_streams_large_inputs_with_the_same_rows_warnings_and_drift(
    world: dict, tmp_path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    from leadscore.cli import app

    src = world["root"] / "csv"
    args = ["predict", str(src / "contacts.csv"), "-a", str(src / "activities.csv"),
            "-m", str(world["model_dir"]), "--as-of", "2026-03-01"]  # fmt: skip
    runner = CliRunner()
    env = {"COLUMNS": "400"}
    # given the same list scored in memory, and by `auto` with a 1-row streaming limit
    memory = runner.invoke(app, [*args, "-o", str(tmp_path / "m.csv"), "--engine", "memory"],
                           env=env)  # fmt: skip
    monkeypatch.setenv("LEADSCORE_STREAM_ROWS", "1")
    auto = runner.invoke(app, [*args, "-o", str(tmp_path / "a.csv")], env=env)
    assert memory.exit_code == 0, memory.output
    assert auto.exit_code == 0, auto.output
    # then auto streamed, wrote the same rows, and warned and checked drift the same way
    assert "streamed in batches" in auto.output and "streamed" not in memory.output
    got, want = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "m.csv")
    assert got["contact_id"].tolist() == want["contact_id"].tolist()
    assert got["status"].tolist() == want["status"].tolist()
    np.testing.assert_allclose(got["probability"], want["probability"], rtol=0, atol=1e-12)
    assert got["reason_up_1"].fillna("").tolist() == want["reason_up_1"].fillna("").tolist()
    for out in (memory.output, auto.output):
        assert "recency features will read as stale" in out
        assert "shifted since training" in out or "drift: no feature shifted" in out


def test_a_flat_list_is_scored_with_its_own_aggregates_by_every_engine(
    world: dict, tmp_path
) -> None:
    from typer.testing import CliRunner

    from leadscore.cli import app

    # given a small lead list that already holds the activity aggregates (one row group)
    crm, scorer = world["crm"], world["scorer"]
    todo = crm.contacts[crm.contacts["status"] == "open"].head(500)
    rows = rows_of(scorer, todo, crm.activities, AS_OF).reset_index(drop=True)
    rows.to_parquet(tmp_path / "flat.parquet", index=False)
    args = ["predict", str(tmp_path / "flat.parquet"), "-m", str(world["model_dir"])]
    runner = CliRunner()
    # when it is scored in memory and streamed, without an activity log
    for engine in ("memory", "stream"):
        out = tmp_path / f"out-{engine}.parquet"
        done = runner.invoke(app, [*args, "-o", str(out), "--engine", engine])
        assert done.exit_code == 0, done.output
        # then its own aggregates and its own as_of are used, exactly
        got = pd.read_parquet(out)
        assert got["contact_id"].tolist() == rows["contact_id"].tolist()
        np.testing.assert_allclose(
            got["probability"], scorer.predict_proba(rows), rtol=0, atol=1e-12
        )
        assert "Scored as of each row's as_of" in done.output
