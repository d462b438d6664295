"""Job titles → seniority, function, decision-maker, in nine languages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from leadscore.features import titles
from leadscore.scorecard.parsing import SENIORITY_LEVELS

# Real-world titles with the reading a sales team expects; `function` is blank where unclear.
TITLE_TABLE = Path(__file__).parent / "data" / "job_titles_i18n.csv"
LANGUAGES = {"en", "de", "fr", "es", "pt", "it", "ro", "id", "nl"}


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
        "head",
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


def test_titles_in_nine_languages_read_as_a_sales_team_expects():
    # given a table of real-world titles, at least six per language
    table = pd.read_csv(TITLE_TABLE, dtype=str, keep_default_na=False)
    per_language = table["language"].value_counts()
    assert set(per_language.index) == LANGUAGES and per_language.min() >= 6 and len(table) >= 80
    # when they are parsed as one column
    level = titles.seniority(table["title"])
    dm = titles.decision_maker(level)
    func = titles.function(table["title"])
    # then every row reads as expected
    expected_dm = table["decision_maker"].astype(float).to_numpy()
    checked_func = table["function"] != ""
    wrong = (level != table["seniority"]).to_numpy() | (dm != expected_dm)
    wrong |= (checked_func & (func != table["function"])).to_numpy()
    report = table.assign(got_seniority=level, got_function=func)[wrong]
    assert not wrong.any(), report[
        ["title", "seniority", "got_seniority", "function", "got_function"]
    ]


def test_accents_case_hyphens_and_umlaut_spellings_read_the_same():
    spellings = pd.Series(
        [
            "Geschäftsführer",
            "geschaftsfuhrer",
            "GESCHÄFTSFÜHRER",
            "Geschäfts-führer",
            "Geschaeftsfuehrer",
            "GESCHÄFTSFÜHRERIN",
        ]
    )
    assert set(titles.seniority(spellings)) == {"c_level"}
    assert set(titles.function(spellings)) == {"executive"}
    romanian = pd.Series(["Șef vânzări", "ŞEF VÂNZĂRI", "sef vanzari", "Şef Vânzări"])
    assert set(titles.seniority(romanian)) == {"head"}
    assert set(titles.function(romanian)) == {"sales"}


def test_owners_and_heads_are_decision_makers():
    levels = titles.seniority(pd.Series(["Inhaber", "Pemilik", "Hoofd Inkoop", "Jefe de Compras"]))
    assert list(levels) == ["owner", "owner", "head", "head"]
    assert list(titles.decision_maker(levels)) == [1.0, 1.0, 1.0, 1.0]


def test_scorecards_accept_every_level_the_parser_produces():
    assert set(SENIORITY_LEVELS) == set(titles.LEVELS) - {"unknown"}
    produced = titles.seniority(pd.read_csv(TITLE_TABLE, dtype=str)["title"])
    assert set(produced) <= set(SENIORITY_LEVELS)


def test_non_english_title_columns_are_recognised_by_content():
    jobs = pd.Series(
        [
            "Geschäftsführer",
            "Leiter Vertrieb",
            "Directeur Commercial",
            "Responsable RH",
            "Gerente de Ventas",
            "Jefe de Compras",
            "Diretor Financeiro",
            "Analista de Sistemas",
            "Amministratore Delegato",
            "Impiegata",
            "Director Vânzări",
            "Contabil",
            "Kepala Cabang",
            "Staf Keuangan",
            "Eigenaar",
            "Medewerker Inkoop",
        ]
        * 2
    )
    cities = pd.Series(
        [
            "München",
            "Lyon",
            "Sevilla",
            "Porto",
            "Milano",
            "București",
            "Jakarta",
            "Utrecht",
            "Köln",
            "Bordeaux",
            "Valencia",
            "Cluj-Napoca",
            "Surabaya",
            "Rotterdam",
            "Torino",
            "Braga",
        ]
        * 2
    )
    assert titles.looks_like_titles(jobs)
    assert not titles.looks_like_titles(cities)


def test_titles_parsed_in_batches_read_as_each_rule_reads_them(monkeypatch):
    """``seniority_and_function`` (what the features use: each distinct title parsed once and
    remembered across calls, as a list scored in batches repeats them) gives, row for row,
    what ``seniority`` and ``function`` give, whether a title is new or remembered, blank or
    missing; and a full memory parses new titles without keeping them."""
    table = pd.read_csv(TITLE_TABLE, dtype=str, keep_default_na=False)["title"]
    column = pd.concat([table, pd.Series([None, "", "  ", "CEO", "ceo", "C.E.O."])])
    column = column.sample(frac=3, replace=True, random_state=0).reset_index(drop=True)
    monkeypatch.setattr(titles, "_PARSED", {})
    expected = (titles.seniority(column).to_numpy(), titles.function(column).to_numpy())
    for batch in (column.iloc[:200], column, column.iloc[::-1], column.iloc[:200]):
        level, func = titles.seniority_and_function(batch)
        assert level.tolist() == expected[0][batch.index].tolist()
        assert func.tolist() == expected[1][batch.index].tolist()
    assert len(titles._PARSED) == column.nunique(dropna=False)
    monkeypatch.setattr(titles, "_PARSED", {})
    monkeypatch.setattr(titles, "PARSED_LIMIT", 5)
    level, func = titles.seniority_and_function(column)
    assert len(titles._PARSED) == 5
    assert level.tolist() == expected[0].tolist() and func.tolist() == expected[1].tolist()
