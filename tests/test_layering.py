"""The seam stays clean and the backend stays layered (docs/ARCHITECTURE.md).

- backend never imports Textual or the TUI; tui never does ptrace;
- inside the backend, a module imports only its own layer or lower ones (annotations
  under TYPE_CHECKING included), and no import cycle exists, counting imports inside
  functions. Imports made only for annotations (under TYPE_CHECKING) never run, so two
  modules may name each other's types without forming a cycle.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKEND = ROOT / "backend"

# Lowest first. A module may import modules of its own layer and of layers below.
LAYERS: list[tuple[str, ...]] = [
    ("errors", "numbers", "thread_ids", "events", "bus"),
    ("process",),
    ("symbols",),
    ("disasm",),
    ("program",),
    ("inspect",),
    ("breaks",),
    ("exec",),
    ("debugger", "worker"),
    ("api",),
    ("commands",),
    ("session",),
    ("batch",),
]
RANK = {name: i for i, names in enumerate(LAYERS) for name in names}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    mods = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    rel = {f"tdbg.{path.parent.name}.{n.module}" for n in ast.walk(tree)
           if isinstance(n, ast.ImportFrom) and n.level and n.module}
    return {m.split(".")[0] for m in mods} | {m for m in mods if m.startswith("tdbg.")} | rel


def test_backend_never_imports_textual_or_tui():
    for path in BACKEND.rglob("*.py"):
        mods = _imports(path)
        assert not mods & {"textual", "rich"}, path
        assert not any(m.startswith("tdbg.tui") for m in mods), path


def test_tui_never_touches_ptrace():
    for path in (ROOT / "tui").rglob("*.py"):
        mods = _imports(path)
        assert "ctypes" not in mods, path
        assert not any(m.endswith(("ptrace", "inferior", "control")) for m in mods), path


# ---- the backend's own import graph ----------------------------------------------------------
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(BACKEND).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(["backend", *parts])


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:`."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
                continue
            todo.append(child)
    return out


def backend_graph(runtime_only: bool = False) -> dict[str, set[str]]:
    """module -> backend modules it imports anywhere in its text (functions included);
    runtime_only: leave out imports made for annotations only (under TYPE_CHECKING)."""
    modules = {_module_name(p): p for p in BACKEND.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps: set[str] = set()
        tree = ast.parse(path.read_text())
        for node in (_runtime_nodes(tree) if runtime_only else ast.walk(tree)):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = (node.module or "").replace("tdbg.backend", "backend")
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in modules:
                        deps.add(sub)
                    elif target in modules:
                        deps.add(target)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    target = alias.name.replace("tdbg.backend", "backend")
                    if target in modules:
                        deps.add(target)
        deps.discard(name)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    comp.append(top)
                    if top == node:
                        break
                if len(comp) > 1:
                    found.append(sorted(comp))
    return found


def _layer(module: str) -> int:
    top = module.split(".")[1]
    assert top in RANK, f"{module}: add its folder to LAYERS in tests/test_layering.py"
    return RANK[top]


def test_no_import_cycle_in_backend():
    assert cycles(backend_graph(runtime_only=True)) == []


def test_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_imports_inside_functions_count_and_annotation_imports_do_not():
    tree = ast.parse("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    import hidden\n"
                     "def f():\n    import inner\n")
    names = {a.name for n in _runtime_nodes(tree) if isinstance(n, ast.Import) for a in n.names}
    assert names == {"inner"}


def test_no_upward_import_between_layers():
    upward = [f"{mod} -> {dep}" for mod, deps in backend_graph().items() for dep in deps
              if _layer(dep) > _layer(mod)]
    assert upward == []


def test_every_backend_module_is_in_a_layer():
    for mod in backend_graph():
        if mod != "backend":
            _layer(mod)
