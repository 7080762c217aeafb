"""Signals and processes on real tracees (docs/hard-cases.md A1, A6, A7, C2, C3, E1-E4, E6, E7)."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tdbg.backend import events as ev
from tdbg.backend.process import ptrace
from tests.conftest import ROOT
from tests.helpers import assert_tracee_gone, load_base, proc_state, session_for, text_of


@pytest.fixture(scope="module")
def sigs(build):
    return build("proc_signals")


@pytest.fixture(scope="module")
def forks(build):
    return build("proc_fork")


@pytest.fixture(scope="module")
def rawsys(build):
    return build("proc_sys", extra_sources=("proc_sys_asm",))


async def _finish(s, rec, limit: int = 100000, timeout: float = 20) -> list[ev.Stopped]:
    """Continue until the program ends; the stops seen on the way."""
    stops = []
    while s.state == "stopped":
        stops.append(rec.last_stop)
        assert len(stops) <= limit, "too many stops"
        await asyncio.wait_for(s.cont(), timeout)
    return stops


# ---- signals ------------------------------------------------------------------------------------
async def test_alarm_storm_while_stepping_over_breakpoint(sigs):
    async with session_for(sigs, "alarm", "2000") as (s, rec):
        await s.breakpoints.break_at("hot")
        await asyncio.wait_for(s.run(), 20)
        addr = s.breakpoints.info()[0].addresses[0]
        hits = 0
        while s.state == "stopped":
            assert rec.last_stop.reason == ev.StopReason.BREAKPOINT, rec.last_stop.message
            hits += 1
            if hits % 500 == 0:             # never left lifted: the INT3 is really there
                raw = await s._call(lambda: s.dbg.inf.read(addr, 1))
                assert raw == b"\xcc" and s.dbg.bps._saved is None
            await asyncio.wait_for(s.cont(), 20)
        out = await rec.wait_output(b"handler=")
        m = re.search(rb"hot=(\d+) handler=(\d+)", out)
        assert hits == int(m.group(1)) and hits >= 2000
        assert int(m.group(2)) > 0, out
        assert rec.of(ev.Exited)[-1].code == 0


async def test_compiled_int3_reports_trap_and_moves_on(sigs):
    async with session_for(sigs, "int3") as (s, rec):
        await asyncio.wait_for(s.run(), 20)
        pc = rec.last_stop.pc
        assert await s.data.read_memory(pc - 1, 1) == b"\xcc"   # stopped after the int3, not on it
        stops = await _finish(s, rec)
        assert len(stops) == 10
        assert {st.reason for st in stops} == {ev.StopReason.TRAP}
        assert all("SIGTRAP" in st.message for st in stops)
        assert {st.pc for st in stops} == {pc}
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"int3 loops=10" in await rec.wait_output(b"loops")


async def test_raise_sigtrap_reaches_the_programs_handler(sigs):
    async with session_for(sigs, "raise_trap") as (s, rec):
        await asyncio.wait_for(s.run(), 20)
        stops = await _finish(s, rec)
        assert [st.reason for st in stops] == [ev.StopReason.TRAP]
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"trapped=1" in await rec.wait_output(b"trapped=")


async def test_twenty_signals_counted_like_untraced(sigs):
    untraced = subprocess.run([str(sigs), "many"], capture_output=True, timeout=20).stdout
    assert b"total=20 wrong_thread=0" in untraced
    async with session_for(sigs, "many") as (s, rec):
        await asyncio.wait_for(s.run(), 20)
        stops = await _finish(s, rec)
        names = {st.signal_name for st in stops}
        assert {"SIGUSR1", "SIGUSR2", "SIGHUP", "SIGPIPE"} <= names
        assert not names & {"SIGALRM", "SIGCHLD", "SIGWINCH", "SIGURG", "SIGPROF"}
        usr2 = [st for st in stops if st.signal_name == "SIGUSR2"]
        pid = rec.of(ev.Started)[-1].pid
        assert len(usr2) == 3 and {st.tid for st in usr2} != {pid} and len({st.tid for st in usr2}) == 1
        assert rec.of(ev.Exited)[-1].code == 0
        out = await rec.wait_output(b"wrong_thread=")
        assert out.strip().splitlines()[-1] == untraced.strip().splitlines()[-1]


async def test_sigpipe_death_is_reported(sigs):
    async with session_for(sigs, "sigpipe") as (s, rec):
        await asyncio.wait_for(s.run(), 20)
        assert rec.last_stop.signal_name == "SIGPIPE"
        await asyncio.wait_for(s.cont(), 20)
        assert [e.signal_name for e in rec.of(ev.Signaled)] == ["SIGPIPE"]
        assert not rec.of(ev.Exited)


async def test_stop_and_cont_from_outside_no_busy_loop(sigs):
    async with session_for(sigs, "naps", "150") as (s, rec):
        task = asyncio.create_task(s.run())
        await asyncio.sleep(0.15)
        pid = s.pid
        os.kill(pid, signal.SIGSTOP)
        await asyncio.wait_for(task, 20)
        assert rec.last_stop.signal_name == "SIGSTOP"
        task = asyncio.create_task(s.cont())      # passes SIGSTOP on: a group-stop
        await asyncio.sleep(0.1)
        cpu = time.process_time()
        await asyncio.sleep(0.4)
        assert time.process_time() - cpu < 0.2, "tracer busy-loops on a group-stop"
        os.kill(pid, signal.SIGCONT)
        while True:
            await asyncio.wait_for(task, 20)
            if s.state != "stopped":
                break
            assert rec.last_stop.signal_name in ("SIGCONT", "SIGSTOP"), rec.last_stop.message
            task = asyncio.create_task(s.cont())
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"naps=150" in await rec.wait_output(b"naps=")


# ---- fork, vfork, exec --------------------------------------------------------------------------
async def test_fifty_forked_children_run_breakpointed_code(forks):
    async with session_for(forks, "fork", "50") as (s, rec):
        await s.breakpoints.break_at("work")
        await asyncio.wait_for(s.run(), 20)
        stops = await _finish(s, rec)
        assert len(stops) == 50                      # the parent's calls only
        assert {st.tid for st in stops} == {rec.of(ev.Started)[-1].pid}
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"children ok=50 parent calls=50" in await rec.wait_output(b"children")


async def test_vfork_child_never_traps_parent_hits_once(forks):
    async with session_for(forks, "vfork") as (s, rec):
        await s.breakpoints.break_at("mark")         # run by the vfork child too, in shared memory
        await asyncio.wait_for(s.run(), 20)
        stops = await _finish(s, rec)
        assert [st.reason for st in stops] == [ev.StopReason.BREAKPOINT]
        assert rec.of(ev.Exited)[-1].code == 0
        assert b"vfork child status=0 exited=1" in await rec.wait_output(b"vfork child")


@pytest.mark.parametrize("mode", ["fork", "vfork"])
async def test_breakpoint_on_raw_fork_syscall_instruction(rawsys, mode):
    async with session_for(rawsys, mode) as (s, rec):
        await s.breakpoints.break_at(f"*raw_{mode}_syscall")
        await s.breakpoints.break_at("shared_code")
        await asyncio.wait_for(s.run(), 20)
        seen = []
        while s.state == "stopped":
            seen.append(rec.last_stop.function)
            if rec.last_stop.function == f"raw_{mode}":
                await asyncio.wait_for(s.stepi(), 20)  # step over the syscall: one event
                assert rec.last_stop.reason == ev.StopReason.STEP
                assert rec.last_stop.function == f"raw_{mode}"
            await asyncio.wait_for(s.cont(), 20)
        n = 3 if mode == "fork" else 1
        assert seen == [f"raw_{mode}", "shared_code"] * n
        assert rec.of(ev.Exited)[-1].code == 0
        assert f"raw {mode} ok={n}".encode() in await rec.wait_output(b"ok=")


async def test_breakpoint_on_exit_group_syscall(rawsys):
    async with session_for(rawsys, "exit") as (s, rec):
        await s.breakpoints.break_at("*raw_exit_syscall")
        await asyncio.wait_for(s.run(), 20)
        assert rec.last_stop.reason == ev.StopReason.BREAKPOINT
        await asyncio.wait_for(s.stepi(), 20)       # no step-trap ever comes after exit
        assert [e.code for e in rec.of(ev.Exited)] == [4]


@pytest.mark.parametrize("mode", ["exec", "exec_thread"])
async def test_break_set_before_run_is_hit_after_exec(forks, mode):
    async with session_for(forks, mode) as (s, rec):
        await s.breakpoints.break_at("stage2_main")
        await asyncio.wait_for(s.run(), 20)
        st = rec.last_stop
        assert st.reason == ev.StopReason.BREAKPOINT and st.function == "stage2_main", st
        assert st.tid == rec.of(ev.Started)[-1].pid           # the exec'ing thread became the leader
        r = await s.execute("info threads")
        assert len(r.text.splitlines()) == 2, r.text
        await asyncio.wait_for(s.cont(), 20)
        assert [e.code for e in rec.of(ev.Exited)] == [5]
        assert b"stage2 running" in await rec.wait_output(b"stage2")


# ---- exits ----------------------------------------------------------------------------------
async def test_exit_three_ways(forks):
    async with session_for(forks, "ret3") as (s, rec):
        await asyncio.wait_for(s.run(), 20)
        assert [e.code for e in rec.of(ev.Exited)] == [3] and not rec.of(ev.Signaled)
    async with session_for(forks, "abort") as (s, rec):
        await asyncio.wait_for(s.run(), 20)
        assert rec.last_stop.signal_name == "SIGABRT"
        await asyncio.wait_for(s.cont(), 20)
        assert [e.signal_name for e in rec.of(ev.Signaled)] == ["SIGABRT"] and not rec.of(ev.Exited)
    async with session_for(forks, "sigkill") as (s, rec):
        await asyncio.wait_for(s.run(), 20)
        assert [e.signal_name for e in rec.of(ev.Signaled)] == ["SIGKILL"]
        assert not rec.of(ev.Exited) and not rec.of(ev.Stopped)


async def test_next_over_exit_reports_exit_once(forks):
    async with session_for(forks, "exit3") as (s, rec):
        await s.breakpoints.break_at("before_exit")
        await asyncio.wait_for(s.run(), 20)
        await asyncio.wait_for(s.finish(), 20)
        assert "exit(3)" in rec.last_stop.message or rec.last_stop.function == "main"
        for _ in range(3):
            if s.state != "stopped":
                break
            await asyncio.wait_for(s.next(), 20)
        assert [e.code for e in rec.of(ev.Exited)] == [3]
        assert not rec.of(ev.Error)


# ---- attach, detach, the debugger dying ------------------------------------------------------


DR7 = ptrace.DEBUGREG_OFFSET + 7 * 8


async def test_detach_mid_storm_twenty_times(build):
    storm = build("thr_storm")
    proc = subprocess.Popen([str(storm), "hammer"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        await asyncio.sleep(0.2)
        link, text = text_of(storm)
        where = load_base(proc.pid, storm) + link
        for i in range(20):
            async with session_for(storm) as (s, rec):
                await asyncio.wait_for(s.attach(proc.pid), 20)
                await s.breakpoints.break_at("hit")
                if i % 2:
                    r = await s.execute("watch stop_flag")
                    assert r.ok, r.text
                for _ in range(1 + i % 4):
                    await asyncio.wait_for(s.cont(), 20)
                    assert rec.last_stop.reason == ev.StopReason.BREAKPOINT, rec.last_stop.message
                if i == 19:                       # DR7 really set in every thread before detach
                    dr7 = await s._call(lambda: [ptrace.peek_user(t, DR7) for t in s.dbg.inf.threads])
                    assert len(dr7) == 5 and all(dr7), dr7
                await s.detach()
            with open(f"/proc/{proc.pid}/mem", "rb") as mem:
                mem.seek(where)
                assert mem.read(len(text)) == text, f"text changed after detach {i}"
        async with session_for(storm) as (s, rec):     # look at every thread's DR7
            await asyncio.wait_for(s.attach(proc.pid), 20)
            dr7 = await s._call(lambda: [ptrace.peek_user(t, DR7) for t in s.dbg.inf.threads])
            assert dr7 == [0] * 5
            await s.detach()
        out, _ = proc.communicate(b"q\n", timeout=20)
        assert proc.returncode == 0 and b"hammer ok=1" in out, out
    finally:
        proc.kill()
        proc.wait()


async def test_attach_to_traced_process_names_the_tracer(sigs):
    script = _DEBUGGER_SCRIPT.format(root=str(ROOT), prog=str(sigs))
    other = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        pid = int(other.stdout.readline())
        async with session_for(sigs) as (s, rec):
            r = await s.execute(f"attach {pid}")
            assert not r.ok and "\n" not in r.text
            assert r.text.startswith(f"process {pid} is already traced by process {other.pid} ("), r.text
            assert r.text.endswith("ptrace: Operation not permitted."), r.text
            assert s.state == "idle"
    finally:
        other.kill()
        other.wait()


_DEBUGGER_SCRIPT = textwrap.dedent("""
    import asyncio, sys
    sys.path.insert(0, {root!r})
    from tdbg.backend.session import Session
    async def main():
        s = Session({prog!r}, ["naps", "100000"])
        asyncio.ensure_future(s.run())
        while s.pid is None:
            await asyncio.sleep(0.01)
        print(s.pid, flush=True)
        await asyncio.sleep(60)
    asyncio.run(main())
""")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_launched_tracee_dies_with_the_debugger(sigs, sig):
    script = _DEBUGGER_SCRIPT.format(root=str(ROOT), prog=str(sigs))
    dbg = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        pid = int(dbg.stdout.readline())
        assert os.path.exists(f"/proc/{pid}")
        dbg.send_signal(sig)
        dbg.wait(10)
        assert_tracee_gone(pid)
    finally:
        dbg.kill()
        dbg.wait()




def test_sigterm_to_batch_detaches_attached_program_cleanly(build):
    storm = build("thr_storm")
    proc = subprocess.Popen([str(storm), "hammer"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    batch = None
    try:
        time.sleep(0.2)
        script = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
                  "from tdbg.backend.batch import run_batch; "
                  f"run_batch({str(storm)!r}, [], ['break hit', 'break main', 'delete 1', "
                  f"'echo attached\\\\n', 'continue'], pid={proc.pid})")
        batch = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
        for _ in range(30):
            if batch.stdout.readline().startswith(b"attached"):
                break
        else:
            raise AssertionError("batch never attached")
        time.sleep(0.3)                               # `continue` runs: main is never hit again
        batch.send_signal(signal.SIGTERM)
        assert batch.wait(15) == 128 + signal.SIGTERM
        link, text = text_of(storm)
        with open(f"/proc/{proc.pid}/mem", "rb") as mem:
            mem.seek(load_base(proc.pid, storm) + link)
            assert mem.read(len(text)) == text
        assert proc_state(proc.pid) in "RS"
        out, _ = proc.communicate(b"q\n", timeout=20)
        assert proc.returncode == 0 and b"hammer ok=1" in out, out
    finally:
        for p in (proc, batch):
            if p is not None:
                p.kill()
                p.wait()
