"""10,000 breakpoints set, listed, hit and deleted through the command line, and the work
each command does not growing with how many there are.

No timing here (bench/many_breakpoints_bench.py times it against gdb): the work per
command is counted instead (infos built, events published), which cannot flake.
"""
from __future__ import annotations

import asyncio
import re
import subprocess
import sys

import pytest
from helpers import load_base, session_for, text_of
from many_lines_program import build as build_many

from tdbg.backend import events as ev

FUNCTIONS = 2500            # 4 statement lines each: 10,000 breakpoint lines


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    return build_many(tmp_path_factory.mktemp("many"), FUNCTIONS)


def test_ten_thousand_breakpoints_from_a_script(many, tmp_path):
    exe, lines = many
    assert len(lines) == 10_000
    script = tmp_path / "cmds"
    script.write_text("".join(f"break many.c:{n}\n" for n in lines)
                      + "run\ninfo breakpoints\ndelete\ninfo breakpoints\ncontinue\n")
    out = subprocess.run([sys.executable, "-m", "tdbg.tui.cli", "--batch", "-x", str(script), str(exe)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600).stdout
    assert "Traceback" not in out, out[-3000:]
    set_lines = re.findall(r"^Breakpoint (\d+) at 0x[0-9a-f]+: file many\.c, line (\d+)\.$", out, re.M)
    assert [(int(i), int(n)) for i, n in set_lines] == list(enumerate(lines, 1))
    # main calls the last function first: its first statement's breakpoint is hit
    first = len(lines) - 3
    assert re.search(rf"^Breakpoint {first}, f{FUNCTIONS - 1} \(x=0\) at .*many\.c:{lines[first - 1]}$",
                     out, re.M), out[-3000:]
    table = out[out.index("Num     Type"):]
    rows = re.findall(r"^(\d+)\s+breakpoint\s+keep y\s+0x[0-9a-f]{16} in (f\d+) at many\.c:(\d+)$",
                      table, re.M)
    assert [(int(i), int(n)) for i, _, n in rows] == list(enumerate(lines, 1))
    assert rows[0][1] == "f0" and rows[-1][1] == f"f{FUNCTIONS - 1}"
    assert "\tbreakpoint already hit 1 time" in table
    # after `delete` nothing is left: the list is empty and the program runs to its end
    assert "No breakpoints or watchpoints." in table
    assert "done 9" in out and "exited normally]" in out, out[-2000:]


async def test_work_per_command_does_not_grow(many):
    """Each `break`, `delete N`, `disable N`, `enable N` builds one info (or none) and
    publishes one complete snapshot whatever the count; the INT3s are where the
    breakpoints are, and the program's own bytes are back after `delete`."""
    exe, lines = many
    count = 1200
    link, text = text_of(exe)
    async with session_for(exe, use_pty=False) as (s, rec):
        assert (await s.execute("start")).ok
        cache = s.dbg.breakpoints.cache

        async def run(cmd: str) -> tuple[int, list[ev.BreakpointChanged]]:
            """(infos built by cmd, the BreakpointChanged events it published)"""
            built, seen = cache.rebuilt, len(rec.events)
            res = await s.execute(cmd)
            assert res.ok, (cmd, res.text)
            # the bus delivers on the loop: wait for the newest snapshot to arrive
            deadline = asyncio.get_running_loop().time() + 60
            while cache.generation != _last_generation(rec.events):
                assert asyncio.get_running_loop().time() < deadline, cmd
                await asyncio.sleep(0.01)
            return cache.rebuilt - built, [e for e in rec.events[seen:] if isinstance(e, ev.BreakpointChanged)]

        per_break, ids = [], []
        for i, n in enumerate(lines[:count], 1):
            built, events = await run(f"break many.c:{n}")
            per_break.append(built)
            assert len(events) == 1 and len(events[0].breakpoints) == i
            new = events[0].breakpoints[-1].id          # start's temporary breakpoint was 1
            # (the first after `start` may say None: libraries came since the last snapshot)
            assert events[0].changed == frozenset({new}) or i == 1 and events[0].changed is None
            assert new not in ids
            ids.append(new)
        assert per_break == [1] * count        # the 1st and the 1,200th alike
        last = rec.of(ev.BreakpointChanged)[-1]
        addrs = sorted(a for b in last.breakpoints for a in b.addresses)
        assert len(addrs) == count

        base = load_base(s.pid, exe)

        def code() -> bytes:
            with open(f"/proc/{s.pid}/mem", "rb") as mem:
                mem.seek(base + link)
                return mem.read(len(text))

        marked = {a - base - link for a in addrs}
        assert code() == bytes(0xCC if i in marked else b for i, b in enumerate(text))

        gone, ignored = ids[600], ids[6]
        for cmd, n_built in ((f"disable {gone}", 1), (f"enable {gone}", 1), (f"ignore {ignored} 2", 1),
                             (f"delete {gone}", 0)):
            built, events = await run(cmd)
            assert built == n_built and len(events) == 1, cmd
        assert gone not in {b.id for b in events[0].breakpoints}
        assert len(events[0].breakpoints) == count - 1
        # every breakpoint at once: one event, each info built once
        built, events = await run("disable")
        assert built == count - 1 and len(events) == 1
        assert not any(b.enabled for b in events[0].breakpoints)
        assert code() == text
        built, events = await run("enable")
        assert built == count - 1 and len(events) == 1
        table = (await s.execute("info breakpoints")).text
        rows = re.findall(r"^(\d+) +breakpoint +keep y +0x[0-9a-f]{16} in f\d+ at many\.c:\d+$", table, re.M)
        assert [int(r) for r in rows] == [i for i in ids if i != gone]
        assert "\tignore next 2 hits" in table
        built, events = await run(f"delete {ids[0]}-{ids[499]}")
        # a range, like `disable`, publishes once
        assert built == 0 and len(events) == 1 and len(events[-1].breakpoints) == count - 1 - 500
        built, events = await run("delete")
        assert len(events) == 1 and events[0].breakpoints == ()
        assert code() == text                  # the program's own bytes, everywhere


def _last_generation(events) -> int:
    changes = [e for e in events if isinstance(e, ev.BreakpointChanged)]
    return changes[-1].generation if changes else -1
