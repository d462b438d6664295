"""Personal data is recognised from its values and never becomes a feature (units)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.features.contact import ContactFeatures
from leadscore.features.personal import is_phone, recognise

PHONES = [
    "+49 173 4150540",
    "+1 (415) 555-0132",
    "0173/4150540",
    "0049-173-4150540",
    "(030) 1234567",
    "+33 6 12 34 56 78",
    "+44 20 7946 0958",
    "415.555.0132",
    "tel:+4915112345678",
    "+62 812-3456-7890",
    "030 12345678",
    "079 123 45 67",
    "+1 415 555 0132 ext. 12",
]
NOT_PHONES = ["1,200,000", "1.200.000", "1 234 567", "$1,200,000", "1 234,56", "53.900",
              "2025-01-31", "31.01.2025", "01/31/2025", "94105-1234", "1234567.89", "42"]  # fmt: skip

# common given names and surnames, six languages and four scripts (typed here, not copied)
NAMES = {
    "German": ["Jürgen", "Sabine", "Björn", "Müller", "Schröder", "Weiß"],
    "French": ["Chloé", "Hélène", "François", "Lefèvre", "Dubois", "Girard"],
    "Portuguese": ["João", "Gonçalo", "Inês", "Gonçalves", "Araújo", "Simões"],
    "Spanish": ["Begoña", "José", "María", "Ibáñez", "Núñez", "Jiménez"],
    "Romanian": ["Ștefan", "Ioana", "Andreea", "Popescu", "Ionescu", "Dumitru"],
    "Russian": ["Дмитрий", "Ольга", "Наталья", "Иванов", "Смирнов", "Кузнецов"],
    "Chinese": ["王伟", "李娜", "张敏", "刘洋", "陈静", "杨勇"],
    "Arabic": ["محمد", "فاطمة", "أحمد", "عائشة", "يوسف", "مريم"],
}


def _column(values: list[str], n: int = 600, seed: int = 0) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).choice(values, n))


def test_phones_in_every_common_format_are_phones_and_numbers_dates_are_not() -> None:
    assert is_phone(pd.Series(PHONES)).all()
    assert not is_phone(pd.Series(NOT_PHONES)).any()
    # a column of them is recognised, before the number check could read it as a number
    found = recognise(_column(PHONES), "field_7")
    assert found is not None and found.kind == "phone numbers"


def test_a_short_list_of_accented_and_non_latin_names_is_recognised_from_its_values() -> None:
    # 48 distinct values, 8 languages: a header that says nothing
    names = [n for group in NAMES.values() for n in group]
    found = recognise(_column(names), "field_3")
    assert found is not None and found.kind == "names of people", found
    # and each language alone
    for language, group in NAMES.items():
        hit = recognise(_column(group), "c")
        assert hit is not None and hit.personal, language


def test_a_name_header_over_name_shaped_values_is_enough() -> None:
    unusual = ["Wiebke", "Torsten", "Solène", "Maëlys", "Răzvan", "Íñigo", "Bambang", "Galina"]
    assert recognise(_column(unusual), "field_3") is None  # shape alone, short list: not sure
    found = recognise(_column(unusual), "First Name")
    assert found is not None and found.kind == "names of people"
    for header in ("Vorname", "prenom", "Nome", "Nachname", "Contact Owner", "Sales Agent"):
        assert recognise(_column(unusual), header) is not None, header


def test_emails_addresses_companies_and_digit_only_phones_are_recognised() -> None:
    cases = {
        "e-mail addresses": ["ana.lima@acme.example", "j.muller@firma.de", "x@y.co"],
        "street addresses": ["Hauptstraße 12", "12 Rue de la Paix", "Rua Augusta 45",
                             "Jl. Sudirman No. 5", "221B Baker Street", "Via Roma 3"],
        "names of companies": ["Atlas Logistik GmbH", "Brightwave Ltd", "Nordic Tools AB",
                               "PT Maju Jaya Tbk", "Lumen S.A.", "Orbit Labs", "Cedarworks"],
    }  # fmt: skip
    for kind, values in cases.items():
        found = recognise(_column(values), "x")
        assert found is not None and found.kind == kind, (kind, found)
    digits = pd.Series(np.random.default_rng(1).integers(4_915_100_000_000, 4_917_999_999_999, 500))
    assert recognise(digits, "x") is not None
    assert recognise(digits.astype(str), "x") is not None


@pytest.mark.parametrize(
    "values",
    [
        ["Retail", "Software", "Healthcare", "Manufacturing", "Education", "Government"],
        ["Germany", "Brazil", "United States", "India", "Japan", "United Kingdom", "France"],
        ["Organic Search", "Paid Search", "Referral", "Webinar", "Trade Show", "Cold Outbound"],
        [
            "VP of Sales",
            "Head of Marketing",
            "Sales Manager",
            "CTO",
            "Software Engineer",
            "Geschäftsführer",
            "Directeur Général",
            "Analyst",
            "Office Manager",
            "Founder & CEO",
            "Gerente de Vendas",
        ],
        ["Yes", "No"],
        ["02.Medium", "01.High", "03.Low"],
    ],
)
def test_ordinary_categories_are_not_personal(values: list[str]) -> None:
    assert recognise(_column(values), "Category") is None


def test_numbers_revenue_and_counts_are_not_personal() -> None:
    rng = np.random.default_rng(2)
    revenue = pd.Series(rng.integers(100, 900_000, 800) * 1000.0)  # whole thousands
    assert recognise(revenue, "annual_revenue") is None
    assert recognise(pd.Series(rng.integers(1, 50_000, 800)), "employees") is None
    assert recognise(pd.Series(rng.normal(size=800)), "score") is None


def test_identifier_codes_are_no_category() -> None:
    codes = pd.Series([f"0035e00000{i:06d}AbC" for i in range(400)])
    found = recognise(codes, "AccountId")
    assert found is not None and not found.personal and "identifier" in found.reason()


def test_contact_features_keep_no_personal_value_and_say_why() -> None:
    # given a training frame whose first names are a short list (a category until now)
    rng = np.random.default_rng(3)
    n = 2000
    first = rng.choice(["Chloé", "Jürgen", "João", "Begoña", "Ștefan", "Дмитрий", "王伟"], n)
    frame = pd.DataFrame({
        "First Name": first,
        "Phone": rng.choice(PHONES, n),
        "Company": rng.choice(["Atlas Logistik GmbH", "Brightwave Ltd", "Lumen S.A."], n),
        "Nickname": rng.choice(["Bear", "Fox", "Owl"], n),
        "industry": rng.choice(["Retail", "Software"], n),
    })  # fmt: skip
    # when the features are fitted, with one column declared personal in the config
    features = ContactFeatures(personal=("Nickname",)).fit(frame)
    # then only the industry is a feature; the others are excluded with their reason
    assert features.feature_names_out_ == ["industry"]
    assert set(features.personal_) == {"First Name", "Phone", "Company", "Nickname"}
    assert "names of people" in features.excluded_["First Name"]
    assert "phone numbers" in features.excluded_["Phone"]
    assert "names of companies" in features.excluded_["Company"]
    assert "declared in the config" in features.excluded_["Nickname"]
    assert set(features.levels_) == {"industry"}  # no level of a personal column is kept
    # and a column forced to be a category by the config is one (a wrong guess is fixable)
    forced = ContactFeatures(categorical=("Company",)).fit(frame)
    assert "Company" in forced.feature_names_out_
