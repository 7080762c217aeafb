"""`set scheduler-locking step|on` per resuming command, on two threads
(tests/programs/schedlock_cmds.c; exec/schedlock.py).

A spinning thread bumps count_b; each resume is followed by `print count_b == $b`
($b read just before it): 1 means the other thread was held back, 0 that it ran. The
0s are certain: wait_b() returns only once count_b moved, so only the resumes that
let every thread run are made to go through it (a wrongly locked one would never come
back and time out); the 1s are certain under a lock. gdb 13 prints the same lines.
"""
from __future__ import annotations

import re

import pytest

from tests import batch_diff
from tests.conftest import find_source, have_gdb


@pytest.fixture(scope="module")
def prog(build):
    return build("schedlock_cmds")


def _line(marker: str) -> int:
    src = find_source("schedlock_cmds").read_text().splitlines()
    return next(i for i, text in enumerate(src, 1) if f"/* {marker} */" in text)


def _checked(command: str) -> list[str]:
    return ["set var $b = count_b", command, "print count_b == $b"]


def _step_mode() -> tuple[list[str], list[str]]:
    """step: step, next, stepi, nexti hold the other thread; until, finish, until
    LOCATION, advance and continue let it run."""
    cmds = [f"break {_line('LOCKED-NEXT')}", f"break {_line('FREE-CONTINUE')}", "run",
            "set scheduler-locking step",
            *_checked("next"), *_checked("step"), "finish",     # quiet(): too short to tell
            *_checked("next"), *_checked("stepi"), *_checked("nexti"),
            "next", "next",                                     # to FREE-UNTIL
            *_checked("until"), "step", *_checked("finish"),
            *_checked(f"until {_line('FREE-UNTIL-LOCATION')}"),
            *_checked(f"advance {_line('FREE-ADVANCE')}"), *_checked("continue"),
            "show scheduler-locking", "kill"]
    return cmds, ["1"] * 5 + ["0"] * 5


def _on_mode() -> tuple[list[str], list[str]]:
    """on: no resume lets the other thread run (wait_b is never reached)."""
    cmds = [f"break {_line('LOCKED-NEXT')}", f"break {_line('ON-CONTINUE')}", "run",
            "set scheduler-locking on",
            *_checked("next"), *_checked("step"), *_checked("finish"), *_checked("next"),
            *_checked("stepi"), *_checked("nexti"), *_checked("until"),
            *_checked(f"advance {_line('ON-ADVANCE')}"), *_checked("continue"),
            "show scheduler-locking", "kill"]
    return cmds, ["1"] * 9


@pytest.mark.parametrize("mode", ["step", "on"])
def test_which_commands_let_the_other_thread_run_like_gdb(prog, mode):
    cmds, expected = _step_mode() if mode == "step" else _on_mode()
    args = ("wait",) if mode == "step" else ()
    ours = batch_diff.same_as_gdb(prog, cmds, "", args, have_gdb=have_gdb())
    assert re.findall(r"^\$\d+ = (\d)$", ours, re.M) == expected, ours
    assert f'scheduler during execution is "{mode}".' in ours, ours
