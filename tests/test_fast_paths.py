"""The fast paths of ``predict`` write what the plain path writes.

The plain path is the one a data scientist writes by hand (and the one ``predict`` took
before it was tuned): the model rows of the whole list in one ``predict_proba`` call (and
one call of the model's own ``predict_frame`` for the score and tier), and every text cell of
a CSV checked one by one. ``predict`` now sends rows to the model in slices and finds the cells to neutralise
without a Python call per cell; its output must not change by a bit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import leadscore
import two_pass
from engines_world import AS_OF, config_for
from helpers import rows_of
from leadscore.data.crm import load_crm
from leadscore.io.csvsafe import neutralise, neutralise_table
from leadscore.io.writer import write_table
from leadscore.model.reasons import reason_columns
from leadscore.scoring import core

ADVERSARIAL = ["=1+1", "+3", "-12.5", "-x", "@SUM(A1)", "\tx", "\rx", "plain", "", None,
               "-12\n", "'=a", "+", "-", "=", " =x", "-1e5", ".5", "+.5e-3", "-.e1"]  # fmt: skip


def plain_output(world: dict, model: object, *, reasons: bool = False) -> pd.DataFrame:
    """Probability, score and tier of every scored contact, from one call on all its rows:
    the pipeline's ``predict_proba`` and the model's own ``predict_frame``; with ``reasons``,
    the reasons from a second, separate pass (``two_pass``: how ``predict`` made them before
    its one-pass path)."""
    cfg = config_for("snapshots")
    root = world["root"]
    crm = load_crm(root / "contacts.csv", root / "activities.csv", cfg, require_outcome=False)
    contacts = crm.contacts[crm.contacts["status"] == "open"]
    contacts = contacts[contacts["created_at"] <= pd.Timestamp(AS_OF)]
    rows = rows_of(model, contacts, crm.activities, pd.Timestamp(AS_OF))
    frame = two_pass.predict_then_explain(model, rows) if reasons else model.predict_frame(rows)
    frame["probability"] = model.estimator.predict_proba(rows)[:, 1]
    return frame.set_axis(contacts["contact_id"].to_numpy())


@pytest.mark.parametrize(("engine", "fmt"), [("memory", "parquet"), ("stream", "csv")])
def test_predict_writes_what_one_plain_model_call_gives(
    engines_world: dict, tmp_path, monkeypatch, engine: str, fmt: str
) -> None:
    # given a list of 5,000 contacts sent to the model in slices of 333 rows
    monkeypatch.setattr(core, "MODEL_ROWS", 333)
    root, model_dir = engines_world["root"], engines_world["models"]["snapshots"]
    model = leadscore.load_model(model_dir)
    out = tmp_path / f"scored.{fmt}"
    # when predict scores it
    leadscore.predict(root / "contacts.csv", root / "activities.csv", config_for("snapshots"),
                      model=model_dir, out=out, as_of=AS_OF, engine=engine, reasons=False,
                      batch_rows=1_000)  # fmt: skip
    got = pd.read_parquet(out) if fmt == "parquet" else pd.read_csv(out, dtype={"tier": str})
    got = got.set_index(got["contact_id"].astype(str))
    want = plain_output(engines_world, model)
    # then every scored row has the plain path's probability, score and tier, and no other
    # row is scored
    assert set(got.index[got["status"] == "scored"]) == set(want.index)
    assert len(want) > 1_000
    scored = got.loc[want.index]
    np.testing.assert_allclose(scored["probability"], want["probability"], rtol=0, atol=1e-12)
    assert scored["score"].astype(int).tolist() == want["score"].astype(int).tolist()
    assert scored["tier"].tolist() == want["tier"].tolist()


@pytest.mark.parametrize("engine", ["memory", "stream"])
def test_predict_with_reasons_writes_what_predicting_then_explaining_gave(
    engines_world: dict, tmp_path, monkeypatch, engine: str
) -> None:
    # given a list of 5,000 contacts sent to the model in slices of 333 rows
    monkeypatch.setattr(core, "MODEL_ROWS", 333)
    root, model_dir = engines_world["root"], engines_world["models"]["snapshots"]
    model = leadscore.load_model(model_dir)
    out = tmp_path / "scored.parquet"
    # when predict scores it with its default reasons (one pass of each slice)
    leadscore.predict(root / "contacts.csv", root / "activities.csv", config_for("snapshots"),
                      model=model_dir, out=out, as_of=AS_OF, engine=engine, reasons=True,
                      batch_rows=1_000)  # fmt: skip
    got = pd.read_parquet(out)
    got = got.set_index(got["contact_id"].astype(str))
    # then every scored row has the probability, score and tier of one predict_proba call on
    # all rows, and every reason cell the separate explaining pass gave
    want = plain_output(engines_world, model, reasons=True)
    assert set(got.index[got["status"] == "scored"]) == set(want.index)
    scored = got.loc[want.index]
    np.testing.assert_allclose(scored["probability"], want["probability"], rtol=0, atol=1e-12)
    assert scored["score"].astype(int).tolist() == want["score"].astype(int).tolist()
    for col in ["tier", *reason_columns()]:
        assert scored[col].tolist() == want[col].tolist(), col
    assert (scored["reason_up_1"] != "").mean() > 0.5


def test_the_table_neutraliser_changes_exactly_the_cells_the_cell_rule_changes() -> None:
    frame = pd.DataFrame({
        "text": pd.array(ADVERSARIAL * 3, dtype="str"),
        "objects": np.array(ADVERSARIAL * 3, dtype=object),
        "number": np.arange(len(ADVERSARIAL) * 3, dtype=float) - 5,
    })  # fmt: skip
    table = pa.Table.from_pandas(frame, preserve_index=False)
    got = neutralise_table(table).to_pandas()
    want = neutralise(frame)
    for col in frame.columns:
        assert got[col].tolist() == want[col].tolist(), col
    assert got.columns.tolist() == frame.columns.tolist()  # header cells are the writer's own


def test_a_csv_written_safe_reads_back_as_the_cell_rule_says(tmp_path) -> None:
    frame = pd.DataFrame({"id": [f"c{i}" for i in range(len(ADVERSARIAL))],
                          "note": ADVERSARIAL, "p": np.linspace(-1, 1, len(ADVERSARIAL))})  # fmt: skip
    write_table(frame, tmp_path / "out.csv", csv_safe=True)
    back = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    want = [v if isinstance(v, str) else "" for v in neutralise(frame)["note"].tolist()]
    assert back["note"].tolist() == want
    assert pd.to_numeric(back["p"]).tolist() == frame["p"].tolist()
