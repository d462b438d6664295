"""The package's shape: layers that import downwards only, no cycles, modules one can read.

These read the source as text (``ast``), so they hold for every import, including the ones
made inside functions to keep start-up fast.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "leadscore"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# the pure core never reaches up into the shell (files, MLflow, terminal) or the jobs
CORE = ("leadscore.features", "leadscore.model", "leadscore.scorecard", "leadscore.scoring.core")
SHELL = ("leadscore.jobs", "leadscore.api", "leadscore.cli", "leadscore.tracking", "leadscore.io",
         "leadscore.data.crm")  # fmt: skip
CLI_MAY_IMPORT = ("leadscore.api", "leadscore.cli", "leadscore.paths", "leadscore.choices",
                  "leadscore.errors", "leadscore.threads")  # fmt: skip


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """The leadscore modules ``name`` imports, anywhere in its source."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # "from leadscore.x import y": y may be a module
                full = f"{node.module}.{alias.name}"
                found.add(full if full in MODULES else node.module)
    return {m for m in found if m in MODULES and m != name and m != "leadscore"}


GRAPH = {name: _imports(name) for name in MODULES}


def _cycle_from(start: str) -> list[str] | None:
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in GRAPH[node]:
            if nxt == start:
                return [*path, start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*path, nxt]))
    return None


def test_no_import_cycles() -> None:
    cycles = [c for name in sorted(GRAPH) if (c := _cycle_from(name))]
    assert not cycles, "import cycle: " + " -> ".join(cycles[0])


@pytest.mark.parametrize("layer", CORE)
def test_the_core_never_imports_the_shell(layer: str) -> None:
    inside = [m for m in MODULES if m == layer or m.startswith(layer + ".")]
    bad = {m: sorted(i for i in GRAPH[m] if i.startswith(SHELL)) for m in inside}
    assert not {m: i for m, i in bad.items() if i}


def test_commands_only_parse_call_the_api_and_render() -> None:
    commands = [m for m in MODULES if m.startswith("leadscore.cli")]
    bad = {m: sorted(i for i in GRAPH[m] if not i.startswith(CLI_MAY_IMPORT)) for m in commands}
    assert not {m: i for m, i in bad.items() if i}


def test_modules_and_functions_fit_in_one_reading() -> None:
    long_modules, long_functions = [], []
    for name, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        if len(source.splitlines()) > MAX_MODULE_LINES:
            long_modules.append(name)
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                body = node.body
                first = body[0]
                docstring = isinstance(first, ast.Expr) and isinstance(
                    getattr(first, "value", None), ast.Constant
                )
                start = body[1].lineno if docstring and len(body) > 1 else first.lineno
                if (node.end_lineno or 0) - start + 1 > MAX_FUNCTION_LINES:
                    long_functions.append(f"{name}.{node.name}")
    assert not long_modules, f"modules over {MAX_MODULE_LINES} lines: {long_modules}"
    assert not long_functions, f"functions over {MAX_FUNCTION_LINES} lines: {long_functions}"


def test_the_package_exposes_exactly_the_api() -> None:
    import leadscore
    import leadscore.api

    assert sorted(leadscore._API) == sorted(leadscore.api.__all__)
    assert all(callable(getattr(leadscore, name)) for name in leadscore._API)
