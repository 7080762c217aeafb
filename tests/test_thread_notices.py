"""gdb's thread notices on a real pthread program: [New Thread 0x... (LWP n)],
[Thread 0x... (LWP n) exited], [Switching to Thread ...] and "Thread N "name" hit".

0x... is the pthread_t; ASLR is off under both debuggers, so it is the same number
in tdbg and gdb (only LWP numbers differ between two runs).
"""
from __future__ import annotations

import asyncio
import re

import pytest

from tdbg.backend import events as ev
from tests import batch_diff
from tests.conftest import needs_gdb
from tests.helpers import session_for


@pytest.fixture(scope="module")
def prog(build):
    return build("thr_notice")


@needs_gdb
@pytest.mark.parametrize("mode,cmds", [
    ("join", ["break work", "run", "info threads", "continue", "bt 1", "continue"]),
    # Not after the signal: where the main thread is parked then (still in pthread_kill,
    # or in pause) depends on how fast a debugger stops it; gdb's report of the fatal
    # SIGUSR1 that would follow varies from run to run.
    ("signal", ["run", "kill"]),
    ("signal", ["break work", "run", "info threads", "thread 1", "continue", "kill"]),
])
def test_thread_notices_like_gdb(prog, mode, cmds):
    ours = batch_diff.tdbg(prog, cmds, (mode,))
    assert "Traceback" not in ours
    assert re.search(r"^\[New Thread 0x[0-9a-f]+ \(LWP \d+\)\]$", ours, re.M), ours
    if mode == "join" or "break work" in cmds:
        assert re.search(r"^\[Thread 0x[0-9a-f]+ \(LWP \d+\) exited\]$", ours, re.M), ours
    assert re.search(r"^\[Switching to Thread 0x[0-9a-f]+ \(LWP \d+\)\]$", ours, re.M), ours
    theirs = batch_diff.gdb(prog, cmds, (mode,))
    assert batch_diff.normalize(ours) == batch_diff.normalize(theirs)


async def test_pthread_value_is_the_threads_fs_base(prog):
    """The number in the notices is each thread's pthread_t (its fs_base), the one
    `info threads` shows too, and the stop says which thread hit."""
    async with session_for(prog, "join") as (s, rec):
        await s.breakpoints.break_at("work")
        await asyncio.wait_for(s.run(), 20)
        st = rec.last_stop
        new = [e.text for e in rec.of(ev.Message) if e.text.startswith("[New Thread")]
        base = (await s.frames.registers())["fs_base"]
        assert new == [f"[New Thread {base:#x} (LWP {st.tid})]"]
        assert st.message.startswith(f"[Switching to Thread {base:#x} (LWP {st.tid})]\n\n"
                                     'Thread 2 "thr_notice-')
        assert re.search(r" hit Breakpoint 1, work \(n=0\) at (\S*/)?thr_notice\.c:", st.message)
        assert f"Thread {base:#x} (LWP {st.tid})" in (await s.execute("info threads")).text
        await asyncio.wait_for(s.cont(), 20)
        gone = [e.text for e in rec.of(ev.Message) if e.text.endswith("exited]")]
        assert gone[0] == f"[Thread {base:#x} (LWP {st.tid}) exited]"
        # The next hit is in a new thread (3), not the one selected: a switch again.
        assert rec.last_stop.message.startswith("[Switching to Thread ")
        assert '\nThread 3 "thr_notice-' in rec.last_stop.message
        await s.execute("thread 1")
        await asyncio.wait_for(s.cont(), 20)
        assert rec.of(ev.Exited)[-1].code == 0
