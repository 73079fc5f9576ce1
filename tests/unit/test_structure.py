"""The code's shape: no import cycle between the modules of tui/ and screens/ (imports inside
functions and under TYPE_CHECKING count: a cycle there is still two modules that cannot be
understood apart), no `_private` name imported from another module, and the wizard's app module
under 400 lines, as every module is."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import ROOT

APP_MAX_LINES = 400
MODULE_MAX_LINES = 400  # the guide: small files named for what they hold


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted([*(ROOT / "tui").rglob("*.py"), *(ROOT / "screens").rglob("*.py")]):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out[name.removesuffix(".__init__")] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> tuple[set[str], list[str]]:
    """The project modules `name` imports, and the private names it imports from others."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    edges: set[str] = set()
    private: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level \
                else []
            source = ".".join([*base, node.module] if node.module else base)
            for alias in node.names:
                target = f"{source}.{alias.name}"
                target = target if target in modules else source if source in modules else ""
                if target and target != name:
                    edges.add(target)
                if (alias.name.startswith("_") and not alias.name.startswith("__")
                        and source in modules and source != name):
                    private.append(f"{name} imports {source}.{alias.name}")
        elif isinstance(node, ast.Import):
            edges |= {a.name for a in node.names if a.name in modules and a.name != name}
    return edges, private


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_and_no_private_names_across_modules():
    modules = _modules()
    edges: dict[str, set[str]] = {}
    private: list[str] = []
    for name, path in modules.items():
        edges[name], mine = _imports(name, path, modules)
        private += mine
    assert _cycles(edges) == []
    assert private == []


def test_the_cycle_finder_finds_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_app_module_stays_small():
    lines = len((ROOT / "tui" / "app.py").read_text(encoding="utf-8").splitlines())
    assert lines < APP_MAX_LINES, f"tui/app.py has {lines} lines: move a job out (tui/wizard/)"


def test_every_module_stays_small():
    long = {str(p.relative_to(ROOT)): n for p in _modules().values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_MAX_LINES}
    assert long == {}, f"over {MODULE_MAX_LINES} lines: split by what each part holds"
