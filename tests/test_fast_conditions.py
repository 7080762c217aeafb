"""Fast conditional breakpoints: conditions compiled into the program (breaks/fast_sites.py).

What the user sees must be what gdb shows for the same slow conditional breakpoint:
stops, frames, registers, counts, errors of a bad pointer in the condition. Around
that: which sites are fast and why not, stepi off a jump site, a watchpoint over the
same lines, a forked child, and detach leaving every byte of the program as the file
has it and no pad mapped.
"""
from __future__ import annotations

import asyncio
import os
import re
import signal

import pytest
from conftest import ROOT, needs_gdb
from helpers import session_for
from test_source_diff import both, tdbg_batch

LOOP = ROOT / "tests" / "programs" / "fast_loop.c"
REASONS = ROOT / "tests" / "programs" / "fast_reasons.c"


def line(src, tag: str) -> int:
    return next(i + 1 for i, t in enumerate(src.read_text().splitlines()) if f"FAST:{tag}" in t)


def fast_rows(text: str) -> dict[int, str]:
    """`info fast-conditions` rows: breakpoint number -> "yes" or the reason."""
    out = {}
    for row in text.splitlines():
        m = re.match(r"(\d+)\s+\S+\s+(yes|no)\s*(.*)", row)
        if m:
            out[int(m[1])] = "yes" if m[2] == "yes" else m[3]
    return out


@needs_gdb
def test_fast_stop_is_gdbs_slow_stop(build):
    """A jump site's true condition stops at the breakpoint's own address and line: the
    backtrace, registers, values and hit counts are gdb's; continuing runs on."""
    prog = build("fast_loop")
    cmds = ("break tick if i == 500 || it->key == 9", "run", "bt", "info registers rip",
            "p i", "p *it", "x/2i $pc", "condition 1 i == 777", "c", "p local",
            "info breakpoints", "c")
    g, t = both(prog, *cmds, args=("1000",))
    assert t == g
    out = tdbg_batch(prog, "break tick if i == 500", "run", "info fast-conditions", args=("1000",))
    assert fast_rows(out) == {1: "yes"}


@needs_gdb
def test_bad_pointer_in_condition_is_gdbs_error(build):
    """A faulting read in the compiled condition never crashes the program: the debugger
    evaluates it and reports gdb's error, at the breakpoint."""
    prog = build("fast_reasons")
    cmds = ("break work if p->key == 1 && i > 4", "run", "bt", "c", "info breakpoints")
    g, t = both(prog, *cmds, args=("20",))
    assert t == g
    assert any("Cannot access memory at address 0x0" in x for x in t)


@needs_gdb
def test_stepi_and_watch_on_a_jump_site(build):
    """stepi from a jump site steps the original instruction; `next`, a watchpoint over
    the same lines and the next fast hit behave as gdb's."""
    prog = build("fast_loop")
    cmds = ("break tick if i == 3 || i == 5", "run", "stepi", "x/i $pc", "stepi", "info registers rip",
            "next", "watch total", "c", "c", "delete 2", "c", "p i", "bt", "c")
    g, t = both(prog, *cmds, args=("10",))
    assert t == g


def test_fallback_reasons(build):
    """Every site says whether it is fast, and why not."""
    prog = build("fast_reasons")
    w = line(REASONS, "work")
    cmds = (f"break fast_reasons.c:{w} if i == 1000",                  # 1 fast
            "break work if d > 2.0",                                    # 2 a float: the whole site falls back
            "break branchy if i == 1000",                               # 3 cmpl; jle: the jle is moved (relocate.py)
            "break main if sink / 2 == 7",                              # 4 division
            f"break fast_reasons.c:{w + 1} if work(1, 0, 0.0) == 3",   # 5 a call
            f"break fast_reasons.c:{line(REASONS, 'fork')} if $_siginfo",    # 6 convenience
            "run", "info fast-conditions")
    rows = fast_rows(tdbg_batch(prog, *cmds, args=("5",)))
    assert rows[1] == rows[2] == "float value"
    assert rows[3] == "yes"
    assert rows[4] == "operator /"
    assert rows[5] == "call expression"
    assert rows[6] == "convenience variable"
    rows = fast_rows(tdbg_batch(prog, "break work if i == 1000", "break work", "run", "info fast-conditions",
                                "delete 2", "info fast-conditions", "set fast-conditions off", "info fast-conditions",
                                args=("5",)))
    assert rows == {1: "fast conditions are off"}
    out = tdbg_batch(prog, "break work if i == 1000", "break work", "run", "info fast-conditions", args=("5",))
    assert fast_rows(out) == {1: "an unconditional or internal breakpoint shares the address"}
    assert "\"on\" or \"off\" expected." in tdbg_batch(prog, "set fast-conditions maybe")
    shown = tdbg_batch(prog, "show fast-conditions", "set fast-conditions off", "show fast-conditions")
    assert shown.split("\n")[:2] == [
        "Evaluation of simple conditions inside the program (tdbg) is on.",
        "Evaluation of simple conditions inside the program (tdbg) is off."]


def test_forked_child_runs_clean(build):
    """The child of a fork gets its copy of the program restored: it runs its loop
    through the site and exits normally, and the parent's output is the program's own."""
    prog = build("fast_reasons")
    import subprocess
    own = subprocess.run([str(prog), "6"], capture_output=True, text=True).stdout.strip()
    assert own.endswith("child status 0")
    out = tdbg_batch(prog, "break work if i == 2 && p == 0", "run", "p i", "c", args=("6",))
    assert "$1 = 2" in out and own in out and "exited normally" in out


def _text_segments(pid: int, path: str) -> list[tuple[int, int, int]]:
    out = []
    with open(f"/proc/{pid}/maps") as f:
        for row in f:
            parts = row.split()
            if len(parts) >= 6 and parts[5] == path and "x" in parts[1]:
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                out.append((lo, hi, int(parts[2], 16)))
    return out


def test_detach_leaves_no_byte_changed(build):
    """After detach the program's code is the file's, byte for byte, and no pad is mapped."""
    prog = str(build("fast_loop"))

    async def go() -> None:
        async with session_for(prog, "100000000") as (s, rec):
            await s.execute("break tick if i == 200")
            await s.execute("break log_pair if b == -5")
            await s.run()
            assert rec.last_stop is not None
            text = (await s.execute("info fast-conditions")).text
            assert fast_rows(text) == {1: "yes", 2: "yes"}
            pid = s.pid
            maps_before = open(f"/proc/{pid}/maps").read()
            assert maps_before.count("rwxp") >= 1
            await s.execute("detach")
            try:
                segs = _text_segments(pid, os.path.realpath(prog))
                assert segs
                data = open(prog, "rb").read()
                with open(f"/proc/{pid}/mem", "rb") as mem:
                    for lo, hi, off in segs:
                        mem.seek(lo)
                        assert mem.read(hi - lo) == data[off:off + hi - lo]
                assert "rwxp" not in open(f"/proc/{pid}/maps").read()
                assert open(f"/proc/{pid}/stat").read().split(") ")[1][0] in "RS"
            finally:
                os.kill(pid, signal.SIGKILL)
    asyncio.run(go())


def test_thousands_of_hits_cost_no_stop(build):
    """A never-true condition on a function called 300,000 times: the run takes about
    the program's own time, where one stop per hit would take tens of seconds."""
    prog = build("fast_loop")
    out = tdbg_batch(prog, "break tick if i == -1", "break log_pair if a < 0 && b < 0", "run",
                     args=("300000",))
    assert re.search(r"total \d+", out) and "exited normally" in out


@pytest.mark.parametrize("cond", ["local == 2 * i", "it->weight > 100"])
def test_fast_and_slow_agree_in_a_loop(build, cond):
    """The same condition with fast conditions on and off: identical stops and program output."""
    prog = build("fast_loop")
    cmds = (f"break fast_loop.c:{line(LOOP, 'tick') + 1} if {cond}", "run", "p i", "c", "p i",
            "info breakpoints", "kill")
    on = tdbg_batch(prog, *cmds, args=("50",))
    off = tdbg_batch(prog, "set fast-conditions off", *cmds, args=("50",))
    assert re.sub(r"process \d+", "", on) == re.sub(r"process \d+", "", off)


# ---- fast and slow agree on random conditions over random locals ---------------------------
PROPS = ROOT / "tests" / "programs" / "fast_props.c"
# No _Bool operand: the debugger's own evaluator refuses arithmetic on one ("Invalid
# operation on booleans.") where gdb and the compiled condition compute it.
_LEAVES = ["a", "u", "c", "s", "l", "b", "i", "g", "p->x", "p->y", "p->z", "pts[1].x",
           "pts[2].z", "0", "1", "-1", "7", "255", "65535", "2147483647", "-2147483648",
           "4294967295", "3000000000u", "'A'"]
_UNARY = ["!", "-", "~"]
_BINARY = ["+", "-", "*", "&", "|", "^", "==", "!=", "<", "<=", ">", ">=", "&&", "||"]


def _conditions():
    from hypothesis import strategies as st
    leaf = st.sampled_from(_LEAVES)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(lambda op, x: f"{op}({x})", st.sampled_from(_UNARY), inner),
            st.builds(lambda x, op, y: f"({x}) {op} ({y})", inner, st.sampled_from(_BINARY), inner)),
        max_leaves=6)


def test_random_conditions_fast_equals_slow(build):
    """Random conditions: the iterations that stop, and the program's result, are the same
    with the condition compiled into the program and evaluated by the debugger."""
    from hypothesis import HealthCheck, given, settings
    prog = str(build("fast_props"))
    where = f"fast_props.c:{line(PROPS, 'here')}"

    async def stops(s, rec, cond: str, fast: bool) -> tuple[list[str], str]:
        await s.execute(f"set fast-conditions {'on' if fast else 'off'}")
        await s.execute("break main")
        await s.run()
        await s.execute("delete")
        res = await s.execute(f"break {where} if {cond}")
        assert res.ok, res.text
        table = (await s.execute("info fast-conditions")).text
        await s.cont()
        seen = []
        while s.alive and len(seen) < 48:
            seen.append((await s.execute("p i")).text.split("=")[-1].strip())
            await s.cont()
        await s.execute("delete")
        if s.alive:
            await s.kill()
        return seen, table

    fast_count = [0, 0]

    @settings(max_examples=30, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(_conditions())
    def check(cond: str) -> None:
        async def go() -> None:
            async with session_for(prog) as (s, rec):
                slow, _ = await stops(s, rec, cond, False)
                fast, table = await stops(s, rec, cond, True)
                assert fast == slow, (cond, table)
                fast_count[1] += 1
                fast_count[0] += list(fast_rows(table).values()) == ["yes"]
        asyncio.run(go())
    check()
    assert fast_count[0] >= fast_count[1] * 2 // 3, fast_count   # most of them ran fast


def test_threads_and_signals_through_one_site(build):
    """Four threads run through one jump site while SIGALRM keeps arriving (often inside
    the pad): each thread's true hit is reported at the site, no parked thread shows a
    pad address, and the program's results are its own. Under load this used to show a
    parked thread at its stub's trap, and our own SIGSTOP as a signal stop (a step out of
    the pad met it): 200 runs, four at a time, now give four hits and no pad address."""
    prog = build("fast_threads", "-pthread")
    import subprocess
    own = subprocess.run([str(prog)], capture_output=True, text=True).stdout.strip()
    out = tdbg_batch(prog, "break bump if i == 150000", "run", "info threads", "c", "info threads",
                     "c", "c", "info breakpoints", "info fast-conditions", "c")
    hits = re.findall(r"hit Breakpoint 1, bump \(who=(\d), i=150000\)", out)
    assert own in out and own.endswith("alarms yes")         # the program's results, always
    frames = [x for x in out.splitlines() if re.match(r"[* ] +\d+ +Thread", x)]
    assert frames
    # A thread parked just past its stub's trap is shown at the site (its hit kept);
    # our own parking SIGSTOPs and single-steps never reach the user.
    assert not [f for f in frames if " in ?? ()" in f and " from " not in f], frames
    assert "received signal" not in out, out
    assert sorted(hits) == ["0", "1", "2", "3"]
    assert "breakpoint already hit 4 times" in out
    assert fast_rows(out) == {1: "yes"}
