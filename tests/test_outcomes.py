"""Outcomes as exports hold them: from a table of won deals, and closed contacts that lack a
close date (refused, or handled as the config says; never a silent open contact)."""

from __future__ import annotations

import pandas as pd
import pytest

from leadscore.config import load_config
from leadscore.data.crm import load_crm
from leadscore.errors import InputError

T = pd.Timestamp
HEADER = "contact_id,created_at,outcome,closed_at\n"


def _files(tmp_path, contacts: str, config: str = "") -> tuple:
    (tmp_path / "c.csv").write_text(contacts)
    (tmp_path / "cfg.toml").write_text(config)
    return tmp_path / "c.csv", load_config(tmp_path / "cfg.toml")


def _train_load(path, cfg):
    return load_crm(path, None, cfg, require_outcome=True)


# -- closed without a close date -----------------------------------------------------------
ROWS = (
    HEADER + "c1,2025-01-02,won,2025-02-01\nc2,2025-01-03,won,\nc3,2025-01-04,lost,\n"
    "c4,2025-01-05,,\nc5,2025-03-01,lost,2025-03-09\n"
)


def test_won_or_lost_without_a_close_date_is_refused_with_the_count_and_rows(tmp_path):
    path, cfg = _files(tmp_path, ROWS)
    with pytest.raises(InputError) as caught:
        _train_load(path, cfg)
    message = str(caught.value)
    assert "column 'closed_at': 2 won or lost contacts have no close date (rows 3, 4)" in message
    assert 'missing_close_date = "export_end"' in message and '"drop"' in message


def test_the_config_can_close_them_at_the_export_end_and_the_notes_say_so(tmp_path):
    path, cfg = _files(tmp_path, ROWS, '[contacts]\nmissing_close_date = "export_end"\n')
    crm = _train_load(path, cfg)
    closed = crm.contacts.set_index("contact_id")["closed_at"]
    assert closed["c2"] == closed["c3"] == T("2025-03-09")  # the latest date in the export
    assert crm.contacts.set_index("contact_id")["status"]["c2"] == "won"
    assert any(
        "won or lost without a close date, closed at the export's end: 2 rows" in n
        for n in crm.notes
    )


def test_the_config_can_state_the_export_end_or_drop_them(tmp_path):
    config = '[contacts]\nmissing_close_date = "export_end"\nexported_at = "2025-04-01"\n'
    path, cfg = _files(tmp_path, ROWS, config)
    assert _train_load(path, cfg).contacts["closed_at"].iloc[1] == T("2025-04-01")
    path, cfg = _files(tmp_path, ROWS, '[contacts]\nmissing_close_date = "drop"\n')
    crm = _train_load(path, cfg)
    assert crm.contacts["contact_id"].tolist() == ["c1", "c4", "c5"]
    assert any("left out" in n and "'c2'" in n for n in crm.notes)


def test_a_lead_list_to_score_needs_no_close_dates(tmp_path):
    path, cfg = _files(tmp_path, ROWS)
    crm = load_crm(path, None, cfg, require_outcome=False)
    assert crm.contacts["status"].tolist() == ["won", "won", "lost", "open", "lost"]


# -- outcomes from a table of won deals ------------------------------------------------------
LEADS = (
    "mql_id,first_contact_date,origin\n"
    "a01,2025-01-01,search\na02,2025-01-10,social\na03,2025-05-20,search\n"
    "a04,2025-01-15,email\n0005,2025-06-01,social\n"
)
WON = "mql_id,won_date,business_segment\na01,2025-02-03,retail\n0005,2025-06-20,food\n"
WON_CONFIG = (
    '[contacts]\nid = "mql_id"\ncreated_at = "first_contact_date"\noutcome = ""\n'
    'closed_at = ""\n\n[won_deals]\nfile = "won.csv"\nwon_at = "won_date"\n'
    "lost_after_days = 90\n"
)


def test_a_contact_is_won_when_its_id_is_in_the_won_deals_and_lost_when_too_old(tmp_path):
    (tmp_path / "won.csv").write_text(WON)
    path, cfg = _files(tmp_path, LEADS, WON_CONFIG)
    crm = _train_load(path, cfg)
    got = crm.contacts.set_index("contact_id")
    assert got["status"].to_dict() == {
        "a01": "won", "a02": "lost", "a03": "open", "a04": "lost", "0005": "won",
    }  # fmt: skip
    assert got.loc["a01", "closed_at"] == T("2025-02-03")  # won_at of its deal
    assert got.loc["a02", "closed_at"] == T("2025-04-10")  # created + 90 days
    # 31 days old at the export's end (its latest date, the won deal of 2025-06-20): open
    assert pd.isna(got.loc["a03", "closed_at"])
    # only the id and won_at are read: what a deal says once won is never an attribute
    assert "business_segment" not in crm.contacts and "won_date" not in crm.contacts


def test_without_an_outcome_column_the_won_table_is_the_outcome_at_prediction_too(tmp_path):
    (tmp_path / "won.csv").write_text(WON)
    path, cfg = _files(tmp_path, LEADS, WON_CONFIG)
    crm = load_crm(path, None, cfg, require_outcome=False)
    assert crm.contacts["status"].tolist() == ["won", "lost", "open", "lost", "won"]
