"""The Spark engine (``predict --engine spark``), for lead lists that outgrow one machine.

Needs the optional extra: ``pip install 'leadscore[spark]'`` (pyspark 4) and Java 17.
The session is ``SparkSession.builder.getOrCreate()``: local mode unless a master is set the
usual way (``spark-submit --master``, ``PYSPARK_SUBMIT_ARGS``, ``spark-defaults.conf``).

Spark only reads, groups and writes; every rule is the pandas code's own:

1. each row of the lead list and of the activity log gets its global file position;
2. both are grouped into buckets by a hash of the canonical contact id
   (``data.contract.canonical_ids``): every contact's rows and activities, and any repeat of
   an id, land in the same bucket;
3. each bucket runs, through ``cogroup().applyInPandas``, the same validation
   (``data.crm.contacts_frame``, ``data.activities.activities_frame``) and the one scoring core
   (``scoring.core.score_batch``) as the in-memory engine; a data error comes back as a row
   naming the file row, which is raised on the driver;
4. the driver collects the output rows in file order and writes them with the one writer.

Input is Parquet; the output is a CSV or Parquet file written like the other engines'.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from leadscore.config import Config
from leadscore.data.contract import canonical_ids
from leadscore.errors import ConfigError, InputError, LeadscoreError
from leadscore.io.tables import table_format
from leadscore.io.writer import TableWriter
from leadscore.scoring.core import Batch, Scorer, output_schema, score_batch
from leadscore.scoring.memory import behavior_for
from leadscore.scoring.summary import Summary

ID, POS, ERROR, BUCKET = "contact_id", "_pos", "_error", "_bucket"
ROWS_PER_BUCKET = 50_000  # contacts per bucket: each bucket is one pandas call
MAX_BUCKETS = 4096


def require_spark() -> None:
    """Raise a user error when pyspark or Java is missing."""
    import importlib.util

    if importlib.util.find_spec("pyspark") is None:
        raise LeadscoreError("--engine spark needs pyspark: pip install 'leadscore[spark]'")
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


def bucket_count(rows: int) -> int:
    """Buckets for a list of ``rows`` contacts: about ``ROWS_PER_BUCKET`` each."""
    return int(min(MAX_BUCKETS, max(1, -(-rows // ROWS_PER_BUCKET))))


def bucket_of(ids: pd.Series, buckets: int) -> pd.Series:
    """The bucket of each raw id: a stable hash of its canonical form."""
    hashed = pd.util.hash_array(canonical_ids(ids).to_numpy(dtype=object), categorize=False)
    return pd.Series((hashed % buckets).astype("int32"), index=ids.index)


def _with_positions(frame: Any, id_column: str, buckets: int) -> Any:
    """The frame with each row's 0-based file position and its bucket."""
    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf
    from pyspark.sql.types import LongType, StructField, StructType

    schema = StructType([*frame.schema.fields, StructField(POS, LongType(), False)])
    numbered = frame.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1])).toDF(schema)

    def bucket(ids: pd.Series) -> pd.Series:
        return bucket_of(ids, buckets)

    bucket = pandas_udf(bucket, "int")  # type: ignore[call-overload]
    # the ids as stored (a double 1.0 and a string "1" are the same canonical id)
    return numbered.withColumn(BUCKET, bucket(F.col(id_column)))


def decided_readings(cfg: Config, paths: tuple[str, str | None]) -> tuple[Any, Any, Any]:
    """(contacts reading, activities reading, won deals) decided once on the driver, so that
    every bucket reads its columns alike: date formats from the first rows that tell them,
    number formats from the first batch of contacts."""
    from leadscore.data.crm import batched_reading, contacts_frame, load_won_deals
    from leadscore.io.batches import BATCH_ROWS, iter_table

    won = load_won_deals(cfg, Path(paths[0]).parent)
    reading = batched_reading(Path(paths[0]), cfg, "contacts", batch_rows=BATCH_ROWS)
    _, first = next(iter(iter_table(paths[0], missing_values=cfg.features.missing_values)))
    contacts_frame(first, cfg, paths[0], require_outcome=False, reading=reading, won=won)
    act_reading = None
    if paths[1] is not None:
        act_reading = batched_reading(Path(paths[1]), cfg, "activities", batch_rows=BATCH_ROWS)
    return reading, act_reading, won


def _per_bucket(model: Scorer, cfg: Config, paths: tuple[str, str | None], as_of: Any,
                include_closed: bool, reasons: bool, keep: Mapping[str, str]) -> Any:  # fmt: skip
    """The pandas function each bucket runs: validate, then the one scoring core."""
    from leadscore.data.activities import activities_frame
    from leadscore.data.crm import contacts_frame

    reading, act_reading, won = decided_readings(cfg, paths)

    names = [f.name for f in output_schema(model, reasons, keep)]

    def run(raw: pd.DataFrame, raw_acts: pd.DataFrame) -> pd.DataFrame:
        raw = raw.set_index(POS).sort_index().drop(columns=[BUCKET])
        raw.index.name = None
        try:
            contacts = contacts_frame(
                raw, cfg, paths[0], require_outcome=False, reading=reading, won=won
            )
            acts = None
            if paths[1] is not None:
                raw_acts = raw_acts.set_index(POS).sort_index().drop(columns=[BUCKET])
                raw_acts.index.name = None
                acts = activities_frame(raw_acts, cfg, paths[1], act_reading)
            behavior = behavior_for(model, list(contacts.columns), acts)
            out = score_batch(
                model, contacts, behavior, as_of, include_closed=include_closed,
                reasons=reasons, keep=keep,
            ).out  # fmt: skip
            out[ERROR] = None
        except LeadscoreError as exc:
            row = pd.DataFrame({n: [None] for n in names})
            row[ERROR] = f"{type(exc).__name__}\t{exc}"
            out = row.set_index(pd.Index([exc.row or 0]))
        out[POS] = out.index.to_numpy()
        return out[[*names, POS, ERROR]]

    return run


def _spark_schema(model: Scorer, reasons: bool, keep: Mapping[str, str]) -> str:
    kinds = {"double": "double", "int64": "long"}
    schema = output_schema(model, reasons, keep)
    fields = [f"`{f.name}` {kinds.get(str(f.type), 'string')}" for f in schema]
    return ", ".join([*fields, f"`{POS}` long", f"`{ERROR}` string"])


def _raise_first_error(result: Any) -> None:
    from pyspark.sql import functions as F

    first = result.filter(F.col(ERROR).isNotNull()).orderBy(POS).limit(1).collect()
    if first:
        kind, message = first[0][ERROR].split("\t", 1)
        raise {"InputError": InputError, "ConfigError": ConfigError}.get(kind, LeadscoreError)(
            message
        )


def predict_spark(
    model: Scorer,
    contacts_path: str | Path,
    activities_path: str | Path | None,
    cfg: Config,
    out_path: str | Path,
    as_of: pd.Timestamp | None,
    *,
    include_closed: bool = False,
    reasons: bool = False,
    csv_safe: bool = True,
    keep: Mapping[str, str] | None = None,
) -> Summary:
    """Score a Parquet lead list on Spark; write one output row per input row, in order
    (``keep``: columns passed through, see ``score_batch``)."""
    keep = keep or {}
    for path in (contacts_path, activities_path):
        if path is not None and table_format(path) != "parquet":
            raise InputError("--engine spark reads Parquet only", file=str(path))
    spark = session()
    raw = spark.read.parquet(str(contacts_path))
    buckets = bucket_count(raw.count())
    spark.conf.set("spark.sql.shuffle.partitions", str(buckets))
    contacts = _with_positions(raw, cfg.contacts.id, buckets)
    if activities_path is not None:
        raw_acts = spark.read.parquet(str(activities_path))
        acts = _with_positions(raw_acts, cfg.activities.contact_id, buckets)
    else:
        acts = spark.createDataFrame([], f"`{POS}` long, `{BUCKET}` int")
    paths = (str(contacts_path), None if activities_path is None else str(activities_path))
    run = _per_bucket(model, cfg, paths, as_of, include_closed, reasons, keep)
    result = (
        contacts.groupBy(BUCKET)
        .cogroup(acts.groupBy(BUCKET))
        .applyInPandas(run, _spark_schema(model, reasons, keep))
        .cache()
    )
    _raise_first_error(result)
    summary = Summary()
    schema = output_schema(model, reasons, keep)
    with TableWriter(out_path, schema, csv_safe=csv_safe) as writer:
        rows: list[Any] = []
        for row in result.orderBy(POS).drop(POS, ERROR).toLocalIterator():
            rows.append(row)
            if len(rows) >= 25_000:
                _write_rows(rows, schema, writer, summary)
                rows = []
        _write_rows(rows, schema, writer, summary)
    result.unpersist()
    summary.notes.append("drift check skipped: the spark engine keeps no sample of model rows")
    return summary


def _write_rows(rows: list[Any], schema: Any, writer: TableWriter, summary: Summary) -> None:
    if not rows:
        return
    out = pd.DataFrame([r.asDict() for r in rows], columns=schema.names)
    if "score" in out:
        out["score"] = pd.array(out["score"], dtype="Int64")
    writer.write(out)
    summary.add(Batch(out, out.iloc[:0]))
