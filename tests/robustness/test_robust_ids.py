"""Ids come back exactly as written: leading zeros, case and inner spaces, in every engine
and file type, and activities reach their contact by that exact text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exports import predict, raw_text

N = 150
SPECIAL = ["0257896", "000001", "1", "AB 12", "ab 12", "00", "0.50", "1e3", "007", "7"]


@pytest.fixture(scope="module")
def renamed(crm_dir: Path, model_dir: Path, as_of: str, tmp_path_factory) -> dict:
    """N leads and their activities under new ids that numbers would mangle; and the
    predictions for the same rows under their original ids."""
    folder = tmp_path_factory.mktemp("ids")
    leads = raw_text(crm_dir / "contacts.csv").head(N)
    acts = raw_text(crm_dir / "activities.csv")
    acts = acts[acts["contact_id"].isin(set(leads["contact_id"]))].reset_index(drop=True)
    leads.to_csv(folder / "original.csv", index=False)
    acts.to_csv(folder / "original-acts.csv", index=False)
    result, original = predict(folder / "original.csv", folder / "original-acts.csv", model_dir,
                               as_of, folder / "original-out.csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    ids = SPECIAL + [f"{i:07d}" for i in range(N - len(SPECIAL))]
    new = dict(zip(leads["contact_id"], ids, strict=True))
    leads = leads.assign(contact_id=ids)
    acts = acts.assign(contact_id=acts["contact_id"].map(new))
    return {"folder": folder, "leads": leads, "acts": acts, "ids": ids, "original": original}


@pytest.mark.parametrize(("suffix", "engine"), [(".csv", "memory"), (".csv", "stream"),
                                                (".parquet", "memory"), (".parquet", "stream"),
                                                (".xlsx", "memory")])  # fmt: skip
def test_ids_with_leading_zeros_come_back_byte_identical(renamed, model_dir, as_of, tmp_path,
                                                         suffix, engine):  # fmt: skip
    if suffix == ".xlsx":
        pytest.importorskip("openpyxl", reason="reading .xlsx needs openpyxl (pyproject)")
    leads, acts = tmp_path / f"leads{suffix}", tmp_path / f"acts{suffix}"
    for frame, path in ((renamed["leads"], leads), (renamed["acts"], acts)):
        {".csv": frame.to_csv, ".parquet": frame.to_parquet, ".xlsx": frame.to_excel}[suffix](
            path, index=False
        )
    result, rows = predict(leads, acts, model_dir, as_of, tmp_path / "out.csv",
                           "--engine", engine, "--batch-rows", "40")  # fmt: skip
    assert result.exit_code == 0, result.output
    # the ids as written, byte for byte ("0257896", "000001" and "1", "AB 12" and "ab 12")
    assert rows["contact_id"].tolist() == renamed["ids"]
    # and each contact's activities found it: the same probabilities as under the old ids
    got = pd.to_numeric(rows["probability"].replace("", None)).to_numpy(dtype=float)
    original = renamed["original"]["probability"].replace("", None)
    np.testing.assert_allclose(got, pd.to_numeric(original).to_numpy(dtype=float), atol=1e-12)
