"""Joining lookup tables (accounts, products, teams…) onto the main table, by config.

Each ``[[joins]]`` entry names a file, the main table's column ``on`` and the lookup table's
column ``key``. The lookup must have one row per key (many-to-one); a duplicated key is an
error naming the file, column and row. Main rows whose key has no match keep missing values
in the joined columns (missingness is a signal) and are counted in a note, never dropped.
Joined columns keep their names, or get ``prefix`` in front; a name that would clash with a
main column is an error that suggests a prefix. Keys match as ids do: exact text
(``data.contract.canonical_ids``), so ``007`` never matches ``7``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from leadscore.config import JoinConfig
from leadscore.data.contract import canonical_ids, check_ids, require_columns
from leadscore.errors import ConfigError
from leadscore.io.tables import read_table


def join_tables(
    frame: pd.DataFrame,
    joins: list[JoinConfig],
    base_dir: str | Path,
    *,
    main_path: str,
    missing_values: list[str],
) -> tuple[pd.DataFrame, list[str]]:
    """The main ``frame`` with every configured lookup table joined on; plus notes."""
    notes: list[str] = []
    out = frame
    for join in joins:
        path = Path(join.file)
        if not path.is_absolute():
            path = Path(base_dir) / path
        lookup = read_table(path, missing_values=missing_values, text=(join.key,))
        require_columns(out, [join.on], main_path)
        require_columns(lookup, [join.key], path)
        lookup = lookup[lookup[join.key].notna()]
        check_ids(lookup, join.key, path)
        wanted = join.columns or [c for c in lookup.columns if c != join.key]
        require_columns(lookup, wanted, path)
        renamed = {c: f"{join.prefix}{c}" for c in wanted}
        clash = sorted(set(renamed.values()) & set(out.columns))
        if clash:
            raise ConfigError(
                f"joining {path.name} would overwrite column(s) {', '.join(clash)}: "
                "set a prefix in its [[joins]] entry",
            )
        right = lookup[wanted].rename(columns=renamed)
        right.index = canonical_ids(lookup[join.key]).to_numpy()
        keys = canonical_ids(out[join.on])
        matched = keys.isin(set(right.index)).to_numpy()
        joined = right.reindex(keys.to_numpy())
        joined.index = out.index
        out = pd.concat([out, joined], axis=1)
        missing = int((~matched).sum())
        if missing:
            notes.append(
                f"{path}: {missing:,} of {len(out):,} rows of {Path(main_path).name} have no "
                f"match on {join.on!r}; their joined columns are missing"
            )
    return out, notes
