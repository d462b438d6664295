"""Reasons on the demo (the sample CRM, trained and scored as ``make demo`` does): said against
the average lead, and a blank value named only where the report shows blanks predict."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from helpers import score_contacts
from leadscore.features.noise import missing_verdicts
from leadscore.io.report import write_report

BLANK = re.compile(r"not filled in|unknown|not set")
UP = [f"reason_up_{k}" for k in (1, 2, 3)]
DOWN = [f"reason_down_{k}" for k in (1, 2, 3)]


@pytest.fixture(scope="module")
def demo(trained, tmp_path_factory):
    """The scored open contacts as of the export date, and the model's report."""
    result, crm, _ = trained
    out = score_contacts(result.scorer, crm.contacts, crm.activities, "2026-07-01", reasons=True)
    report = write_report(result, tmp_path_factory.mktemp("report")).read_text()
    return out[out["status"] == "scored"], result, report


def test_no_reason_says_a_blank_raised_a_score_unless_the_report_shows_blanks_predict(demo):
    scored, result, report = demo
    up = pd.Series(scored[UP].to_numpy().ravel())
    said_blank = up[up.str.contains(BLANK)]
    # every blank named as a raise says why, and the report backs it with its verdict
    verdicts = missing_verdicts(result.scorer.features.signal_)
    for text in said_blank.unique():
        assert text.endswith("— leads without it convert more often"), text
        column = text.split(" not filled in")[0].split(" unknown")[0].replace(" ", "_")
        assert verdicts.get(column) == "blank converts more", text
        assert f"| {column} | missing" in report and "blank converts more" in report
    # on the demo no blank predicts (values were removed at random), so none is named at all
    assert said_blank.empty
    assert "| annual_revenue | missing" in report and "not predictive" in report


def test_the_reasons_raising_a_score_are_things_the_lead_did_or_is(demo):
    scored, _, _ = demo
    up = pd.Series(scored[UP].to_numpy().ravel())
    up = up[up != ""]
    # no absence of activity raises a score ("never any demo request" did, on a lead at 90)
    assert not up.str.match(r"^no ").any()
    # the most common raising reason is not a missing value (it was "annual revenue not
    # filled in")
    assert not BLANK.search(up.value_counts().index[0])
    # and behaviour is said against the average lead
    assert up.str.contains("— most leads have none|— more than most leads").mean() > 0.1


def test_the_reasons_lowering_a_score_say_what_is_typical(demo):
    scored, _, _ = demo
    down = pd.Series(scored[DOWN].to_numpy().ravel())
    absent = down[down.str.match(r"^no .* yet")]
    assert absent.str.endswith("— typical").mean() > 0.5  # "no demo request yet — typical"
    assert absent.str.endswith(("— typical", "— most leads have had one")).all()
