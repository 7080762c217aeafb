"""A program's own int3 (gdb's permanent breakpoint), with and without a breakpoint of
ours on it (tests/programs/thr_fair.c, mode int3).

gdb: `continue` onto it reports "Program received signal SIGTRAP" once, then goes on
past it; a single step over it is an ordinary step (a SIGTRAP while stepping is the
step's own); a breakpoint on it is reported as a hit, and leaving it only moves the pc
(exec/single_step.py). gdb 13 itself dies of an internal error on `next`/`until` from
the int3 without a breakpoint there; those are checked against the same rules.
"""
from __future__ import annotations

import re

import pytest

from tests import batch_diff
from tests.conftest import find_source, needs_gdb


@pytest.fixture(scope="module")
def prog(build):
    return build("thr_fair")


def _line(marker: str) -> int:
    src = find_source("thr_fair").read_text().splitlines()
    return next(i for i, text in enumerate(src, 1) if marker in text)


def _both(prog, cmds: list[str]) -> tuple[str, str]:
    ours = batch_diff.tdbg(prog, cmds, ("int3",))
    theirs = batch_diff.gdb(prog, cmds, ("int3",))
    assert "Traceback" not in ours
    norm = [batch_diff.normalize(t, r"a=\d") for t in (ours, theirs)]
    return norm[0], norm[1]


@needs_gdb
@pytest.mark.parametrize("cmds,traps", [
    # no breakpoint on it: reported once, then past it; stepped over like any insn
    (["break mode_int3", "run", "continue", "print $pc", "print count_a", "continue"], 1),
    (["break mode_int3", "run", "stepi", "x/i $pc", "stepi", "x/i $pc", "print count_a",
      "continue"], 0),
    # a breakpoint on the int3 itself: a hit, then never a SIGTRAP
    (["break {INT3}", "run", "continue", "info breakpoints"], 0),
    (["break {INT3}", "run", "stepi", "x/i $pc", "print count_a", "continue"], 0),
    (["break {INT3}", "run", "next", "print count_a", "continue"], 0),
], ids=["continue", "stepi", "bp-continue", "bp-stepi", "bp-next"])
def test_program_int3_like_gdb(prog, cmds, traps):
    cmds = [c.replace("{INT3}", str(_line("INT3-HERE"))) for c in cmds]
    ours, theirs = _both(prog, cmds)
    assert ours == theirs
    assert ours.count("Program received signal SIGTRAP") == traps, ours
    assert "exited normally" in ours


def test_next_and_until_step_over_the_programs_int3(prog):
    # gdb 13: "infrun.c: internal-error: resume_1: Assertion `pc_in_thread_step_range
    # (pc, tp)' failed" on the second `next`; its rule (a SIGTRAP while stepping is the
    # step's) gives the line after, with no signal reported.
    for step in ("next", "until"):
        out = batch_diff.tdbg(prog, ["break mode_int3", "run", step, step, "print count_a",
                                     step, "print count_a", "continue"], ("int3",))
        lines = [l for l in out.splitlines() if re.match(r"^(\d+\t|\$\d)", l)]
        assert lines == [f"{_line('INT3-HERE') - 1}\t    count_a = 1;",
                         f"{_line('INT3-HERE')}\t    __asm__ volatile(\"int3\");   /* INT3-HERE */",
                         f"{_line('AFTER-INT3')}\t    count_a = 2;                /* AFTER-INT3 */",
                         "$1 = 1",
                         f"{_line('AFTER-INT3') + 1}\t    tick_a();",
                         "$2 = 2"], out
        assert "SIGTRAP" not in out and "exited normally" in out, out
