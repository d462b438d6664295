"""The monitoring report: ``report.md`` with two PNG figures, for one monitored list.

``write_monitor_report(result, folder)`` takes a ``jobs.monitoring.Monitoring`` (read only
through its fields) and writes:

- ``tiers.png``: per tier, the expected and the actual conversion rate, with the expected
  interval a calibrated model stays in;
- ``calibration.png``: equal-count bins of probability against the observed rate;
- ``report.md``: the verdict and its rule, the counts, the tier table, the metrics now and at
  training, the input drift and the notes.

Only aggregates are written, never a contact's id or value. matplotlib is imported inside
the function with the Agg backend (no display).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadscore.io.report import save_figure
from leadscore.io.writer import write_text

METRICS = ("roc_auc", "pr_auc", "log_loss", "brier", "ece", "base_rate", "mean_probability")


def _figures(result: Any, folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    tiers = result.tiers[result.tiers["contacts"] > 0]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    x = np.arange(len(tiers))
    n = tiers["contacts"].to_numpy(dtype=float)
    expected = tiers["expected_rate"].to_numpy(dtype=float)
    below = expected - tiers["low"].to_numpy(dtype=float) / n
    above = tiers["high"].to_numpy(dtype=float) / n - expected
    ax.bar(x - 0.2, expected, 0.4, yerr=[below, above], capsize=4,
           label="expected (with its interval)", color="#9ecae1")  # fmt: skip
    ax.bar(x + 0.2, tiers["actual_rate"], 0.4, label="actual", color="#3182bd")
    ax.set_xticks(x, [f"{t}\n({c:,})" for t, c in zip(tiers["tier"], n.astype(int), strict=True)])
    ax.set(ylabel="conversion rate within the horizon")
    ax.set_title(f"Scored as of {result.as_of:%Y-%m-%d}: expected vs actual")
    ax.legend()
    written.append(save_figure(fig, folder / "tiers.png", plt))

    cal = result.calibration
    if len(cal):
        fig, ax = plt.subplots(figsize=(5.5, 5))
        top = min(1.0, max(float(cal["mean_probability"].max()), float(cal["actual_rate"].max())))
        ax.plot([0, top * 1.1], [0, top * 1.1], "--", color="grey", label="perfectly calibrated")
        ax.plot(cal["mean_probability"], cal["actual_rate"], "o-",
                label=f"scores ({len(cal)} equal-count bins)")  # fmt: skip
        ax.set(xlabel="predicted probability", ylabel="observed conversion rate")
        ax.set_title("Calibration of the monitored list")
        ax.legend()
        written.append(save_figure(fig, folder / "calibration.png", plt))
    return written


def _cell(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:,.3f}"
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    return str(value)


def markdown_table(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (floats to 3 decimals, booleans as yes/no)."""
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    body = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([head, "|" + "---|" * len(frame.columns), *body])


def _metrics(result: Any) -> pd.DataFrame:
    then = result.trained or {}
    return pd.DataFrame(
        {
            "metric": list(METRICS),
            "now": [result.metrics.get(k, np.nan) for k in METRICS],
            "at training (held out)": [then.get(k, np.nan) for k in METRICS],
        }
    )


def _drift(result: Any) -> list[str]:
    drift = result.drift
    if drift is None:
        return ["No model rows to compare with training."]
    if drift.skipped:
        return [f"Drift check skipped: {drift.skipped}."]
    top = sorted(drift.table.items(), key=lambda kv: -kv[1])[:10]
    lines = [f"PSI per feature against training (above {drift.threshold:g} is a major shift):", ""]
    return lines + [f"- {k}: {v:.3f}" for k, v in top]


def write_monitor_report(result: Any, folder: str | Path) -> Path:
    """Write ``report.md`` and its figures into ``folder``; return the report's path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures = _figures(result, folder)
    c, v = result.counts, result.verdict
    lines = [
        f"# Monitoring: the list scored as of {result.as_of:%Y-%m-%d}", "",
        f"Model: {result.model}. List: {result.source}. Outcomes: the export up to "
        f"{result.export_end:%Y-%m-%d %H:%M}; horizon {result.horizon_days} days.", "",
        f"## Verdict: **{v.action}**", "", *[f"- {r}" for r in v.reasons], "",
        f"Rule: {v.rule}.", "",
        "## Outcomes", "",
        *[f"- {k}: {n:,}" for k, n in c.items()],
        f"- share still open: {result.open_share:.1%}", "",
        "## Conversions per tier", "", markdown_table(result.tiers), "",
        *(["![tiers](tiers.png)", ""] if "tiers.png" in figures else []),
        "## Calibration", "",
        *(["![calibration](calibration.png)", ""] if "calibration.png" in figures else []),
        "Equal-count bins of the resolved contacts:", "", markdown_table(result.calibration), "",
        "## Metrics now and at training", "", markdown_table(_metrics(result)), "",
        "Log loss and Brier score fall when fewer contacts convert, even when the scores "
        "overstate them, so they are shown but the verdict reads the tier intervals and AUC.",
        "", "## Input drift since training", "", *_drift(result), "",
    ]  # fmt: skip
    lines += ["## Notes", "", *[f"- {n}" for n in result.notes], ""] if result.notes else []
    path = folder / "report.md"
    write_text("\n".join(lines), path)
    return path
