"""The package's shape: imports run one way, from the top of the data flow down, and never in a circle.

The layers, lowest first (a module may import its own layer's foundations and any layer below it):

0. foundations: ``errors``, ``frames`` (the frames passed between stages), ``periods``, ``figures``
   (how numbers are written), ``settings``, ``csvsafe``; the bundled ``sample`` generator stands apart
   and imports none of the others;
1. ``ingest``: raw exports to contract frames;
2. ``analyse``: leaks, leak groups, cost;
3. ``store``: the retro store;
4. ``history``: trends, persistence, fix verdicts over the store;
5. ``present``: words, charts, widget, report;
6. ``pipeline``, then ``runner``, then ``cli`` on top.

Imports inside functions count: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "toolkit"

LAYERS = {
    "errors": 0,
    "frames": 0,
    "periods": 0,
    "settings": 0,
    "csvsafe": 0,
    "figures": 0,
    "sample": 0,
    "ingest": 1,
    "analyse": 2,
    "store": 3,
    "history": 4,
    "present": 5,
    "pipeline": 6,
    "runner": 7,
    "cli": 8,
}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The toolkit modules ``name`` imports (a name imported from a package counts as its submodule)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: climb node.level - 1 packages from this one
                kept = package[: len(package) - node.level + 1]
                target = ".".join(kept + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in MODULES else target)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return {m for m in out if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_top_level_name_has_a_layer():
    tops = {_top(m) for m in MODULES} - {None}
    assert tops <= set(LAYERS), f"put {sorted(tops - set(LAYERS))} in a layer (tests/test_architecture.py)"


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for name, targets in GRAPH.items():
        top = _top(name)
        if top is None:
            continue
        for target in targets:
            other = _top(target)
            if other is not None and LAYERS[other] > LAYERS[top]:
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_the_sample_generator_stands_apart():
    assert [t for n, ts in GRAPH.items() if _top(n) == "sample" for t in ts if _top(t) != "sample"] == []


def test_no_import_cycle():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize("name", ["calendar", "html", "json", "csv", "io", "types", "string", "email"])
def test_no_module_shadows_the_standard_library(name):
    assert not [p for p in PACKAGE.rglob(f"{name}.py")], f"a module named {name}.py shadows the stdlib"
