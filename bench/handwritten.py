"""The reference ``make bench`` compares ``leadscore predict`` with: the script a data scientist
writes by hand around the same saved model.

It reads the whole lead list with pandas, calls the saved model's own fitted pipeline
(``leadscore.load_model(...).estimator``: features, encoding, boosted trees, calibrator) once
on all rows, and writes each row's id and probability. It does none of the rest ``predict``
does (validation, statuses, scores, tiers, drift, bounded memory, atomic and
spreadsheet-safe writing), so ``predict``'s cost over it is the price of those.

Usage: ``python bench/handwritten.py MODEL_DIR LIST.(parquet|csv) OUT.(parquet|csv)``.
"""

import sys

import pandas as pd

import leadscore


def main(model_dir: str, source: str, out: str) -> None:
    model = leadscore.load_model(model_dir)
    rows = pd.read_parquet(source) if source.endswith(".parquet") else pd.read_csv(source)
    probability = model.estimator.predict_proba(rows)[:, 1]
    result = pd.DataFrame({"contact_id": rows["contact_id"], "probability": probability})
    if out.endswith(".parquet"):
        result.to_parquet(out, index=False)
    else:
        result.to_csv(out, index=False)


if __name__ == "__main__":
    main(*sys.argv[1:4])
