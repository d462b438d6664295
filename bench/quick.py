"""``make bench-quick``: ``make bench``'s comparisons in a few minutes, on the sample CRM.

1. the default sample CRM (``leadscore.generate_sample()``: 19,800 contacts, ~270,000
   activities) is written as Parquet and ``leadscore train --no-mlflow`` learns a model (timed);
2. a flat lead list of ``--rows`` rows (default 200,000) is made by tiling the model rows of
   the CRM's contacts as of 2026-06-25 (ids ``<id>-<copy>``, numeric attributes jittered);
3. the floor: the bare (uncalibrated) pipeline's ``predict_proba`` on all rows in one call, in
   this process;
4. ``--rounds`` interleaved rounds of: the hand-written script (``bench/handwritten.py``),
   ``leadscore predict --no-reasons`` and ``leadscore predict`` (with reasons) on that list,
   then ``leadscore predict`` of its first 1,000 rows as CSV (the fixed cost a small list
   feels); every figure is a whole process's, quoted as the median of the rounds;
5. ``predict``'s probabilities are checked equal to the script's (1e-12) for the scored rows.

Prints one JSON line and writes it to ``reports/bench/quick.json``.
Usage: ``python bench/quick.py [--rows 200000] [--rounds 3] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import (  # noqa: E402 - the folder of this script, put on the path above
    LEADSCORE,
    ROOT,
    emit,
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

AS_OF = pd.Timestamp("2026-06-25")
SMALL_ROWS = 1_000


def prepare(work: Path, rows: int) -> dict:
    """The sample CRM, its model (training timed) and the flat lists; facts about them."""
    from leadscore.sample import generate_crm, write_crm

    crm = work / "crm"
    contacts, activities = generate_crm()
    write_crm(contacts, activities, crm, fmt="parquet")
    facts: dict = {"contacts": len(contacts), "activities": len(activities)}
    log(f"sample CRM: {facts}; training")
    train = run([LEADSCORE, "train", str(crm / "contacts.parquet"), "-a",
                 str(crm / "activities.parquet"), "--model-dir", str(work / "model"),
                 "--no-mlflow"])  # fmt: skip
    train.pop("output")
    facts["train"] = train
    base = model_rows_of(work / "model", crm / "contacts.parquet", crm / "activities.parquet",
                         AS_OF)  # fmt: skip
    flat = pd.concat(list(tiled(base, rows)), ignore_index=True)
    flat.to_parquet(work / "flat.parquet", index=False, row_group_size=250_000)
    flat.iloc[:SMALL_ROWS].to_csv(work / "small.csv", index=False)
    facts["rows"] = len(flat)
    return facts


def floor(work: Path) -> dict:
    """The bare pipeline's ``predict_proba`` rows/s on the whole list in one call."""
    from leadscore.io.store import load_model

    scorer = load_model(work / "model")
    rows = pd.read_parquet(work / "flat.parquet")
    scorer.pipeline.predict_proba(rows.iloc[:1000])  # warm up
    start = time.perf_counter()
    scorer.pipeline.predict_proba(rows)
    return {"floor_rows_per_s": round(len(rows) / (time.perf_counter() - start))}


def same_probabilities(predicted: Path, handwritten: Path) -> bool:
    """``predict``'s probability equals the script's (1e-12) on every scored row, ids in order."""
    got, want = pd.read_parquet(predicted), pd.read_parquet(handwritten)
    if got["contact_id"].astype(str).tolist() != want["contact_id"].astype(str).tolist():
        return False
    scored = (got["status"] == "scored").to_numpy()
    diff = np.abs(got["probability"].to_numpy()[scored] - want["probability"].to_numpy()[scored])
    return bool(scored.any() and diff.max() <= 1e-12)


def measure(work: Path, rounds: int) -> dict:
    """The interleaved rounds; the figures of the JSON line."""
    model, flat = work / "model", work / "flat.parquet"
    commands = {
        "handwritten": handwritten_cmd(flat, model, work / "handwritten.parquet"),
        "predict": predict_cmd(flat, model, work / "predict.parquet"),
        "predict_reasons": predict_cmd(flat, model, work / "reasons.parquet", reasons=True),
        "small_list": predict_cmd(
            work / "small.csv", model, work / "small-out.csv", reasons=True
        ),  # fmt: skip
    }
    runs = interleaved(commands, rounds)
    hand, plain, why = runs["handwritten"], runs["predict"], runs["predict_reasons"]
    return {
        "handwritten_cpu_s": hand["cpu_seconds"],
        "handwritten_wall_s": hand["seconds"],
        "handwritten_peak_mb": hand["peak_rss_mb"],
        "predict_cpu_s": plain["cpu_seconds"],
        "predict_wall_s": plain["seconds"],
        "predict_peak_mb": plain["peak_rss_mb"],
        "predict_reasons_cpu_s": why["cpu_seconds"],
        "predict_reasons_wall_s": why["seconds"],
        "predict_vs_handwritten": ratio(runs, "predict", "handwritten"),
        "reasons_vs_handwritten": ratio(runs, "predict_reasons", "handwritten"),
        "small_list_wall_s": runs["small_list"]["seconds"],
        "small_list_cpu_s": runs["small_list"]["cpu_seconds"],
        "same_probabilities": same_probabilities(
            work / "predict.parquet", work / "handwritten.parquet"
        ),
        "load_rounds": runs["load"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "reports/bench")
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it.")
    args = parser.parse_args()
    started, load_start = time.perf_counter(), load()
    work = args.keep or Path(tempfile.mkdtemp(prefix="leadscore-bench-quick-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        facts = prepare(work, args.rows)
        result: dict = {"rows": facts["rows"]}
        result |= floor(work)
        result |= measure(work, args.rounds)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    rows = result["rows"]
    result["reasons_rows_per_s"] = round(rows / result["predict_reasons_wall_s"])
    result["reasons_vs_floor"] = round(result["reasons_rows_per_s"] / result["floor_rows_per_s"], 3)
    result["train"] = facts["train"] | {"contacts": facts["contacts"]}
    result["load_start"], result["load_end"] = load_start, load()
    result["rounds"], result["seconds"] = args.rounds, round(time.perf_counter() - started, 1)
    result["date"] = time.strftime("%Y-%m-%d %H:%M:%S")
    emit(result, args.out, "quick")


if __name__ == "__main__":
    main()
