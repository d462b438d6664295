"""The activity log in canonical form: validated rows, types as compared, unknown contacts.

``data.crm.load_activities`` reads a log whole; the streaming and Spark engines call
``activities_frame`` on each batch, so a row is validated the same way by every path.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.config import Config
from leadscore.data.contract import canonical_ids, parse_dates, require_columns
from leadscore.data.outcomes import export_end, stated_end
from leadscore.data.reading import Reading
from leadscore.errors import InputError
from leadscore.features.activity import id_positions
from leadscore.io.tables import row_number

ID, OCCURRED, TYPE = "contact_id", "occurred_at", "activity_type"


def known_ids(ids: pd.Series, known: pd.Series) -> np.ndarray:
    """Which of ``ids`` are among ``known`` (canonical ids, text): Arrow's hash lookup
    (``features.activity.id_positions``), 6x faster than pandas' ``isin`` on 10 M activities."""
    return id_positions(ids, known) >= 0


def late_activities(acts: pd.DataFrame, contacts: pd.DataFrame, cfg: Config, name: str
                     ) -> list[str]:  # fmt: skip
    """A note on activities dated after the day of the latest contact date."""
    end = None if cfg.contacts.exported_at else export_end(contacts, cfg)
    if end is None or not len(acts):
        return []
    late = acts[OCCURRED] >= end.normalize() + pd.Timedelta(days=1)
    if not late.any():
        return []
    return [
        f"{name}: {int(late.sum()):,} of {len(acts):,} activities are dated after the "
        f"export's end (the latest contact date, {end:%Y-%m-%d}), the latest "
        f"{acts[OCCURRED].max():%Y-%m-%d}: check the log's dates, or state the export's "
        "end with [contacts] exported_at (later activities are then left out)"
    ]


def activity_types(values: pd.Series) -> pd.Series:
    """Activity types as compared everywhere: stripped and case-folded text (missing stays
    missing). Done once per distinct type and mapped back by code: a log has a handful of
    types and millions of rows (per row, the Python strings of 10 M rows took 1.9 GB)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    folded = pd.Index(uniques).astype(str).str.strip().str.casefold()
    return by_code(codes, folded.to_numpy(dtype=object), values.index)


def by_code(codes: np.ndarray, texts: np.ndarray, index: pd.Index) -> pd.Series:
    """The text series ``texts[codes]`` (missing where a code is -1), built by Arrow from the
    codes: no Python object per row (10 M rows of an object array took 1 s and 80 MB more)."""
    import pyarrow as pa

    text = pa.large_string()
    taken = pa.array(texts, type=text).take(pa.array(codes, mask=codes < 0))
    as_str = {text: pd.StringDtype(na_value=np.nan)}.get
    return pd.Series(taken.to_pandas(types_mapper=as_str).array, index=index, copy=False)


def activities_frame(
    frame: pd.DataFrame, cfg: Config, path: str, reading: Reading | None = None
) -> pd.DataFrame:
    """Validate an activity table already read (whole or one batch); canonical columns.

    ``reading`` carries the date format decided for the table (pass the same one for every
    batch). Activities after ``[contacts] exported_at`` are left out and counted in it.
    """
    reading = reading if reading is not None else Reading.of(cfg, "activities")
    a = cfg.activities
    require_columns(frame, [a.contact_id, a.occurred_at, a.activity_type], path)
    out = pd.DataFrame(
        {
            ID: canonical_ids(frame[a.contact_id]),
            OCCURRED: parse_dates(frame, a.occurred_at, path, required=True, reading=reading),
            TYPE: activity_types(frame[a.activity_type]),
        },
        copy=False,  # the columns are new: no second copy of 10 M rows
    )
    empty_type = out[TYPE].isna() | (out[TYPE] == "")
    if empty_type.any():
        pos = int(np.flatnonzero(empty_type.to_numpy())[0])
        raise InputError(
            "activity type is empty",
            file=path,
            column=a.activity_type,
            row=row_number(int(frame.index[pos]), path),
        )
    end = stated_end(cfg)
    if end is not None:
        late = (out[OCCURRED] > end).to_numpy()
        what = f"activities after the export's end ({cfg.contacts.exported_at}), left out"
        reading.count(what, late, frame[a.occurred_at], path)
        out = out[~late]
    return out
