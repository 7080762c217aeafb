"""`handle SIGNAL [no]stop [no]print [no]pass` and `info signals`, against gdb 13.

sig_handle raises SIGUSR1 three times and prints how often its handler ran.
"""
from __future__ import annotations

import asyncio

import pytest

from tdbg.backend import events as ev
from tests import batch_diff
from tests.conftest import have_gdb, needs_gdb
from tests.helpers import session_for


@pytest.fixture(scope="module")
def prog(build):
    return build("sig_handle")


@pytest.mark.parametrize("actions,handled,stops", [
    ("nostop noprint pass", 3, 0),
    ("nostop print", 3, 0),
    ("nopass", 0, 3),
    ("stop print nopass", 0, 3),
    ("nostop print nopass", 0, 0),
    ("noprint", 3, 0),                   # noprint implies nostop
])
def test_handle_decides_like_gdb(prog, actions, handled, stops):
    cmds = [f"handle SIGUSR1 {actions}", "run", "continue", "continue", "continue"]
    ours = batch_diff.tdbg(prog, cmds)
    assert "Traceback" not in ours
    assert f"handled={handled}" in ours and "exited normally" in ours
    received = ours.count("Program received signal SIGUSR1, User defined signal 1.")
    printed = stops + (3 if "nostop print" in actions else 0)
    assert received == printed, ours
    if have_gdb():
        theirs = batch_diff.gdb(prog, cmds)
        assert batch_diff.normalize(ours, r"handled=\d") == batch_diff.normalize(theirs, r"handled=\d")


@needs_gdb
def test_thread_library_signals_go_quiet_once_a_program_runs(prog):
    """gdb quiets glibc's SIG32/SIG33 (thread cancellation, setxid) when it meets a
    program's thread library; before that they read like any real-time signal."""
    cmds = ["info signals SIG32", "break main", "run", "info signals SIG32",
            "info signals SIG33", "info signals SIG34"]
    ours = batch_diff.tdbg(prog, cmds)
    assert "SIG33         No\tNo\tYes\t\tReal-time event 33" in ours
    assert batch_diff.normalize(ours) == batch_diff.normalize(batch_diff.gdb(prog, cmds))


@needs_gdb
def test_info_signals_and_handle_text_like_gdb(prog):
    cmds = ["info signals", "info signals SIGUSR1", "handle SIGUSR1 nostop noprint",
            "info signals SIGUSR1", "handle SIGINT pass", "info signals SIGINT",
            "handle 14 stop", "info signals SIGALRM", "handle SIGUSR1 SIGUSR2 nopass",
            "info signals SIGUSR2", "handle SIGFOO stop", "handle SIGUSR1 bogus",
            "info signals 10", "handle 1-3 nostop", "info signals 3", "handle all nopass",
            "info signals SIGTRAP", "info signals SIGHUP", "handle", "info signals 20",
            "info signals SIGFOO", "handle stop SIGHUP", "handle SIGHUP s noi",
            "info signals SIGHUP", "handle SIGWINCH print", "info signals SIGWINCH"]
    ours = batch_diff.tdbg(prog, cmds)
    assert "Traceback" not in ours
    assert ours == batch_diff.gdb(prog, cmds)


async def test_handle_from_the_command_line_shows_the_new_rows(prog):
    """Typed by a person (TUI), handle prints what changed, as gdb does at a terminal;
    the table outlives runs and drives the stops."""
    async with session_for(prog) as (s, rec):
        r = await s.execute("handle SIGUSR1 nostop noprint")
        assert r.ok and r.text == ("Signal        Stop\tPrint\tPass to program\tDescription\n"
                                   "SIGUSR1       No\tNo\tYes\t\tUser defined signal 1"), r.text
        r = await s.execute("handle SIGTRAP nopass")
        assert r.text.startswith("SIGTRAP is used by the debugger.\nAre you sure you want to "
                                 "change it? (y or n) [answered Y]\nSignal"), r.text
        for _ in range(2):
            await asyncio.wait_for(s.run(), 20)
            assert not rec.of(ev.Stopped)
            assert rec.of(ev.Exited)[-1].code == 0
        # The program's terminal is read by another thread: wait for both runs' lines.
        for _ in range(500):
            if rec.output().count(b"handled=") >= 2:
                break
            await asyncio.sleep(0.01)
        assert rec.output().count(b"handled=3") == 2, rec.output()
        await s.execute("handle SIGUSR1 stop")
        await asyncio.wait_for(s.run(), 20)
        st = rec.last_stop
        assert st.reason == ev.StopReason.SIGNAL and st.signal_name == "SIGUSR1"
        assert st.message.startswith("\nProgram received signal SIGUSR1, User defined signal 1.\n")


async def test_bad_handle_words_are_one_line(prog):
    async with session_for(prog) as (s, rec):
        for cmd, text in (("handle SIGFOO stop", 'Unrecognized or ambiguous flag word: "SIGFOO".'),
                          ("handle", "Argument required (signal to handle).")):
            r = await s.execute(cmd)
            assert not r.ok and r.text == text
        r = await s.execute("handle 16 stop")
        assert not r.ok and r.text.startswith("Only signals 1-15 are valid as numeric signals.")
