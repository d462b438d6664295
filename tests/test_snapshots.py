"""Training examples: one row per contact open at a snapshot date, labelled won-within-horizon."""

from __future__ import annotations

import pandas as pd

from leadscore.features.snapshots import build_examples, snapshot_dates

T = pd.Timestamp


def _contacts():
    return pd.DataFrame(
        {
            "contact_id": ["won_soon", "won_late", "lost", "open", "new"],
            "created_at": pd.to_datetime(
                ["2025-01-01", "2025-01-01", "2025-01-01", "2025-01-01", "2025-05-01"]
            ),
            "closed_at": pd.to_datetime(["2025-03-15", "2025-08-01", "2025-02-15", None, None]),
            "status": ["won", "won", "lost", "open", "open"],
        }
    )


def test_labels_follow_the_horizon_and_closed_contacts_leave():
    ex = build_examples(_contacts(), [T("2025-03-01")], horizon_days=30)
    labels = dict(zip(ex["contact_id"], ex["label"], strict=True))
    assert labels == {"won_soon": 1, "won_late": 0, "open": 0}  # lost closed, new not created


def test_snapshot_dates_leave_a_full_label_window_before_the_export_end():
    dates = snapshot_dates(_contacts(), T("2025-12-31"), horizon_days=90, every_days=30)
    assert max(dates) <= T("2025-12-31") - pd.Timedelta(days=90)
    assert min(dates) > T("2025-01-01")
    assert all((b - a).days == 30 for a, b in zip(dates, dates[1:], strict=False))


def test_each_date_holds_the_contacts_open_then_with_their_own_labels():
    dates = [T("2025-02-01"), T("2025-03-01"), T("2025-06-05")]
    ex = build_examples(_contacts(), dates, horizon_days=60)
    got = {d: dict(zip(g["contact_id"], g["label"], strict=True)) for d, g in ex.groupby("as_of")}
    assert got == {
        T("2025-02-01"): {"won_soon": 1, "won_late": 0, "lost": 0, "open": 0},
        T("2025-03-01"): {"won_soon": 1, "won_late": 0, "open": 0},
        T("2025-06-05"): {"won_late": 1, "open": 0, "new": 0},
    }
    assert list(ex.columns) == ["contact_id", "as_of", "label"]
