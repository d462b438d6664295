"""``leadscore monitor`` on generated worlds whose truth is known.

The model is the default sample CRM's (18 months, trained once per session). The world then
goes on with the generator (same seed: a later export continues the same history): a list
is scored as of 2026-10-01 (month 21) and judged on the export of month 24, when the 90-day
horizon has passed for every contact. The truth of each tier's conversion rate is measured
on an independent, four times larger world of the same rules (another seed), scored by the
same model as of the same date, with its outcomes counted here directly. A shifted world
(``win_shift=-1.5`` from month 18: fewer wins among the contacts created since) must give
the retrain verdict, the unshifted one must not.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from typer.testing import CliRunner

import leadscore
from helpers import score_contacts
from leadscore.cli import app
from leadscore.config import load_config
from leadscore.data.crm import load_crm
from leadscore.model.monitoring import outcomes, tier_checks
from leadscore.sample import generate_crm, write_crm

AS_OF = pd.Timestamp("2026-10-01")  # the end of month 21
HORIZON = pd.Timedelta(days=90)
SHIFT = {"shift_from_month": 18, "win_shift": -1.5}
ENV = {"COLUMNS": "400"}


def _truth(scorer, shift: dict) -> pd.DataFrame:
    """Per tier: contacts and conversion rate within the horizon in a large independent world."""
    contacts, activities = generate_crm(months=24, contacts_per_month=4400, seed=2, **shift)
    crm = load_crm(contacts, activities, load_config(None), require_outcome=True)
    c = crm.contacts
    open_then = c[(c["created_at"] < AS_OF) & (c["closed_at"].isna() | (c["closed_at"] >= AS_OF))]
    scored = score_contacts(scorer, open_then, crm.activities, AS_OF, include_closed=True)
    won = c.set_index("contact_id").loc[scored["contact_id"]]
    scored["y"] = ((won["status"] == "won") & (won["closed_at"] < AS_OF + HORIZON)).to_numpy()
    return scored.groupby("tier")["y"].agg(contacts="size", rate="mean")


def _within_sampling_error(tiers: pd.DataFrame, truth: pd.DataFrame) -> None:
    """Each tier's actual rate is within 3 standard errors of the truth's."""
    for row in tiers[tiers["tier"] != "all scored"].itertuples():
        true = truth.loc[row.tier]
        var = true.rate * (1 - true.rate)
        se = math.sqrt(var / row.contacts + var / true.contacts)
        assert abs(row.actual_rate - true.rate) <= 3 * se, (row.tier, row.actual_rate, true.rate)


@pytest.fixture(scope="module")
def worlds(trained, tmp_path_factory):
    """The list scored as of month 21 (as predict wrote it) and the export of month 24, in
    the unshifted and the shifted world."""
    _, _, folder = trained
    root = tmp_path_factory.mktemp("monitoring")
    out = {}
    for label, shift in (("same", {}), ("shifted", SHIFT)):
        then = generate_crm(months=21, **shift)
        listed = root / f"{label}-predictions.csv"
        leadscore.predict(*then, model=folder, as_of=AS_OF, out=listed, reasons=False)
        out[label] = (listed, generate_crm(months=24, **shift))
    return out


def test_unshifted_world_keeps_the_model_and_rates_match_the_truth(trained, worlds, tmp_path):
    result, _, folder = trained
    listed, (contacts, activities) = worlds["same"]
    later = tmp_path / "later"
    write_crm(contacts, activities, later)
    # when the CLI monitors last quarter's list on the newer export
    res = CliRunner().invoke(app, [
        "monitor", str(later / "contacts.csv"), "-a", str(later / "activities.csv"),
        "--as-of", "2026-10-01", "--predictions", str(listed), "--model", str(folder),
        "--out", str(tmp_path / "reports"),
    ], env=ENV)  # fmt: skip
    assert res.exit_code == 0, res.output
    # then it keeps the model, and says why and by which rule
    assert "verdict: keep" in res.output and "rule: retrain when" in res.output
    report = tmp_path / "reports" / "2026-10-01"
    assert {p.name for p in report.iterdir()} >= {"report.md", "tiers.png", "calibration.png"}
    # the figures it reports (read back from its MLflow run) match the truth
    import mlflow

    run = mlflow.search_runs(experiment_names=["leadscore-monitoring"], output_format="list")[0]
    assert run.data.tags["leadscore.verdict"] == "keep"
    m = run.data.metrics
    tiers = pd.DataFrame(
        [{"tier": t, "contacts": m[f"{t}.contacts"],
          "actual_rate": m[f"{t}.actual_conversions"] / m[f"{t}.contacts"]}
         for t in ("opportunity", "prospect", "lead")]
    )  # fmt: skip
    _within_sampling_error(tiers, _truth(result.scorer, {}))
    # and every listed contact is accounted for, with the outcome the export holds
    listed_ids = pd.read_csv(listed, dtype={"contact_id": str})
    listed_ids = listed_ids[listed_ids["status"] == "scored"]["contact_id"]
    later_c = contacts.set_index("contact_id").loc[listed_ids]
    won = int(((later_c["outcome"] == "won") & (later_c["closed_at"] < AS_OF + HORIZON)).sum())
    assert m["count.converted"] == won > 100
    assert m["count.listed"] == len(listed_ids) and m["open_share"] == 0


def test_shifted_world_gives_the_retrain_verdict(trained, worlds, tmp_path):
    result, _, folder = trained
    listed, (contacts, activities) = worlds["shifted"]
    done = leadscore.monitor(
        contacts, activities, as_of=AS_OF, predictions=listed, model=folder,
        out=tmp_path, mlflow=False,
    )  # fmt: skip
    assert done.verdict.action == "retrain"
    whole = done.tiers.set_index("tier").loc["all scored"]
    assert not whole["within"] and whole["actual_conversions"] < whole["low"]
    assert any(r.startswith("all scored:") for r in done.verdict.reasons)
    # the actual rates are the shifted world's truth, not what the model expected
    _within_sampling_error(done.tiers, _truth(result.scorer, SHIFT))
    # scores from the file are what the model gives as of that date: nothing to note
    assert not [n for n in done.notes if "differ" in n]


def test_rescoring_from_the_model_equals_monitoring_the_file(trained, worlds, tmp_path):
    _, _, folder = trained
    listed, (contacts, activities) = worlds["same"]
    common = {"as_of": AS_OF, "model": folder, "out": None, "mlflow": False}
    from_file = leadscore.monitor(contacts, activities, predictions=listed, **common)
    rescored = leadscore.monitor(contacts, activities, **common)
    assert rescored.source == "re-scored"
    pd.testing.assert_frame_equal(rescored.tiers, from_file.tiers)
    assert rescored.counts == from_file.counts
    assert rescored.drift is not None and rescored.drift.table and not rescored.drift.shifted


def test_too_early_while_the_horizon_has_not_passed(trained, worlds):
    _, _, folder = trained
    listed, _ = worlds["same"]
    month_later = generate_crm(months=22)  # one month after the list was scored
    done = leadscore.monitor(
        *month_later, as_of=AS_OF, predictions=listed, model=folder, out=None, mlflow=False
    )
    assert done.verdict.action == "too early"
    assert 0.5 < done.open_share < 1
    assert done.counts["converted"] > 0  # the quick closes are counted already


def test_outcome_states_at_the_edges() -> None:
    as_of, end = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-04-01")
    listed = pd.DataFrame({
        "contact_id": ["won_in", "won_after", "lost_in", "open", "gone", "closed_before"],
        "probability": [0.5] * 6, "tier": ["opportunity"] * 6,
    })  # fmt: skip
    later = pd.DataFrame({
        "contact_id": ["won_in", "won_after", "lost_in", "open", "closed_before"],
        "status": ["won", "won", "lost", "open", "lost"],
        "closed_at": pd.to_datetime(["2026-03-31", "2026-04-01", "2026-02-01", None,
                                     "2025-12-31"]),
    })  # fmt: skip
    early = outcomes(listed, later, as_of, 90, end - pd.Timedelta(days=2))
    late = outcomes(listed, later, as_of, 90, end)
    assert list(early["state"]) == ["converted", "open", "not converted", "open",
                                    "missing from the newer export",
                                    "closed before the as-of time"]  # fmt: skip
    assert list(late["y"].fillna(-1)) == [1, 0, 0, 0, -1, -1]


def test_tier_interval_is_three_standard_deviations_of_the_expected_count() -> None:
    resolved = pd.DataFrame({"probability": [0.2] * 100, "tier": ["prospect"] * 100,
                             "y": [1.0] * 31 + [0.0] * 69})  # fmt: skip
    row = tier_checks(resolved).set_index("tier").loc["prospect"]
    assert row["expected_conversions"] == pytest.approx(20)
    assert (row["low"], row["high"]) == pytest.approx((8.0, 32.0))  # 20 ± 3 x sqrt(16)
    assert row["within"] and row["z"] == pytest.approx(11 / 4)
    resolved.loc[31, "y"] = 1.0  # 32 converted: on the edge, still inside
    assert tier_checks(resolved).set_index("tier").loc["prospect", "within"]
    resolved.loc[32, "y"] = 1.0  # 33: outside
    assert not tier_checks(resolved).set_index("tier").loc["prospect", "within"]


def test_a_list_without_probabilities_is_a_one_line_error(trained, worlds, tmp_path):
    _, _, folder = trained
    listed, _ = worlds["same"]
    broken = tmp_path / "list.csv"
    pd.read_csv(listed).drop(columns=["probability"]).to_csv(broken, index=False)
    contacts = tmp_path / "c.csv"
    generate_crm(months=22, contacts_per_month=50)[0].to_csv(contacts, index=False)
    res = CliRunner().invoke(app, [
        "monitor", str(contacts), "--as-of", "2026-10-01", "-p", str(broken),
        "-m", str(folder), "--no-mlflow",
    ], env=ENV)  # fmt: skip
    assert res.exit_code == 2
    assert f"{broken}, column 'probability': required column is missing" in res.output
    assert res.output.strip().count("\n") == 0
