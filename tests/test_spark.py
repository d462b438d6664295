"""The Spark engine writes the same rows as the in-memory engine: snapshot and flat models."""

from __future__ import annotations

import importlib.util
import os
import shutil

import pandas as pd
import pytest

import leadscore
from engines_world import AS_OF, config_for
from leadscore.errors import InputError
from test_engines import assert_same_rows, predict_with

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(
        importlib.util.find_spec("pyspark") is None,
        reason="pyspark not installed: pip install 'leadscore[spark]'",
    ),
    pytest.mark.skipif(
        not (os.environ.get("JAVA_HOME") or shutil.which("java")),
        reason="Java not found: Spark tests need Java 17",
    ),
]


@pytest.fixture(scope="module")
def spark():
    from leadscore.scoring.spark import session

    s = session()
    yield s
    s.stop()


@pytest.mark.parametrize("kind", ["snapshots", "flat-dated", "flat-undated"])
def test_spark_writes_the_same_rows_as_memory(engines_world: dict, spark, kind: str) -> None:
    # given Parquet inputs, when Spark and the in-memory engine score them
    on_spark = predict_with(engines_world, kind, "spark", fmt="parquet")
    in_memory = predict_with(engines_world, kind, "memory", fmt="parquet")
    # then every row is the same, in file order, reasons included
    assert_same_rows(on_spark, in_memory)


def test_a_bad_row_on_spark_names_its_file_row(engines_world: dict, spark, tmp_path) -> None:
    # given a lead list whose 4,000th data row has an unreadable created date
    contacts = pd.read_parquet(engines_world["root"] / "contacts.parquet")
    contacts["created_at"] = contacts["created_at"].astype(str)
    contacts.loc[3999, "created_at"] = "not a date"
    contacts.to_parquet(tmp_path / "bad.parquet", index=False)
    # when Spark scores it, then the error names that row of the file, as pandas would
    with pytest.raises(InputError, match=r"row 4000: cannot read 'not a date' as a date"):
        leadscore.predict(
            tmp_path / "bad.parquet", None, config_for("snapshots"), as_of=AS_OF,
            model=engines_world["models"]["snapshots"], out=tmp_path / "o.csv", engine="spark",
        )  # fmt: skip
    assert not (tmp_path / "o.csv").exists()
