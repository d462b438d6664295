"""Random-draw helpers and time units shared by the sample generator's modules."""

from __future__ import annotations

import numpy as np

DAY = 86_400  # seconds
OPEN = np.iinfo(np.int64).max  # close offset and close time of contacts that never close


def shares(weights: tuple[float, ...]) -> np.ndarray:
    """Return ``weights`` normalised to probabilities that sum to 1."""
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Return the logistic function of ``x``."""
    return 1.0 / (1.0 + np.exp(-x))


def uniform(rng: np.random.Generator, bounds: float | tuple[float, float], size: int) -> np.ndarray:
    """Draw ``size`` values uniformly from ``bounds = (low, high)``."""
    low, high = bounds  # type: ignore[misc]
    return rng.uniform(low, high, size)
