"""Calling the program's functions from expressions (backend/exec/infcall.py), diffed
against gdb 13 on tests/programs/flow_calls.c: the System V argument classes (integers,
pointers, char, bool, enum, doubles and floats, more than six integer or eight SSE
arguments, structs by value in registers and in memory), return values (rax, xmm0,
small structs in registers, big ones through the hidden pointer), strings copied into
the program by its malloc, gdb's errors, and gdb's words when the called function
stops at a breakpoint, gets a signal or exits.
"""
from __future__ import annotations

import re

import pytest
from batch_diff import assert_same, gdb
from conftest import find_source, mark_line, needs_gdb

from tdbg.backend import events as ev
from tests.helpers import session_for

pytestmark = needs_gdb

def mark(tag: str) -> int:
    return mark_line("flow_calls", tag)


@pytest.fixture(scope="module")
def prog(build):
    return build("flow_calls")


def test_arguments_and_return_values_by_the_abi(prog):
    out = assert_same(prog, [
        "print add(1, 2)",                                     # no process yet
        f"break {mark('main_depth2')}", "run",
        "print add(1, 2)", "print counter", "print bump(2)", "print counter",
        "print many(1, 2, 3, 4, 5, 6, 7, 8)",                 # two on the stack
        "print scale(1.5, 2, 3)", "print last_scale",          # double, float, int
        "print next_char('a')", "print is_even(4)", "print is_even(3)",
        "print rotate(GREEN)", "print rotate(2)",              # enum, int to enum
        "print sum_pair(&pr)", "print make_pair(1, 2)",       # pointer; struct in rax
        "print make_big(2)", "print big_sum(make_big(2))",     # struct in memory, both ways
        "print make_mixed(1.5, 2)", "print mixed_sum(make_mixed(1.5, 2))",   # xmm0 + rax
        "print mean9(1, 2, 3, 4, 5, 6, 7, 8, 9)",              # a ninth double on the stack
        "print ld_twice(1.25)", "print ld_twice(h)",           # long double: stack, st0
        "print add(add(1, 2), add(3, 4))", "print half(3)", "print add(1.7, 2)",
        "print add(1, 2, 3)",
        "print length(\"hello\")", "print length(argv[0]) > 0",   # a string through malloc
        "print strlen(\"abc\")",                  # an ifunc: resolved, then no return type
        # gdb's errors
        "print nosuch(1)", "print add(1)", "print h(1)", "print pr(1)", "print argv(1)",
        "print x(1)", "print puts(\"hi\")",
        # every register as it was
        "print $rip", "print $rsp", "info registers rip", "print x", "print r",
        "next", "print r",
    ])
    assert "$1 = 3" in out and "$5 = 204" in out


def test_stops_in_the_called_function(prog):
    """A breakpoint, a signal, the program's exit: gdb's words, and the program stays
    where it stopped (the stop's signal is not delivered to a later call)."""
    assert_same(prog, [f"break {mark('main_depth2')}", f"break {mark('stopper_body')}", "run",
                       "print stopper(3)", "print n", "print twice = 5", "info breakpoints",
                       # `return` pops the called function and the call with it
                       "return 9", "bt", "print x", "next", "print r",
                       # `finish` returns into the call: its value, then silently back
                       "print stopper(5)", "finish", "bt", "print $rax", "print x",
                       "kill", "run",
                       "print crash(0)", "print p", "info registers rip",
                       "print add(1, 2)", "print $_siginfo.si_signo",
                       "kill", "run",
                       "print quit_now(3)", "print add(1, 2)"])


def test_call_prints_nothing_for_void(prog):
    assert_same(prog, [f"break {mark('main_depth2')}", "run",
                       "call bump(3)", "call add(3, 4)", "call counter", "print counter", "call"])


async def test_an_abandoned_call_returns_to_where_it_was_made(prog):
    """When the function that stopped returns, the registers saved before the call come
    back: the program is where the expression was evaluated, and runs on from there."""
    async with session_for(prog, use_pty=False) as (s, rec):
        s.from_tty = False
        await s.execute(f"break {mark('main_depth2')}")
        await s.execute(f"break {mark('stopper_body')}")
        await s.execute("run")
        before = rec.last_stop
        assert before is not None and before.location.line == mark("main_depth2")
        res = await s.execute("print stopper(4)")
        assert not res.ok and res.text.startswith(
            "The program being debugged stopped while in a function called from GDB.")
        assert "(stopper) will be abandoned." in res.text
        inside = rec.last_stop
        assert inside is not before and inside.function == "stopper"
        await s.execute("continue")
        back = rec.last_stop
        assert back is not inside and back.pc == before.pc
        assert back.message == ""                       # gdb stops there silently
        assert dict(back.regs) == dict(before.regs)
        assert (await s.execute("print x")).text.endswith("= 5")
        await s.execute("next")
        assert rec.last_stop.location.line == mark("main_x10")
        assert (await s.execute("print r")).text.endswith("= 114")   # 7 + depth2(7)


async def test_calls_need_the_process(prog):
    async with session_for(prog, use_pty=False) as (s, rec):
        res = await s.execute("print add(1, 2)")
        assert not res.ok and res.text == "You can't do that without a process to debug."
        assert not rec.of(ev.Stopped)


async def test_other_threads_run_during_a_call_unless_locked(build):
    """gdb 13 resumes every thread for a call unless scheduler-locking is on; checked on
    gdb itself too."""
    prog = build("flow_threads")
    line = next(i for i, ln in enumerate(find_source("flow_threads").read_text().splitlines(), 1)
                if "MARK:threads_nap" in ln)
    theirs = gdb(prog, [f"break {line}", "run", "print ticks", "print nap(200)", "print ticks",
                        "set scheduler-locking on", "print nap(200)", "print ticks"])
    counts = [int(m) for m in re.findall(r"^\$\d+ = (\d+)$", theirs, re.M)]
    assert counts[0] < counts[2] and counts[2] == counts[4], theirs
    async with session_for(prog, use_pty=False) as (s, rec):
        await s.execute(f"break {line}")
        await s.execute("run")

        async def ticks() -> int:
            return int((await s.execute("print ticks")).text.split(" = ")[1])
        before = await ticks()
        assert (await s.execute("print nap(200)")).text.endswith("= 200")
        during = await ticks()
        assert during > before
        await s.execute("set scheduler-locking on")
        assert (await s.execute("print nap(200)")).text.endswith("= 200")
        assert await ticks() == during
