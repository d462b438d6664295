"""Property-based tests (hypothesis) of the readers and the feature pipeline.

On generated frames: reading never fails except with the documented ``InputError``; every
row comes back (row count and id set preserved); the features of a row do not depend on the
order of the rows.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadscore.config import Config
from leadscore.data.crm import load_contacts
from leadscore.errors import InputError
from leadscore.features.contact import ContactFeatures

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

cell_text = st.text(
    alphabet=string.ascii_letters + string.digits + " ,;\"'\t\n=+-@.é€", max_size=12
)
numberish = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-(10**12), 10**12).map(lambda v: f"{v:,}"),
    st.sampled_from(["", "N/A", "inf", "-", "1e308", "NaN"]),
)
date_text = st.one_of(
    st.datetimes(
        min_value=pd.Timestamp("1990-01-01").to_pydatetime(),
        max_value=pd.Timestamp("2030-01-01").to_pydatetime(),
    ).map(str),
    st.sampled_from(["2025-13-45", "yesterday", "01/02/2025", "2025-03-04T05:06:07Z"]),
)


@st.composite
def contact_tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    ids = draw(st.lists(st.text(string.ascii_letters + string.digits, min_size=1, max_size=6),
                        min_size=n, max_size=n, unique_by=str.casefold))  # fmt: skip
    return pd.DataFrame(
        {
            "contact_id": ids,
            "created_at": draw(st.lists(date_text, min_size=n, max_size=n)),
            "industry": draw(st.lists(cell_text, min_size=n, max_size=n)),
            "employees": draw(st.lists(numberish, min_size=n, max_size=n)),
            "outcome": draw(st.lists(st.sampled_from(["", "won", "lost"]), min_size=n, max_size=n)),
        }
    )


@SETTINGS
@given(table=contact_tables(), sep=st.sampled_from([",", ";", "\t"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1"]))  # fmt: skip
def test_reader_keeps_every_row_or_raises_a_documented_error(table, sep, encoding, tmp_path: Path):
    path = tmp_path / "contacts.csv"
    try:
        table.to_csv(path, index=False, sep=sep, encoding=encoding)
    except UnicodeEncodeError:
        return  # '€' has no Latin-1 form: not a file anyone could have
    try:
        out = load_contacts(path, Config(), require_outcome=False)
    except InputError as exc:
        assert "\n" not in str(exc) and str(path) in str(exc)
        return
    assert len(out) == len(table)
    assert set(out["contact_id"]) == {i.strip() for i in table["contact_id"]}


@st.composite
def feature_rows(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(2, 60))
    num = st.one_of(st.none(), st.floats(-1e12, 1e12), st.just(float("inf")))
    return pd.DataFrame(
        {
            "contact_id": [f"c{i}" for i in range(n)],
            "as_of": pd.Timestamp("2025-06-01"),
            "created_at": pd.to_datetime(
                draw(st.lists(st.integers(0, 400), min_size=n, max_size=n)),
                unit="D",
                origin="2024-06-01",
            ),  # fmt: skip
            "employees": draw(st.lists(num, min_size=n, max_size=n)),
            "revenue_text": [
                f"{v:,.0f}" if v is not None and np.isfinite(v) else ""
                for v in draw(st.lists(num, min_size=n, max_size=n))
            ],  # fmt: skip
            "industry": draw(
                st.lists(st.sampled_from(["a", "b", "c", "", None]), min_size=n, max_size=n)
            ),  # fmt: skip
        }
    )


@SETTINGS
@given(rows=feature_rows(), seed=st.integers(0, 2**32 - 1))
def test_features_are_independent_of_row_order(rows, seed):
    features = ContactFeatures(min_category_count=1).fit(rows)
    before = features.transform(rows)
    order = np.random.default_rng(seed).permutation(len(rows))
    after = features.transform(rows.iloc[order]).loc[rows.index]
    assert len(before) == len(rows) and list(before.index) == list(rows.index)
    pd.testing.assert_frame_equal(before, after)
    # fitting on shuffled rows learns the same features, too
    refit = ContactFeatures(min_category_count=1).fit(rows.iloc[order]).transform(rows)
    pd.testing.assert_frame_equal(before, refit)
