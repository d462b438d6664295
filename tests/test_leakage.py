"""Leakage guard (leadscore.model.leakage): planted leaks are found, clean columns are not."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from leadscore.features.activity import learn_activity_spec
from leadscore.features.snapshots import assemble_rows, build_examples, snapshot_dates
from leadscore.model import leakage
from leadscore.model.train import guard_leakage
from leadscore.sample import generate_crm

REAL = Path(os.environ.get("LEADSCORE_REAL_DATA", Path(__file__).parents[1] / "../shared/data"))


def planted(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(signal - 1)))).astype(int)
    frame = pd.DataFrame(
        {
            "score_like": signal + rng.normal(scale=1.0, size=n),  # honest, AUC ~0.75
            "region": rng.choice(["north", "south", "east", "west"], n),
            "stage_notes": np.where(y == 1, rng.choice(["PO signed", "contract back"], n), None),
            "final_amount": np.where(y == 1, rng.integers(1_000, 50_000, n), 0).astype(float),
        }
    )
    return frame, y


def test_planted_leaks_are_excluded_with_evidence_and_clean_columns_pass():
    frame, y = planted()
    report = leakage.scan(frame, y, list(frame.columns))
    assert sorted(report.excluded) == ["final_amount", "stage_notes"]
    found = report.findings.set_index("column")
    assert found.loc["score_like", "level"] == "ok"
    assert found.loc["region", "level"] == "ok"
    assert 0.65 < found.loc["score_like", "auc"] < 0.85
    text = report.warning()
    assert "stage_notes" in text and "AUC" in text and "final_amount" in text
    assert "[features] keep" in text


def test_a_rating_with_near_certain_values_both_ways_is_excluded_a_one_sided_source_is_not():
    # given a sales rating filled in for about half the contacts: 'hot' almost only on won
    # ones, 'dead' almost only on lost ones, the other grades mixed; and a source column
    # where referrals always convert (strong, but only one way: an honest source can do that)
    rng = np.random.default_rng(3)
    n = 6000
    y = (rng.random(n) < 0.4).astype(int)
    grade = np.where(y == 1, rng.choice(["hot", "warm", "unsure", None], n, p=[.3, .3, .1, .3]),
                     rng.choice(["dead", "warm", "unsure", None], n, p=[.2, .15, .25, .4]))  # fmt: skip
    referral = (y == 1) & (rng.random(n) < 0.06)
    source = np.where(referral, "referral", rng.choice(["web", "ads", "event"], n))
    frame = pd.DataFrame({"rating": grade, "source": source})
    # when scanned
    report = leakage.scan(frame, y, ["rating", "source"])
    found = report.findings.set_index("column")
    # then the rating is excluded for its two-way verdict, although alone it is no 0.90 column
    assert report.excluded == ["rating"]
    assert found.loc["rating", "auc"] < 0.90
    assert found.loc["rating", "verdict"] >= 0.2
    assert "both ways" in report.to_dict()["evidence"]["rating"]
    assert "'hot'" in report.warning() and "'dead'" in report.warning()
    # and the one-sided source is kept: reported as suspect for its one-outcome value only
    assert found.loc["source", "level"] == "suspect"
    assert found.loc["source", "verdict"] == 0 and found.loc["source", "exclusive"] == 0
    assert "'referral' only on converted contacts" in report.to_dict()["evidence"]["source"]


def test_a_column_named_in_keep_is_reported_but_not_excluded():
    frame, y = planted()
    report = leakage.scan(frame, y, list(frame.columns), keep=["final_amount"])
    assert report.excluded == ["stage_notes"]
    assert report.kept == ["final_amount"]
    assert report.to_dict()["kept_by_config"] == ["final_amount"]


def test_a_date_written_after_the_scoring_time_is_excluded():
    rng = np.random.default_rng(1)
    n = 2000
    as_of = pd.Series(pd.Timestamp("2025-06-01"), index=range(n))
    y = rng.integers(0, 2, n)
    later = pd.Timestamp("2025-06-01") + pd.to_timedelta(rng.integers(1, 90, n), unit="D")
    frame = pd.DataFrame({"last_modified": later.astype(str), "noise": rng.normal(size=n)})
    report = leakage.scan(frame, y, ["last_modified", "noise"], as_of=as_of)
    assert report.excluded == ["last_modified"]
    assert "after the scoring time" in report.to_dict()["evidence"]["last_modified"]


def _sample_snapshot_rows(months: int = 12, per_month: int = 250, seed: int = 5):
    """(contacts, snapshot rows, labels, activity spec) of a sample CRM, as train builds them."""
    contacts, activities = generate_crm(months=months, contacts_per_month=per_month, seed=seed)
    contacts = contacts.rename(columns={"outcome": "status"})
    contacts["created_at"] = pd.to_datetime(contacts["created_at"])
    contacts["closed_at"] = pd.to_datetime(contacts["closed_at"])
    activities["occurred_at"] = pd.to_datetime(activities["occurred_at"])
    end = max(contacts["created_at"].max(), contacts["closed_at"].max())
    dates = snapshot_dates(contacts, end, 90, 30)
    examples = build_examples(contacts.fillna({"status": "open"}), dates, 90)
    spec = learn_activity_spec(activities, [7, 30, 90])
    rows = assemble_rows(contacts, activities, examples, spec)
    return contacts, rows, examples["label"].to_numpy(), spec


def test_the_export_columns_of_the_sample_crm_are_not_flagged_and_own_aggregates_not_tested():
    # given the snapshot rows of a sample CRM (what train scans)
    _, rows, y, spec = _sample_snapshot_rows()
    own = spec.feature_names()
    columns = [c for c in rows.columns if c not in ("contact_id", "as_of", *own)]
    # when the export's own columns are scanned (train leaves leadscore's aggregates out)
    report = leakage.scan(rows, y, columns, as_of=rows["as_of"], groups=rows["contact_id"])
    # then nothing is flagged
    assert len(report.findings) == len(columns)
    assert report.excluded == [] and report.suspect == [], report.warning()
    # while the aggregates, scanned as if the export had them, would be: a meeting in the last
    # day is seen only on contacts about to convert (point in time, so no leak: why they
    # are never tested)
    aggregates = leakage.scan(rows, y, own, as_of=rows["as_of"], groups=rows["contact_id"])
    assert aggregates.suspect or aggregates.excluded


def _split_and_spec(rows: pd.DataFrame, y: np.ndarray):
    """The time split train would use for these snapshot rows, and a default TrainSpec."""
    from leadscore.config import load_config
    from leadscore.model.spec import TrainSpec
    from leadscore.model.split import snapshot_split

    cfg = load_config(None)
    examples = rows[["contact_id", "as_of"]].assign(label=y)
    return snapshot_split(examples, cfg.training), TrainSpec.from_config(cfg)


def test_a_column_filled_for_five_percent_of_won_contacts_and_no_lost_one_is_excluded():
    # given a sample CRM where a joined deals table filled two columns for 5 % of the won
    # contacts (every snapshot of each), and for no lost or open contact
    contacts, rows, y, spec = _sample_snapshot_rows(months=18, per_month=600, seed=11)
    won = contacts.loc[contacts["status"] == "won", "contact_id"].to_numpy()
    rng = np.random.default_rng(0)
    picked = rng.choice(won, int(round(0.05 * len(won))), replace=False)
    hit = rows["contact_id"].isin(picked).to_numpy()
    rows["deal_id"] = np.where(hit, "D-" + rows["contact_id"].astype(str), None)
    rows["deal_value"] = np.where(hit, rng.integers(2_000, 90_000, len(rows)), np.nan)
    split, train_spec = _split_and_spec(rows, y)
    # when train's guard scans the fit rows
    report = guard_leakage(rows, y, split, train_spec, own=spec.feature_names())
    found = report.findings.set_index("column")
    # then both are excluded by the exact test, which the share-based tests alone miss
    assert {"deal_id", "deal_value"} <= set(report.excluded), report.warning()
    for col in ("deal_id", "deal_value"):
        assert found.loc[col, "exclusive"] >= leakage.EXCLUDE["exclusive"]
        assert found.loc[col, "auc"] < 0.85 and found.loc[col, "purity"] == 0
        evidence = report.to_dict()["evidence"][col]
        assert "filled in at all only on converted contacts" in evidence
    # and no honest column of the export is flagged
    assert set(report.excluded) | set(report.suspect) == {"deal_id", "deal_value"}


def test_the_guard_never_tests_the_runs_own_aggregates_whatever_their_names():
    # given snapshot rows whose own aggregates are renamed, with the run's renamed list
    _, rows, y, spec = _sample_snapshot_rows()
    split, train_spec = _split_and_spec(rows, y)
    names = {c: f"x{i}" for i, c in enumerate(spec.feature_names())}
    renamed = rows.rename(columns=names)
    # when guarded with the list of own names, and with the list left out
    with_own = guard_leakage(renamed, y, split, train_spec, own=list(names.values()))
    without = guard_leakage(renamed, y, split, train_spec)
    # then the own columns are never scanned, whatever they are called; without the list they
    # would be (and some flagged: a meeting yesterday is seen only on contacts about to buy)
    assert not set(with_own.findings["column"]) & set(names.values())
    assert set(names.values()) <= set(without.findings["column"])
    assert with_own.excluded == [] and with_own.suspect == []
    assert without.excluded or without.suspect


def test_a_value_seen_only_with_the_common_outcome_is_an_honest_never_buys_segment():
    # given 5 % converted, and interns (8 % of contacts) who never convert
    rng = np.random.default_rng(4)
    n = 8000
    intern = rng.random(n) < 0.08
    y = ((rng.random(n) < 0.054) & ~intern).astype(int)
    frame = pd.DataFrame({"seniority": np.where(intern, "intern", rng.choice(["vp", "staff"], n))})
    # when scanned, then it is not flagged: "only lost" is ordinary when most contacts are lost
    report = leakage.scan(frame, y, ["seniority"])
    assert report.findings.loc[0, "level"] == "ok"
    assert report.findings.loc[0, "exclusive_value"] == 0


@pytest.mark.realdata
def test_education_leads_status_tags_excluded_quality_suspect_behaviour_clean():
    path = REAL / "x_education_leads" / "Leads.csv"
    if not path.exists():
        pytest.skip(f"real data not found at {path} (set LEADSCORE_REAL_DATA)")
    leads = pd.read_csv(path).replace("Select", np.nan)
    leads = leads.sort_values("Lead Number")
    fit = leads.iloc[: int(0.6 * len(leads))]  # the older leads, as a time-ordered fit part
    columns = [c for c in leads.columns if c not in ("Prospect ID", "Lead Number", "Converted")]
    report = leakage.scan(fit, fit["Converted"].to_numpy(), columns)
    levels = report.findings.set_index("column")["level"]
    assert levels["Tags"] == "excluded"
    assert levels["Lead Quality"] in ("excluded", "suspect")
    assert "worst" in report.to_dict()["evidence"]["Lead Quality"]
    for clean in ("TotalVisits", "Total Time Spent on Website", "Lead Origin"):
        assert levels[clean] == "ok", (clean, report.findings.set_index("column").loc[clean])
    # a source whose every lead converted is reported (the exact test), never excluded
    assert levels["Lead Source"] == "suspect"
    assert "'welingak website' only on converted" in report.to_dict()["evidence"]["Lead Source"]
