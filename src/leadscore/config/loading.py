"""Reading a TOML config file into ``Config``, with one plain clause per problem.

pydantic's own errors are translated: an unknown key says it is not allowed (and which
section takes it when another does), a wrong type names the key, the expected type and the
value, a removed key asks to delete the line.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from leadscore.config.models import Config
from leadscore.errors import ConfigError


def load_config(path: str | Path | None) -> Config:
    """Read a TOML config; ``None`` gives the defaults.

    Raises:
        ConfigError: the file is missing or not valid TOML, or it has unknown sections or keys,
            removed keys, values of the wrong type or out of range, or settings that
            contradict each other; one clause per problem, all on one line.
    """
    if path is None:
        return Config()
    source = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("config file not found", file=source) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", file=source) from None
    problems = [_unknown(("source",), raw.pop("source"))] if "source" in raw else []
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as exc:
        problems += [_describe(err) for err in exc.errors(include_url=False)]
    if len(problems) == 1:
        raise ConfigError(problems[0], file=source)
    if problems:
        numbered = " ".join(f"({i}) {text};" for i, text in enumerate(problems, start=1))
        raise ConfigError(f"{len(problems)} problems: {numbered.rstrip(';')}", file=source)
    cfg.source = source
    return cfg


# --- turning pydantic's errors into one plain clause each ------------------------------------

_REMOVED = {
    ("roles", "budget"): "no derived feature used it; a budget column is still a feature",
    ("activities", "detail"): "no feature used it",
}
_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "string": "text (in quotes)",
    "bool": "true or false",
    "list": "a list ([...])",
    "dict": "a table",
    "model": "a table",
}
_RANGES = {
    "greater_than": "greater than {gt}",
    "greater_than_equal": "at least {ge}",
    "less_than": "less than {lt}",
    "less_than_equal": "at most {le}",
}


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The section model in ``X``, ``X | None`` or ``list[X]``, if any."""
    for tp in (annotation, *get_args(annotation)):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
    return None


_SECTIONS: dict[str, type[BaseModel]] = {
    name: model
    for name, info in Config.model_fields.items()
    if (model := _model_of(info.annotation)) is not None
}


def _where(loc: tuple[Any, ...]) -> str:
    """``[training] horizon_days``, ``[[joins]] entry 2 file``, ``[features] windows_days (item 3)``."""
    head, *rest = loc
    text = _title(head)
    if head == "joins" and rest:
        text += f" entry {rest.pop(0) + 1}"
    for part in rest:
        text += f" (item {part + 1})" if isinstance(part, int) else f" {part}"
    return text


def _shown(value: Any) -> str:
    """A value as the user wrote it in TOML, shortened."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    text = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    return f"text {text}" if isinstance(value, str) else text


def _describe(err: Any) -> str:
    """One plain clause for one pydantic error: where, what is expected, what was given."""
    loc, kind, ctx = tuple(err["loc"]), err["type"], err.get("ctx") or {}
    value = err.get("input")
    if kind == "extra_forbidden":
        return _unknown(loc, value)
    where = _where(loc)
    if kind == "value_error":
        return f"{where} {ctx.get('error', err['msg'])}"
    if kind == "enum":  # pydantic lists the values as "'a', 'b' or 'c'"
        allowed = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"{where} must be one of: {allowed}; got {value!r}"
    if kind in _RANGES:
        return f"{where} must be {_bounds(loc, kind, ctx)}, got {_shown(value)}"
    if kind == "finite_number":
        return f"{where} must be a finite number, got {_shown(value)}"
    if loc == ("joins",) and kind == "list_type":
        return "joins must be written as [[joins]] tables"
    expected = _EXPECTED.get(kind.removesuffix("_type"))
    if expected:
        return f"{where} must be {expected}, got {_shown(value)}"
    return f"{where}: {err['msg']}"


def _bounds(loc: tuple[Any, ...], kind: str, ctx: dict[str, Any]) -> str:
    """``between 0.05 and 0.5`` when the key has both bounds, else the broken one."""
    section = _SECTIONS.get(loc[0])
    info = section.model_fields.get(loc[1]) if section and len(loc) > 1 else None
    limits = {
        name: getattr(m, name)
        for m in (info.metadata if info else [])
        for name in ("ge", "le")
        if hasattr(m, name)
    }
    if "ge" in limits and "le" in limits:
        return f"between {limits['ge']} and {limits['le']}"
    return _RANGES[kind].format(**ctx)


def _unknown(loc: tuple[Any, ...], value: Any) -> str:
    """An unknown key or section: not allowed, and where it belongs when we know."""
    *parent, last = (str(p) if not isinstance(p, int) else p for p in loc)
    key = str(last)
    if not parent:
        homes = _homes(key)
        if homes and not isinstance(value, dict):
            return f"key '{key}' outside any section — not allowed here; it belongs in {homes}"
        known = ", ".join(_title(s) for s in _SECTIONS)
        return f"unknown section [{key}] — not allowed; known sections: {known}"
    section = str(parent[0])
    known = ", ".join(_SECTIONS[section].model_fields)
    if (section, key) in _REMOVED:
        why = _REMOVED[(section, key)]
        return f"[{section}] key '{key}' was removed ({why}) — delete it; known keys: {known}"
    where = _where(tuple(parent))
    if key in _SECTIONS:
        return f"{where} unknown key '{key}' — not allowed here; [{key}] is a section of its own"
    homes = _homes(key, besides=section)
    if homes:
        return f"{where} unknown key '{key}' — not allowed here; it belongs in {homes}"
    return f"{where} unknown key '{key}' — not allowed; known keys: {known}"


def _title(section: str) -> str:
    return "[[joins]]" if section == "joins" else f"[{section}]"


def _homes(key: str, besides: str = "") -> str:
    """The other sections that take ``key``: ``[tiers] or [scorecard]`` ('' if none)."""
    homes = [s for s, m in _SECTIONS.items() if s != besides and key in m.model_fields]
    return " or ".join(_title(s) for s in homes)
