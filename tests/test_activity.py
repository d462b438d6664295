"""Behavioral features are point-in-time: activity at or after as_of changes nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.features.activity import aggregate_activities, learn_activity_spec

T = pd.Timestamp


def _log(rows):
    return pd.DataFrame(rows, columns=["contact_id", "occurred_at", "activity_type"]).assign(
        occurred_at=lambda f: pd.to_datetime(f["occurred_at"])
    )


@pytest.fixture
def log():
    return _log(
        [
            ("a", "2025-01-01", "web_visit"),
            ("a", "2025-03-01", "web_visit"),
            ("a", "2025-03-25", "demo_request"),
            ("b", "2025-02-01", "email_open"),
        ]
    )


def test_counts_windows_and_recency_on_a_hand_example(log):
    spec = learn_activity_spec(log, [7, 30])
    keys = pd.DataFrame({"contact_id": ["a", "b", "c"], "as_of": T("2025-03-31")})
    f = aggregate_activities(log, keys, spec)
    a, b, c = f.iloc[0], f.iloc[1], f.iloc[2]
    assert a["n_all_total"] == 3 and a["n_web_visit_30d"] == 1 and a["n_demo_request_7d"] == 1
    assert a["days_since_last_demo_request"] == pytest.approx(6.0)
    assert a["days_since_first_activity"] == pytest.approx(89.0)
    assert a["n_high_intent_total"] == 1 and a["n_distinct_types"] == 2
    assert b["n_email_open_total"] == 1 and np.isnan(b["days_since_last_demo_request"])
    assert c["n_all_total"] == 0 and np.isnan(c["days_since_last_activity"])


def test_activity_at_or_after_as_of_changes_nothing(log):
    spec = learn_activity_spec(log, [7, 30, 90])
    keys = pd.DataFrame({"contact_id": ["a", "b"], "as_of": T("2025-03-01")})
    before = aggregate_activities(log, keys, spec)
    later = _log(
        [
            ("a", "2025-03-01", "demo_request"),  # exactly at as_of: not known yet
            ("a", "2025-06-01", "quote_request"),
            ("b", "2025-03-02", "web_visit"),
        ]
    )
    changed = log.copy()
    changed.loc[changed["occurred_at"] >= T("2025-03-01"), "activity_type"] = "email_open"
    for variant in (pd.concat([log, later], ignore_index=True), changed):
        after = aggregate_activities(variant, keys, spec)
        pd.testing.assert_frame_equal(before, after)


def test_same_contact_at_several_dates_gets_features_of_each_date(log):
    spec = learn_activity_spec(log, [30])
    keys = pd.DataFrame({"contact_id": ["a", "a"], "as_of": [T("2025-02-01"), T("2025-04-01")]})
    f = aggregate_activities(log, keys, spec)
    assert list(f["n_all_total"]) == [1, 3]


def test_unknown_activity_types_count_in_totals_only(log):
    spec = learn_activity_spec(log, [30])
    new = pd.concat([log, _log([("a", "2025-03-28", "chat_started")])], ignore_index=True)
    keys = pd.DataFrame({"contact_id": ["a"], "as_of": T("2025-03-31")})
    f = aggregate_activities(new, keys, spec)
    assert f.loc[0, "n_all_total"] == 4
    assert "n_chat_started_total" not in f.columns


def test_rows_in_any_order_get_the_features_each_would_get_alone():
    rng = np.random.default_rng(3)
    contacts = [f"c{i}" for i in range(12)]
    types = ["web_visit", "email_open", "demo_request", "webinar"]
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 200, 300), unit="D")
    log = pd.DataFrame({"contact_id": rng.choice(contacts, 300), "occurred_at": days,
                        "activity_type": rng.choice(types, 300)})  # fmt: skip
    spec = learn_activity_spec(log, [7, 30, 90])
    keys = pd.DataFrame({  # shuffled: later dates before earlier ones, contacts interleaved
        "contact_id": rng.choice([*contacts, "no-activity"], 60),
        "as_of": pd.Timestamp("2025-02-01") + pd.to_timedelta(rng.integers(0, 180, 60), unit="D"),
    }, index=rng.permutation(60) + 100)  # fmt: skip
    together = aggregate_activities(log, keys, spec)
    alone = pd.concat([aggregate_activities(log, keys.iloc[[i]], spec) for i in range(len(keys))])
    pd.testing.assert_frame_equal(together, alone)
    assert together["n_all_total"].nunique() > 5  # the rows really differ


def test_each_type_counts_exactly_its_own_activities_before_as_of():
    """Every per-type count and recency equals a direct count of the log: many contacts and
    types (more than are counted one by one), contacts without activity, activity of
    contacts not asked about."""
    rng = np.random.default_rng(8)
    contacts = [f"c{i}" for i in range(40)]
    types = [f"type_{i}" for i in range(7)]
    n = 2000
    log = pd.DataFrame({
        "contact_id": rng.choice([*contacts, "other"], n),
        "occurred_at": T("2025-01-01") + pd.to_timedelta(rng.integers(0, 300 * 24, n), unit="h"),
        "activity_type": rng.choice(types, n, p=[0.3, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05]),
    })  # fmt: skip
    spec = learn_activity_spec(log, [7, 30], max_types=5)
    keys = pd.DataFrame({
        "contact_id": rng.choice([*contacts, "silent"], 80),
        "as_of": T("2025-03-01") + pd.to_timedelta(rng.integers(0, 200 * 24, 80), unit="h"),
    })  # fmt: skip
    f = aggregate_activities(log, keys, spec)
    assert len(spec.types) == 5
    for i, (contact, as_of) in enumerate(keys.itertuples(index=False)):
        mine = log[(log["contact_id"] == contact) & (log["occurred_at"] < as_of)]
        assert f.loc[i, "n_all_total"] == len(mine)
        for t in spec.types:
            of_type = mine.loc[mine["activity_type"] == t, "occurred_at"]
            assert f.loc[i, f"n_{t}_total"] == len(of_type)
            for w in spec.windows:
                recent = (of_type >= as_of - pd.Timedelta(days=w)).sum()
                assert f.loc[i, f"n_{t}_{w}d"] == recent
            days = (as_of - of_type.max()) / pd.Timedelta(days=1) if len(of_type) else np.nan
            assert f.loc[i, f"days_since_last_{t}"] == pytest.approx(days, nan_ok=True, abs=1e-6)
    assert f["n_type_3_total"].sum() > 20  # the types really are counted


def test_an_activity_index_too_large_for_its_keys_says_so_instead_of_wrapping():
    """Keys are ``group << 34 | seconds``: a group past 2**29 would overflow int64 and count
    another contact's activities, so building such an index stops with the reason."""
    from leadscore.features.activity import _MAX_GROUPS, _Index

    times = np.array([5, 7], dtype=np.int64)
    fits = _Index.of(np.array([0, _MAX_GROUPS - 1]), times)
    assert (fits.keys >> 34).tolist() == [0, _MAX_GROUPS - 1]
    with pytest.raises(ValueError, match="groups"):
        _Index.of(np.array([0, _MAX_GROUPS]), times)
