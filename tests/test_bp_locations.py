"""One location of a breakpoint on its own, against gdb 13 on the same binaries.

`disable N.M` / `enable N.M` (and ranges) turn single locations off: `n` in the
location's Enb column, no INT3 there. A condition that does not parse at some
locations turns those off instead (`N*`, a warning per location, the footnote under
the table), at `break ... if` and at `condition N`. The state follows a location
when the program runs again: by the name of its function when those are unambiguous,
else by address (so a PIE's locations disabled before the first run come back
enabled when they share a function: gdb's heuristic).

bp_locs.c (-O0): `break scale` has a location in first(), second() and main();
`break bp_locs.c:100` one in first() (which has `a`) and one in second() (`b`).
step_inline.c (-O2): `break helper` has three locations, all in main().
"""
from __future__ import annotations

import asyncio

from conftest import needs_gdb
from helpers import session_for
from test_source_diff import assert_same

SHARED = "bp_locs.c:100"


@needs_gdb
def test_location_numbers_and_their_errors_like_gdb(build):
    prog = build("step_inline", "-O2")
    assert_same(prog, "break helper", "break leaf", "disable 1.2", "info breakpoints",
                "disable 1.9", "disable 9.1", "disable 9.2", "disable 1.0", "disable 0.1",
                "disable 1.", "disable .1", "disable 1.3-2", "disable 1.2-", "disable 1.-2",
                "disable 1.x", "disable x.1", "disable 1.2.3", "disable 1,2", "enable -1",
                "disable 1.1-9", "info breakpoints",            # 1.1-3 done, then the error
                "enable 1.1-3 2", "disable 2.1", "info breakpoints",   # 2.1 of one location: all of 2
                "enable 2.1", "disable 2.2", "disable 1.2-3", "disable 1", "info breakpoints",
                "disable 3 2", "enable 2-3", "enable 1.2-2", "info breakpoints",
                "enable breakpoints 1.3", "enable", "info breakpoints")


@needs_gdb
def test_disabled_locations_are_skipped_and_follow_their_function_over_a_rerun(build):
    prog = build("bp_locs")
    out = assert_same(prog, "break scale", "disable 1.2", "disable 1.3", "info breakpoints",
                      "run", "info breakpoints", "enable 1.2", "disable 1.1", "continue",
                      "continue", "info breakpoints", "kill", "run", "info breakpoints",
                      "enable 1.3", "kill", "run", "kill")
    hits = [ln.split(",")[0] for ln in out if ln.startswith("Breakpoint 1.")]
    assert hits == ["Breakpoint 1.1", "Breakpoint 1.2", "Breakpoint 1.2", "Breakpoint 1.2",
                    "Breakpoint 1.3"], out


@needs_gdb
def test_shared_function_names_carry_states_by_address(build):
    """All of helper's copies are in main: gdb matches them by address, so what was
    disabled before the first run (link-time addresses) is enabled again, what was
    disabled in a process stays disabled in the next one."""
    prog = build("step_inline", "-O2")
    assert_same(prog, "break helper", "break leaf", "disable 1.2", "run", "info breakpoints",
                "disable 1.1", "disable 1.3", "continue", "info breakpoints", "run",
                "info breakpoints", "continue", "kill")


@needs_gdb
def test_a_condition_invalid_at_some_locations_disables_them_like_gdb(build):
    prog = build("bp_locs")
    assert_same(prog, f"break {SHARED} if a == 2", "info breakpoints",
                "condition 1 b == 1", "info breakpoints",          # now 1.1 is N*, 1.2 back
                "disable 1.2", "condition 1 a == 1",                # 1.2 disabled: no warning
                "enable 1.2", "enable 1.1", "info breakpoints",     # cannot enable 1.2
                "condition 1 nosuch == 1", "info breakpoints",      # nowhere: refused
                "condition 1 a == 2", "run", "info breakpoints", "print a",
                "condition 1", "info breakpoints", "enable 1.2", "continue", "print b", "kill")


@needs_gdb
def test_invalid_condition_rows_and_disabled_breakpoint_like_gdb(build):
    prog = build("bp_locs")
    assert_same(prog, "break scale", f"break {SHARED} if b > 0", "disable 2", "disable 1.3",
                "info breakpoints", "enable 2.1", "enable 2", "run", "info breakpoints",
                "print b", "kill")


def test_a_disabled_location_has_no_int3(build):
    """Nothing is planted there (the hit path never sees it), unless another
    breakpoint owns the same address; re-enabled, it is planted again."""
    prog = build("bp_locs")

    async def go():
        async with session_for(prog) as (s, rec):
            ci = s.dbg
            await s.execute("break scale")
            await s.run()
            addrs = sorted(ci.bps.bps[1].addrs)
            raw = ci.inf.read

            def planted():
                return [raw(a, 1) == b"\xcc" for a in addrs]
            assert await s._call(planted) == [True, True, True]
            res = await s.execute("disable 1.1-2")
            assert res.ok, res.text
            assert await s._call(planted) == [False, False, True]
            assert addrs[0] not in ci.bps.sites
            await s.execute(f"break *{addrs[0]:#x}")
            assert await s._call(planted) == [True, False, True]
            await s.execute("delete 2")
            assert await s._call(planted) == [False, False, True]
            await s.execute("enable 1.2")
            assert await s._call(planted) == [False, True, True]
            await s.execute("disable 1")
            await s.execute("enable 1.1")
            assert await s._call(planted) == [False, False, False]
            await s.execute("enable 1")
            assert await s._call(planted) == [True, True, True]
    asyncio.run(go())
