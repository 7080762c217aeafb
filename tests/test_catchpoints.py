"""Catchpoints against gdb 13 on tests/programs/catch_events.c (and catch_throw.cpp with g++):
`catch syscall|fork|vfork|exec|signal|throw|catch|rethrow`, `tcatch`, their rows in `info
breakpoints`, conditions, disabling, deleting and gdb's errors.

catch_events' mode argument makes one kind of event at a time, a bounded number of times.
"""
from __future__ import annotations

import asyncio
import re
import shutil

import pytest

from tdbg.backend import events as ev
from tests import batch_diff
from tests.conftest import have_gdb
from tests.helpers import session_for

# what catch_events itself prints: it shares our pipe, so it is cut out and checked apart
_OUTPUT = r"(one|two|child status=\d|parent done|vfork status=\d|got=\d+)"


@pytest.fixture(scope="module")
def prog(build):
    return build("catch_events")


def same_as_gdb(binary, commands: list[str], args: tuple[str, ...] = ()) -> str:
    return batch_diff.same_as_gdb(binary, commands, _OUTPUT, args, have_gdb())


def test_catch_syscall_stops_at_entry_and_return(prog):
    ours = same_as_gdb(prog, ["catch syscall write", "info breakpoints", "run", "continue",
                              "continue", "info breakpoints", "continue"], ("write",))
    assert ours.count("Catchpoint 1 (call to syscall write), ") == 2
    assert ours.count("Catchpoint 1 (returned from syscall write), ") == 2
    assert "\tcatchpoint already hit 3 times" in ours
    assert 'syscall "write" ' in ours


def test_catch_syscall_in_threads(build):
    """thr_notice starts two threads in turn; each ends with the exit syscall."""
    ours = same_as_gdb(build("thr_notice"), ["catch syscall exit", "run", "continue", "continue",
                                             "info breakpoints"])
    assert len(re.findall(r'^Thread [23] "\S+" hit Catchpoint 1 \(call to syscall exit\), ', ours, re.M)) == 2


def test_catch_syscall_by_number_disabled_and_temporary(prog):
    ours = same_as_gdb(prog, ["catch syscall 1", "disable 1", "tcatch syscall write", "run",
                              "info breakpoints", "continue"], ("write",))
    assert "Temporary catchpoint 2 (call to syscall write)" in ours
    assert "exited with code 01" in ours          # mode write returns after(0)


def test_catch_fork_vfork_and_exec(prog):
    ours = same_as_gdb(prog, ["catch fork", "catch vfork", "catch exec", "info breakpoints",
                              "run", "bt", "continue"], ("fork",))
    assert "Catchpoint 1 (forked process " in ours
    assert "[Detaching after fork from child process " in ours
    ours = same_as_gdb(prog, ["catch vfork", "run", "continue"], ("vfork",))
    assert "Catchpoint 1 (vforked process " in ours
    ours = same_as_gdb(prog, ["catch exec", "run", "info breakpoints", "continue"], ("exec",))
    assert "Catchpoint 1 (exec'd /usr/bin/true), " in ours


def test_catch_signal_with_a_condition(prog):
    # the handler adds 10 for each SIGUSR1: only the second raise has got == 10
    ours = same_as_gdb(prog, ["catch signal SIGUSR1", "condition 1 got == 10", "run", "print got",
                              "info breakpoints", "continue"], ("signal",))
    assert ours.count("Catchpoint 1 (signal SIGUSR1), ") == 1 and "$1 = 10" in ours


def test_catchpoint_rows_and_bad_input(prog):
    """No program needed: what `catch` says, gdb's errors, and every kind of row."""
    ours = same_as_gdb(prog, [
        "info inferiors", "help catch", "catch", "catch syscall nosuch", "catch signal SIGFOO", "catch syscall group:nosuch",
        "catch syscall -1", "catch signal 0", "catch signal all SIGUSR1", "catch fork x",
        "catch nosuch", "catch e", "catch syscall 1 write 231", "catch syscall",
        "catch syscall 9999", "catch signal 10", "catch signal SIGUSR1 SIGUSR2", "catch signal",
        "catch signal all", "tcatch fork", "catch sys exit_group", "disable 3",
        "condition 5 1 == 2", "catch syscall group:network", "info breakpoints", "delete 1",
        "break main", "info breakpoints"])
    assert "Unknown syscall name 'nosuch'." in ours
    assert "Unknown signal name 'SIGFOO'." in ours
    assert "List of catch subcommands:" in ours
    assert '1       catchpoint     keep y              syscalls "write, write, exit_group" ' in ours


async def test_syscalls_are_traced_only_while_a_syscall_catchpoint_is_enabled(prog):
    """`continue` stays one PTRACE_CONT per resume unless a syscall catchpoint is on."""
    async with session_for(prog, "write") as (s, rec):
        for line, said in (("catch load", "catch load is not supported by tdbg."),
                           ("tcatch unload x", "tcatch unload is not supported by tdbg.")):
            res = await s.execute(line)
            assert not res.ok and res.text == said
        await s.execute("break main")
        await s.execute("run")
        inf = s.dbg.target.inf
        assert inf is not None and not inf.trace_syscalls
        await s.execute("catch syscall write")
        assert inf.trace_syscalls
        await s.execute("disable 2")
        assert not inf.trace_syscalls
        await s.execute("enable 2")
        await s.execute("continue")
        stop = rec.last_stop
        assert stop is not None and stop.breakpoint_id == 2 and stop.reason == ev.StopReason.BREAKPOINT
        assert stop.message.startswith("\nCatchpoint 2 (call to syscall write), ")
        await s.execute("delete 2")
        assert not inf.trace_syscalls
        await s.execute("continue")
        await rec.wait_output(b"two")        # the pty reader thread may trail the exit
        for _ in range(100):
            if rec.of(ev.Exited):
                break
            await asyncio.sleep(0.05)
        assert rec.of(ev.Exited)


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")
def test_catch_throw_catch_and_rethrow(build):
    cpp = build("catch_throw")
    ours = same_as_gdb(cpp, ["catch throw", "info breakpoints", "run", "info breakpoints", "bt",
                             "continue", "catch catch", "catch rethrow", "info breakpoints",
                             "continue", "tcatch throw", "delete 1", "continue",
                             "info breakpoints"])
    assert ours.count("Catchpoint 1 (exception thrown), ") == 2
    assert "Catchpoint 2 (exception caught), " in ours
    assert "caught=2" in ours
