"""``make bench``: throughput and memory of training and batch prediction at scale, against the
script a data scientist writes by hand.

Not a test: it generates about 1 M contacts with 10 M activities and a 10 M-row flat lead list
(several GB under ``data/bench/``), then measures, in one run:

- the bare model's ``predict_proba`` rows/s (the uncalibrated pipeline, in memory: the
  floor) and the calibrated model's, on the same 1 M rows of the flat list;
- **the hand-written reference** (``bench/handwritten.py``: pandas reads the list, the saved
  model's own fitted pipeline ``leadscore.load_model(...).estimator.predict_proba`` scores all
  rows in one call, pandas writes id and probability) against ``leadscore predict`` on the
  same first 1 M flat rows, Parquet and CSV, in ``--rounds`` interleaved rounds (script,
  predict without reasons, predict with reasons, ...): medians of whole-process CPU seconds
  (user + system), wall seconds and peak RSS, and the median of the round-by-round ratios;
- end-to-end ``leadscore predict`` rows/s, CPU and peak RSS (subprocesses under
  ``/usr/bin/time``): the 10 M flat list Parquet → Parquet and CSV → CSV, the 1 M contacts with
  their activity log Parquet → Parquet and CSV → CSV; each as a ratio to the floor and, per
  row, to the script's median on the 1 M flat rows of the same format (for the CRM runs: the
  script on those same contacts' model rows, their aggregates precomputed); the outputs' row
  counts and ids are checked;
- ECE of the held-out calibration design against ``CalibratedClassifierCV(cv=5)``;
- training time and peak RSS on the 1 M contacts; ``leadscore --help`` wall time.

The machine's load average is recorded with every stage (the cores may be shared).
Results: a table on stdout and ``reports/bench/bench.json`` (+ ``bench.md``).
Usage: ``python bench/run.py [--contacts-per-month 55556] [--flat-rows 10000000] [--rounds 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (  # noqa: E402 - the folder of this script, put on the path above
    LEADSCORE,
    ROOT,
    handwritten_cmd,
    interleaved,
    load,
    log,
    model_rows_of,
    predict_cmd,
    ratio,
    run,
    tiled,
)

REASONS_ROWS = 1_000_000  # the head of the flat list: the script's rows, with and without reasons


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
    """The flat lead list: per-contact model rows of the CRM as of ``as_of``, tiled to
    ``flat_rows`` (``benchlib.tiled``), in Parquet and CSV; its first ``REASONS_ROWS`` rows
    also on their own (the rows the hand-written script is compared on)."""
    log("building the flat lead list (model rows of the CRM, tiled)")
    crm = work / "crm"
    base = model_rows_of(model, crm / "contacts.parquet", crm / "activities.parquet", as_of)
    write_chunks(tiled(base, flat_rows), work / "flat.parquet", work / "flat.csv")
    head = next(pq.ParquetFile(work / "flat.parquet").iter_batches(batch_size=REASONS_ROWS))
    write_chunks([head.to_pandas()], work / "flat-1m.parquet", work / "flat-1m.csv")


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
    from leadscore.model.calibration import calibrate, choose_method
    from leadscore.model.estimators import build_hgb
    from leadscore.model.examples import training_rows
    from leadscore.model.metrics import summarize
    from leadscore.model.spec import TrainSpec
    from leadscore.model.train import feature_transformer
    from leadscore.sample import generate_crm, write_crm

    log("calibration designs on a sample CRM (18 x 500)")
    cfg = load_config(None)
    t, spec = cfg.training, TrainSpec.from_config(cfg)
    tmp = Path(tempfile.mkdtemp(prefix="leadscore-bench-"))
    write_crm(*generate_crm(contacts_per_month=500, seed=42), tmp, fmt="parquet")
    crm = load_crm(tmp / "contacts.parquet", tmp / "activities.parquet", cfg,
                   require_outcome=True)  # fmt: skip
    shutil.rmtree(tmp, ignore_errors=True)
    act = learn_activity_spec(crm.activities, cfg.features.windows_days)
    tr = training_rows(crm.contacts, crm.activities, spec, act)
    rows, y, split = tr.rows, tr.y, tr.split
    features = feature_transformer(spec).fit(rows.iloc[split.fit])
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


def compare_head(work: Path, model: Path, rounds: int) -> dict:
    """The script against ``predict`` on the first 1 M flat rows, in interleaved rounds."""
    head_pq, head_csv = work / "flat-1m.parquet", work / "flat-1m.csv"
    commands = {
        "handwritten_parquet": handwritten_cmd(head_pq, model, work / "hand-1m.parquet"),
        "predict_parquet": predict_cmd(head_pq, model, work / "predict-1m.parquet"),
        "predict_parquet_reasons": predict_cmd(
            head_pq, model, work / "reasons-1m.parquet", reasons=True
        ),  # fmt: skip
        "handwritten_csv": handwritten_cmd(head_csv, model, work / "hand-1m.csv"),
        "predict_csv": predict_cmd(head_csv, model, work / "predict-1m.csv"),
    }
    runs = interleaved(commands, rounds)
    out: dict = {"rows": pq.ParquetFile(head_pq).metadata.num_rows, "rounds": rounds,
                 "load": runs.pop("load")}  # fmt: skip
    for name in commands:
        out[name] = runs[name]
    out["ratios"] = {
        "predict_vs_handwritten_parquet": ratio(runs, "predict_parquet", "handwritten_parquet"),
        "reasons_vs_handwritten_parquet": ratio(
            runs, "predict_parquet_reasons", "handwritten_parquet"
        ),
        "predict_vs_handwritten_csv": ratio(runs, "predict_csv", "handwritten_csv"),
        "reasons_vs_predict": ratio(runs, "predict_parquet_reasons", "predict_parquet"),
    }
    return out


def per_row_ratio(r: dict, reference: dict, rows: int, reference_rows: int) -> dict:
    """CPU and wall seconds per row of a run over those of the script's median run."""
    return {
        key: round((r[field] / rows) / (reference[field] / reference_rows), 3)
        for key, field in (("cpu", "cpu_seconds"), ("wall", "seconds"))
    }


def big_runs(work: Path, model: Path, report: dict, save_report) -> None:
    """``predict`` once on each large input, as a ratio to the floor and to the script."""
    crm, as_of, head = work / "crm", report["as_of"], report["handwritten"]
    plan = [  # name, lead list, activities, rows
        ("flat_parquet", work / "flat.parquet", None, report["data"]["flat_rows"]),
        ("crm_parquet", crm / "contacts.parquet", crm / "activities.parquet", None),
        ("flat_csv", work / "flat.csv", None, report["data"]["flat_rows"]),
        ("crm_csv", crm / "contacts.csv", crm / "activities.csv", None),
    ]
    runs: dict = report.setdefault("predict", {})  # saved as each run ends
    for name, src, acts, rows in plan:
        out = work / f"{name}-scored{src.suffix}"
        log(f"predict {name} (load {load()[0]})")
        # the default command (--engine auto streams lists of over 2 M rows)
        cmd = predict_cmd(src, model, out)
        if acts is not None:
            cmd += ["-a", str(acts), "--as-of", as_of, "--include-closed"]
        rows = rows or report["data"]["contacts"]
        load_before = load()
        r = run(cmd) | check_output(out, src, rows)
        r["engine"] = "stream" if "streamed in batches" in r.pop("output") else "memory"
        r["rows"], r["load"] = rows, {"before": load_before, "after": load()}
        r["rows_per_s"] = round(rows / r["seconds"])
        r["vs_bare"] = round(r["rows_per_s"] / report["floor"]["bare_rows_per_s"], 3)
        fmt = src.suffix.lstrip(".")
        r["vs_handwritten_per_row"] = per_row_ratio(r, head[f"handwritten_{fmt}"], rows,
                                                    head["rows"])  # fmt: skip
        runs[name] = r
        log(f"{name}: {r}")
        save_report()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts-per-month", type=int, default=55_556)
    parser.add_argument("--activities", type=int, default=10_000_000)
    parser.add_argument("--flat-rows", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="Interleaved rounds vs the script.")
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
        "load_start": load(),
        "as_of": "2026-06-25",
    }
    report["help_seconds"] = help_seconds()
    report["data"] = data(work, args)
    model = work / "model"
    report["train"] = train(work, model, verbose=True)
    build_flat(work, model, pd.Timestamp(report["as_of"]), args.flat_rows)
    report["floor"] = floor_speed(work, model)
    log(f"floor: {report['floor']}")
    save(args.out, report)
    report["handwritten"] = compare_head(work, model, args.rounds)
    log(f"hand-written reference: {report['handwritten']['ratios']}")
    save(args.out, report)
    big_runs(work, model, report, lambda: save(args.out, report))
    report["calibration"] = calibration_designs()
    log(f"calibration: {report['calibration']}")
    report["load_end"] = load()
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    save(args.out, report)
    table = render(report)
    (args.out / "bench.md").write_text(table)
    print(table)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def help_seconds() -> dict:
    """``leadscore --help`` five times: first, best and median wall, best CPU."""
    helps = [run([LEADSCORE, "--help"]) for _ in range(5)]
    wall = [h["seconds"] for h in helps]
    out = {"first": wall[0], "best": min(wall), "median": float(np.median(wall)),
           "cpu_best": min(h["cpu_seconds"] for h in helps)}  # fmt: skip
    log(f"--help: {out}")
    return out


def data(work: Path, args: argparse.Namespace) -> dict:
    """The CRM: generated, or reused from an earlier ``--keep`` run."""
    ready = [
        work / "crm" / f"{n}.{x}" for n in ("contacts", "activities") for x in ("parquet", "csv")
    ]
    if args.reuse and all(f.exists() for f in ready):
        log("reusing the CRM generated before in " + str(work / "crm"))
        facts = {"contacts": pq.ParquetFile(ready[0]).metadata.num_rows,
                 "activities": pq.ParquetFile(ready[2]).metadata.num_rows, "reused": True}  # fmt: skip
        return facts | {"flat_rows": args.flat_rows}
    return generate(work, args.contacts_per_month, args.activities, args.flat_rows)


def train(work: Path, model: Path, *, verbose: bool = False) -> dict:
    """``leadscore train`` on the CRM (subprocess): time, CPU, peak RSS, examples, AUC; with
    ``verbose``, also its per-step table (``train --verbose``) as text lines."""
    crm = work / "crm"
    log(f"training on the CRM (subprocess, load {load()[0]})")
    out = run([LEADSCORE, "train", str(crm / "contacts.parquet"), "-a",
               str(crm / "activities.parquet"), "--model-dir", str(model), "--no-mlflow",
               *(["--verbose"] if verbose else [])])  # fmt: skip
    text = out.pop("output")
    if verbose and "Steps (" in text:
        out["steps"] = text[text.index("Steps (") :].splitlines()[:30]
    meta = json.loads((model / "metadata.json").read_text())
    out["examples"] = meta["data"]["examples"]
    out["roc_auc"] = round(meta["metrics"]["roc_auc"], 4)
    out["load_after"] = load()
    log(f"train: {out}")
    return out


def save(folder: Path, report: dict) -> None:
    """Write the report so far (a long run keeps what it measured if stopped)."""
    (folder / "bench.json").write_text(json.dumps(report, indent=2))


def _x(r: dict) -> str:
    return f"{r['cpu']}x CPU, {r['wall']}x wall"


def render(r: dict) -> str:
    """The report as a Markdown table."""
    f, c, h = r["floor"], r["calibration"], r["handwritten"]
    q = h["ratios"]
    lines = [
        "| measure | value |",
        "| --- | --- |",
        f"| data | {r['data']['contacts']:,} contacts, {r['data']['activities']:,} activities; "
        f"flat list {r['data']['flat_rows']:,} rows |",
        f"| load average (1, 5, 15 min) | start {r['load_start']}, end {r['load_end']} |",
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
    for name in ("handwritten_parquet", "predict_parquet", "predict_parquet_reasons",
                 "handwritten_csv", "predict_csv"):  # fmt: skip
        m = h[name]
        lines.append(
            f"| {name} ({h['rows']:,} flat rows, median of {h['rounds']}) | {m['cpu_seconds']} s "
            f"CPU, {m['seconds']} s wall, peak RSS {m['peak_rss_mb']:,} MB |"
        )
    lines += [
        f"| predict / script, Parquet | {_x(q['predict_vs_handwritten_parquet'])} |",
        f"| predict with reasons / script, Parquet | {_x(q['reasons_vs_handwritten_parquet'])} |",
        f"| predict / script, CSV | {_x(q['predict_vs_handwritten_csv'])} |",
        f"| reasons: with / without | {_x(q['reasons_vs_predict'])} |",
        f"| load during the rounds | before {h['load']['before']}, after {h['load']['after']} |",
    ]
    for name, p in r["predict"].items():
        lines.append(
            f"| predict {name} | {p['rows']:,} rows in {p['seconds']} s ({p['cpu_seconds']} s "
            f"CPU) = {p['rows_per_s']:,} rows/s ({p['vs_bare']}x the floor; per row "
            f"{_x(p['vs_handwritten_per_row'])} the script), engine {p.get('engine')}, peak RSS "
            f"{p['peak_rss_mb']:,} MB, output rows {p['output_rows']:,}, ids match: "
            f"{p['ids_match_input']}, load {p['load']['before'][0]} |"
        )
    t = r["train"]
    lines += [
        f"| train on {r['data']['contacts']:,} contacts | {t['seconds']} s ({t['cpu_seconds']} s "
        f"CPU), peak RSS {t['peak_rss_mb']:,} MB, {t.get('examples') or '?'} examples, held-out "
        f"ROC AUC {t.get('roc_auc')} |",
        f"| leadscore --help | first {r['help_seconds']['first']} s, best "
        f"{r['help_seconds']['best']} s, median {r['help_seconds']['median']} s (CPU "
        f"{r['help_seconds']['cpu_best']} s) |",
        f"| whole bench | {r['total_seconds']} s |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
