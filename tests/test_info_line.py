"""`info line` against gdb: functions are shown at their entry (no prologue skip), one
line per out-of-line copy and per inlined instance; addresses survive the process."""
from __future__ import annotations

import pytest
from conftest import needs_gdb
from test_source_diff import both


@needs_gdb
@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_info_line_of_functions_like_gdb(build, opt):
    binary = build("cond_names", opt)
    for spec in ("main", "depth", "mixed", "shadow", "cond_names.c:23", "cond_names.c:5",
                 "cond_names.c:200", "30"):
        g, t = both(binary, f"info line {spec}")
        # gdb orders several locations by heap addresses of its symbols (it varies
        # between a shell and a subprocess): the same lines, in any order.
        assert sorted(t) == sorted(g), spec


@needs_gdb
def test_addresses_after_the_process_ends_stay_relocated(build):
    binary = build("cond_names")
    g, t = both(binary, "break depth", "run", "kill", "info breakpoints", "info line depth",
                "print &global_n", "print depth", "run", "info breakpoints")
    assert t == g
