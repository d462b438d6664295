"""Ids are exact text, decided in one place (``data.contract.canonical_ids``): leading zeros,
case and inner spaces kept, whitespace around dropped, duplicates compared as text and shown
as text, on every path (CSV, Parquet, frames, joins, the stream engine, Spark buckets)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.config import load_config
from leadscore.data.contract import canonical_ids
from leadscore.data.crm import load_crm
from leadscore.errors import InputError
from leadscore.scoring.partition import UniqueIds
from leadscore.scoring.spark import bucket_of

HEADER = "contact_id,created_at,outcome,closed_at\n"


def _load(path, activities=None, cfg=None):
    return load_crm(path, activities, cfg or load_config(None), require_outcome=False)


def test_an_id_is_its_text_without_the_whitespace_around_it():
    ids = pd.Series(["0257896", " 0257896\t", "AB 12", "ab 12", "\u00a0x y\u00a0", None])
    got = canonical_ids(ids).tolist()
    assert got[:5] == ["0257896", "0257896", "AB 12", "ab 12", "x y"]
    assert pd.isna(got[5])


def test_ids_stored_as_numbers_are_written_as_whole_numbers():
    assert canonical_ids(pd.Series([1, 257896])).tolist() == ["1", "257896"]
    floats = canonical_ids(pd.Series([1.0, np.nan, 2.5])).tolist()
    assert floats[0] == "1" and pd.isna(floats[1]) and floats[2] == "2.5"
    mixed = pd.Series([np.int64(7), 7.0, "7", " 07"], dtype=object)
    assert canonical_ids(mixed).tolist() == ["7", "7", "7", "07"]


def test_zero_padded_and_plain_ids_are_two_contacts_with_their_own_activities(tmp_path):
    contacts = tmp_path / "c.csv"
    contacts.write_text(HEADER + "000001,2025-01-02,,\n1,2025-01-03,,\n0257896,2025-01-04,,\n")
    acts = tmp_path / "a.csv"
    acts.write_text(
        "contact_id,occurred_at,activity_type\n000001,2025-01-05,demo\n 1 ,2025-01-06,visit\n"
    )
    crm = _load(contacts, acts)
    assert crm.contacts["contact_id"].tolist() == ["000001", "1", "0257896"]
    assert crm.activities.groupby("contact_id")["activity_type"].first().to_dict() == {
        "000001": "demo",
        "1": "visit",
    }


def test_a_duplicate_is_compared_and_shown_as_text(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "000001,2025-01-02,,\n1,2025-01-03,,\n000001 ,2025-01-04,,\n")
    with pytest.raises(InputError, match=r"row 4: duplicate id '000001' \(first seen in row 2\)$"):
        _load(path)


def test_a_parquet_duplicate_is_shown_as_text_not_as_a_numpy_number(tmp_path):
    path = tmp_path / "c.parquet"
    frame = pd.DataFrame({"contact_id": [1, 2, 1], "created_at": pd.to_datetime(["2025-01-02"] * 3),
                          "outcome": [None] * 3, "closed_at": pd.NaT})  # fmt: skip
    frame.to_parquet(path)
    with pytest.raises(InputError) as caught:
        _load(path)
    assert "row 3: duplicate id '1' (first seen in row 1)" in str(caught.value)
    assert "np." not in str(caught.value)


def test_join_keys_match_as_exact_text(tmp_path):
    (tmp_path / "accounts.csv").write_text("account,sector\n007,Retail\n7,Software\n")
    contacts = tmp_path / "c.csv"
    contacts.write_text("contact_id,created_at,account\nc1,2025-01-02,007\nc2,2025-01-03,7\n")
    cfg_path = tmp_path / "cfg.toml"
    cfg_path.write_text('[[joins]]\nfile = "accounts.csv"\non = "account"\n')
    crm = _load(contacts, cfg=load_config(cfg_path))
    assert crm.contacts["sector"].tolist() == ["Retail", "Software"]
    assert crm.contacts["account"].tolist() == ["007", "7"]


def test_streamed_ids_are_compared_as_text_across_batches(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("contact_id\n000001\n1\n")
    unique = UniqueIds(path, "contact_id", ("",))
    unique.add(canonical_ids(pd.Series(["000001"])).to_numpy(dtype=object))  # batch 1
    unique.add(canonical_ids(pd.Series(["1"])).to_numpy(dtype=object))  # batch 2
    unique.check()  # two contacts
    path.write_text("contact_id\n000001\n000001\n")
    unique = UniqueIds(path, "contact_id", ("",))
    for batch in (["000001"], ["000001"]):
        unique.add(canonical_ids(pd.Series(batch)).to_numpy(dtype=object))
    with pytest.raises(InputError, match=r"row 3: duplicate id '000001' \(first seen in row 2\)"):
        unique.check()


def test_spark_buckets_an_id_alike_whatever_type_stores_it():
    as_numbers = bucket_of(pd.Series([1.0, 257896.0, 42.0]), 64)
    as_text = bucket_of(pd.Series(["1", "257896", " 42 "]), 64)
    assert as_numbers.tolist() == as_text.tolist()
    padded, plain = bucket_of(pd.Series(["0257896", "257896"]), 10**6).tolist()
    assert padded != plain  # two contacts (a hash collision has odds of one in a million)
