"""Drafting a config from an export: ``leadscore init-config DATA [-a ACTIVITIES]``.

The draft is meant to train as it is: the id, the outcome column and its won / lost / open
values, the created and close dates, the personal columns (never features), the roles and,
with an activity log, its contact id, time and type columns are all mapped. What the draft
is sure of carries its reason; every other line is marked ``EDIT`` with the reason, and so is
every column whose header says it is filled at or after the close (closing, won, lost, stage,
status, close date): drafted into ``ignore`` as a likely leak, for the user to decide. The
guesses are made in ``initguess`` from the values (headers only choose among columns whose
values fit); personal data is recognised by ``features.personal``.
"""

from __future__ import annotations

import json

import pandas as pd

from leadscore.config import DEFAULT_MISSING_VALUES
from leadscore.data import initguess as g
from leadscore.features import personal

_PLACEHOLDERS = ("Select", "select", "unknown", "Unknown", "N/A", "n/a", "none")
KINDS = ("id", "date", "numeric", "categorical", "text")


def _q(text: str) -> str:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return json.dumps(text, ensure_ascii=False)


def _qlist(items: list[str]) -> str:
    return "[" + ", ".join(_q(i) for i in items) + "]"


def _line(key: str, guess: g.Guess) -> str:
    mark = "" if guess.sure else "EDIT: "
    return f"{key} = {_q(guess.value)}  # {mark}{guess.why}"


def _is_date(values: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(values):
        return True
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    text = values.dropna().astype(str).str.strip().head(2000)
    if not len(text) or text.str.contains(r"\d[-/.]\d", regex=True).mean() < 0.95:
        return False
    return bool(pd.to_datetime(text, errors="coerce", format="mixed").notna().mean() >= 0.95)


def classify(frame: pd.DataFrame) -> dict[str, list[str]]:
    """Columns grouped by what their values look like: id, date, numeric, categorical, text."""
    kinds: dict[str, list[str]] = {k: [] for k in KINDS}
    n = len(frame)
    for name in frame.columns:
        values = frame[name]
        present = values.dropna()
        unique = present.astype(str).str.strip().nunique()
        integer_like = not pd.api.types.is_float_dtype(values)
        date = _is_date(values)
        if n > 50 and len(present) == n and unique == n and integer_like and not date:
            kinds["id"].append(name)
        elif date:
            kinds["date"].append(name)
        elif g.numeric_like(values):
            kinds["numeric" if unique > 2 else "categorical"].append(name)
        elif unique <= 50 or unique <= 0.05 * max(len(present), 1):
            kinds["categorical"].append(name)
        else:
            kinds["text"].append(name)
    return kinds


def _summary(frame: pd.DataFrame, source: str, kinds: dict[str, list[str]],
             targets: list[str], private: dict[str, str]) -> list[str]:  # fmt: skip
    """The comment block that opens a drafted config: what each column looks like."""

    def listing(key: str) -> str:
        return ", ".join(str(c) for c in kinds[key] if c not in private) or "(none)"

    shown_targets = "; ".join(
        f"{t} ({', '.join(map(str, frame[t].dropna().astype(str).unique()[:6]))})"
        for t in targets[:5]
    )
    return [
        f"# leadscore config drafted by `leadscore init-config` from {source}",
        f"# ({len(frame):,} rows, {frame.shape[1]} columns). Lines marked EDIT are guesses to",
        "# check; the others say why they were chosen. The keys are in docs/column-roles.md.",
        "#",
        "# What the values look like:",
        f"#   id-like (unique):  {listing('id')}",
        f"#   dates:             {listing('date')}",
        f"#   numeric:           {listing('numeric')}",
        f"#   categorical:       {listing('categorical')}",
        f"#   free text:         {listing('text')}",
        f"#   personal data:     {', '.join(private) or '(none)'}",
        f"#   target candidates: {shown_targets or '(none found)'}",
        "",
    ]


def _contacts_lines(frame: pd.DataFrame, kinds: dict[str, list[str]], targets: list[str],
                    ident: g.Guess) -> tuple[list[str], dict[str, g.Guess]]:  # fmt: skip
    """The ``[contacts]`` section, and the outcome and date guesses it made."""
    target = targets[0] if targets else ""
    won, lost, open_, worded = g.outcome_values(frame[target]) if target else ([], [], [], False)
    outcome = g.Guess(target, worded, "holds won and lost values" if worded else
                      "the column that says whether the lead converted")  # fmt: skip
    closed = frame[target].astype(str).str.strip().isin(won + lost) if target else None
    created, closed_at = g.guess_dates(
        frame, kinds["date"], closed if closed is not None else pd.Series(False, frame.index)
    )
    mark = "" if worded else "EDIT: "
    lines = [
        "[contacts]",
        _line("id", ident),
        _line("outcome", outcome),
        f"won = {_qlist(won)}  # {mark}values meaning converted",
        f"lost = {_qlist(lost)}  # {mark}values meaning not converted",
        f"open = {_qlist(open_)}  # {mark}the other values: still open (scored, never trained on)",
        _line("created_at", created),
        _line("closed_at", closed_at),
        '# order_by = ""  # EDIT: without dates, a column ordering rows in time ("@row" = file',
        "#                  order): the latest 20 % become the test set, else the split is random",
        "",
    ]
    return lines, {"outcome": outcome, "created_at": created, "closed_at": closed_at}


def _activities_lines(acts: pd.DataFrame, ids: pd.Series) -> list[str]:
    """The ``[activities]`` section: the log's contact id, time and type columns."""
    dates = [c for c in acts.columns if _is_date(acts[c])]
    found = g.guess_activities(acts, ids, dates)
    return ["[activities]", *(_line(k, v) for k, v in found.items()), ""]


def _features_lines(frame: pd.DataFrame, private: dict[str, str], leaks: list[str],
                    codes: list[str]) -> list[str]:  # fmt: skip
    """The ``[features]`` section: personal data, likely leaks, identifiers, missing values."""
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    placeholders = sorted(
        {p for p in _PLACEHOLDERS for c in text if (frame[c].astype(str) == p).any()}
    )
    missing = list(dict.fromkeys([*DEFAULT_MISSING_VALUES, *placeholders]))
    lines = ["[features]", "# Personal data, never a feature (recognised from the values):"]
    lines += [f"#   {c}: {why.removeprefix('personal data: ')}" for c, why in private.items()]
    lines.append(f"personal = {_qlist(list(private))}")
    if leaks:
        lines += [
            "# EDIT: likely leaks: their headers say they are filled at or after the close",
            "#   (closing, won, lost, stage, status). Left out below; delete one from ignore",
            f"#   only if it is known before the outcome: {', '.join(leaks)}",
        ]
    if codes:
        lines.append(f"# Identifiers (each value names one record): {', '.join(codes)}")
    lines += [
        f"ignore = {_qlist(leaks + codes)}",
        "categorical = []  # columns to force to categories (e.g. numeric codes)",
        "numeric = []",
        "# Placeholders that mean 'no answer' (missingness is a signal, kept as its own bucket)",
        f"missing_values = {_qlist(missing)}",
        "",
    ]
    return lines


def _never_features(frame: pd.DataFrame, kinds: dict[str, list[str]],
                    ident: str) -> tuple[dict[str, str], list[str]]:  # fmt: skip
    """Personal columns (with the reason) and identifier columns, besides the id itself."""
    private: dict[str, str] = {}
    codes: list[str] = []
    for col in frame.columns:
        hit = None if col == ident else personal.recognise(frame[col], str(col))
        if hit is not None and hit.personal:
            private[str(col)] = hit.reason()
        elif col != ident and (hit is not None or col in kinds["id"]):
            codes.append(str(col))
    return private, codes


def _roles_lines(frame: pd.DataFrame, kinds: dict[str, list[str]]) -> list[str]:
    roles = g.guess_roles(frame, kinds["numeric"])
    lines = ["[roles]  # columns that get derived features (size and revenue bands, title parts)"]
    for key, guess in roles.items():
        lines.append(_line(key, guess) if guess.value else f'{key} = ""  # none found')
    return [*lines, ""]


def draft_config(
    frame: pd.DataFrame,
    source: str,
    activities: pd.DataFrame | None = None,
    activities_source: str | None = None,
) -> str:
    """The commented TOML text of a config for ``frame`` (read from ``source``) and its
    activity log, meant to train without edits."""
    kinds = classify(frame)
    ident = g.guess_id(frame, kinds["date"])
    private, codes = _never_features(frame, kinds, ident.value)
    targets = g.target_candidates(frame, [*kinds["id"], *private, *codes])
    contacts, guesses = _contacts_lines(frame, kinds, targets, ident)
    roles = {ident.value, *(v.value for v in guesses.values())} - {""}
    leaks = [c for c in g.likely_leaks(list(frame.columns), roles) if c not in private]
    codes = [c for c in codes if c not in leaks and c not in roles]
    snapshots = activities is not None and all(
        guesses[k].value for k in ("created_at", "closed_at")
    )
    lines = [*_summary(frame, source, kinds, targets, private), *contacts]
    if activities is not None:
        ids = frame[ident.value] if ident.value else pd.Series(dtype=str)
        lines += [f"# activity log: {activities_source}", *_activities_lines(activities, ids)]
    lines += _features_lines(frame, private, leaks, codes)
    lines += _roles_lines(frame, kinds)
    lines += [
        "[training]",
        'examples = "snapshots"  # contacts + an activity log: point-in-time snapshots'
        if snapshots
        else 'examples = "flat"  # one row = one example; "snapshots" for contacts + an activity log'
        + ("" if activities is None else " (EDIT: needs created_at and closed_at)"),
        'evaluation = "holdout"  # "cv" adds stratified k-fold cross-validation',
        "",
    ]
    return "\n".join(lines) + "\n"
