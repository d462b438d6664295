"""Metrics of a probabilistic classifier that a sales team can read.

ROC AUC (ranking), PR AUC (ranking where positives are rare), Brier score and log loss
(probability accuracy), expected calibration error, and lift and capture at the top of the
list (what calling the top 10 % or 20 % of leads would have given).
"""

from __future__ import annotations

import numpy as np

ECE_BINS = 10


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = ECE_BINS) -> float:
    """Expected calibration error with equal-count bins.

    Rows are sorted by predicted probability and cut into ``bins`` groups of equal size; the
    ECE is the row-weighted mean of |mean predicted - observed rate| over the groups.
    Equal-count bins keep every bin populated when most probabilities are small, which
    equal-width bins do not.
    """
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    if len(y) == 0:
        return float("nan")
    order = np.argsort(p, kind="stable")
    total = 0.0
    for chunk in np.array_split(order, min(bins, len(y))):
        total += len(chunk) * abs(p[chunk].mean() - y[chunk].mean())
    return float(total / len(y))


def top_share(y: np.ndarray, p: np.ndarray, share: float) -> tuple[float, float]:
    """(lift, capture) when the top ``share`` of rows by probability are selected.

    Lift is the conversion rate in the selection divided by the overall rate; capture is the
    share of all conversions that falls in the selection.
    """
    y = np.asarray(y, dtype=float)
    n = max(1, int(round(share * len(y))))
    top = np.argsort(-np.asarray(p, dtype=float), kind="stable")[:n]
    base = y.mean()
    if base == 0:
        return float("nan"), float("nan")
    return float(y[top].mean() / base), float(y[top].sum() / y.sum())


def summarize(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """All headline metrics of probabilities ``p`` against outcomes ``y`` (0/1)."""
    # imported here: scikit-learn costs a second of start-up to commands that never score
    from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

    y = np.asarray(y, dtype=int)
    p = np.clip(np.asarray(p, dtype=float), 1e-15, 1 - 1e-15)
    both = len(np.unique(y)) == 2
    lift10, capture10 = top_share(y, p, 0.10)
    lift20, capture20 = top_share(y, p, 0.20)
    return {
        "rows": float(len(y)),
        "positives": float(y.sum()),
        "base_rate": float(y.mean()) if len(y) else float("nan"),
        "mean_probability": float(p.mean()) if len(y) else float("nan"),
        "roc_auc": float(roc_auc_score(y, p)) if both else float("nan"),
        "pr_auc": float(average_precision_score(y, p)) if both else float("nan"),
        "brier": float(brier_score_loss(y, p)) if len(y) else float("nan"),
        "log_loss": float(log_loss(y, p, labels=[0, 1])) if len(y) else float("nan"),
        "ece": expected_calibration_error(y, p),
        "lift_top10": lift10,
        "capture_top10": capture10,
        "lift_top20": lift20,
        "capture_top20": capture20,
    }
