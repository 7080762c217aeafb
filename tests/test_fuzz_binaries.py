"""Corrupted binaries: bytes flipped and cut in .debug_info, .debug_line, .debug_abbrev,
.eh_frame and the ELF headers of a real program. `tdbg --batch` on each ends in a clear
error or a degraded session, never a traceback or a hang (issue 12).

The hypothesis budget is fixed (derandomized, a set number of examples) so CI sees the
same inputs every run; each example runs the batch driver in-process, the way
`tdbg --batch` does, with a watchdog for hangs. A few fixed corruptions also go through
the real command line.
"""
from __future__ import annotations

import contextlib
import io
import os
import struct
import subprocess
import sys
import threading
import time

import pytest

from tdbg.backend.batch import run_batch
from tdbg.backend.symbols.elf import ElfFile

COMMANDS = ["info line main", "break main", "break factorial", "run", "bt", "info locals",
            "next", "step", "finish", "info frame", "list", "x/4i $pc", "print argc",
            "print box", "info registers rip", "up", "info locals", "continue"]
REGIONS = (".debug_info", ".debug_line", ".debug_abbrev", ".eh_frame", "ehdr", "phdrs", "shdrs")
HANG_LIMIT = 30.0
STATS = {"examples": 0, "clean_exit": 0, "refused": 0}


def regions_of(path) -> dict[str, tuple[int, int]]:
    data = path.read_bytes()
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phnum, shnum = struct.unpack_from("<H", data, 0x38)[0], struct.unpack_from("<H", data, 0x3C)[0]
    spans = {"ehdr": (0, 64), "phdrs": (phoff, 56 * phnum), "shdrs": (shoff, 64 * shnum)}
    elf = ElfFile.open(str(path))
    try:
        for name in REGIONS[:4]:
            sec = elf.section(name)
            assert sec is not None and sec.size, name
            spans[name] = (sec.offset, sec.size)
    finally:
        elf.close()
    return spans


def corrupt(good: bytes, spans: dict[str, tuple[int, int]], region: str,
            flips: list[tuple[float, int]], cut: float | None, truncate_file: float | None) -> bytes:
    data = bytearray(good)
    off, size = spans[region]
    if cut is not None:                    # the region's tail lost (zeroed, as a short write leaves it)
        keep = int(cut * size)
        data[off + keep:off + size] = bytes(size - keep)
    for where, value in flips:
        data[off + min(int(where * size), size - 1)] = value
    if truncate_file is not None:
        data = data[:max(1, int(truncate_file * len(data)))]
    return bytes(data)


def batch_in_process(path: str) -> tuple[int, str, str]:
    """What `tdbg --batch -ex ... PATH` does, in this process; a hang fails the test."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace", write_through=True)
    err = io.StringIO()
    box: dict[str, object] = {}

    def work() -> None:
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                box["rc"] = run_batch(path, [], COMMANDS)
        except BaseException as e:            # noqa: BLE001 - reported below with its type
            box["exc"] = e

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(HANG_LIMIT)
    assert not t.is_alive(), f"tdbg --batch hung on {path}"
    if "exc" in box:
        e = box["exc"]
        raise AssertionError(f"{type(e).__name__}: {e}") from e       # a traceback for the user
    out.seek(0)
    return int(box["rc"]), out.buffer.getvalue().decode("utf-8", "replace"), err.getvalue()  # type: ignore[call-overload,attr-defined]


def check_clean(rc: int, stdout: str, stderr: str) -> None:
    assert "Traceback" not in stdout + stderr, stderr
    assert rc in (0, 1)
    for line in stderr.splitlines():
        assert "Error:" not in line or "Dwarf Error" in line or "corrupt" in line, line


def test_fuzz_debug_sections_and_headers(build, tmp_path):
    pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    prog = build("demo")
    good = prog.read_bytes()
    spans = regions_of(prog)
    target = tmp_path / "fuzzed"

    @settings(max_examples=24, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(REGIONS),
           st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=0, max_size=10),
           st.none() | st.floats(0, 1), st.integers(0, 7), st.floats(0, 1))
    def one(region, flips, cut, shorten, truncate_file):
        if shorten:                        # one example in eight loses the file's tail
            truncate_file = None
        if os.path.exists(target):
            os.unlink(target)
        target.write_bytes(corrupt(good, spans, region, flips, cut, truncate_file))
        target.chmod(0o755)
        rc, out, err = batch_in_process(str(target))
        check_clean(rc, out, err)
        STATS["examples"] += 1
        STATS["clean_exit" if rc == 0 else "refused"] += 1

    t0 = time.monotonic()
    one()
    assert STATS["examples"] >= 24
    print(f"fuzz: {STATS['examples']} corrupted binaries, {STATS['clean_exit']} degraded sessions, "
          f"{STATS['refused']} clear refusals, {time.monotonic() - t0:.1f}s")


@pytest.mark.parametrize("region", [".debug_info", ".eh_frame", "ehdr"])
def test_each_region_zeroed_through_the_command_line(build, tmp_path, region):
    """The real `tdbg --batch`: a region wiped to 0xff ends in one clear message or a
    session that still runs the program."""
    prog = build("demo")
    spans = regions_of(prog)
    bad = bytearray(prog.read_bytes())
    off, size = spans[region]
    bad[off:off + size] = b"\xff" * size
    path = tmp_path / f"wiped-{region.strip('.')}"
    path.write_bytes(bytes(bad))
    path.chmod(0o755)
    r = subprocess.run([sys.executable, "-m", "tdbg.tui.cli", "--batch", *sum((["-ex", c] for c in COMMANDS), []),
                        str(path)], capture_output=True, text=True, timeout=60)
    assert "Traceback" not in r.stderr + r.stdout
    assert not r.stderr.startswith("tdbg: "), r.stderr          # cli.py's last-resort catch
    if region in ("ehdr", "phdrs"):
        assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    else:
        ran = "Breakpoint 1, " in r.stdout or "exited normally" in r.stdout
        assert ran or (r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1), r.stdout + r.stderr
