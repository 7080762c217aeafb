"""dprintf lines while the program runs: the jump pad's ring drained every few ms by
exec/ring_poller.py, and at stops, exits, detach and a full ring (breaks/log_ring.py)."""
from __future__ import annotations

import asyncio
import collections
import os
import re

import pytest

from tdbg.backend import events as ev
from tdbg.backend.exec import ring_poller
from tests.helpers import session_for

DP = 'dprintf note,"t%d %d\\n",who,i'
WAIT = 60          # seconds: a deadline for facts on a loaded machine, never a measure


@pytest.fixture(scope="module")
def prog(build):
    return build("log_live")


def per_thread(out: bytes) -> dict[int, list[int]]:
    seq: dict[int, list[int]] = collections.defaultdict(list)
    for who, i in re.findall(rb"^t(\d+) (\d+)$", out, re.M):
        seq[int(who)].append(int(i))
    return seq


async def until(fact, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + WAIT
    while not fact():
        assert asyncio.get_running_loop().time() < deadline, what
        await asyncio.sleep(0.02)


def _mapped(pid: int, addr: int) -> bool:
    with open(f"/proc/{pid}/maps") as f:
        spans = [line.split()[0].split("-") for line in f]
    return any(int(lo, 16) <= addr < int(hi, 16) for lo, hi in spans)


def _ended(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


async def fast_dprintf(s) -> None:
    """The dprintf, the program started and stopped at main: the dprintf runs in the pad."""
    for cmd in (DP, "tbreak main"):
        r = await s.execute(cmd)
        assert r.ok, r.text
    await asyncio.wait_for(s.run(), WAIT)
    r = await s.execute("info fast-conditions")
    assert re.search(r"^1\s+0x[0-9a-f]+\s+yes", r.text, re.M), r.text


async def test_lines_appear_while_the_program_runs(prog, tmp_path):
    """The program logs 3000 lines, then sleeps until a file exists, never stopping:
    every line is shown before the test creates the file, in order, once."""
    gate = tmp_path / "gate"
    async with session_for(prog, "live", "3000", str(gate)) as (s, rec):
        await fast_dprintf(s)
        run = asyncio.create_task(s.cont())
        await until(lambda: len(per_thread(rec.output()).get(0, ())) >= 3000,
                    "the logpoint's lines while the program runs")
        assert s.state == "running" and not run.done()
        assert len(rec.of(ev.Stopped)) == 1          # main's, before the loop
        assert per_thread(rec.output()) == {0: list(range(3000))}
        gate.touch()
        await asyncio.wait_for(run, WAIT)
        assert b"released" in await rec.wait_output(b"released", WAIT)
        assert rec.of(ev.Exited)[-1].code == 0
        assert per_thread(rec.output()) == {0: list(range(3000))}
        assert s.breakpoints.info()[0].hit_count == 3000


async def test_four_threads_fifty_thousand_lines_each(prog):
    """Four threads log at once while the poller drains: exactly 200,000 lines, each
    thread's in its order, none twice, and the program's own sums intact."""
    n = 50000
    async with session_for(prog, "threads", "4", str(n)) as (s, rec):
        await fast_dprintf(s)
        await asyncio.wait_for(s.cont(), WAIT * 3)
        out = await rec.wait_output(b"total=", WAIT)
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"ok=1" in out
        assert per_thread(out) == {k: list(range(n)) for k in range(4)}
        assert s.breakpoints.info()[0].hit_count == 4 * n


async def test_a_full_ring_loses_nothing(prog, monkeypatch):
    """The poller all but off: the ring (4096 slots) fills again and again; each full
    capture becomes a hit the debugger prints itself after draining the ring."""
    monkeypatch.setattr(ring_poller.RingPoller, "period", 3600.0)
    n = 6000
    async with session_for(prog, "threads", "3", str(n)) as (s, rec):
        await fast_dprintf(s)
        await asyncio.wait_for(s.cont(), WAIT * 3)
        out = await rec.wait_output(b"total=", WAIT)
        assert rec.of(ev.Exited)[-1].code == 0 and b"ok=1" in out
        assert per_thread(out) == {k: list(range(n)) for k in range(3)}
        assert s.breakpoints.info()[0].hit_count == 3 * n


async def test_signals_inside_the_pad_neither_lose_nor_repeat(prog):
    """SIGALRM every 200 us stops threads anywhere in the stub: before its claim a thread
    runs the capture again from the site, after it the thread finishes its record."""
    n = 20000
    async with session_for(prog, "threads", "4", str(n), "alarm") as (s, rec):
        await fast_dprintf(s)
        await asyncio.wait_for(s.cont(), WAIT * 3)
        out = await rec.wait_output(b"total=", WAIT)
        assert rec.of(ev.Exited)[-1].code == 0 and b"ok=1" in out
        assert per_thread(out) == {k: list(range(n)) for k in range(4)}


@pytest.mark.parametrize("end", ["exit", "kill", "detach"])
async def test_lines_written_before_the_end_are_shown(prog, tmp_path, monkeypatch, end):
    """The poller asleep: the lines still in the ring come out at the program's exit
    (its last thread's PTRACE_EVENT_EXIT), or at the stop before `kill` or `detach`."""
    monkeypatch.setattr(ring_poller.RingPoller, "period", 3600.0)
    gate = tmp_path / "gate"
    if end == "exit":
        gate.touch()
    async with session_for(prog, "live", "3000", str(gate)) as (s, rec):
        await fast_dprintf(s)
        run = asyncio.create_task(s.cont())
        if end == "exit":
            await asyncio.wait_for(run, WAIT)
            assert rec.of(ev.Exited)[-1].code == 0
        else:
            await rec.wait_output(b"waiting", WAIT)
            if end == "kill":
                await asyncio.wait_for(s.kill(), WAIT)
            else:
                s.interrupt()
                await asyncio.wait_for(run, WAIT)
                pid, ring = s.pid, s.dbg.bps.fast.ring
                await asyncio.wait_for(s.detach(), WAIT)
                assert ring is not None and not _mapped(pid, ring)      # the ring went too
                gate.touch()            # the program, on its own again, ends well
                await until(lambda: _ended(pid), "the detached program's end")
                assert os.waitpid(pid, 0)[1] == 0
            await asyncio.wait_for(run, WAIT)
        assert per_thread(rec.output()) == {0: list(range(3000))}
        assert s.breakpoints.info()[0].hit_count == 3000
