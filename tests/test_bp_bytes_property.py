"""Breakpoint state survives everything (issue 12): after any sequence of set, delete,
enable, disable, stepping, signals from outside and restarts, the program's code in the
tracee equals the file's bytes except exactly one INT3 at each enabled breakpoint
location. Hypothesis drives random command sequences (derandomized, fixed budget)."""
from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from tdbg.backend import events as ev
from tests.helpers import load_base, session_for, text_of

SRC = Path(__file__).resolve().parent / "programs" / "hard_loop.c"
STATES = {"checked": 0, "ops": 0, "sequences": 0}


def line_of(text: str) -> int:
    return next(i for i, line in enumerate(SRC.read_text().splitlines(), 1) if text in line)




def enabled_addresses(s) -> set[int]:
    out: set[int] = set()
    for b in s.breakpoints.info():
        if b.kind == "breakpoint" and b.enabled:
            out |= {loc.address for loc in b.locations if loc.enabled}
    return out


async def check_bytes(s, binary, link: int, text: bytes) -> None:
    """Reads /proc/PID/mem from outside tdbg's view (no shadowing of INT3s)."""
    if s.state != "stopped":
        return
    base = load_base(s.pid, binary)
    want = bytearray(text)
    for addr in enabled_addresses(s):
        off = addr - base - link
        if 0 <= off < len(want):
            want[off] = 0xCC
    with open(f"/proc/{s.pid}/mem", "rb") as mem:
        mem.seek(base + link)
        got = mem.read(len(text))
    bad = [hex(base + link + i) for i in range(len(text)) if got[i] != want[i]]
    assert not bad, f"code bytes differ at {bad[:8]}"
    STATES["checked"] += 1


OPS = ("break", "delete", "enable", "disable", "stepi", "next", "step", "finish", "continue",
       "signal", "restart", "tbreak")


async def drive(binary, ops: list[tuple[str, int]]) -> None:
    link, text = text_of(binary)
    spots = ["hit", "mix", f"hard_loop.c:{line_of('r ^= 0x55')}", f"hard_loop.c:{line_of('r = mix(r, i)')}",
             f"hard_loop.c:{line_of('hit(r & 0xff)')}", "main", f"hard_loop.c:{line_of('/* mix body */')}"]
    async with session_for(binary, "mix", "100000", use_pty=False) as (s, rec):
        await s.breakpoints.break_at("main")
        await asyncio.wait_for(s.run(), 20)
        for op, arg in ops:
            STATES["ops"] += 1
            ids = [b.id for b in s.breakpoints.info()]
            if op in ("break", "tbreak"):
                await s.execute(f"{op} {spots[arg % len(spots)]}")
            elif op in ("delete", "enable", "disable") and ids:
                await s.execute(f"{op} {ids[arg % len(ids)]}")
            elif op == "signal" and s.state == "stopped":
                os.kill(s.pid, signal.SIGWINCH)      # ignored by the program; tdbg passes it on
                await asyncio.wait_for(s.execute("continue"), 20)
            elif op == "restart":
                await asyncio.wait_for(s.execute("run"), 20)
            elif op in ("stepi", "next", "step", "finish", "continue"):
                if s.state != "stopped":
                    await asyncio.wait_for(s.execute("run"), 20)
                else:
                    await asyncio.wait_for(s.execute(op), 20)
            if s.state == "exited":
                assert rec.of(ev.Exited) or rec.of(ev.Signaled)
            await check_bytes(s, binary, link, text)


def test_random_command_sequences_keep_code_bytes(build):
    pytest.importorskip("hypothesis")
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    binary = build("hard_loop")

    @settings(max_examples=10, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50)), min_size=5, max_size=30))
    def sequence(ops):
        STATES["sequences"] += 1
        asyncio.run(drive(binary, ops))

    sequence()
    assert STATES["checked"] >= 50, STATES
    print(f"\nbreakpoint bytes: {STATES['sequences']} sequences, {STATES['ops']} commands, "
          f"{STATES['checked']} states checked")
