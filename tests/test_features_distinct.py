"""The contact features decide per distinct value exactly what the row-by-row rules decided.

Training rows repeat each contact's attributes at every snapshot, so ``ContactFeatures`` and
``features.personal`` read a column's distinct values once and spread the result back to the
rows. The references below are the row-by-row rules they replaced (as they were before issue
16); the tests compare the two on columns with repeated values, blanks, missing values, mixed
case and spellings that tie, and pin what the faster paths must keep (contact numbering, the
seeded samples, shares of rows, band labels, a transformed frame that is its own copy).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.features import noise, personal
from leadscore.features.contact import (
    MISSING,
    SIZE_BANDS,
    SIZE_LABELS,
    ContactFeatures,
    _band,
    to_number,
)
from leadscore.features.personal import name_shaped, recognise
from leadscore.features.titles import looks_like_titles


def _levels_by_row(values: pd.Series, min_count: int, max_levels: int) -> tuple[dict, list]:
    """The kept levels and rare hashes as the row-by-row rule learned them."""
    text = values.dropna().astype(str).str.strip()
    text = text[text != ""]
    keys = text.str.casefold()
    counts = keys.value_counts()
    kept = counts[counts >= min_count].head(max_levels)
    rare = counts.index.difference(kept.index)
    top = text[keys.isin(kept.index)]
    spelled = top.groupby(keys[top.index]).agg(lambda s: s.value_counts().index[0])
    levels = {str(k): str(spelled[k]) for k in kept.index}
    return levels, np.unique(pd.util.hash_array(np.asarray(rare, dtype=object))).tolist()


def _text_kind_by_row(values: pd.Series) -> str:
    """A text column's kind as the row-by-row rule read it (with an ``as_of`` column)."""
    present = values.dropna().astype(str).str.strip()
    present = present[present != ""]
    if len(present) == 0:
        return "excluded:empty in training"
    sample = present.sample(min(len(present), 5000), random_state=0)
    if to_number(sample).notna().mean() >= 0.95:
        return "numeric"
    if pd.to_datetime(sample, errors="coerce", format="ISO8601").notna().mean() >= 0.95:
        return "date_text"
    n_unique = present.nunique()
    if looks_like_titles(present) and n_unique > 10:
        return "title"
    if n_unique > 50 and n_unique / len(present) > 0.5:
        return "excluded:identifier-like (mostly unique text)"
    return "categorical"


def _column(parts: dict[object, int], seed: int = 0) -> pd.Series:
    """A shuffled text column holding each value (None = missing) the given number of times."""
    values = [v for v, n in parts.items() for _ in range(n)]
    order = np.random.default_rng(seed).permutation(len(values))
    return pd.Series(np.asarray(values, dtype=object)[order]).astype("str")


SEGMENTS = _column({"Software": 30, "software": 30, " SOFTWARE ": 12, "Retail": 25, "retail ": 25,
                    "Straße": 21, "STRASSE": 21, "Énergie": 20, "énergie": 20, "Bank": 21,
                    "İstanbul": 20, "tiny": 3, None: 40, "": 15, "   ": 9})  # fmt: skip


@pytest.mark.parametrize("min_count,max_levels", [(20, 30), (20, 3), (1, 30), (50, 2), (5, 6)])
def test_category_levels_match_the_row_rule(min_count: int, max_levels: int) -> None:
    """Kept levels (and their order), the display spelling (also when two spellings tie: 30
    "Software" and 30 "software") and the hashes of rare levels are those of the row rule."""
    cf = ContactFeatures(min_category_count=min_count, max_categories=max_levels)
    levels, rare = cf._learn_levels(SEGMENTS)
    expected_levels, expected_rare = _levels_by_row(SEGMENTS, min_count, max_levels)
    assert list(levels.items()) == list(expected_levels.items())
    assert rare.tolist() == expected_rare


TITLES = ["CEO", "Head of Sales", "VP Marketing", "Sales Manager", "Software Engineer",
          "Marketing Director", "Owner", "Account Executive", "CFO", "HR Manager", "Intern"]  # fmt: skip

TEXT_COLUMNS = {
    "numbers as text": _column({"$1,200": 400, "1200": 300, " 5,000 ": 200, "n/a": 10, None: 90}),
    "mostly numbers": _column({"$1,200": 400, "1200": 300, "n/a": 50, "": 20}),
    "numbers as text near 95 %, 20,000 rows": _column(  # the 5,000-row sample decides
        {**{f"{i},000": 379 for i in range(50)}, **{f"word{i}": 51 for i in range(20)}}, seed=2
    ),
    "dates as text": _column({"2024-01-05": 300, "2023-12-31T10:00:00": 200, None: 50, "": 5}),
    "ten titles, blanks": _column({**{t: 40 for t in TITLES[:10]}, "": 60, "  ": 30}),
    "eleven titles": _column({**{t: 40 for t in TITLES}, None: 60}),
    "eleven titles mixed case": _column(
        {**{t.upper(): 30 for t in TITLES}, **{f" {t.lower()}": 10 for t in TITLES}}
    ),
    "mostly unique": _column({**{f"note {i}": 1 for i in range(120)}, "same": 60}),
    "half unique": _column({**{f"note {i}": 1 for i in range(60)}, "same": 61}),
    "categories": SEGMENTS,
    "all blank": _column({"": 30, " ": 20, None: 10}),
}


@pytest.mark.parametrize("name", list(TEXT_COLUMNS))
def test_text_column_kinds_match_the_row_rule(name: str) -> None:
    """Numbers and dates written as text, titles (over 10 distinct texts once stripped),
    identifiers (share of distinct texts among present rows) and categories."""
    values = TEXT_COLUMNS[name]
    cf = ContactFeatures()
    cf._columns_seen = {"as_of", name}
    assert cf._text_kind(values) == _text_kind_by_row(values)


def test_contact_groups_number_ids_as_sorted_unique() -> None:
    """Contacts are numbered by the rank of their id among the sorted distinct ids (the folds
    of the signal test are drawn per number), for text, numeric and mixed-case ids."""
    rng = np.random.default_rng(3)
    pool = np.array(["a", "A", "é", "É", "ß", "ss", "10", "9", "09", "日本", "İ", "🙂", " x"])
    text_ids = ["".join(rng.choice(pool, rng.integers(1, 4))) for _ in range(3000)]
    for ids in (pd.Series(text_ids), pd.Series(text_ids, dtype=object), rng.integers(0, 500, 900)):
        frame = pd.DataFrame({"contact_id": ids})
        expected = np.unique(frame["contact_id"].astype(str).to_numpy(), return_inverse=True)[1]
        assert np.array_equal(noise.groups_of(frame), expected)


def test_text_sample_is_the_seeded_sample_of_present_values() -> None:
    """The personal-data sample is the rows ``dropna().sample(5000, random_state=0)`` draws."""
    values = pd.Series([None if i % 3 == 0 else f" v{i % 700} " for i in range(12_000)])
    drawn = values.dropna().sample(personal.SAMPLE_ROWS, random_state=0).astype(str).str.strip()
    pd.testing.assert_series_equal(personal._text_sample(values), drawn[drawn != ""])


def test_recognised_shares_count_rows_not_distinct_values() -> None:
    """The shares a reason states are shares of rows: 85 % of rows hold a few repeated names
    (shaped like names in 4 of 34 distinct values), 65 % a repeated street address."""
    names = _column({"Anna": 300, "Jürgen": 300, "Chloé": 200, "Li Wei": 50,
                     **{f"x{i} y": 5 for i in range(30)}, None: 100})  # fmt: skip
    shaped = names.dropna().map(name_shaped).mean()
    found = recognise(names, "First Name")
    assert found is not None and found.why.startswith(f"{shaped:.0%} of values are shaped")
    addresses = _column({"12 Main Street": 650, **{f"unit {i}": 5 for i in range(70)}})
    found = recognise(addresses, "where")
    assert found is not None and found.why == "65% of values hold a street and number"


@pytest.mark.parametrize("digits,share,expected", [(10, 1.0, True), (15, 1.0, True),
                         (9, 0.85, True), (10, 0.75, False), (16, 1.0, False), (8, 1.0, False)])  # fmt: skip
def test_numeric_digit_runs(digits: int, share: float, expected: bool) -> None:
    """Whole numbers: phones or identifiers when at least 80 % have 9-15 digits (and nearly all
    differ, never round); fewer, or longer or shorter numbers, are no personal data."""
    rng = np.random.default_rng(digits)
    n = 400
    long = rng.integers(10 ** (digits - 1), 10**digits - 1, n, dtype=np.int64) // 10 * 10 + 7
    small = rng.integers(1, 1000, n)
    values = pd.Series(np.where(np.arange(n) < share * n, long, small).astype(float))
    found = recognise(values, "x")
    assert (found is not None and found.kind == "phone numbers or identifiers") is expected


def test_size_bands_and_missing() -> None:
    """Band edges belong to the lower band; a missing number is ``(missing)``."""
    values = pd.Series([np.nan, 0.0, 10.0, 10.5, 50.0, 5000.0, 5001.0, 1e9, np.nan])
    bands = _band(values, SIZE_BANDS, SIZE_LABELS)
    assert bands.dtype == object
    assert bands.tolist() == [MISSING, "1–10", "1–10", "11–50", "11–50", "1,001–5,000",
                              "5,001+", "5,001+", MISSING]  # fmt: skip


def test_transformed_frame_is_its_own_copy() -> None:
    """Changing the features frame never changes the rows it was made from."""
    rows = pd.DataFrame({"employees": [5.0, 60.0, np.nan] * 20, "score": np.arange(60.0)})
    cf = ContactFeatures(company_size="employees").fit(rows)
    features = cf.transform(rows)
    assert list(features.columns) == cf.feature_names_out_
    features.loc[:, "score"] = -1.0
    features.loc[:, "employees"] = -1.0
    assert rows["score"].tolist() == list(np.arange(60.0))
    assert rows["employees"].iloc[:3].tolist()[:2] == [5.0, 60.0]


@pytest.mark.parametrize(
    "values",
    [
        pd.Series([1.5, np.inf, -np.inf, np.nan, 0.0]),
        pd.Series(["1,200", "inf", "-inf", None, " 42 ", "$5,000", "x"]),
        pd.Series([1, 2, 3]),
        pd.Series([True, False]),
    ],
)
def test_numbers_are_finite_or_missing(values: pd.Series) -> None:
    """An infinite value is no number a model can use: it becomes missing, as every other
    value that is not a finite number; the rest read as the text says."""
    numeric = pd.api.types.is_numeric_dtype(values)
    reference = values.astype(float) if numeric else None
    out = to_number(values)
    assert out.dtype == float and np.isfinite(out.dropna()).all()
    if reference is not None:
        expected = reference.replace([np.inf, -np.inf], np.nan)
        assert out.equals(expected)
    else:
        expected = [1200.0, np.nan, np.nan, np.nan, 42.0, 5000.0, np.nan]
        np.testing.assert_array_equal(out.to_numpy(), expected)
