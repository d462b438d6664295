"""Job titles → seniority, function, decision-maker."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.features import titles


def test_seniority_of_messy_titles():
    raw = pd.Series(
        [
            "VP of Sales",
            "vp sales",
            "Founder & CEO",
            "Head of Procurement",
            "Director, IT",
            "Sr. Software Engineer",
            "Marketing Intern",
            "  operations MANAGER ",
            None,
        ]
    )
    assert list(titles.seniority(raw)) == [
        "vp",
        "vp",
        "c_level",
        "director",
        "director",
        "individual",
        "intern_student",
        "manager",
        "unknown",
    ]


def test_decision_maker_and_function():
    levels = titles.seniority(pd.Series(["CTO", "Data Analyst", None]))
    dm = titles.decision_maker(levels)
    assert dm[0] == 1.0 and dm[1] == 0.0 and np.isnan(dm[2])
    assert list(titles.function(pd.Series(["CFO", "Head of Marketing"]))) == [
        "finance",
        "marketing",
    ]


def test_title_columns_are_recognised_by_content_not_name():
    jobs = pd.Series(
        [
            "Sales Manager",
            "IT Director",
            "CEO",
            "Analyst",
            "VP Marketing",
            "Buyer",
            "CFO",
            "Engineer",
            "Head of HR",
            "Consultant",
            "Owner",
            "Intern",
        ]
        * 3
    )
    colours = pd.Series(
        [
            "red",
            "green",
            "blue",
            "teal",
            "pink",
            "black",
            "white",
            "grey",
            "gold",
            "navy",
            "lime",
            "plum",
        ]
        * 3
    )
    assert titles.looks_like_titles(jobs)
    assert not titles.looks_like_titles(colours)
