"""Changing where the program is: `return`, `jump`, `starti`, `start`, and `attach`,
`detach`, `kill` in a session, diffed against gdb 13 on tests/programs/flow_calls.c
(backend/exec/flow.py, backend/exec/frame_return.py, backend/commands/flow.py).

gdb -batch answers its queries itself and prints what it was asked (`jump` out of the
function); `return` asks only a person and then shows the new frame: the Session tests
drive that with `from_tty` and the `confirm` callback the TUI sets.
"""
from __future__ import annotations

import re
import subprocess
import time

import pytest
from batch_diff import assert_same, gdb, lines, tdbg
from conftest import mark_line, needs_gdb

from tdbg.backend import events as ev
from tests.helpers import session_for

pytestmark = needs_gdb

_LIBS = re.compile(r"0x00007[0-9a-f]{11}\b")   # ASLR may put them below 0x7f0000000000


def _no_libs(line: str) -> str:
    """An attached process was started with ASLR: its libraries move."""
    return _LIBS.sub("0xLIB", line)


def mark(tag: str) -> int:
    return mark_line("flow_calls", tag)


@pytest.fixture(scope="module")
def prog(build):
    return build("flow_calls")


def test_return_pops_the_frame_then_start_and_starti(prog):
    out = assert_same(prog, [
        "return", "break add", "break half", "run",
        "return 42", "next", "print r", "bt", "print $rip",     # int in rax
        "continue", "return 7", "next", "print h",              # double in xmm0
        "break ld_twice", "continue", "return 7.5", "next", "print big",   # long double in st0
        "continue", "bt", "up", "return 5", "bt", "next", "print r",   # an outer frame
        "info registers rip", "delete",
        # starting again: at the first instruction, at main
        "starti", "info registers rip", "stepi", "starti", "start", "next",
        "start", "info breakpoints", "starti a b", "start x", "print argc"])
    assert "$1 = 42" in out and "$3 = 7" in out and "$4 = 7.5" in out and "$5 = 47" in out


def test_jump_continues_elsewhere(prog):
    assert_same(prog, [
        "jump 3", f"break {mark('main_x10')}", f"break {mark('main_x20')}", "run",
        f"jump {mark('main_x20')}", "print x",          # a breakpoint at the new pc: hit at once
        f"jump {mark('main_x10')}", "jump *$pc", "info breakpoints",
        "jump", "jump nosuch", "jump 1000", "jump *0",
        f"jump {mark('add_body')}",                      # out of main: gdb's query, answered
        "bt 1", "kill", "run", f"jump flow_calls.c:{mark('main_print')}"])


def _sleeper(prog) -> subprocess.Popen:
    child = subprocess.Popen([str(prog), "sleep"], stdout=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:                  # asleep in its loop, not still loading
        try:
            if "nanosleep" in open(f"/proc/{child.pid}/wchan").read() or \
                    open(f"/proc/{child.pid}/stat").read().split()[2] == "S":
                break
        except OSError:
            pass
        time.sleep(0.02)
    time.sleep(0.1)
    return child


def test_attach_detach_kill_in_a_session(prog):
    outs = []
    for run in (tdbg, gdb):
        child = _sleeper(prog)
        try:
            outs.append(run(prog, ["detach", "kill", "attach", "attach abc",
                                   f"attach {child.pid}", "detach", f"attach {child.pid}",
                                   "kill", "detach"]))
            child.wait(timeout=10)
        finally:
            child.kill()
            child.wait()
    ours, theirs = outs
    assert "Traceback" not in ours, ours
    assert lines(ours, fix=_no_libs) == lines(theirs, fix=_no_libs)
    assert "[Inferior 1 (process N) detached]" in lines(ours)


async def test_return_asks_a_person_then_shows_the_frame(prog):
    """Typed (from_tty): gdb asks "Make add return now?" and then prints the frame as its
    `frame` command does; no: nothing moves."""
    theirs = lines(gdb(prog, ["break add", "run", "return 42", "frame"]))[-2:]
    asked: list[str] = []
    answers = [False, True]

    async def confirm(question: str) -> bool:
        asked.append(question)
        return answers.pop(0)
    async with session_for(prog, use_pty=False) as (s, rec):
        s.confirm = confirm
        await s.execute("break add")
        await s.execute("run")
        stop = rec.last_stop
        res = await s.execute("return 42")
        assert not res.ok and res.text == "Not confirmed"
        assert rec.last_stop is stop and s.stop_pc == stop.pc
        res = await s.execute("return 42")
        assert res.ok, res.text
        assert asked == ["Make add return now?"] * 2
        popped = rec.last_stop
        assert popped is not stop and popped.function == "main"
        assert lines(popped.message) == theirs
        await s.execute("next")
        assert (await s.execute("print r")).text.endswith("= 42")


async def test_jump_asks_before_leaving_the_function(prog):
    async with session_for(prog, use_pty=False) as (s, rec):
        asked: list[str] = []

        async def confirm(question: str) -> bool:
            asked.append(question)
            return False
        s.confirm = confirm
        await s.execute(f"break {mark('main_x10')}")
        await s.execute(f"break {mark('main_x20')}")
        await s.execute("run")
        res = await s.execute(f"jump {mark('add_body')}")
        assert not res.ok and res.text == "Not confirmed."
        assert asked == [f"Line {mark('add_body')} is not in `main'.  Jump anyway?"]
        res = await s.execute(f"jump {mark('main_x20')}")
        assert res.ok
        notes = [e.text for e in rec.of(ev.Message)]
        assert any(re.fullmatch(r"Continuing at 0x[0-9a-f]+\.", n) for n in notes), notes
        assert rec.last_stop.location.line == mark("main_x20")
        assert (await s.execute("print x")).text.endswith("= 5")     # x = 10 was jumped over
