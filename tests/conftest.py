"""Shared fixtures: C programs compiled with gcc at test time.

``build("loop")`` compiles tests/programs/loop.c (or demo/loop.c) with the given
flags once per session and returns the binary's path. Never hard-code an address:
ask our index, check it against ``gdb -batch``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "tests" / "programs", ROOT / "demo")

# Installed debug packages (libc6-dbg) change what a session shows, in tdbg as in gdb: the
# suite looks for separate debug files nowhere unless a test says where, and the gdb it
# compares with does the same (batch_diff.GDB_SETTINGS). Every tdbg a test starts inherits it.
os.environ.setdefault("TDBG_DEBUG_FILE_DIRECTORY", "/nonexistent")


def find_source(name: str) -> Path:
    for folder in SOURCES:
        for ext in (".c", ".S", ".cpp"):
            p = folder / f"{name}{ext}"
            if p.exists():
                return p
    raise FileNotFoundError(name)


def mark_line(name: str, tag: str) -> int:
    """The line of test program `name` carrying the comment `MARK:tag`."""
    lines = find_source(name).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if f"MARK:{tag}" in line)


@pytest.fixture(scope="session")
def build(tmp_path_factory):
    cache: dict[tuple, Path] = {}
    outdir = tmp_path_factory.mktemp("bin")

    def _build(name: str, *flags: str, extra_sources: tuple[str, ...] = ()) -> Path:
        key = (name, flags, extra_sources)
        if key in cache:
            return cache[key]
        src = find_source(name)
        tag = hashlib.sha1(repr(key).encode()).hexdigest()[:8]
        out = outdir / f"{name}-{tag}"
        compiler = "g++" if src.suffix == ".cpp" else "gcc"
        cmd = [compiler, "-g", *(flags or ("-O0",)), str(src),
               *(str(find_source(s)) for s in extra_sources), "-o", str(out)]
        if not any(f.startswith("-l") for f in flags):
            cmd.append("-lpthread")
        subprocess.run(cmd, check=True, capture_output=True)
        cache[key] = out
        return out

    return _build


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Config/state in a tmp dir: tests never read or write the user's ~/.config/tdbg."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


def have_gdb() -> bool:
    return shutil.which("gdb") is not None


needs_gdb = pytest.mark.skipif(not have_gdb(), reason="gdb not installed")


def gdb_batch(binary: Path, *commands: str, args: tuple[str, ...] = ()) -> str:
    """Run gdb as an oracle; libc debug info is hidden so results don't depend on the machine."""
    cmd = ["gdb", "-nx", "-batch", "-ex", "set debug-file-directory /nonexistent",
           "-ex", "set pagination off", "-ex", "set width 0", "-ex", "set confirm off"]
    for c in commands:
        cmd += ["-ex", c]
    cmd += ["--args", str(binary), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
