"""Faults (issue 12): the tracee killed from outside at any moment gives one clear event,
no hang, and `run` works again; tdbg itself ended by SIGHUP leaves no launched tracee
behind and an attached one running, untraced and without an INT3."""
from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tdbg.backend import events as ev
from tests.helpers import assert_tracee_gone, load_base, proc_state, session_for, text_of
from tests.test_processes import _DEBUGGER_SCRIPT

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "tests" / "programs" / "hard_loop.c"
FAULTS = {"injected": 0}


def marker_line(text: str) -> int:
    return next(i for i, line in enumerate(SRC.read_text().splitlines(), 1) if text in line)


@pytest.fixture(scope="module")
def loop(build):
    return build("hard_loop")


def deaths(rec) -> list[ev.Signaled]:
    return rec.of(ev.Signaled)


async def kill_after(pid: int, delay: float) -> None:
    await asyncio.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    FAULTS["injected"] += 1


async def runs_again(s, rec) -> None:
    """`run` after a death: a fresh process stops at the breakpoint in hit()."""
    before = len(rec.of(ev.Stopped))
    await asyncio.wait_for(s.run(), 20)
    assert len(rec.of(ev.Stopped)) == before + 1
    assert rec.last_stop.reason == ev.StopReason.BREAKPOINT, rec.last_stop.message
    assert s.state == "stopped"


async def test_killed_while_running(loop):
    async with session_for(loop, "spin", use_pty=False) as (s, rec):
        await s.breakpoints.break_at("hit")
        await asyncio.wait_for(s.run(), 20)
        await s.breakpoints.enable(1, False)
        for delay in (0.05, 0.2, 0.0):
            pid = s.pid
            killer = asyncio.ensure_future(kill_after(pid, delay))
            t0 = time.monotonic()
            await asyncio.wait_for(s.cont(), 10)
            await killer
            assert time.monotonic() - t0 < 10
            died = deaths(rec)
            assert len(died) == 1 and died[0].pid == pid and died[0].signal == signal.SIGKILL
            assert not died[0].requested and s.state == "exited"
            r = await s.execute("continue")
            assert not r.ok and r.text == "The program is not being run."
            rec.events.clear()
            await s.breakpoints.enable(1, True)
            await runs_again(s, rec)
            await s.breakpoints.enable(1, False)


async def test_killed_while_stopped(loop):
    async with session_for(loop, "hits", "1000", use_pty=False) as (s, rec):
        await s.breakpoints.break_at("hit")
        for command in ("next", "continue", "stepi", "finish"):
            await asyncio.wait_for(s.run(), 20)
            rec.events.clear()
            os.kill(s.pid, signal.SIGKILL)
            FAULTS["injected"] += 1
            r = await asyncio.wait_for(s.execute(command), 10)
            assert "Traceback" not in r.text
            died = deaths(rec)
            assert len(died) == 1 and died[0].signal == signal.SIGKILL, rec.events
            assert s.state == "exited"
            rec.events.clear()
            await runs_again(s, rec)
            await s.kill()


async def test_killed_during_step_over(loop):
    """`next` over a 300 ms call, and `continue` that first steps over the breakpoint
    under the pc: SIGKILL lands while the step is in flight."""
    slow_line = marker_line("/* the slow line */")
    async with session_for(loop, "slow", use_pty=False) as (s, rec):
        await s.breakpoints.break_at(f"hard_loop.c:{slow_line}")
        for delay in (0.0, 0.05, 0.15):
            await asyncio.wait_for(s.run(), 20)
            assert rec.last_stop.location.line == slow_line
            rec.events.clear()
            killer = asyncio.ensure_future(kill_after(s.pid, delay))
            await asyncio.wait_for(s.next(), 10)
            await killer
            assert [d.signal for d in deaths(rec)] == [signal.SIGKILL]
            assert not rec.of(ev.Stopped) and s.state == "exited"
    async with session_for(loop, "spin", use_pty=False) as (s, rec):
        await s.breakpoints.break_at("hit")
        for _ in range(3):
            await asyncio.wait_for(s.run(), 20)
            for _ in range(5):                  # each continue first steps off hit's INT3
                await asyncio.wait_for(s.cont(), 10)
            rec.events.clear()
            await s.breakpoints.enable(1, False)
            killer = asyncio.ensure_future(kill_after(s.pid, 0.0))
            await asyncio.wait_for(s.cont(), 10)
            await killer
            assert [d.signal for d in deaths(rec)] == [signal.SIGKILL]
            await s.breakpoints.enable(1, True)
        await runs_again(s, rec)


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            kids += [int(k) for k in f.read().split()]
    return kids


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_signal_to_batch_kills_the_launched_tracee(loop, sig):
    batch = subprocess.Popen([sys.executable, "-m", "tdbg.tui.cli", "--batch", "-ex", "break hit", "-ex", "run",
                              "-ex", "echo stopped\\n", "-ex", "continue 1000000000", str(loop), "spin"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        for line in batch.stdout:
            if line.startswith(b"stopped"):
                break
            assert time.monotonic() < deadline
        (pid,) = _children(batch.pid)
        time.sleep(0.2)
        batch.send_signal(sig)
        FAULTS["injected"] += 1
        assert batch.wait(15) == 128 + sig
        assert b"Traceback" not in batch.stderr.read()
        assert_tracee_gone(pid)
    finally:
        batch.kill()
        batch.wait()


def test_launched_tracee_dies_when_the_debugger_is_killed(loop):
    """A crash (SIGKILL: no handler runs): PTRACE_O_EXITKILL ends the tracee."""
    script = _DEBUGGER_SCRIPT.format(root=str(ROOT), prog=str(loop)).replace('["naps", "100000"]', '["spin"]')
    dbg = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        pid = int(dbg.stdout.readline())
        assert os.path.exists(f"/proc/{pid}")
        dbg.kill()
        FAULTS["injected"] += 1
        dbg.wait(10)
        assert_tracee_gone(pid)
    finally:
        dbg.kill()
        dbg.wait()


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_signal_to_batch_leaves_attached_program_running_clean(loop, sig):
    proc = subprocess.Popen([str(loop), "spin"])
    batch = None
    try:
        time.sleep(0.2)
        batch = subprocess.Popen([sys.executable, "-m", "tdbg.tui.cli", "--batch", "-ex", "break hit",
                                  "-ex", "continue", "-ex", "echo stopped\\n", "-ex", "continue 1000000000",
                                  "-p", str(proc.pid)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        for line in batch.stdout:
            if line.startswith(b"stopped"):
                break
            assert time.monotonic() < deadline
        time.sleep(0.2)                       # `continue N` is running, hitting hit()
        batch.send_signal(sig)
        FAULTS["injected"] += 1
        assert batch.wait(15) == 128 + sig
        assert b"Traceback" not in batch.stderr.read()
        link, text = text_of(loop)
        with open(f"/proc/{proc.pid}/mem", "rb") as mem:
            mem.seek(load_base(proc.pid, loop) + link)
            assert mem.read(len(text)) == text             # every INT3 removed
        with open(f"/proc/{proc.pid}/status") as f:
            assert "TracerPid:\t0\n" in f.read()
        time.sleep(0.1)
        assert proc_state(proc.pid) in "RS"                    # left running
    finally:
        for p in (proc, batch):
            if p is not None:
                p.kill()
                p.wait()


def test_zz_report_faults():
    print(f"\nfaults injected: {FAULTS['injected']}")


def _pids_running(*words: str) -> list[int]:
    found = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if all(w in cmd for w in words) and "echo EXIT" not in cmd:     # not the shell around it
                found.append(int(d))
    return found


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")
def test_tui_sigterm_kills_tracee_and_restores_terminal(loop, tmp_path):
    """The full-screen app on a real terminal, ended by SIGTERM: exit status 143, the
    launched program gone, and the terminal back to normal (no alternate screen, no mouse
    reporting, echo and canonical input on)."""
    from tests.test_tui_tmux import Session
    name = "tdbg-faults"
    after = tmp_path / "after"
    script = (f"cd {ROOT} && {sys.executable} -m tdbg.tui.cli --start {loop} spin; "
              f"echo EXIT=$? > {after}; stty -a >> {after}; sleep 60")
    t = Session(name, script, 120, 30)
    try:
        t.wait(lambda s: "Stack" in s and "main" in s, timeout=30)
        (pid,) = _pids_running("tdbg.tui.cli", str(loop))
        deadline = time.monotonic() + 20
        while not _children(pid):
            assert time.monotonic() < deadline, "the program never started"
            time.sleep(0.1)
        (child,) = _children(pid)
        os.kill(pid, signal.SIGTERM)
        FAULTS["injected"] += 1
        deadline = time.monotonic() + 20
        while not after.exists() or "speed" not in after.read_text():
            assert time.monotonic() < deadline, "tdbg did not exit on SIGTERM"
            time.sleep(0.1)
        text = after.read_text()
        assert text.startswith("EXIT=143\n"), text
        flags = text.split()
        assert "icanon" in flags and "echo" in flags, text
        modes = t.run("display", "-p", "-t", name, "#{alternate_on} #{mouse_any_flag}").stdout.split()
        assert modes == ["0", "0"], modes
        assert not os.path.exists(f"/proc/{child}") or proc_state(child) == "Z"
        assert "Traceback" not in t.capture()
    finally:
        t.close()
