"""All-stop fairness and scheduler-locking on two looping threads (tests/programs/thr_fair.c).

When parking the other threads finds breakpoint hits of theirs, each is kept and
reported at a later continue without running again (exec/allstop.py), in turn, so no
thread starves; a kept hit whose breakpoint is deleted is dropped. `set
scheduler-locking on|step` keeps the other threads still (exec/schedlock.py).
"""
from __future__ import annotations

import asyncio
import re

import pytest

from tdbg.backend import events as ev
from tests import batch_diff
from tests.conftest import find_source, needs_gdb
from tests.helpers import session_for


@pytest.fixture(scope="module")
def fair(build):
    return build("thr_fair")


def _line(marker: str) -> int:
    src = find_source("thr_fair").read_text().splitlines()
    return next(i for i, text in enumerate(src, 1) if marker in text)


async def _value(s, expr: str) -> int:
    r = await s.execute(f"print {expr}")
    assert r.ok, r.text
    return int(r.text.rsplit("= ", 1)[1])


async def _kept(s) -> dict[int, int]:
    return await s._call(lambda: dict(s.dbg.ctl.allstop.hits))


async def test_two_threads_take_turns_over_20_continues(fair):
    async with session_for(fair) as (s, rec):
        await s.breakpoints.break_at("tick_a")
        await s.breakpoints.break_at("tick_b")
        await asyncio.wait_for(s.run(), 20)
        seen, longest, run = [], 0, 0
        for _ in range(20):
            st = rec.last_stop
            assert st.reason == ev.StopReason.BREAKPOINT, st.message
            run = run + 1 if seen and seen[-1] == st.function else 1
            longest = max(longest, run)
            seen.append(st.function)
            await asyncio.wait_for(s.cont(), 20)
        # Before kept hits the thread reported first won every race: 20 of 20. A thread
        # the machine did not schedule in time may miss a few turns: no exact pattern.
        assert seen.count("tick_a") >= 4 and seen.count("tick_b") >= 4, seen
        assert longest <= 8, seen
        a, b = await _value(s, "count_a"), await _value(s, "count_b")
        assert a >= 3 and b >= 3, (a, b)
        await s.execute("delete")
        await asyncio.wait_for(s.cont(), 20)
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"a=200 b=200" in await rec.wait_output(b"a=")


async def test_kept_hit_reported_without_running_then_dropped_when_deleted(fair):
    async with session_for(fair) as (s, rec):
        await s.breakpoints.break_at("tick_a")
        await s.breakpoints.break_at("tick_b")
        await asyncio.wait_for(s.run(), 20)
        checked = dropped = 0
        tick_a = await s._call(lambda: s.dbg.program.resolve("tick_a").addrs[0])
        for _ in range(60):
            kept = await _kept(s)
            if kept:
                (tid, addr), = kept.items()
                name = "count_a" if addr == tick_a else "count_b"
                before = await _value(s, name)
                if checked < 3:
                    # Reported next, where it was, its counter not bumped again.
                    await asyncio.wait_for(s.cont(), 20)
                    st = rec.last_stop
                    assert st.tid == tid and st.pc == addr, st.message
                    assert st.reason == ev.StopReason.BREAKPOINT
                    assert await _value(s, name) == before
                    checked += 1
                    continue
                # Its breakpoint goes: the kept hit is dropped, the thread runs on.
                num = 1 if name == "count_a" else 2
                r = await s.execute(f"delete {num}")
                assert r.ok, r.text
                await asyncio.wait_for(s.cont(), 20)
                st = rec.last_stop
                assert st is not None and st.reason == ev.StopReason.BREAKPOINT, st
                assert st.function == ("tick_b" if num == 1 else "tick_a"), st.message
                dropped += 1
                break
            await asyncio.wait_for(s.cont(), 20)
        assert checked == 3 and dropped == 1
        await s.execute("delete")
        await asyncio.wait_for(s.cont(), 20)
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"a=200 b=200" in await rec.wait_output(b"a=")
        assert not any("SIGTRAP" in (e.message or "") for e in rec.of(ev.Stopped))


@pytest.mark.parametrize("mode", ["on", "step"])
async def test_scheduler_locking_keeps_the_other_thread_still(fair, mode):
    async with session_for(fair, "locked") as (s, rec):
        await s.execute(f"break {_line('LOCKED-LOOP')}")
        await s.execute(f"break {_line('LOCKED-END')}")
        await asyncio.wait_for(s.run(), 20)
        r = await s.execute(f"set scheduler-locking {mode}")
        assert r.ok, r.text
        b0 = await _value(s, "count_b")
        assert b0 >= 1000
        for _ in range(3):
            await asyncio.wait_for(s.next(), 20)
            assert await _value(s, "count_b") == b0
        await asyncio.wait_for(s.stepi(), 20)
        assert await _value(s, "count_b") == b0
        # continue: through tick_a and usleep(1000) calls, to LOCKED-LOOP again
        await asyncio.wait_for(s.cont(), 20)
        assert rec.last_stop.location.line == _line("LOCKED-LOOP"), rec.last_stop.message
        moved = await _value(s, "count_b") != b0
        assert moved == (mode == "step")
        await s.execute("set scheduler-locking off")
        b1 = await _value(s, "count_b")
        await asyncio.wait_for(s.next(), 20)             # tick_a() with everyone running
        await asyncio.wait_for(s.next(), 20)             # usleep(1000)
        assert await _value(s, "count_b") != b1


@needs_gdb
@pytest.mark.parametrize("mode", ["on", "step"])
def test_scheduler_locking_like_gdb(fair, mode):
    cmds = [f"break {_line('LOCKED-LOOP')}", "run", f"set scheduler-locking {mode}",
            "set var $b = count_b", "next", "print count_b == $b", "next", "next",
            "print count_b == $b", "finish", "continue", "print count_b == $b",
            "show scheduler-locking", "kill"]
    ours = batch_diff.tdbg(fair, cmds, ("locked",))
    theirs = batch_diff.gdb(fair, cmds, ("locked",))
    assert "Traceback" not in ours
    assert batch_diff.normalize(ours) == batch_diff.normalize(theirs)
    # step: finish and continue run every thread (through usleep: the other one moves)
    still = ["1", "1", "1" if mode == "on" else "0"]
    assert re.findall(r"^\$\d = (\d)$", ours, re.M) == still, ours
