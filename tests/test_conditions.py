"""Breakpoint conditions over C names, against gdb on the same binary.

Conditions run at every hit, so frame-0 names are bound once per pc
(backend/frame0_names.py) and later hits only read memory. These tests make
sure the bound names are the ones the full scope walk (and gdb) would find:
the innermost block's variable, arguments, struct members, each frame of a
recursion, globals and file statics; at -O2 where locations are registers and
location lists; and after the load address moves (ASLR on).
"""
from __future__ import annotations

import pytest
from conftest import ROOT, needs_gdb
from test_source_diff import both, tdbg_batch

SRC = ROOT / "tests" / "programs" / "cond_names.c"


def line(tag: str) -> int:
    lines = SRC.read_text().splitlines()
    return next(i + 1 for i, text in enumerate(lines) if f"COND:{tag}" in text)


CASES = {
    "inner block shadows the outer v": (
        f"break cond_names.c:{line('inner')} if v == 70 && k == 3",
        ("print v", "print i", "print k", "print global_n")),
    "outer v after the block": (
        f"break cond_names.c:{line('outer')} if v == 4",
        ("print v", "print k", "print file_static")),
    "recursion: the innermost frame's names": (
        f"break cond_names.c:{line('leaf')} if local == 0 && n == 0 && global_n > 1000",
        ("print local", "backtrace", "up", "print local", "print n")),
    "char, long and a struct member": (
        f"break cond_names.c:{line('mixed')} if c == 200 && big > 0 && p.x == 4",
        ("print c", "print big", "print p", "print p.y")),
    "globals and statics": (
        "break shadow if global_n > 500 && file_static > 5",
        ("print global_n", "print file_static", "print k")),
}


@needs_gdb
@pytest.mark.parametrize("case", list(CASES))
def test_condition_stops_where_gdb_stops(build, case):
    binary = build("cond_names")
    brk, show = CASES[case]
    g, t = both(binary, brk, "run", *show, "info breakpoints", "kill")
    assert t == g


def test_conditions_follow_a_moved_load_address(build):
    """A second run with ASLR on loads the program elsewhere: names bound at the old
    addresses must not be reused."""
    binary = build("cond_names")
    brk = f"break cond_names.c:{line('inner')} if v == 50 && k == 2"
    out = tdbg_batch(binary, brk, "run", "print v", "print i", "print &global_n", "kill",
                     "set disable-randomization off", "run", "print v", "print i",
                     "print &global_n", "kill")
    values = [ln.split(" = ", 1)[1] for ln in out.splitlines() if ln.startswith("$")]
    assert len(values) == 6, out
    assert values[0:2] == values[3:5] == ["50", "5"], out
    assert values[2] != values[5], "the second run did not move: ASLR was not on"


def test_bound_names_are_used_for_memory_locations(build):
    """The speed path is really taken for plain stack/global locations at -O0, and
    stays off where a name lives in a register (-O2)."""
    import asyncio

    from helpers import session_for

    from tdbg.backend.inspect import frame0_names

    async def probe(binary, names):
        async with session_for(binary) as (s, rec):
            await s.breakpoints.break_at(f"cond_names.c:{line('mixed')}")
            await s.run()
            dbg = s.dbg

            def bind():
                found = {n: frame0_names.lookup(dbg.target, dbg.frames, dbg.tid, n) for n in names}
                return {n: v if v in (None, frame0_names.SLOW) else v.as_int()
                        for n, v in found.items()}
            return await s._call(bind)

    plain = asyncio.run(probe(build("cond_names"), ("c", "big", "global_n", "nosuch")))
    assert all(plain[n] is not frame0_names.SLOW for n in ("c", "big", "global_n"))
    assert plain["nosuch"] is frame0_names.SLOW
    assert plain["big"] == plain["c"] - 150
    opt = asyncio.run(probe(build("cond_names", "-O2"), ("c", "big")))
    assert all(v is frame0_names.SLOW for v in opt.values())


@needs_gdb
@pytest.mark.parametrize("cond", ["nosuch == 1", "(struct nope *)0 == 0", "v == 70 && k == 3",
                                  "sizeof(int) == 4 && i == 3 && depth != 0"])
def test_conditions_are_checked_where_the_breakpoint_is(build, cond):
    """gdb parses a condition in the scope of the location when the breakpoint is set:
    an unknown name is an error there, and no breakpoint is made."""
    binary = build("cond_names")
    g, t = both(binary, f"break cond_names.c:{line('inner')} if {cond}", "info breakpoints",
                "break shadow", f"condition 2 {cond}", "info breakpoints")
    assert t == g


@needs_gdb
def test_condition_invalid_at_some_locations_at_O2(build):
    """At -O2 the COND:inner line has three locations, and `v` / `k` are known only in
    the out-of-line shadow(): gdb warns for the other two, marks them N* (never
    inserted) and makes the breakpoint; `condition` re-checks each location."""
    binary = build("cond_names", "-O2")
    brk = f"break cond_names.c:{line('inner')} if v == 70 && k == 3"
    g, t = both(binary, brk, "info breakpoints", "tbreak main", "run", "info breakpoints",
                "condition 1 global_n > 0", "info breakpoints", "condition 1 k == 3",
                "enable 1.1", "info breakpoints", "kill")
    assert t == g
    assert sum("failed to validate condition at location" in ln for ln in t) == 4, t
    assert "(*): Breakpoint condition is invalid at this location." in t
