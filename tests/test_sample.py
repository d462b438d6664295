"""Tests for the synthetic CRM generator (the leadscore.sample package)."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

from leadscore import sample
from leadscore.sample import (
    ACTIVITY_COLUMNS,
    ACTIVITY_TYPES,
    CONTACT_COLUMNS,
    DECISION_MAKER_LEVELS,
    ICP_INDUSTRIES,
    MISSING_RATES,
    PII_COLUMNS,
    TITLES_BY_SENIORITY,
    generate_crm,
    write_crm,
)

STR_CONTACT_COLUMNS = [
    "contact_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "industry",
    "country",
    "job_title",
    "lead_source",
    "outcome",
]
FLOAT_CONTACT_COLUMNS = ["employees", "annual_revenue", "budget"]

# Hidden seniority of a (messy) job title: lower-case and strip before looking it up.
TITLE_TO_SENIORITY = {
    title.lower(): level for level, titles in TITLES_BY_SENIORITY.items() for title in titles
}


def seniority(titles: pd.Series) -> pd.Series:
    return titles.str.strip().str.lower().map(TITLE_TO_SENIORITY)


@pytest.fixture(scope="module")
def default_export() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_crm()


@pytest.fixture(scope="module")
def small_export() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_crm(months=9, contacts_per_month=300, seed=7)


# ----------------------------------------------------------------------------- determinism


def test_same_seed_gives_identical_frames() -> None:
    c1, a1 = generate_crm(months=4, contacts_per_month=200, seed=11)
    c2, a2 = generate_crm(months=4, contacts_per_month=200, seed=11)
    pdt.assert_frame_equal(c1, c2)
    pdt.assert_frame_equal(a1, a2)


def test_different_seed_gives_different_frames() -> None:
    c1, a1 = generate_crm(months=4, contacts_per_month=200, seed=11)
    c2, a2 = generate_crm(months=4, contacts_per_month=200, seed=12)
    assert not c1.equals(c2)
    assert not a1.equals(a2)
    # Not just shuffled: the PII and the histories differ.
    assert (c1["email"] != c2["email"]).mean() > 0.9
    assert len(a1) != len(a2) or not (a1["occurred_at"] == a2["occurred_at"]).all()


# sha256 of the two CSV files that write_crm(..., fmt="csv") writes for
# generate_crm(months=3, contacts_per_month=40, seed=3) with the default start. Recorded from
# the single-module generator (src/leadscore/sample.py at main 5732be5), before it became the
# leadscore.sample package, by hashing the files' bytes with hashlib.sha256. Any change to a
# rule, a constant, the draw order or the output format changes them: if the change is meant,
# update the package docstring, docs/sample-data.md and these hashes together.
PINNED_CSV_SHA256 = {
    "contacts.csv": "6b5a82310da2e0e0d16789c2141c93a41c47feb7600d5cb924a95079a2d4a377",
    "activities.csv": "60ddaa5374838199f30dbae932ee7933d58420eed0a8b312cee57ff2e19a2ed8",
}


def test_generated_files_match_the_recorded_output(tmp_path) -> None:
    contacts, activities = generate_crm(months=3, contacts_per_month=40, seed=3)
    paths = write_crm(contacts, activities, tmp_path, fmt="csv")
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    assert digests == PINNED_CSV_SHA256


# ----------------------------------------------------------------------------- sizes, shape


def test_default_export_sizes_and_shares(default_export) -> None:
    contacts, activities = default_export
    assert 19_000 <= len(contacts) <= 21_000  # ~20k contacts over 18 months
    per_contact = len(activities) / len(contacts)
    assert 12 <= per_contact <= 16
    shares = contacts["outcome"].value_counts(dropna=False, normalize=True)
    won, lost, still_open = shares["won"], shares["lost"], shares[np.nan]
    assert 0.05 <= won <= 0.08
    assert lost > 0.4  # many contacts are lost ...
    assert 0.1 <= still_open <= 0.6  # ... and some are still open at export


def test_columns_and_dtypes(small_export) -> None:
    contacts, activities = small_export
    assert list(contacts.columns) == list(CONTACT_COLUMNS)
    assert list(activities.columns) == list(ACTIVITY_COLUMNS)
    for col in STR_CONTACT_COLUMNS:
        assert pd.api.types.is_string_dtype(contacts[col]), col
    for col in FLOAT_CONTACT_COLUMNS:
        assert contacts[col].dtype == np.float64, col
    for col in ("created_at", "closed_at"):
        assert pd.api.types.is_datetime64_dtype(contacts[col]), col
    assert pd.api.types.is_datetime64_dtype(activities["occurred_at"])
    for col in ("contact_id", "activity_type", "detail"):
        assert pd.api.types.is_string_dtype(activities[col]), col


def test_missing_values_match_documented_rates(default_export) -> None:
    contacts, _ = default_export
    for col, rate in MISSING_RATES.items():
        assert abs(contacts[col].isna().mean() - rate) < 0.02, col
    for col in ("contact_id", "created_at", "country", "lead_source", *PII_COLUMNS):
        assert contacts[col].notna().all(), col


def test_attributes_look_realistic(default_export) -> None:
    contacts, _ = default_export
    employees = contacts["employees"].dropna()
    assert employees.between(1, 50_000).all()
    assert (employees == employees.round()).all()
    both = contacts[["employees", "annual_revenue"]].dropna()
    corr = np.corrcoef(np.log(both["employees"]), np.log(both["annual_revenue"]))[0, 1]
    assert corr > 0.8
    assert set(contacts["industry"].dropna()) == set(sample.INDUSTRIES)
    assert set(contacts["lead_source"]) == set(sample.LEAD_SOURCES)
    assert {"United States", "USA", "US"} <= set(contacts["country"])
    assert contacts["country"].isin(["United States", "USA", "US"]).mean() > 0.35
    titles = contacts["job_title"].dropna()
    assert titles.nunique() > 100  # free text with messy variants
    assert seniority(titles).notna().all()  # each maps to one hidden seniority level
    assert contacts["email"].str.fullmatch(r"[a-z]+\.[a-z]+@[a-z-]+\.example").all()
    assert contacts["phone"].str.fullmatch(r"\+\d{1,2}-555-\d{4}-\d{3}").all()


# ----------------------------------------------------------------------------- contract


def test_export_contract(small_export) -> None:
    contacts, activities = small_export
    end = pd.Timestamp("2025-01-01") + pd.DateOffset(months=9)
    assert contacts["contact_id"].is_unique
    assert contacts["contact_id"].is_monotonic_increasing
    assert contacts["created_at"].lt(end).all()
    assert set(contacts["outcome"].dropna()) == {"won", "lost"}
    assert (contacts["outcome"].notna() == contacts["closed_at"].notna()).all()
    closed = contacts[contacts["closed_at"].notna()]
    assert (closed["closed_at"] > closed["created_at"]).all()
    assert closed["closed_at"].lt(end).all()

    assert set(activities["activity_type"]) == set(ACTIVITY_TYPES)
    assert activities["occurred_at"].lt(end).all()
    assert activities["contact_id"].isin(contacts["contact_id"]).all()
    joined = activities.merge(
        contacts[["contact_id", "created_at", "closed_at"]], on="contact_id", how="left"
    )
    assert (joined["occurred_at"] >= joined["created_at"]).all()
    has_close = joined["closed_at"].notna()
    assert (joined.loc[has_close, "occurred_at"] < joined.loc[has_close, "closed_at"]).all()

    key = activities[["occurred_at", "contact_id"]]
    assert key.equals(key.sort_values(["occurred_at", "contact_id"], kind="stable"))


def test_invalid_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="months"):
        generate_crm(months=0)
    with pytest.raises(ValueError, match="contacts_per_month"):
        generate_crm(contacts_per_month=0)
    with pytest.raises(ValueError, match="seed"):
        generate_crm(seed=-1)
    with pytest.raises(ValueError, match="shift_from_month"):
        generate_crm(months=2, contacts_per_month=10, shift_from_month=-1, win_shift=-1.0)
    with pytest.raises(ValueError, match="needs shift_from_month"):
        generate_crm(months=2, contacts_per_month=10, win_shift=-1.0)
    with pytest.raises(ValueError, match="win_shift"):
        generate_crm(months=2, contacts_per_month=10, shift_from_month=1, win_shift=np.nan)


# ----------------------------------------------------------------------------- later exports


@pytest.mark.parametrize(
    "world", [{}, {"shift_from_month": 4, "win_shift": -1.5}], ids=["plain", "shifted"]
)
def test_later_export_continues_the_same_history(world: dict) -> None:
    c6, a6 = generate_crm(months=6, contacts_per_month=300, seed=5, **world)
    c9, a9 = generate_crm(months=9, contacts_per_month=300, seed=5, **world)
    end6 = pd.Timestamp("2025-07-01")

    shared = c9[c9["created_at"] < end6].reset_index(drop=True)
    assert len(shared) == len(c6)
    attributes = [c for c in CONTACT_COLUMNS if c not in ("outcome", "closed_at")]
    pdt.assert_frame_equal(shared[attributes], c6[attributes])

    pdt.assert_frame_equal(a9[a9["occurred_at"] < end6].reset_index(drop=True), a6)

    closed6 = c6["closed_at"].notna()
    pdt.assert_series_equal(shared.loc[closed6, "outcome"], c6.loc[closed6, "outcome"])
    pdt.assert_series_equal(shared.loc[closed6, "closed_at"], c6.loc[closed6, "closed_at"])

    newly_closed = ~closed6 & shared["closed_at"].notna()
    assert newly_closed.sum() > 50
    assert (shared.loc[newly_closed, "closed_at"] >= end6).all()
    assert set(shared.loc[newly_closed, "outcome"]) == {"won", "lost"}


# ----------------------------------------------------------------------------- shifted world


def test_win_shift_lowers_later_wins_and_leaves_earlier_months_identical() -> None:
    # given: the same CRM, once as documented and once with fewer wins from month 6 on
    kwargs = {"months": 12, "contacts_per_month": 500, "seed": 9}
    base_c, base_a = generate_crm(**kwargs)
    # when
    shift_c, shift_a = generate_crm(**kwargs, shift_from_month=6, win_shift=-1.5)
    # then: the later months convert much less often ...
    later = base_c["created_at"] >= pd.Timestamp("2025-07-01")
    base_won, shift_won = base_c["outcome"].eq("won"), shift_c["outcome"].eq("won")
    assert shift_won[later].mean() < 0.5 * base_won[later].mean()
    # ... the earlier months' contacts and their activities are exactly as before ...
    pdt.assert_frame_equal(shift_c[~later], base_c[~later])
    earlier_ids = base_c.loc[~later, "contact_id"]
    pdt.assert_frame_equal(
        shift_a[shift_a["contact_id"].isin(earlier_ids)].reset_index(drop=True),
        base_a[base_a["contact_id"].isin(earlier_ids)].reset_index(drop=True),
    )
    # ... and the later contacts are the same people: only who wins, and when, changed
    attributes = [c for c in CONTACT_COLUMNS if c not in ("outcome", "closed_at")]
    pdt.assert_frame_equal(shift_c[attributes], base_c[attributes])


def test_zero_win_shift_changes_nothing() -> None:
    base_c, base_a = generate_crm(months=3, contacts_per_month=100, seed=4)
    same_c, same_a = generate_crm(
        months=3, contacts_per_month=100, seed=4, shift_from_month=1, win_shift=0.0
    )
    pdt.assert_frame_equal(same_c, base_c)
    pdt.assert_frame_equal(same_a, base_a)


# ----------------------------------------------------------------------------- drivers


def test_icp_industries_win_more_often(default_export) -> None:
    contacts, _ = default_export
    won = contacts["outcome"].eq("won")
    industry = contacts["industry"]
    icp = won[industry.isin(ICP_INDUSTRIES)].mean()
    other = won[industry.notna() & ~industry.isin(ICP_INDUSTRIES)].mean()
    assert icp > 1.5 * other


def test_decision_makers_win_more_often_than_interns(default_export) -> None:
    contacts, _ = default_export
    won = contacts["outcome"].eq("won")
    level = seniority(contacts["job_title"])
    decision_maker = won[level.isin(DECISION_MAKER_LEVELS)].mean()
    intern = won[level.eq("intern_student")].mean()
    assert decision_maker > 0.07
    assert intern < 0.02
    assert decision_maker > 4 * intern


def test_demo_requests_signal_wins_strongly_but_not_perfectly(default_export) -> None:
    contacts, activities = default_export
    won = contacts["outcome"].eq("won")
    demos = activities[activities["activity_type"] == "demo_request"]
    had_demo = contacts["contact_id"].isin(demos["contact_id"])
    assert won[had_demo].mean() > 5 * won[~had_demo].mean()
    assert had_demo[won].mean() > 0.75  # most winners requested a demo
    assert won[had_demo].mean() < 0.9  # ... and some who did were not won

    winners = contacts.loc[won, ["contact_id", "closed_at"]]
    timing = demos.merge(winners, on="contact_id")
    days_before = (timing["closed_at"] - timing["occurred_at"]).dt.days
    assert days_before.between(4, 60).mean() > 0.9  # mostly 5-60 days before the win


def test_engaged_contacts_are_more_active(default_export) -> None:
    contacts, activities = default_export
    counts = activities.groupby("contact_id").size()
    per_contact = counts.reindex(contacts["contact_id"], fill_value=0).to_numpy()
    won = contacts["outcome"].eq("won").to_numpy()
    assert per_contact[won].mean() > 1.5 * per_contact[~won].mean()


# ----------------------------------------------------------------------------- size


def test_each_month_gets_exactly_contacts_per_month(small_export) -> None:
    # its speed is measured by `make bench`, never asserted in a test (no wall-clock limits)
    contacts, activities = small_export
    per_month = contacts["created_at"].dt.to_period("M").value_counts().sort_index()
    assert list(per_month.index.astype(str)) == [f"2025-{m:02d}" for m in range(1, 10)]
    assert (per_month == 300).all()
    assert len(activities) > 10 * len(contacts)


# ----------------------------------------------------------------------------- write_crm


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_crm_round_trip(tmp_path, small_export, fmt: str) -> None:
    contacts, activities = small_export
    out = tmp_path / "export"
    contacts_path, activities_path = write_crm(contacts, activities, out, fmt=fmt)
    assert contacts_path == out / f"contacts.{fmt}"
    assert activities_path == out / f"activities.{fmt}"
    assert sorted(p.name for p in out.iterdir()) == [f"activities.{fmt}", f"contacts.{fmt}"]

    if fmt == "csv":
        str_dtypes = {c: "str" for c in STR_CONTACT_COLUMNS}
        back_c = pd.read_csv(
            contacts_path, dtype=str_dtypes, parse_dates=["created_at", "closed_at"]
        )
        back_a = pd.read_csv(
            activities_path,
            dtype={c: "str" for c in ("contact_id", "activity_type", "detail")},
            parse_dates=["occurred_at"],
        )
    else:
        back_c = pd.read_parquet(contacts_path)
        back_a = pd.read_parquet(activities_path)
    pdt.assert_frame_equal(back_c, contacts)
    pdt.assert_frame_equal(back_a, activities)


def test_write_crm_replaces_existing_files_and_rejects_unknown_format(tmp_path) -> None:
    c1, a1 = generate_crm(months=2, contacts_per_month=50, seed=1)
    c2, a2 = generate_crm(months=3, contacts_per_month=50, seed=1)
    write_crm(c1, a1, tmp_path)
    write_crm(c2, a2, tmp_path)
    assert len(pd.read_csv(tmp_path / "contacts.csv")) == len(c2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["activities.csv", "contacts.csv"]
    with pytest.raises(ValueError, match="fmt"):
        write_crm(c1, a1, tmp_path, fmt="xlsx")  # type: ignore[arg-type]
