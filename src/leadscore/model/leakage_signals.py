"""The per-column statistics of the leakage guard (``model.leakage``): pure functions of a
column's bucket codes and the outcome; see that module for what each measures and the levels.

``exclusive`` is the exact test for small leaks: a value (or mere presence) seen with one
outcome only, among contacts whose outcome the rows tell. Its evidence is the Fisher exact
(hypergeometric) probability that so many contacts of that value would all share one outcome
by chance, times the number of values tested (Bonferroni), so it flags a value however small
its share once chance is ruled out, and never a large value that merely leans one way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import gammaln
from sklearn.metrics import roc_auc_score

from leadscore.features.contact import to_number

PURE_SHARE = 0.98
NEAR_PURE_SHARE = 0.95
VERDICT_ODDS = 20.0
MIN_SUPPORT = 30
MAX_CLASS_SHARE = 0.8
MAX_BINS = 20
SMOOTHING = 10.0
UNKNOWN = -1  # a contact whose outcome the rows do not tell (still open at the last date)


def is_missing(values: pd.Series) -> np.ndarray:
    """True where a value is missing or blank text."""
    miss = values.isna().to_numpy().copy()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        text = values.astype("string").str.strip()
        miss |= (text == "").fillna(True).to_numpy(dtype=bool)
    return miss


def as_dates(values: pd.Series) -> pd.Series | None:
    """The column as naive UTC dates when it holds dates (or ISO date text), else None."""
    if pd.api.types.is_datetime64_any_dtype(values):
        dates = values
    elif values.dtype == object or pd.api.types.is_string_dtype(values):
        present = values.dropna().astype(str)
        present = present[present.str.strip() != ""].head(2000)
        if len(present) == 0 or to_number(present).notna().mean() > 0.5:
            return None
        parsed = pd.to_datetime(present, errors="coerce", format="ISO8601")
        if parsed.notna().mean() < 0.95:
            return None
        dates = pd.to_datetime(values, errors="coerce", format="ISO8601")
    else:
        return None
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    return dates


def buckets(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Bucket code per row and a label per code (missing values get their own bucket)."""
    miss = is_missing(values)
    dates = as_dates(values)
    if dates is not None:
        numbers = pd.Series(dates.to_numpy(dtype="datetime64[s]").astype(float), index=values.index)
        numbers[dates.isna().to_numpy()] = np.nan
    else:
        numbers = to_number(values)
    filled = ~miss
    numeric = filled.sum() > 0 and numbers[filled].notna().mean() >= 0.95
    labels: list[str] = []
    codes = np.zeros(len(values), dtype=np.int64)
    if numeric:
        x = numbers.to_numpy(dtype=float)
        ok = ~np.isnan(x)
        uniq = np.unique(x[ok])
        if len(uniq) <= MAX_BINS:
            edges = uniq
            labels = [f"{v:g}" for v in uniq]
        else:
            edges = np.unique(np.quantile(x[ok], np.linspace(0, 1, MAX_BINS + 1)[1:]))
            lows = np.concatenate([[-np.inf], edges[:-1]])
            labels = [
                f"<= {hi:g}" if lo == -np.inf else f"({lo:g}, {hi:g}]"
                for lo, hi in zip(lows, edges, strict=True)
            ]
        codes[ok] = np.minimum(np.searchsorted(edges, x[ok], side="left"), len(edges) - 1)
        codes[~ok] = len(labels)
    else:
        text = values.astype("string").str.strip().str.casefold()
        counts = text[filled].value_counts()
        kept = list(counts[counts >= 10].index[:200])
        index = {v: i for i, v in enumerate(kept)}
        codes = text.map(index).fillna(len(kept)).to_numpy(dtype=np.int64).copy()
        labels = [str(v) for v in kept] + ["(rare values)"]
        codes[miss] = len(labels)
    labels.append("(blank)")
    return codes, labels


def oof_auc(codes: np.ndarray, y: np.ndarray, folds: np.ndarray) -> float:
    """ROC AUC of each row's bucket rate learned on the other folds (smoothed to the prior)."""
    prior = y.mean()
    score = np.empty(len(y))
    n_codes = int(codes.max()) + 1
    tot_n = np.bincount(codes, minlength=n_codes).astype(float)
    tot_p = np.bincount(codes, weights=y, minlength=n_codes)
    for k in np.unique(folds):
        held = folds == k
        n = tot_n - np.bincount(codes[held], minlength=n_codes)
        p = tot_p - np.bincount(codes[held], weights=y[held], minlength=n_codes)
        score[held] = ((p + SMOOTHING * prior) / (n + SMOOTHING))[codes[held]]
    return float(roc_auc_score(y, score))


def value_counts(
    codes: np.ndarray, y: np.ndarray, labels: list[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows and converted rows per value, and which values have enough rows to judge
    (at least ``MIN_SUPPORT`` rows and 0.5 % of all rows)."""
    counts = np.bincount(codes, minlength=len(labels)).astype(float)
    pos = np.bincount(codes, weights=y, minlength=len(labels))
    return counts, pos, counts >= max(MIN_SUPPORT, 0.005 * len(y))


def pure_coverage(
    codes: np.ndarray, y: np.ndarray, labels: list[str], pure_share: float = PURE_SHARE
) -> dict[int, tuple[float, str]]:
    """Per outcome (1 converted, 0 not): the share of its rows lying in values that are
    ``>= pure_share`` that outcome, and a note naming the two largest such values.

    Only outcomes that are at most ``MAX_CLASS_SHARE`` of the rows are measured: a value that
    is 98 % lost is ordinary when 95 % of all contacts are lost.
    """
    n = len(y)
    counts, pos, support = value_counts(codes, y, labels)
    out: dict[int, tuple[float, str]] = {}
    for cls, hits, total in ((1, pos, y.sum()), (0, counts - pos, n - y.sum())):
        if total == 0 or total / n > MAX_CLASS_SHARE:
            continue
        share = np.divide(hits, counts, out=np.zeros_like(counts), where=counts > 0)
        pure = support & (share >= pure_share)
        coverage = float(hits[pure].sum() / total)
        top = np.flatnonzero(pure)[np.argsort(-hits[pure])][:2]
        word = "converted" if cls == 1 else "not converted"
        values = "; ".join(
            f"'{labels[c][:40]}': {int(counts[c]):,} rows, {share[c]:.1%}" for c in top
        )
        note = (
            f"{coverage:.0%} of the {word} rows have a value that is >= {pure_share:.0%} "
            f"{word} ({values})"
        )
        out[cls] = (coverage, note)
    return out


def purity(
    codes: np.ndarray, y: np.ndarray, labels: list[str], pure_share: float = PURE_SHARE
) -> tuple[float, str]:
    """The larger of the two outcomes' pure coverages, with its note."""
    by_class = pure_coverage(codes, y, labels, pure_share)
    best = max(by_class.values(), default=(0.0, ""), key=lambda cn: cn[0])
    return best if best[0] > 0 else (0.0, "")


def verdict(codes: np.ndarray, y: np.ndarray, labels: list[str]) -> tuple[float, str]:
    """How far the column holds near-certain answers in *both* directions.

    For each outcome, the share of its rows lying in values whose odds of that outcome are at
    least ``VERDICT_ODDS`` times the overall odds (values of >= 30 rows and 0.5 % of all rows);
    the smaller of the two shares. A fact known before the sale may point strongly one way
    (a referral converts); a column with near-certain values both ways (a rating from 'worst'
    to 'high', status tags such as 'closed' and 'wrong number') reads like a judgement written
    about the outcome.
    """
    n, total_pos = len(y), y.sum()
    if total_pos == 0 or total_pos == n:
        return 0.0, ""
    counts, pos, support = value_counts(codes, y, labels)
    base_odds = total_pos / (n - total_pos)
    odds = (pos + 0.5) / (counts - pos + 0.5) / base_odds  # odds ratio, half-count smoothed
    shares, notes = [], []
    for hits, total, strong, word in (
        (pos, total_pos, odds >= VERDICT_ODDS, "converted"),
        (counts - pos, n - total_pos, odds <= 1 / VERDICT_ODDS, "not converted"),
    ):
        strong &= support
        shares.append(float(hits[strong].sum() / total))
        top = np.flatnonzero(strong)[np.argsort(-hits[strong])][:2]
        values = "; ".join(
            f"'{labels[c][:40]}': {int(counts[c]):,} rows, {hits[c] / counts[c]:.1%} {word}"
            for c in top
        )
        notes.append(f"{shares[-1]:.0%} of the {word} rows ({values})")
    verdict = min(shares)
    if verdict == 0:
        return 0.0, ""
    return verdict, (
        f"near-certain values both ways (odds >= {VERDICT_ODDS:g}x the average either way): "
        + " and ".join(notes)
    )


def contact_outcomes(
    y: np.ndarray, groups: np.ndarray | None, as_of: pd.Series | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's contact index, and each contact's outcome as the rows tell it.

    A contact with a converted row converted (1). In snapshot rows (a contact in several
    rows) a contact that never converted is lost (0) only if it left the rows before their
    last date: one still there at the last date may convert later (``UNKNOWN``). Without
    groups every row is its own contact and its label is its outcome.
    """
    y = np.asarray(y, dtype=float)
    if groups is None:
        return np.arange(len(y)), y.astype(np.int64)
    index = np.unique(np.asarray(groups).astype(str), return_inverse=True)[1]
    converted = np.zeros(int(index.max()) + 1 if len(index) else 0)
    np.maximum.at(converted, index, y)
    outcome = converted.astype(np.int64)
    if as_of is not None and len(index) > outcome.size:  # snapshots: some contact has 2+ rows
        when = pd.to_datetime(pd.Series(np.asarray(as_of))).to_numpy(dtype="datetime64[s]")
        when = when.astype(np.int64)
        last = np.full(outcome.size, np.iinfo(np.int64).min)
        np.maximum.at(last, index, when)
        outcome[(outcome == 0) & (last >= when.max())] = UNKNOWN
    return index, outcome


def _log_choose(n: np.ndarray | float, k: np.ndarray) -> np.ndarray:
    return gammaln(np.asarray(n, dtype=float) + 1) - gammaln(k + 1) - gammaln(n - k + 1)


def exclusive(
    codes: np.ndarray, labels: list[str], contact: np.ndarray, outcome: np.ndarray
) -> dict[str, tuple[float, str]]:
    """How clearly the column's presence, or one of its values, occurs with one outcome only.

    Per value, and for "filled in at all": the contacts with known outcome that have it
    (counted once each); where all share one outcome, Fisher's exact one-sided probability of
    that under independence, ``C(K, n) / C(N, n)`` (``K`` contacts of that outcome among
    ``N``). Only an outcome that is at most ``MAX_CLASS_SHARE`` of the contacts counts: a value
    seen only with the common outcome is what an honest "never buys" segment looks like.

    Returns, for ``"presence"`` (filled in at all, or blank) and ``"value"`` (any other
    value): ``-log10`` of the smallest probability times the number of tests (0 when not
    below 1), and a note naming it.
    """
    known = outcome[contact] != UNKNOWN
    blank = len(labels) - 1
    filled = len(labels)  # one more code: "filled in" (any value but blank)
    n_codes = len(labels) + 1
    as_filled = np.where(codes != blank, filled, blank)
    pairs = np.concatenate([contact[known] * n_codes + codes[known],
                            contact[known] * n_codes + as_filled[known]])  # fmt: skip
    pairs = np.unique(pairs)
    value, who = pairs % n_codes, outcome[pairs // n_codes]
    total = np.bincount(outcome[outcome != UNKNOWN], minlength=2).astype(float)
    tests: list[tuple[float, int, int, int]] = []
    for cls in (0, 1):
        if total[cls] == 0 or total[cls] / total.sum() > MAX_CLASS_SHARE:
            continue
        hits = np.bincount(value[who == cls], minlength=n_codes).astype(float)
        other = np.bincount(value[who != cls], minlength=n_codes)
        only = np.flatnonzero((hits > 0) & (other == 0))
        log_p = _log_choose(total[cls], hits[only]) - _log_choose(total.sum(), hits[only])
        tests += [(float(lp), int(c), cls, int(hits[c])) for lp, c in zip(log_p, only, strict=True)]
    m = 2 * int(np.unique(value).size)
    out: dict[str, tuple[float, str]] = {"presence": (0.0, ""), "value": (0.0, "")}
    for kind in out:
        mine = [t for t in tests if (t[1] in (blank, filled)) == (kind == "presence")]
        if not mine:
            continue
        log_p, code, cls, count = min(mine)
        score = max(0.0, -(log_p + np.log(m)) / np.log(10))
        if score > 0:
            word = "converted" if cls == 1 else "not converted"
            name = "filled in at all" if code == filled else f"'{labels[code][:40]}'"
            out[kind] = (score, (
                f"{name} only on {word} contacts ({count:,} of them, none of the other outcome; "
                f"exact test: chance {np.exp(log_p) * m:.1g} over {m} tests)"
            ))  # fmt: skip
    return out
