"""The seam stays clean: backend never imports Textual or the TUI; tui never does ptrace."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    mods = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    mods |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    rel = {f"tdbg.{path.parent.name}.{n.module}" for n in ast.walk(tree)
           if isinstance(n, ast.ImportFrom) and n.level and n.module}
    return {m.split(".")[0] for m in mods} | {m for m in mods if m.startswith("tdbg.")} | rel


def test_backend_never_imports_textual_or_tui():
    for path in (ROOT / "backend").rglob("*.py"):
        mods = _imports(path)
        assert not mods & {"textual", "rich"}, path
        assert not any(m.startswith("tdbg.tui") for m in mods), path


def test_tui_never_touches_ptrace():
    for path in (ROOT / "tui").rglob("*.py"):
        mods = _imports(path)
        assert "ctypes" not in mods, path
        assert not any(m.endswith(("ptrace", "inferior", "control")) for m in mods), path
