"""Scoring on Spark, for lead lists that outgrow one machine (``predict --engine spark``).

Needs the optional extra: ``pip install 'leadscore[spark]'`` (pyspark 4) and Java 17.
The session is ``SparkSession.builder.getOrCreate()``: local mode unless a master is set the
usual way (``spark-submit --master``, ``PYSPARK_SUBMIT_ARGS``, ``spark-defaults.conf``).

Three steps, each the same logic as the pandas path:

1. Contacts: the config's columns are renamed to the canonical roles and the outcome mapped to
   ``open`` / ``won`` / ``lost`` with Spark expressions (``canonical_contacts``).
2. Activity aggregates: expressed once. ``features.activity.aggregate_activities`` itself runs
   on Spark, per hash bucket of ``contact_id``, through ``cogroup().applyInPandas``: every
   contact's activities land in its bucket, so the features are exactly the pandas ones.
3. Scoring: the model is the MLflow pyfunc (``tracking.LeadScorePyfunc``) applied with
   ``mlflow.pyfunc.spark_udf``: per-contact rows in, probability / score / tier out.

Input and output are Parquet (the output is a folder of part files, Spark's layout; rows keep
their ``contact_id`` but not the input order). Input is not validated row by row as on the
pandas engine (ids, dates): validate a sample with the pandas engine first.
"""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from leadscore.config import Config
from leadscore.errors import InputError, LeadscoreError

ID, AS_OF = "contact_id", "as_of"
BUCKETS = 64


def require_spark() -> None:
    """Raise a user error when pyspark or Java is missing."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise LeadscoreError(
            "--engine spark needs pyspark: pip install 'leadscore[spark]'"
        ) from None
    import shutil

    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise LeadscoreError("--engine spark needs Java 17 (java not found, JAVA_HOME not set)")


def session() -> Any:
    """The Spark session (local mode by default), with UTC times and Arrow transfers."""
    require_spark()
    from pyspark.sql import SparkSession

    # pyspark 4.3 warns that pandas >= 3 is not fully supported; the conversions leadscore
    # uses (strings, floats, timestamps through Arrow) are tested equal to the pandas engine.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
    # Python workers run this interpreter (with leadscore), not whatever python3 is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.appName("leadscore")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.executorEnv.OMP_NUM_THREADS", "1")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )


def canonical_contacts(frame: Any, cfg: Config) -> Any:
    """Contacts with canonical role columns (``contact_id``, ``created_at``, ``status`` …)."""
    from pyspark.sql import functions as F

    c = cfg.contacts
    if c.id not in frame.columns:
        raise InputError("required column is missing", column=c.id)
    out = frame.withColumn(c.id, F.trim(F.col(c.id).cast("string")))
    renames = {c.id: ID}
    if c.created_at and c.created_at in frame.columns:
        out = out.withColumn(c.created_at, F.col(c.created_at).cast("timestamp"))
        renames[c.created_at] = "created_at"
    if c.closed_at and c.closed_at in frame.columns:
        out = out.withColumn(c.closed_at, F.col(c.closed_at).cast("timestamp"))
        renames[c.closed_at] = "closed_at"
    if c.outcome in frame.columns:
        text = F.lower(F.trim(F.col(c.outcome).cast("string")))
        won = [str(v).strip().casefold() for v in c.won]
        lost = [str(v).strip().casefold() for v in c.lost]
        out = out.withColumn(
            c.outcome,
            F.when(text.isin(won), "won").when(text.isin(lost), "lost").otherwise("open"),
        )
        renames[c.outcome] = "status"
    clashes = {
        col: f"{col}_attr"
        for col in out.columns
        if col in (ID, "created_at", "closed_at", "status") and col not in renames
    }
    for old, new in {**clashes, **renames}.items():
        out = out.withColumnRenamed(old, new)
    if "status" not in out.columns:
        out = out.withColumn("status", F.lit("open"))
    return out


def canonical_activities(frame: Any, cfg: Config) -> Any:
    """Activities as ``contact_id``, ``occurred_at``, ``activity_type`` (as on pandas)."""
    from pyspark.sql import functions as F

    a = cfg.activities
    for col in (a.contact_id, a.occurred_at, a.activity_type):
        if col not in frame.columns:
            raise InputError("required column is missing", column=col)
    return frame.select(
        F.trim(F.col(a.contact_id).cast("string")).alias(ID),
        F.col(a.occurred_at).cast("timestamp").alias("occurred_at"),
        F.lower(F.trim(F.col(a.activity_type).cast("string"))).alias("activity_type"),
    )


def aggregates(keys: Any, activities: Any, spec: Any, buckets: int = BUCKETS) -> Any:
    """``aggregate_activities`` on Spark: one row per key (``contact_id``, ``as_of``)."""
    from pyspark.sql import functions as F

    from leadscore.features.activity import aggregate_activities

    names = spec.feature_names()
    schema = ", ".join(
        [f"`{ID}` string", f"`{AS_OF}` timestamp"] + [f"`{n}` double" for n in names]
    )

    def per_bucket(key_rows: pd.DataFrame, act_rows: pd.DataFrame) -> pd.DataFrame:
        key_rows = key_rows[[ID, AS_OF]].reset_index(drop=True)
        acts = act_rows[[ID, "occurred_at", "activity_type"]] if len(act_rows) else None
        agg = aggregate_activities(acts, key_rows, spec)
        return pd.concat([key_rows, agg], axis=1)

    bucket = F.pmod(F.xxhash64(ID), F.lit(buckets))
    return (
        keys.select(ID, AS_OF)
        .withColumn("_bucket", bucket)
        .groupBy("_bucket")
        .cogroup(activities.withColumn("_bucket", bucket).groupBy("_bucket"))
        .applyInPandas(per_bucket, schema)
    )


def score(
    spark: Any,
    contacts: Any,
    activities: Any | None,
    scorer: Any,
    model_uri: str,
    as_of: pd.Timestamp | None,
    *,
    include_closed: bool = False,
) -> Any:
    """contact_id, probability, score, tier, status for every contact row."""
    from pyspark.sql import functions as F

    from leadscore.tracking.runs import spark_udf

    names = scorer.activity_spec.feature_names()
    flat = activities is None and bool(names) and set(names) <= set(contacts.columns)
    if as_of is None and not (flat and AS_OF in contacts.columns):
        as_of = pd.Timestamp.now(tz="UTC").tz_localize(None)
    rows = contacts
    if as_of is not None:
        rows = rows.withColumn(AS_OF, F.lit(as_of.to_pydatetime()).cast("timestamp"))
    else:
        rows = rows.withColumn(AS_OF, F.col(AS_OF).cast("timestamp"))
    if not flat:
        rows = rows.drop(*[n for n in names if n in rows.columns])
        acts = activities
        if acts is None:
            acts = spark.createDataFrame(
                [], "contact_id string, occurred_at timestamp, activity_type string"
            )
        agg = aggregates(rows, acts, scorer.activity_spec)
        rows = rows.join(agg, on=[ID, AS_OF], how="left")

    status = F.lit("scored")
    if "created_at" in rows.columns:
        status = F.when(
            F.col("created_at") > F.col(AS_OF), F.lit("not scored: created after the as-of time")
        ).otherwise(status)
    if not include_closed:
        status = F.when(
            F.col("status").isin("won", "lost"),
            F.concat(F.lit("not scored: closed ("), F.col("status"), F.lit(")")),
        ).otherwise(status)
    rows = rows.withColumn("_status", status)

    udf = spark_udf(spark, model_uri)
    inputs = [c for c in scorer.features.input_columns_ if c in rows.columns]
    pred = udf(F.struct(*[F.col(c) for c in inputs]))
    scored = F.col("_status") == "scored"
    return rows.withColumn("_pred", F.when(scored, pred)).select(
        F.col(ID).alias("contact_id"),
        F.col("_pred.probability").alias("probability"),
        F.col("_pred.score").cast("long").alias("score"),
        F.coalesce(F.col("_pred.tier"), F.lit("")).alias("tier"),
        F.col("_status").alias("status"),
    )


def predict_spark(
    model_dir: str | Path,
    contacts_path: str | Path,
    activities_path: str | Path | None,
    cfg: Config,
    out_path: str | Path,
    as_of: pd.Timestamp | None,
    *,
    include_closed: bool = False,
) -> int:
    """Score a Parquet lead list on Spark and write Parquet; return the number of rows."""
    from leadscore.io.store import load_model
    from leadscore.io.tables import table_format
    from leadscore.tracking.runs import save_pyfunc

    for path in (contacts_path, activities_path, out_path):
        if path is not None and table_format(path) != "parquet":
            raise InputError("--engine spark reads and writes Parquet only", file=str(path))
    scorer = load_model(model_dir)
    spark = session()
    contacts = canonical_contacts(spark.read.parquet(str(contacts_path)), cfg)
    acts = None
    if activities_path is not None:
        acts = canonical_activities(spark.read.parquet(str(activities_path)), cfg)
    with tempfile.TemporaryDirectory(prefix="leadscore-pyfunc-") as tmp:
        uri = save_pyfunc(model_dir, Path(tmp) / "pyfunc")
        result = score(spark, contacts, acts, scorer, uri, as_of, include_closed=include_closed)
        result.write.mode("overwrite").parquet(str(out_path))
    return spark.read.parquet(str(out_path)).count()
