"""Spark engine (leadscore.spark): same features and probabilities as the pandas path."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest

pytest.importorskip("pyspark", reason="pyspark not installed: pip install 'leadscore[spark]'")
if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
    pytest.skip("Java not found: Spark tests need Java 17", allow_module_level=True)

from leadscore.features.activity import aggregate_activities  # noqa: E402
from leadscore.scoring.stream import predict_stream  # noqa: E402

AS_OF = pd.Timestamp("2025-09-15")


@pytest.fixture(scope="module")
def world() -> dict:
    from scale_world import world as build

    return build()


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    from leadscore.scoring.spark import session

    s = session()
    yield s
    s.stop()


def test_spark_aggregates_equal_pandas(world: dict, spark) -> None:  # noqa: ANN001
    from leadscore.scoring.spark import aggregates, canonical_activities, canonical_contacts

    cfg, crm, spec = world["cfg"], world["crm"], world["scorer"].activity_spec
    contacts = canonical_contacts(
        spark.read.parquet(str(world["root"] / "pq/contacts.parquet")), cfg
    )
    acts = canonical_activities(
        spark.read.parquet(str(world["root"] / "pq/activities.parquet")), cfg
    )
    from pyspark.sql import functions as F

    keys = contacts.select("contact_id").withColumn("as_of", F.lit(AS_OF.to_pydatetime()))
    got = aggregates(keys, acts, spec, buckets=5).toPandas()
    got = got.sort_values("contact_id").reset_index(drop=True)
    want_keys = pd.DataFrame({"contact_id": crm.contacts["contact_id"], "as_of": AS_OF})
    want = aggregate_activities(crm.activities, want_keys, spec)
    want.insert(0, "contact_id", want_keys["contact_id"])
    want = want.sort_values("contact_id").reset_index(drop=True)
    assert len(got) == len(want)
    pdt.assert_frame_equal(
        got[want.columns].astype({"contact_id": str}), want.astype({"contact_id": str}),
        check_exact=True, check_dtype=False,
    )  # fmt: skip


def test_spark_probabilities_equal_pandas(world: dict, spark, tmp_path) -> None:  # noqa: ANN001
    from leadscore.scoring.spark import predict_spark

    root, cfg = world["root"], world["cfg"]
    out = tmp_path / "spark-out.parquet"
    n = predict_spark(
        world["model_dir"], root / "pq/contacts.parquet", root / "pq/activities.parquet",
        cfg, out, AS_OF,
    )  # fmt: skip
    pandas_out = tmp_path / "pandas-out.parquet"
    predict_stream(
        world["scorer"], root / "pq/contacts.parquet", root / "pq/activities.parquet",
        cfg, pandas_out, AS_OF, progress=False,
    )  # fmt: skip
    got = pd.read_parquet(out).set_index("contact_id").sort_index()
    want = pd.read_parquet(pandas_out).set_index("contact_id").sort_index()
    assert n == len(want) and got.index.tolist() == want.index.tolist()
    assert got["status"].tolist() == want["status"].tolist()
    assert (want["status"] == "scored").sum() > 100
    np.testing.assert_allclose(got["probability"], want["probability"], rtol=0, atol=1e-9)
    assert got["tier"].tolist() == want["tier"].tolist()
