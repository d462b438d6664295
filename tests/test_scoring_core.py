"""The scoring core's error rules: a bad row costs only itself, a bug is raised, and a failed
batch is never re-aggregated row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.features.activity import ActivitySpec
from leadscore.scoring import core

AS_OF = pd.Timestamp("2025-06-01")
SPEC = ActivitySpec(types=("web_visit",), windows=(30,), high_intent=())


class Model:
    """A model that fails the way ``error`` says on rows whose id is in ``bad``."""

    activity_spec = SPEC
    thresholds: dict = {}
    info: dict = {}

    def __init__(self, bad: set[str], error: type[Exception] = ValueError) -> None:
        self.bad, self.error = bad, error

    def output_columns(self, reasons: bool) -> list[str]:
        return ["probability", "score", "tier"]

    def predict_frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        if rows["contact_id"].isin(self.bad).any():
            raise self.error("cannot compute")
        p = np.full(len(rows), 0.25)
        return pd.DataFrame({"probability": p, "score": 25, "tier": "lead"}, index=rows.index)

    def explain(self, rows: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(index=rows.index)


def _contacts(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contact_id": [f"c{i}" for i in range(n)],
            "created_at": pd.Timestamp("2025-01-01"),
            "status": "open",
        }
    )


def _activities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "contact_id": ["c1", "c2"],
            "occurred_at": pd.to_datetime(["2025-05-01", "2025-05-02"]),
            "activity_type": "web_visit",
        }
    )


def test_a_bad_row_costs_only_itself_and_the_log_is_aggregated_once(monkeypatch) -> None:
    # given a batch in which one row's features fail, and a count of aggregation passes
    calls: list[int] = []
    original = core.aggregate_activities

    def counted(activities, keys, spec):
        calls.append(len(keys))
        return original(activities, keys, spec)

    monkeypatch.setattr(core, "aggregate_activities", counted)
    behavior = core.activity_log(_activities(), SPEC)
    # when it is scored
    out = core.score_batch(Model({"c7"}), _contacts(), behavior, AS_OF).out
    # then that row says why, every other row is scored, and the log was aggregated once
    assert out.loc[7, "status"] == "not scored: features could not be computed (ValueError)"
    assert (out.drop(index=7)["status"] == "scored").all()
    assert calls == [40]


def test_a_programming_error_is_raised_not_hidden_in_a_status() -> None:
    with pytest.raises(KeyError):
        core.score_batch(Model({"c3"}, KeyError), _contacts(), core.own_columns, AS_OF)


def test_when_every_row_fails_alike_the_cause_is_raised() -> None:
    everyone = {f"c{i}" for i in range(40)}
    with pytest.raises(ValueError, match="cannot compute"):
        core.score_batch(Model(everyone), _contacts(), core.own_columns, AS_OF)


def test_rows_not_scored_have_no_score_and_stay_out_of_the_scored_rows() -> None:
    """A closed row and a row whose features fail get no probability nor score (missing, not
    0), and the batch's model rows (the drift sample's source) are exactly the scored ones,
    whether every row was scored or not."""
    contacts = _contacts()
    contacts.loc[3, "status"] = "won"
    batch = core.score_batch(Model({"c7"}), contacts, core.own_columns, AS_OF)
    out = batch.out
    assert out["score"].dtype == "Int64"
    assert out.loc[[3, 7], "score"].isna().all() and out.loc[[3, 7], "probability"].isna().all()
    assert (out.drop(index=[3, 7])["score"] == 25).all()
    assert list(batch.rows.index) == [i for i in range(40) if i not in (3, 7)]
    everyone = core.score_batch(Model(set()), _contacts(), core.own_columns, AS_OF)
    assert list(everyone.rows.index) == list(range(40))
    assert everyone.out["score"].notna().all()
