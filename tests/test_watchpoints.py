"""Hardware watchpoints on real tracees (docs/hard-cases.md D4): DR0-DR3/DR7 in every thread."""
from __future__ import annotations

import asyncio
import re

import pytest

from tdbg.backend import events as ev
from tdbg.backend.process import ptrace
from tests.helpers import session_for


@pytest.fixture(scope="module")
def watch(build):
    return build("watch_prog")


async def _start(s, rec, stop_at: str = "main"):
    await s.breakpoints.break_at(stop_at)
    await asyncio.wait_for(s.run(), 20)
    assert rec.last_stop.reason == ev.StopReason.BREAKPOINT


async def test_watch_global_written_five_times(watch):
    async with session_for(watch, "five") as (s, rec):
        await _start(s, rec)
        r = await s.execute("watch global_counter")
        assert r.ok and r.text == "Hardware watchpoint 2: global_counter", r.text
        r = await s.execute("info breakpoints")
        row = next(l for l in r.text.splitlines() if l.startswith("2 "))
        assert re.match(r"^2\s+hw watchpoint\s+keep y\s+global_counter$", row), r.text
        values = []
        while True:
            await asyncio.wait_for(s.cont(), 20)
            if s.state != "stopped":
                break
            st = rec.last_stop
            assert st.reason == ev.StopReason.WATCHPOINT and st.breakpoint_id == 2
            m = re.match(r"^\nHardware watchpoint 2: global_counter\n\nOld value = (-?\d+)\n"
                         r"New value = (-?\d+)\n(0x[0-9a-f]+ in )?main \(.*\) at (\S*/)?watch_prog\.c:\d+\n\d+\t",
                         st.message)
            assert m, st.message
            values.append((int(m.group(1)), int(m.group(2))))
        assert values == [(0, 10), (10, 20), (20, 30), (30, 40), (40, 50)]
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"counter=50" in await rec.wait_output(b"counter=")


async def test_four_threads_write_watched_global_400_hits(watch):
    async with session_for(watch, "threads") as (s, rec):
        await _start(s, rec)
        r = await s.execute("watch shared_total")
        assert r.ok, r.text
        hits, tids = 0, set()
        while True:
            await asyncio.wait_for(s.cont(), 20)
            if s.state != "stopped":
                break
            assert rec.last_stop.reason == ev.StopReason.WATCHPOINT, rec.last_stop.message
            hits += 1
            tids.add(rec.last_stop.tid)
        assert hits == 400 and len(tids) == 4
        assert s.breakpoints.info()[-1].hit_count == 400
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"total=400" in await rec.wait_output(b"total=")


async def test_delete_watchpoint_then_run_to_end(watch):
    async with session_for(watch, "five") as (s, rec):
        await _start(s, rec)
        await s.execute("watch global_counter")
        await asyncio.wait_for(s.cont(), 20)
        assert rec.last_stop.reason == ev.StopReason.WATCHPOINT
        r = await s.execute("delete 2")
        assert r.ok, r.text
        await asyncio.wait_for(s.cont(), 20)
        assert rec.of(ev.Exited)[-1].code == 0
        assert len([e for e in rec.of(ev.Stopped) if e.reason == ev.StopReason.WATCHPOINT]) == 1


async def test_read_and_access_watchpoints_and_small_sizes(watch):
    async with session_for(watch, "rw") as (s, rec):
        await _start(s, rec)
        assert (await s.execute("rwatch global_counter")).text == \
            "Hardware read watchpoint 2: global_counter"
        assert (await s.execute("awatch small_one")).text == \
            "Hardware access (read/write) watchpoint 3: small_one"
        r = await s.execute("watch byte_one")
        assert r.ok, r.text
        messages = []
        while True:
            await asyncio.wait_for(s.cont(), 20)
            if s.state != "stopped":
                break
            messages.append(rec.last_stop.message.split("\n\n")[0:2])
        heads = [m[0] for m in messages]
        values = [m[1].split("\n")[0:2] for m in messages]
        assert heads == ["\nHardware read watchpoint 2: global_counter"] * 2 + [
            "\nHardware access (read/write) watchpoint 3: small_one",
            "\nHardware watchpoint 4: byte_one"], heads
        assert [v[0] for v in values[:2]] == ["Value = 1"] * 2      # the write of 1 is no read
        assert values[2] == ["Old value = 0", "New value = 7"]
        assert values[3] == ["Old value = 0 '\\000'", "New value = 3 '\\003'"]
        assert rec.of(ev.Exited)[-1].code == 0


async def test_too_many_watchpoints_is_one_clear_error(watch):
    async with session_for(watch, "five") as (s, rec):
        await _start(s, rec)
        for name in ("other_a", "other_b", "other_c", "other_d"):
            r = await s.execute(f"watch {name}")
            assert r.ok, r.text
        r = await s.execute("watch other_e")
        assert not r.ok and r.text == "Hardware watchpoint 6: Could not insert watchpoint"
        await s.execute("delete 3")
        r = await s.execute("watch other_e")            # a slot came free
        assert r.ok and r.text == "Hardware watchpoint 7: other_e", r.text
        dr7 = await s._call(lambda: ptrace.peek_user(s.pid, ptrace.DEBUGREG_OFFSET + 56))
        assert bin(dr7 & 0xFF).count("1") == 4
        await s.execute("delete")
        await asyncio.wait_for(s.cont(), 20)
        assert rec.of(ev.Exited)[-1].code == 0
