"""The model report: ``report.md`` with PNG figures, written next to the model.

``write_report(result_like, folder)`` takes plain data, so ``train`` and ``evaluate`` can
both call it: either a ``TrainResult`` or a dict with these keys (all but ``holdout``
optional):

- ``holdout``: DataFrame with ``y`` (0/1) and ``probability`` per held-out row;
- ``title``, ``model``, ``metrics``, ``baseline_name``, ``baseline_metrics``, ``calibration``,
  ``split`` (text), ``data`` (dict), ``tier_table`` (DataFrame or records),
  ``importance`` ({factor: mean |log-odds contribution|}), ``leakage`` (DataFrame of findings
  or the guard's ``to_dict()``), ``warnings`` (list of text), ``thresholds`` and
  ``score_reference`` (the scorer's ``info["score_reference"]``: what the score ranks in),
  ``signal`` (the feature transformer's ``signal_``: noise and missing-value findings).

Figures: calibration curve, cumulative gains, score distribution by outcome, global feature
importance. matplotlib is imported inside the function with the Agg backend (no display).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from leadscore.io.writer import write_text

FIGURES = {
    "calibration": "calibration.png",
    "gains": "gains.png",
    "distribution": "score_distribution.png",
    "importance": "importance.png",
}


def report_data(result: Any) -> dict[str, Any]:
    """Plain report data from a ``TrainResult``."""
    info = result.scorer.info
    leak = result.leakage
    return {
        "title": "leadscore model report",
        "model": info.get("model"),
        "metrics": result.metrics,
        "baseline_name": result.baseline_name,
        "baseline_metrics": result.baseline_metrics,
        "calibration": result.calibration,
        "split": result.split.description,
        "data": result.data,
        "tier_table": result.tier_table,
        "tier_rule": info.get("tier_rule"),
        "thresholds": dict(result.scorer.thresholds),
        "score_reference": info.get("score_reference"),
        "signal": _export_signal(result.scorer),
        "importance": result.importance,
        "leakage": leak.findings if leak is not None else None,
        "warnings": list(result.warnings) + ([leak.warning()] if leak and leak.warning() else []),
        "holdout": result.holdout,
    }


def _export_signal(scorer: Any) -> pd.DataFrame | None:
    """The feature signal table without leadscore's own activity aggregates (for those a
    blank means "never happened", not a value left out)."""
    signal = getattr(scorer.features, "signal_", None)
    spec = getattr(scorer, "activity_spec", None)
    if signal is None or spec is None:
        return signal
    return signal[~signal["column"].isin(spec.feature_names())].reset_index(drop=True)


def _figures(d: dict[str, Any], folder: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.calibration import calibration_curve

    y = np.asarray(d["holdout"]["y"], dtype=int)
    p = np.asarray(d["holdout"]["probability"], dtype=float)
    written = []

    fig, ax = plt.subplots(figsize=(5.5, 5))
    bins = max(3, min(10, int(y.sum() // 10)))
    frac, mean = calibration_curve(y, p, n_bins=bins, strategy="quantile")
    top = min(1.0, max(float(mean.max()), float(frac.max())) * 1.1)
    ax.plot([0, top], [0, top], "--", color="grey", label="perfectly calibrated")
    ax.plot(mean, frac, "o-", label=f"model ({bins} equal-count bins)")
    ax.set(xlabel="predicted probability", ylabel="observed conversion rate")
    ax.set_title("Calibration on held-out contacts")
    ax.legend()
    written.append(save_figure(fig, folder / FIGURES["calibration"], plt))

    fig, ax = plt.subplots(figsize=(5.5, 5))
    order = np.argsort(-p, kind="stable")
    share = np.arange(1, len(p) + 1) / len(p)
    gains = np.cumsum(y[order]) / max(y.sum(), 1)
    ax.plot(share, gains, label="model")
    ax.plot([0, 1], [0, 1], "--", color="grey", label="random order")
    ax.set(xlabel="share of contacts called (highest score first)", ylabel="share of conversions")
    ax.set_title("Cumulative gains on held-out contacts")
    ax.legend(loc="lower right")
    written.append(save_figure(fig, folder / FIGURES["gains"], plt))

    fig, ax = plt.subplots(figsize=(6, 4.5))
    edges = np.linspace(0, 1, 41).tolist()
    for label, mask in (("did not convert", y == 0), ("converted", y == 1)):
        ax.hist(p[mask], bins=edges, alpha=0.6, density=True, label=f"{label} ({mask.sum():,})")
    ax.set(xlabel="predicted probability", ylabel="density")
    ax.set_title("Score distribution by outcome (held out)")
    ax.legend()
    written.append(save_figure(fig, folder / FIGURES["distribution"], plt))

    imp = d.get("importance") or {}
    if imp:
        items = sorted(imp.items(), key=lambda kv: kv[1])[-15:]
        fig, ax = plt.subplots(figsize=(7, 0.35 * len(items) + 1.2))
        ax.barh([k for k, _ in items], [v for _, v in items])
        ax.set(xlabel="mean |contribution| (log-odds)")
        ax.set_title("Global feature importance")
        written.append(save_figure(fig, folder / FIGURES["importance"], plt))
    return written


def save_figure(fig: Any, path: Path, plt: Any) -> str:
    """Write ``fig`` as a PNG (the reports' one size and resolution), close it, return its name."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path.name


def _table(frame: pd.DataFrame, floats: str = "{:.3f}") -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return "" if np.isnan(v) else floats.format(v)
        return str(v).replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    sep = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, sep, *body])


METRIC_NAMES = ["roc_auc", "pr_auc", "brier", "log_loss", "ece", "lift_top10", "capture_top10"]
LEAK_COLUMNS = ["column", "level", "auc", "presence_auc", "purity", "verdict", "exclusive",
                "exclusive_value", "date_after", "evidence"]  # fmt: skip


def _metrics_section(d: dict[str, Any]) -> list[str]:
    if not d.get("metrics"):
        return []
    names = METRIC_NAMES
    frame = pd.DataFrame(
        {"metric": names, d.get("model") or "model": [d["metrics"].get(k, np.nan) for k in names]}
    )
    if d.get("baseline_metrics"):
        frame[f"{d.get('baseline_name')} (baseline)"] = [
            d["baseline_metrics"].get(k, np.nan) for k in names
        ]
    lines = ["## Held-out metrics", "", _table(frame, "{:.4f}"), ""]
    return lines + ([f"Split: {d['split']}", ""] if d.get("split") else [])


def _figure_sections(d: dict[str, Any], figures: list[str]) -> list[str]:
    lines = []
    if "calibration.png" in figures:
        lines += ["## Calibration", "", "![calibration](calibration.png)", ""]
    lines += ["## Cumulative gains", "", "![gains](gains.png)", ""]
    lines += ["## Score distribution by outcome", "", "![distribution](score_distribution.png)", ""]
    tiers = d.get("tier_table")
    if tiers is not None:
        lines += ["## Tiers: expected vs actual conversions", "", _table(pd.DataFrame(tiers)), ""]
        if d.get("tier_rule"):
            lines += [f"Thresholds: {d['tier_rule']}.", ""]
    if "importance.png" in figures:
        lines += [
            "## Global feature importance", "",
            "Mean absolute contribution to the log-odds over held-out rows (the same method as "
            "the per-lead reasons).", "", "![importance](importance.png)", "",
        ]  # fmt: skip
    return lines


SCORE_POINTS = (10, 25, 50, 75, 90, 95, 99)


def _score_section(d: dict[str, Any]) -> list[str]:
    """What the two numbers mean, and the probability each score stands for."""
    ref = d.get("score_reference") or {}
    quantiles = ref.get("quantiles") or []
    if len(quantiles) < 2:
        return []
    from leadscore.model.tiers import scores

    q = np.asarray(quantiles, dtype=float)
    at = {s: float(np.quantile(q, s / 100)) for s in SCORE_POINTS}
    lines = [
        "## Probability and score", "",
        "Each lead gets two numbers. The **probability** is the calibrated chance of "
        "converting (0.30 = about 30 in 100 such leads convert): use it to count expected "
        "deals. The **score** (1-100) is the lead's rank: the share of the model's reference "
        f"population — {ref.get('population', 'the held-out rows')}, "
        f"{ref.get('rows', len(q)):,} leads — with a lower probability (score 90 = more likely "
        "than 90 % of them): use it to sort and compare leads. Every score value belongs to "
        "one tier.", "",
        _table(pd.DataFrame({"score": list(at), "probability from": list(at.values())}),
               "{:.4f}"), "",
    ]  # fmt: skip
    th = d.get("thresholds")
    if th:
        first = scores(np.array([th["prospect"], th["opportunity"]]), quantiles, th)
        lines += [f"Prospects start at score {first[0]}, opportunities at score {first[1]}.", ""]
    return lines


def _signal_section(signal: Any) -> list[str]:
    """Out-of-fold signal of categories (noise pooled) and of blanks (named in reasons)."""
    if signal is None or not len(signal):
        return []
    frame = pd.DataFrame(signal)
    return [
        "## Feature signal (out of fold, fit rows)", "",
        "Category columns whose levels carry no out-of-fold signal are pooled into one level "
        "(the model cannot fit noise with them). A blank value is named as a reason only "
        "where blanks predict the outcome (verdict 'blank converts less' or '... more').", "",
        _table(frame, "{:.3g}"), "",
    ]  # fmt: skip


def _leakage_section(leak: Any) -> list[str]:
    lines = ["## Leakage guard", ""]
    if leak is None:
        return lines + ["The leakage guard was off.", ""]
    if isinstance(leak, dict):
        return lines + ["```", str(leak), "```", ""]
    findings = pd.DataFrame(leak)
    if not len(findings):
        return lines
    flagged = findings[findings["level"] != "ok"]
    lines += [f"{len(findings)} columns scanned on the fit rows; {len(flagged)} flagged.", ""]
    return lines + [_table(findings[[c for c in LEAK_COLUMNS if c in findings]].head(25)), ""]


def _data_section(data: dict[str, Any]) -> list[str]:
    if not data:
        return []
    lines = ["## Data", ""]
    for k, v in data.items():
        if k in ("leakage", "excluded_columns"):
            continue
        if isinstance(v, list) and len(v) > 8:
            v = f"{', '.join(map(str, v[:3]))} … {', '.join(map(str, v[-2:]))} ({len(v)})"
        lines.append(f"- {k}: {v}")
    excluded = data.get("excluded_columns") or {}
    if excluded:
        lines += ["", "Columns not used:", ""]
        lines += [f"- {k}: {v}" for k, v in excluded.items()]
    return [*lines, ""]


def write_report(result_like: Any, folder: str | Path) -> Path:
    """Write ``report.md`` and its PNG figures into ``folder``; return the report's path."""
    d = result_like if isinstance(result_like, dict) else report_data(result_like)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    figures = _figures(d, folder)
    lines = [f"# {d.get('title', 'leadscore model report')}", ""]
    if d.get("model"):
        lines += [f"Model: **{d['model']}**. Calibration: {d.get('calibration', '')}.", ""]
    for w in d.get("warnings") or []:
        lines += ["> **Warning:** " + w.replace("\n", "  \n> "), ""]
    lines += _metrics_section(d) + _score_section(d) + _figure_sections(d, figures)
    lines += _signal_section(d.get("signal")) + _leakage_section(d.get("leakage"))
    lines += _data_section(d.get("data") or {})
    path = folder / "report.md"
    write_text("\n".join(lines), path)
    return path
