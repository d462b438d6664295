"""``make bench``: throughput and memory of training and batch prediction at scale.

Not a test: it generates about 1 M contacts with 10 M activities and a 10 M-row flat lead list
(several GB under ``data/bench/``), then measures, in one run:

- the bare model's ``predict_proba`` rows/s (the uncalibrated pipeline, in memory: the
  floor) and the calibrated model's, on the same 1 M rows of the flat list;
- ECE of the held-out calibration design against ``CalibratedClassifierCV(cv=5)`` (the
  five-model ensemble) on the default sample CRM, with both designs' prediction speed;
- end-to-end ``leadscore predict`` rows/s and peak RSS (subprocesses, RSS from ``wait4``):
  the 10 M flat list Parquet → Parquet and CSV → CSV, the 1 M contacts with their activity log
  Parquet → Parquet and CSV → CSV; the outputs' row counts and ids are checked;
- training time and peak RSS on the 1 M contacts;
- ``leadscore --help`` wall time.

Results: a table on stdout and ``reports/bench/bench.json`` (+ ``bench.md``).
Usage: ``python bench/run.py [--contacts-per-month 55556] [--flat-rows 10000000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
REASONS_ROWS = 1_000_000  # the head of the flat list, scored with and without reasons
BIN = Path(sys.executable).parent
LEADSCORE = str(BIN / "leadscore")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def run(cmd: list[str]) -> dict:
    """Run a command; wall seconds, CPU seconds and the peak RSS of that process.

    The command runs under ``/usr/bin/time``: Python starts children with ``vfork``, and a
    child's ``ru_maxrss`` read directly by this (large) process was measured to report this
    process's own peak instead of the child's.
    """
    report = Path(tempfile.mkstemp(prefix="bench-time-")[1])
    start = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-o", str(report), "-f", "%M %U %S", *cmd],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-3000:]}")
    max_kb, user, system = report.read_text().split()[-3:]
    report.unlink()
    return {
        "output": proc.stdout[-5000:],  # callers pop it before saving
        "seconds": round(seconds, 2),
        "cpu_seconds": round(float(user) + float(system), 2),
        "peak_rss_mb": round(int(max_kb) / 1024, 1),
    }


def write_chunks(frames, parquet_path: Path, csv_path: Path) -> int:
    """Write an iterable of DataFrames to one Parquet and one CSV file; return the row count."""
    pq_writer = csv_writer = schema = csv_schema = None
    rows = 0
    for frame in frames:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if schema is None:
            schema = table.schema
            pq_writer = pq.ParquetWriter(parquet_path, schema)
        table = table.cast(schema)
        pq_writer.write_table(table, row_group_size=250_000)
        text = frame.copy()
        for col in text.columns:
            if pd.api.types.is_datetime64_any_dtype(text[col]):
                text[col] = text[col].dt.strftime("%Y-%m-%d %H:%M:%S")
        text_table = pa.Table.from_pandas(text, preserve_index=False)
        if csv_writer is None:
            csv_schema = text_table.schema
            csv_writer = pacsv.CSVWriter(csv_path, csv_schema)
        csv_writer.write_table(text_table.cast(csv_schema))
        rows += len(frame)
    pq_writer.close()
    csv_writer.close()
    return rows


def generate(work: Path, contacts_per_month: int, activities: int, flat_rows: int) -> dict:
    """The 1 M-contact CRM (Parquet and CSV) and the flat lead list; returns facts."""
    from leadscore.sample import generate_crm

    log(f"generating the CRM (18 months x {contacts_per_month:,} contacts per month)")
    t = time.perf_counter()
    contacts, acts = generate_crm(months=18, contacts_per_month=contacts_per_month, seed=7)
    generated = len(acts)
    if len(acts) > activities:  # the generator makes ~14 per contact: thin to the target
        keep = np.sort(np.random.default_rng(7).choice(len(acts), activities, replace=False))
        acts = acts.iloc[keep].reset_index(drop=True)
    facts = {
        "contacts": len(contacts),
        "activities": len(acts),
        "activities_generated": generated,
        "generate_seconds": round(time.perf_counter() - t, 1),
    }
    log(f"{len(contacts):,} contacts, {len(acts):,} activities; writing Parquet and CSV")
    crm = work / "crm"
    crm.mkdir(parents=True, exist_ok=True)
    for name, frame in (("contacts", contacts), ("activities", acts)):
        step = 1_000_000
        parts = (frame.iloc[i : i + step] for i in range(0, len(frame), step))
        write_chunks(parts, crm / f"{name}.parquet", crm / f"{name}.csv")
    facts["flat_rows"] = flat_rows
    return facts


def build_flat(work: Path, model: Path, as_of: pd.Timestamp, flat_rows: int) -> None:
    """The flat lead list: per-contact aggregate rows of the CRM, tiled to ``flat_rows``.

    Each copy gets unique ids (``<id>-<k>``) and its numeric attributes a small seeded
    multiplicative jitter, so the copies are not identical rows.
    """
    from leadscore.config import load_config
    from leadscore.data.crm import load_crm
    from leadscore.io.store import load_model

    log("building the flat lead list (assemble_rows of the CRM, tiled)")
    cfg = load_config(None)
    crm = load_crm(work / "crm/contacts.parquet", work / "crm/activities.parquet", cfg,
                   require_outcome=False)  # fmt: skip
    scorer = load_model(model)
    base_rows = scorer.rows(crm.contacts, crm.activities, as_of).reset_index(drop=True)
    del crm
    numeric = [c for c in ("employees", "annual_revenue", "budget") if c in base_rows.columns]
    rng = np.random.default_rng(11)
    ids = base_rows["contact_id"].astype(str)

    def copies():
        made = 0
        k = 0
        while made < flat_rows:
            take = min(len(base_rows), flat_rows - made)
            part = base_rows.iloc[:take].copy()
            part["contact_id"] = ids.iloc[:take] + f"-{k}"
            for col in numeric:
                part[col] = part[col] * rng.uniform(0.9, 1.1, take)
            made += take
            k += 1
            for i in range(0, take, 500_000):
                yield part.iloc[i : i + 500_000]

    write_chunks(copies(), work / "flat.parquet", work / "flat.csv")
    head = next(pq.ParquetFile(work / "flat.parquet").iter_batches(batch_size=REASONS_ROWS))
    pq.write_table(pa.Table.from_batches([head]), work / "flat-1m.parquet")


def floor_speed(work: Path, model: Path, n: int = 1_000_000) -> dict:
    """Bare (uncalibrated) and calibrated predict_proba rows/s on the same in-memory rows
    (one call on all rows: the floor), and the bare model's in ``predict``'s batch size."""
    from leadscore.io.batches import BATCH_ROWS
    from leadscore.io.store import load_model

    scorer = load_model(model)
    reader = pq.ParquetFile(work / "flat.parquet")
    rows = next(reader.iter_batches(batch_size=n)).to_pandas()
    out = {"rows": len(rows)}
    for name, est in (("bare", scorer.pipeline), ("calibrated", scorer.estimator)):
        est.predict_proba(rows.iloc[:1000])  # warm up
        t = time.perf_counter()
        est.predict_proba(rows)
        out[f"{name}_rows_per_s"] = round(len(rows) / (time.perf_counter() - t))
    out["calibrated_cost_ratio"] = round(out["bare_rows_per_s"] / out["calibrated_rows_per_s"], 3)
    # the same rows in the streaming engine's batches: smaller arrays stay in cache
    t = time.perf_counter()
    for start in range(0, len(rows), BATCH_ROWS):
        scorer.pipeline.predict_proba(rows.iloc[start : start + BATCH_ROWS])
    out["bare_batched_rows_per_s"] = round(len(rows) / (time.perf_counter() - t))
    out["batch_rows"] = BATCH_ROWS
    return out


def calibration_designs() -> dict:
    """ECE and speed: one frozen model + held-out calibrator vs the cv=5 ensemble."""
    from sklearn.calibration import CalibratedClassifierCV

    from leadscore.config import load_config
    from leadscore.data.crm import load_crm
    from leadscore.features.activity import learn_activity_spec
    from leadscore.features.snapshots import assemble_rows
    from leadscore.model.calibration import calibrate, choose_method
    from leadscore.model.estimators import build_hgb
    from leadscore.model.metrics import summarize
    from leadscore.model.split import time_split
    from leadscore.model.train import feature_transformer, snapshot_examples
    from leadscore.sample import generate_crm, write_crm

    log("calibration designs on a sample CRM (18 x 500)")
    cfg = load_config(None)
    t = cfg.training
    tmp = Path(tempfile.mkdtemp(prefix="leadscore-bench-"))
    write_crm(*generate_crm(contacts_per_month=500, seed=42), tmp, fmt="parquet")
    crm = load_crm(tmp / "contacts.parquet", tmp / "activities.parquet", cfg,
                   require_outcome=True)  # fmt: skip
    shutil.rmtree(tmp, ignore_errors=True)
    contacts, acts = crm.contacts, crm.activities
    examples, _ = snapshot_examples(crm, cfg)
    spec = learn_activity_spec(acts, cfg.features.windows_days)
    rows = assemble_rows(contacts, acts, examples, spec)
    y = examples["label"].to_numpy(dtype=int)
    split = time_split(examples, horizon_days=t.horizon_days, test_fraction=t.test_fraction,
                       calibration_fraction=t.calibration_fraction, seed=t.seed)  # fmt: skip
    features = feature_transformer(cfg).fit(rows.iloc[split.fit])
    X_fit, X_cal, X_test = (rows.iloc[i] for i in (split.fit, split.calibration, split.test))
    y_fit, y_cal, y_test = y[split.fit], y[split.calibration], y[split.test]
    method, _ = choose_method(y_cal, t.calibration)
    bare = build_hgb(features, seed=t.seed).fit(X_fit, y_fit)
    held_out = calibrate(bare, X_cal, y_cal, method)
    ensemble = CalibratedClassifierCV(build_hgb(features, seed=t.seed), cv=5, method=method)
    X_train = pd.concat([X_fit, X_cal])
    ensemble.fit(X_train, np.concatenate([y_fit, y_cal]))
    big = pd.concat([X_test] * max(1, 200_000 // len(X_test)), ignore_index=True)
    out = {"method": method, "test_rows": len(X_test), "timed_rows": len(big)}
    for name, est in (("bare", bare), ("held_out", held_out), ("cv5_ensemble", ensemble)):
        p = est.predict_proba(X_test)[:, 1]
        tic = time.perf_counter()
        est.predict_proba(big)
        out[name] = {
            "ece": round(summarize(y_test, p)["ece"], 5),
            "log_loss": round(summarize(y_test, p)["log_loss"], 5),
            "rows_per_s": round(len(big) / (time.perf_counter() - tic)),
        }
    return out


def check_output(path: Path, ids_from: Path, rows: int) -> dict:
    """Output row count and ids equal to the input's, in order."""
    got = pq.read_table(path, columns=["contact_id"]) if path.suffix == ".parquet" else None
    if got is None:
        got = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            include_columns=["contact_id"], column_types={"contact_id": pa.string()}))  # fmt: skip
    if ids_from.suffix == ".parquet":
        want = pq.read_table(ids_from, columns=["contact_id"])
    else:
        want = pacsv.read_csv(ids_from, convert_options=pacsv.ConvertOptions(
            include_columns=["contact_id"], column_types={"contact_id": pa.string()}))  # fmt: skip
    same = got.num_rows == rows and got.column(0).equals(want.column(0).cast(pa.string()))
    return {"output_rows": got.num_rows, "ids_match_input": bool(same)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts-per-month", type=int, default=55_556)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--flat-rows", type=int, default=10_000_000)
    parser.add_argument("--work", type=Path, default=ROOT / "data/bench")
    parser.add_argument("--out", type=Path, default=ROOT / "reports/bench")
    parser.add_argument("--keep", action="store_true", help="Keep the generated files.")
    parser.add_argument("--reuse", action="store_true",
                        help="Reuse a CRM generated before under --work (kept with --keep).")  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    work, started = args.work, time.perf_counter()
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }

    helps = [run([LEADSCORE, "--help"]) for _ in range(5)]
    for h in helps:
        h.pop("output")
    wall = [h["seconds"] for h in helps]
    report["help_seconds"] = {"first": wall[0], "best": min(wall),
                              "median": float(np.median(wall)),
                              "cpu_best": min(h["cpu_seconds"] for h in helps)}  # fmt: skip
    log(f"--help: {report['help_seconds']}")

    ready = [
        work / "crm" / f"{n}.{x}" for n in ("contacts", "activities") for x in ("parquet", "csv")
    ]
    if args.reuse and all(f.exists() for f in ready):
        log("reusing the CRM generated before in " + str(work / "crm"))
        facts = {"contacts": pq.ParquetFile(ready[0]).metadata.num_rows,
                 "activities": pq.ParquetFile(ready[2]).metadata.num_rows, "reused": True}  # fmt: skip
        report["data"] = facts | {"flat_rows": args.flat_rows}
    else:
        report["data"] = generate(work, args.contacts_per_month, args.activities, args.flat_rows)
    crm, model = work / "crm", work / "model"
    log("training on the CRM (subprocess)")
    report["train"] = run([LEADSCORE, "train", str(crm / "contacts.parquet"), "-a",
                           str(crm / "activities.parquet"), "--model-dir", str(model),
                           "--no-mlflow"])  # fmt: skip
    report["train"].pop("output")
    meta = json.loads((model / "metadata.json").read_text())
    report["train"]["examples"] = meta["data"]["examples"]
    report["train"]["roc_auc"] = round(meta["metrics"]["roc_auc"], 4)
    log(f"train: {report['train']}")

    as_of = pd.Timestamp("2026-06-25")
    build_flat(work, model, as_of, args.flat_rows)
    report["floor"] = floor_speed(work, model)
    log(f"floor: {report['floor']}")
    save(args.out, report)

    runs: dict = {}
    report["predict"] = runs
    head_rows = min(REASONS_ROWS, args.flat_rows)
    plan = [  # name, lead list, activities, rows, with reasons
        ("flat_parquet", work / "flat.parquet", None, args.flat_rows, False),
        ("crm_parquet", crm / "contacts.parquet", crm / "activities.parquet", None, False),
        ("flat_csv", work / "flat.csv", None, args.flat_rows, False),
        ("crm_csv", crm / "contacts.csv", crm / "activities.csv", None, False),
        ("flat_1m_parquet", work / "flat-1m.parquet", None, head_rows, False),
        ("flat_1m_parquet_reasons", work / "flat-1m.parquet", None, head_rows, True),
    ]
    for name, src, acts, rows, reasons in plan:
        out = work / f"{name}-scored{src.suffix}"
        log(f"predict {name}")
        # the default command (--engine auto streams lists of over 2 M rows)
        cmd = [LEADSCORE, "predict", str(src), "-m", str(model), "-o", str(out)]
        cmd += [] if reasons else ["--no-reasons"]
        if acts is not None:
            cmd += ["-a", str(acts), "--as-of", str(as_of.date()), "--include-closed"]
        rows = rows or report["data"]["contacts"]
        r = run(cmd) | check_output(out, src, rows)
        r["engine"] = "stream" if "streamed in batches" in r.pop("output") else "memory"
        r["rows"] = rows
        r["rows_per_s"] = round(rows / r["seconds"])
        r["vs_bare"] = round(r["rows_per_s"] / report["floor"]["bare_rows_per_s"], 3)
        runs[name] = r
        log(f"{name}: {r}")
        save(args.out, report)
    with_r, without = runs["flat_1m_parquet_reasons"], runs["flat_1m_parquet"]
    report["reasons"] = {
        "seconds_per_100k_rows_with": round(with_r["seconds"] * 100_000 / head_rows, 2),
        "seconds_per_100k_rows_without": round(without["seconds"] * 100_000 / head_rows, 2),
        "cost_ratio": round(with_r["seconds"] / without["seconds"], 2),
    }
    log(f"reasons: {report['reasons']}")
    report["calibration"] = calibration_designs()
    log(f"calibration: {report['calibration']}")
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    save(args.out, report)
    table = render(report)
    (args.out / "bench.md").write_text(table)
    print(table)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def save(folder: Path, report: dict) -> None:
    """Write the report so far (a long run keeps what it measured if stopped)."""
    (folder / "bench.json").write_text(json.dumps(report, indent=2))


def render(r: dict) -> str:
    """The report as a Markdown table."""
    f, c = r["floor"], r["calibration"]
    lines = [
        "| measure | value |",
        "| --- | --- |",
        f"| data | {r['data']['contacts']:,} contacts, {r['data']['activities']:,} activities; "
        f"flat list {r['data']['flat_rows']:,} rows |",
        f"| bare model predict_proba (floor) | {f['bare_rows_per_s']:,} rows/s |",
        f"| bare model predict_proba in {f['batch_rows']:,}-row batches | "
        f"{f['bare_batched_rows_per_s']:,} rows/s |",
        f"| calibrated model predict_proba | {f['calibrated_rows_per_s']:,} rows/s "
        f"(cost {f['calibrated_cost_ratio']}x bare) |",
        f"| ECE held-out calibrator / cv=5 ensemble / bare | {c['held_out']['ece']} / "
        f"{c['cv5_ensemble']['ece']} / {c['bare']['ece']} ({c['method']}) |",
        f"| rows/s held-out / cv=5 ensemble / bare | {c['held_out']['rows_per_s']:,} / "
        f"{c['cv5_ensemble']['rows_per_s']:,} / {c['bare']['rows_per_s']:,} |",
    ]
    for name, p in r["predict"].items():
        lines.append(
            f"| predict {name} | {p['rows']:,} rows in {p['seconds']} s = {p['rows_per_s']:,} "
            f"rows/s ({p['vs_bare']}x bare), engine {p.get('engine')}, peak RSS "
            f"{p['peak_rss_mb']:,} MB, output rows "
            f"{p['output_rows']:,}, ids match: {p['ids_match_input']} |"
        )
    if "reasons" in r:
        q = r["reasons"]
        lines.append(
            f"| reasons (1 M flat rows, Parquet) | {q['seconds_per_100k_rows_with']} s per 100,000 "
            f"rows with, {q['seconds_per_100k_rows_without']} s without ({q['cost_ratio']}x) |"
        )
    t = r["train"]
    lines += [
        f"| train on {r['data']['contacts']:,} contacts | {t['seconds']} s, peak RSS "
        f"{t['peak_rss_mb']:,} MB, {t.get('examples') or '?'} examples, held-out ROC AUC "
        f"{t.get('roc_auc')} |",
        f"| leadscore --help | first {r['help_seconds']['first']} s, best "
        f"{r['help_seconds']['best']} s, median {r['help_seconds']['median']} s (CPU "
        f"{r['help_seconds']['cpu_best']} s) |",
        f"| whole bench | {r['total_seconds']} s |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
