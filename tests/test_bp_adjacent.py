"""Stepping off one breakpoint onto another (a `call` whose callee has a breakpoint on its
first instruction, a one-byte `push %rbp`): the landing counts as that breakpoint's hit
once, whether it is reported, ignored or its condition is false; then resuming steps off
it instead of running its INT3 (which counted every such hit twice). Diffed against gdb."""
from __future__ import annotations

import pytest
from batch_diff import gdb, lines, tdbg
from conftest import needs_gdb

pytestmark = needs_gdb

@pytest.fixture(scope="module")
def prog(build):
    return build("bp_adjacent")


@pytest.mark.parametrize("how", [
    ["ignore 2 2"],
    ["condition 2 v == 2"],
    ["ignore 2 1", "condition 2 v >= 0"],
])
def test_a_breakpoint_landed_on_by_a_step_counts_once(prog, how):
    cmds = ["break 10", "run", "break *f0", *how, "continue", "continue", "continue",
            "info breakpoints"]
    ours, theirs = tdbg(prog, cmds), gdb(prog, cmds)
    assert "Traceback" not in ours
    assert lines(ours, strip=False) == lines(theirs, strip=False)
