"""Vectorised pyarrow helpers that turn the generator's integer codes into frame columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def str_series(values: pa.Array) -> pd.Series:
    """Wrap an arrow string array as a pandas ``str`` series (NaN where null)."""
    return pd.Series(values, dtype="str")


def take(
    vocab: tuple[str, ...] | list[str], codes: np.ndarray, missing: np.ndarray | None = None
) -> pa.Array:
    """Look ``codes`` up in ``vocab``; rows where ``missing`` is true become null."""
    indices = pa.array(codes, mask=missing) if missing is not None else pa.array(codes)
    return pa.array(vocab, type=pa.string()).take(indices)


def lpad(values: np.ndarray, width: int) -> pa.Array:
    """Format integers as strings left-padded with zeros to ``width``."""
    return pc.utf8_lpad(pc.cast(pa.array(values), pa.string()), width, padding="0")


def join(*parts: object) -> pa.Array:
    """Concatenate string arrays and scalars element-wise."""
    return pc.binary_join_element_wise(*parts, "")


def seconds_to_datetime(seconds: np.ndarray) -> np.ndarray:
    """Convert int64 seconds since the epoch to ``datetime64[us]``."""
    return seconds.astype("datetime64[s]").astype("datetime64[us]")
