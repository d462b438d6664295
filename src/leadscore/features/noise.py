"""Out-of-fold signal of category columns and of missing values, measured when the features
are fitted (``ContactFeatures.fit`` with the outcome).

Two uses, one measure:

- **noise control**: a category column whose levels carry no out-of-fold signal is pooled
  into one level, so the model cannot fit noise with it (two random 200-level columns added to
  the sample CRM got importance 0.29 and 0.20 and cost 0.011 AUC); the decision is reported.
- **missing values as reasons**: per column, whether "left blank" itself predicts the outcome,
  so a reason names a missing value only when it does (``model.reasons``).

The measure: every row is encoded by its level's conversion rate learned on the other folds
(5 folds, grouped by contact, so a contact's snapshots never inform each other), shrunk to the
prior with ``SMOOTHING`` rows' weight; ``gain`` is the mean log-loss improvement over the other
folds' base rate, per row, and ``z`` that gain over its standard error, taken over contacts.

- A category column is kept when its gain beats what the same levels dealt to contacts at
  random reach (``permutation_p``, 39 shuffles; kept when at most one shuffle does as well,
  ``chance <= 0.05``). A permutation, not a z cut-off: on small exports the gain of random
  levels is heavy-tailed (a random 200-level column reached z +2.6 on a 2,000-contact sample
  CRM). Measured on the default sample CRM: industry and lead source beat every shuffle,
  two random 200-level columns did not (chance 0.65 and 0.50), nor did country (0.20; it plays
  no part in the sample's generating rules). With fewer than ``MIN_CONVERTED`` converted
  contacts nothing is pooled: on 2,000-contact sample CRMs (about 80 converted) the real
  industry effect was no better than shuffles (chance 0.80 and 0.10), so the test would drop
  real signal there.
- Blanks of a column predict the outcome when ``z >= MIN_Z_MISSING`` (two levels, large
  groups: the normal reading holds).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FOLDS = 5
SMOOTHING = 20.0
PERMUTATIONS = 39
MAX_CHANCE = 0.05  # a category pooled when random levels do as well this often or more
MIN_CONVERTED = 200  # below this many converted contacts the test cannot tell; nothing pooled
MAX_ROWS = 200_000  # fit rows of more contacts than this: the test reads a random part of them
MIN_Z_MISSING = 2.0  # missingness named in reasons only from here: clearly predictive
POOLED = "(pooled)"
SIGNAL_COLUMNS = ["column", "what", "levels", "gain", "z", "chance", "verdict"]


def blank(values: pd.Series) -> np.ndarray:
    """True where a raw value is missing or blank text."""
    out = values.isna().to_numpy(dtype=bool).copy()
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        out |= values.astype("string").str.strip().fillna("").eq("").to_numpy(dtype=bool)
    return out


def groups_of(X: pd.DataFrame) -> np.ndarray:
    """Contact index per row (each row its own contact without ``contact_id``): the rank of
    its id among the sorted distinct ids, as ``np.unique(..., return_inverse=True)`` numbers
    them, found by hashing (a million ids: a sort of the distinct ids, not of every row)."""
    if "contact_id" not in X:
        return np.arange(len(X))
    ids = X["contact_id"].astype(str)
    if ids.isna().any():  # np.unique's own (slow) path and errors for missing ids
        return np.unique(ids.to_numpy(), return_inverse=True)[1]
    return pd.factorize(ids, sort=True)[0].astype(np.intp, copy=False)


def oof_gain(
    codes: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int = 0
) -> tuple[float, float]:
    """(mean out-of-fold log-loss gain per row, its z) of encoding rows by their level
    (``y``: 0 or 1). A row's gain depends only on its fold, level and outcome, so it is read
    from ``_gain_table`` rather than computed row by row."""
    y = np.asarray(y, dtype=float)
    if not len(y):
        return 0.0, 0.0
    n_levels = int(codes.max()) + 1
    folds = _fold_of(groups, seed)
    table = _gain_table(*_counts(codes, y, folds, n_levels), len(y))
    gain = table[folds, codes, y.astype(np.intp)]
    mean = float(gain.mean())
    per_contact = np.bincount(groups, weights=gain - mean)
    se = float(np.sqrt((per_contact**2).sum())) / len(gain)
    return mean, (mean / se if se > 0 else 0.0)


def _fold_of(groups: np.ndarray, seed: int) -> np.ndarray:
    """The fold of each row: drawn per contact, so a contact's rows share one (``oof_gain``)."""
    return np.random.default_rng(seed).integers(0, FOLDS, int(groups.max()) + 1)[groups]


def _counts(codes: np.ndarray, y: np.ndarray, folds: np.ndarray,
            n_levels: int) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Rows and conversions per fold and level (``FOLDS`` × ``n_levels``)."""
    cell = folds * n_levels + codes
    rows = np.bincount(cell, minlength=FOLDS * n_levels).reshape(FOLDS, n_levels)
    hits = np.bincount(cell, weights=y, minlength=FOLDS * n_levels).reshape(FOLDS, n_levels)
    return rows, hits


def _gain_table(rows: np.ndarray, hits: np.ndarray, n: int) -> np.ndarray:
    """The log-loss gain of a held-out row by fold, level and outcome (``FOLDS`` × levels ×
    2): its level's conversion rate learned on the other folds, shrunk to their rate with
    ``SMOOTHING`` rows' weight, against that rate alone; 0 in a fold with no rows or all."""
    table = np.zeros((FOLDS, rows.shape[1], 2))
    for k in range(FOLDS):
        held = int(rows[k].sum())
        if held == 0 or held == n:
            continue
        seen, won = rows.sum(axis=0) - rows[k], hits.sum(axis=0) - hits[k]
        prior = float(np.clip(won.sum() / seen.sum(), 1e-6, 1 - 1e-6))
        rate = np.clip((won + SMOOTHING * prior) / (seen + SMOOTHING), 1e-6, 1 - 1e-6)
        for t in (0.0, 1.0):
            table[k, :, int(t)] = t * np.log(rate / prior) + (1 - t) * np.log(
                (1 - rate) / (1 - prior)
            )
    return table


def _mean_gain(codes: np.ndarray, y: np.ndarray, folds: np.ndarray, n_levels: int) -> float:
    """``oof_gain``'s mean from counts per fold and level, one log per level (the shuffles
    need only the mean; the same value up to the order of the sums)."""
    rows, hits = _counts(codes, y, folds, n_levels)
    table = _gain_table(rows, hits, len(y))
    return float((hits * table[..., 1] + (rows - hits) * table[..., 0]).sum()) / len(y)


def permutation_p(codes: np.ndarray, y: np.ndarray, groups: np.ndarray, seed: int = 0) -> float:
    """How often levels dealt to contacts at random do as well as the real ones: the share of
    ``PERMUTATIONS`` shuffles (of each contact's level across contacts) whose out-of-fold gain
    reaches the real levels' gain, counting the real one (so at least
    ``1 / (PERMUTATIONS + 1)``). Real and shuffled gains are both taken by ``_mean_gain`` on
    the same folds, so a shuffle that deals the same levels ties exactly."""
    y = np.asarray(y, dtype=float)
    first = np.full(int(groups.max()) + 1, -1, dtype=np.int64)
    first[groups[::-1]] = codes[::-1]  # each contact's first level
    folds, n_levels = _fold_of(groups, seed), int(codes.max()) + 1
    gain = _mean_gain(codes, y, folds, n_levels)
    rng = np.random.default_rng(seed)
    hits = sum(
        _mean_gain(rng.permutation(first)[groups], y, folds, n_levels) >= gain
        for _ in range(PERMUTATIONS)
    )
    return (1 + hits) / (1 + PERMUTATIONS)


def category_signal(
    categories: dict[str, pd.Series], y: np.ndarray, groups: np.ndarray
) -> pd.DataFrame:
    """Per category column (its fitted levels per row): gain, z and whether it is pooled
    (``groups``: each row's contact, ``groups_of``)."""
    y = np.asarray(y, dtype=float)
    if len(y) > MAX_ROWS:  # the rows of a random part of the contacts: the test's cost is bounded
        keep = np.random.default_rng(0).random(int(groups.max()) + 1) < MAX_ROWS / len(y)
        rows = keep[groups]
        y, groups = y[rows], np.unique(groups[rows], return_inverse=True)[1]
        categories = {n: v[rows] for n, v in categories.items()}
    converted = np.zeros(int(groups.max()) + 1 if len(groups) else 0)
    np.maximum.at(converted, groups, np.asarray(y, dtype=float))
    judged = converted.sum() >= MIN_CONVERTED
    records = []
    for name, values in categories.items():
        codes = pd.factorize(values.astype(object), use_na_sentinel=False)[0]
        gain, z = oof_gain(codes, y, groups)
        chance = permutation_p(codes, y, groups) if judged else np.nan
        verdict = "pooled: no out-of-fold signal" if chance > MAX_CHANCE else "kept"
        if not judged:
            verdict = f"kept: fewer than {MIN_CONVERTED} converted contacts to judge"
        records.append({"column": name, "what": "categories", "levels": int(codes.max()) + 1,
                        "gain": gain, "z": z, "chance": chance, "verdict": verdict})  # fmt: skip
    return pd.DataFrame(records, columns=SIGNAL_COLUMNS)


def missing_signal(
    missing: dict[str, np.ndarray], y: np.ndarray, groups: np.ndarray
) -> pd.DataFrame:
    """Per column with some blanks: does "left blank" predict the outcome, and which way
    (``groups``: each row's contact, ``groups_of``)."""
    y = np.asarray(y, dtype=float)
    records = []
    for name, blank in missing.items():
        share = float(blank.mean()) if len(blank) else 0.0
        if not 0.005 < share < 0.995:
            continue
        gain, z = oof_gain(blank.astype(np.int64), y, groups)
        lower = y[blank].mean() < y[~blank].mean()
        verdict = "not predictive"
        if z >= MIN_Z_MISSING:
            verdict = "blank converts less" if lower else "blank converts more"
        records.append({"column": name, "what": f"missing ({share:.0%} of rows)", "levels": 2,
                        "gain": gain, "z": z, "chance": np.nan, "verdict": verdict})  # fmt: skip
    return pd.DataFrame(records, columns=SIGNAL_COLUMNS)


def pooled_columns(signal: pd.DataFrame | None) -> list[str]:
    """The category columns the signal test pooled."""
    if signal is None or signal.empty:
        return []
    mask = (signal["what"] == "categories") & signal["verdict"].str.startswith("pooled")
    return signal.loc[mask, "column"].tolist()


def missing_verdicts(signal: pd.DataFrame | None) -> dict[str, str]:
    """Column → what its blanks say ("blank converts less", "... more", "not predictive")."""
    if signal is None or signal.empty:
        return {}
    rows = signal[signal["what"].str.startswith("missing")]
    return dict(zip(rows["column"], rows["verdict"], strict=True))


def describe(signal: pd.DataFrame | None) -> list[str]:
    """One line per pooled column, for the run's output and the report."""
    if signal is None or signal.empty:
        return []
    pooled = signal[
        signal["column"].isin(pooled_columns(signal)) & (signal["what"] == "categories")
    ]
    return [
        f"{r.column}: pooled into one level, no out-of-fold signal ({r.levels} levels, "
        f"log-loss gain {r.gain:+.5f} per row; random levels did as well in {r.chance:.0%} "
        f"of {PERMUTATIONS} shuffles)"
        for r in pooled.itertuples()
    ]
