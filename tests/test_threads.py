"""Threads under all-stop on real tracees (docs/hard-cases.md A3, D1, D2, D3)."""
from __future__ import annotations

import asyncio
import collections
import os
import re

import pytest

from tdbg.backend import events as ev
from tests.helpers import session_for


@pytest.fixture(scope="module")
def storm(build):
    return build("thr_storm")


async def _cont_until_end(s, rec, on_stop=None, limit: int = 100000, timeout: float = 20):
    """Continue while stopped; returns how many stops were seen."""
    n = 0
    while s.state == "stopped":
        n += 1
        assert n <= limit, "too many stops"
        if on_stop is not None:
            await on_stop(rec.last_stop)
        await asyncio.wait_for(s.cont(), timeout)
    return n


async def test_four_threads_one_breakpoint_every_hit_counted(storm):
    async with session_for(storm, "barrier") as (s, rec):
        await s.breakpoints.break_at("hit")
        await asyncio.wait_for(s.run(), 20)
        per_thread = collections.Counter()

        async def count(stop):
            assert stop.reason == ev.StopReason.BREAKPOINT, stop.message
            per_thread[stop.tid] += 1
        await _cont_until_end(s, rec, count)
        assert rec.of(ev.Exited)[-1].code == 0, rec.output()
        assert b"total=4000 ok=1" in await rec.wait_output(b"total=")
        assert sum(per_thread.values()) == 4000
        assert len(per_thread) == 4 and set(per_thread.values()) == {1000}
        assert s.breakpoints.info()[0].hit_count == 4000
        assert not rec.of(ev.Error)


def _task_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


async def test_two_hundred_threads_in_bursts(storm):
    async with session_for(storm, "burst") as (s, rec):
        await s.breakpoints.break_at("burst_worker")
        await asyncio.wait_for(s.run(), 20)
        hits, checked = 0, 0
        while s.state == "stopped":
            hits += 1
            if hits in (1, 57, 200):
                r = await s.execute("info threads")
                assert r.ok, r.text
                rows = [l for l in r.text.splitlines()[1:] if re.match(r"^[* ] \d+ ", l)]
                assert len(rows) == _task_count(s.pid), r.text
                cur = [l for l in rows if l.startswith("*")]
                assert len(cur) == 1 and f"(LWP {rec.last_stop.tid})" in cur[0], r.text
                assert "burst_worker (" in cur[0] and "thr_storm.c:" in cur[0], cur[0]
                assert re.search(r"Thread 0x[0-9a-f]+ \(LWP \d+\) \"thr_storm", cur[0]), cur[0]
                checked += 1
            await asyncio.wait_for(s.cont(), 20)
        assert hits == 200 and checked == 3
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"ran=200" in await rec.wait_output(b"ran=")
        assert rec.of(ev.ThreadsChanged)


async def test_select_thread_switches_frames_and_registers(storm):
    async with session_for(storm, "barrier") as (s, rec):
        await s.breakpoints.break_at("hit")
        await asyncio.wait_for(s.run(), 20)
        r = await s.execute("info threads")
        rows = {int(m.group(1)): m.group(0) for m in re.finditer(r"^[* ] (\d+) .*$", r.text, re.M)}
        assert len(rows) == 5, r.text                    # main + 4 workers
        other = next(n for n, row in rows.items() if not row.startswith("*") and n != 1)
        lwp = int(re.search(r"LWP (\d+)", rows[other]).group(1))
        r = await s.execute(f"thread {other}")
        assert r.ok and r.text.startswith(f"[Switching to thread {other} (Thread 0x"), r.text
        assert f"(LWP {lwp})" in r.text and "\n#0  " in r.text
        assert s.dbg.tid == lwp
        regs = await s.frames.registers()
        assert regs["rip"] == await s._call(lambda: s.dbg.inf.regs(lwp).rip)
        assert rec.of(ev.ThreadsChanged)[-1].current == lwp
        r = await s.execute("thread")
        assert r.text.startswith(f"[Current thread is {other} "), r.text
        r = await s.execute("thread 99")
        assert not r.ok and r.text == "Unknown thread 99."
        await s.execute("delete")
        await asyncio.wait_for(s.cont(), 20)             # continuing from another thread
        assert rec.of(ev.Exited)[-1].code == 0


async def test_leader_exits_first_then_workers_exit_7(storm):
    async with session_for(storm, "leader_exit") as (s, rec):
        await asyncio.wait_for(s.run(), 20)
        assert s.state == "exited"
        assert [e.code for e in rec.of(ev.Exited)] == [7]
        assert not rec.of(ev.Error) and not rec.of(ev.Stopped)


async def test_leader_exits_first_with_breakpoint_in_workers(storm):
    async with session_for(storm, "leader_exit") as (s, rec):
        await s.breakpoints.break_at("exit")
        await asyncio.wait_for(s.run(), 20)
        await _cont_until_end(s, rec)
        assert [e.code for e in rec.of(ev.Exited)] == [7]
        assert not rec.of(ev.Error)


async def test_exit_group_during_breakpoint_storm_30_runs(storm):
    for _ in range(30):
        async with session_for(storm, "exit_storm") as (s, rec):
            await s.breakpoints.break_at("hit")
            await asyncio.wait_for(s.run(), 20)
            await _cont_until_end(s, rec, limit=1_000_000)
            assert [e.code for e in rec.of(ev.Exited)] == [0], rec.events[-5:]
            assert not rec.of(ev.Error)


async def test_finish_and_next_stay_in_their_thread(storm):
    # The return-address breakpoint of finish/next is reached by every worker;
    # only the stepping thread's own arrival may end the command.
    async with session_for(storm, "barrier") as (s, rec):
        await s.breakpoints.break_at("hit")
        await asyncio.wait_for(s.run(), 20)
        tid = rec.last_stop.tid
        await s.execute("delete")
        for _ in range(5):
            await asyncio.wait_for(s.finish(), 20)
            st = rec.last_stop
            assert st.tid == tid and st.function == "barrier_worker", st.message
            await asyncio.wait_for(s.next(), 20)
            await asyncio.wait_for(s.step(), 20)
            assert rec.last_stop.tid == tid and rec.last_stop.function == "hit", rec.last_stop.message
        await asyncio.wait_for(s.cont(), 20)
        assert rec.of(ev.Exited)[-1].code == 0
