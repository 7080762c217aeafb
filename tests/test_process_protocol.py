"""Inferior satisfies the process layer's protocols (backend/process/tracee.py)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tdbg.backend.process.inferior import Inferior, Region
from tdbg.backend.process.tracee import Memory, Tracee
from tdbg.backend.worker import PtraceWorker

ROOT = Path(__file__).resolve().parent.parent


def _check(i: Inferior) -> Tracee:
    return i


def _check_memory(i: Inferior) -> Memory:
    return i


def test_inferior_satisfies_tracee_statically() -> None:
    """The functions above, checked by mypy. Run from the repository with its package
    name (backend.*): mypy cannot follow the editable install's tdbg.* names."""
    pytest.importorskip("mypy")
    snippet = ("from backend.process.inferior import Inferior\n"
               "from backend.process.tracee import Memory, Tracee\n"
               "def _check(i: Inferior) -> Tracee:\n    return i\n"
               "def _check_memory(i: Inferior) -> Memory:\n    return i\n")
    res = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
                          "--cache-dir=/dev/null", "-c", snippet],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def _executable_region(maps: list[Region], addr: int) -> bool:
    return any(addr in r and "x" in r.perms for r in maps)


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
def test_launch_used_as_tracee(tmp_path: Path) -> None:
    src = tmp_path / "tiny.c"
    src.write_text("int main(void) { return 0; }\n")
    binary = tmp_path / "tiny"
    subprocess.run(["gcc", "-O0", str(src), "-o", str(binary)], check=True, capture_output=True)

    def run() -> None:
        t: Tracee = Inferior.launch(str(binary), ["one", "two"], use_pty=False)
        try:
            assert t.alive and t.launched and list(t.threads) == [t.pid]
            # Stopped at exec: the stack holds argc, then argv[] (System V ABI, process entry).
            regs = t.regs(t.pid)
            assert _executable_region(t.maps(), regs.rip)
            assert int.from_bytes(t.read(regs.rsp, 8), "little") == 3
            argv0 = int.from_bytes(t.read(regs.rsp + 8, 8), "little")
            assert t.read_partial(argv0, 4096).split(b"\0", 1)[0] == str(binary).encode()
            first = t.read(argv0, 1)
            t.write(argv0, b"X")
            assert t.read(argv0, 1) == b"X"
            t.write(argv0, first)
            assert t.read(argv0, 1) == first
        finally:
            t.kill()
        assert not t.alive and not t.threads

    worker = PtraceWorker()         # ptrace calls must come from the tracer thread
    worker.start()
    try:
        worker.call(run)
    finally:
        worker.stop()
        worker.join(timeout=10)
