"""`tdbg --demo`: build demo/demo.c once (gcc -g -O0) into the user's cache."""
from __future__ import annotations

import os
import shutil
import subprocess
from importlib import resources
from pathlib import Path

from tdbg.backend.errors import TdbgError

from .config import cache_dir


def demo_source(name: str = "demo") -> Path:
    """The repo's demo/ beside tui/, else package data (tdbg.demo or tdbg.tui/demo)."""
    here = Path(__file__).resolve()
    candidates = [here.parents[1] / "demo" / f"{name}.c", here.parent / "demo" / f"{name}.c"]
    for pkg in ("tdbg.demo", "tdbg.tui"):
        try:
            base = resources.files(pkg)
            candidates.append(Path(str(base / f"{name}.c")))
            candidates.append(Path(str(base / "demo" / f"{name}.c")))
        except (ModuleNotFoundError, TypeError):
            continue
    for c in candidates:
        if c.is_file():
            return c
    raise TdbgError(f"demo source {name}.c not found (looked in {candidates[0].parent})")


def demo_binary(name: str = "demo") -> Path:
    src = demo_source(name)
    out_dir = cache_dir() / "demo"
    out = out_dir / name
    if out.exists() and out.stat().st_mtime >= src.stat().st_mtime:
        return out
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None:
        raise TdbgError("--demo needs gcc to build demo.c (apt install gcc)")
    out_dir.mkdir(parents=True, exist_ok=True)
    # the source sits beside the binary so the debugger always finds it
    local_src = out_dir / src.name
    shutil.copyfile(src, local_src)
    tmp = out.with_suffix(".tmp")
    proc = subprocess.run([cc, "-g", "-O0", str(local_src), "-o", str(tmp)],
                          capture_output=True, text=True, cwd=out_dir)
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["gcc failed"])[0]
        raise TdbgError(f"building the demo failed: {first}")
    os.replace(tmp, out)
    return out
