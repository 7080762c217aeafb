"""Forks as gdb 13 handles them: the detach notices, `set follow-fork-mode child`,
`set detach-on-fork off` and `info inferiors`, on tests/programs/catch_events.c and
proc_fork.c. The process let go never keeps an INT3 (it runs breakpointed code to its
end), and no process is left behind when tdbg ends.
"""
from __future__ import annotations

import asyncio
import os
import re
import time

import pytest

from tdbg.backend import events as ev
from tests import batch_diff
from tests.conftest import find_source, have_gdb
from tests.helpers import session_for

_OUTPUT = r"(children ok=\d+ parent calls=\d+|vfork child status=\d exited=\d|child status=\d|parent done)"


@pytest.fixture(scope="module")
def prog(build):
    return build("catch_events")


def same_as_gdb(binary, commands: list[str], args: tuple[str, ...] = ()) -> str:
    return batch_diff.same_as_gdb(binary, commands, _OUTPUT, args, have_gdb())


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


def test_children_let_go_are_announced(build):
    forks = build("proc_fork")
    ours = same_as_gdb(forks, ["run"], ("fork", "2"))
    assert len(re.findall(r"^\[Detaching after fork from child process \d+\]$", ours, re.M)) == 2
    assert "children ok=2 parent calls=2" in ours
    ours = same_as_gdb(forks, ["run"], ("vfork",))
    assert re.search(r"^\[Detaching after vfork from child process \d+\]$", ours, re.M)


def test_follow_fork_mode_child(prog):
    ours = same_as_gdb(prog, ["set follow-fork-mode child", "break after", "run", "bt",
                              "info inferiors", "continue"], ("fork",))
    for line in (r"\[Attaching after Thread 0x[0-9a-f]+ \(LWP \d+\) fork to child process \d+\]",
                 r"\[New inferior 2 \(process \d+\)\]", r"\[Detaching after fork from parent process \d+\]",
                 r"\[Inferior 1 \(process \d+\) detached\]", r'Thread 2\.1 "\S+" hit Breakpoint 1, after \(n=1\)'):
        assert re.search(line, ours), line
    # the parent, let go, ran after() with no INT3 left in it: it printed and exited 0
    assert "parent done" in ours


def test_next_over_fork_follows_the_child(prog):
    src = find_source("catch_events").read_text().splitlines()
    line = next(i for i, t in enumerate(src, 1) if "pid_t p = fork();" in t)
    ours = batch_diff.tdbg(prog, ["set follow-fork-mode child", f"break {line}", "run", "next", "next"],
                           ("fork",))
    assert "Traceback" not in ours and "tdbg:" not in ours, ours
    assert re.search(r"^\[Switching to Thread 0x[0-9a-f]+ \(LWP \d+\)\]\n(?:.*\n)?"
                     rf"{line + 1}\t    if \(p == 0\)\n{line + 2}\t        _exit", ours, re.M), ours


def test_vfork_child_followed_its_parent_let_go_at_exec(prog):
    ours = batch_diff.tdbg(prog, ["set follow-fork-mode child", "run"], ("vfork",))
    lines = [ln for ln in ours.splitlines() if ln.startswith(("[", "process "))]
    assert re.fullmatch(r"\[Attaching after Thread 0x[0-9a-f]+ \(LWP (\d+)\) vfork to child process (\d+)\]",
                        lines[0]), ours
    assert lines[1:5] == [f"[New inferior 2 (process {_pids(lines[0])[1]})]",
                          f"[Detaching vfork parent process {_pids(lines[0])[0]} after child exec]",
                          f"[Inferior 1 (process {_pids(lines[0])[0]}) detached]",
                          f"process {_pids(lines[0])[1]} is executing new program: /usr/bin/true"], ours
    assert "vfork status=0" in ours


def _pids(line: str) -> tuple[int, int]:
    a, b = re.findall(r"\d+", line.split("LWP", 1)[1])[:2]
    return int(a), int(b)


def test_detach_on_fork_off_keeps_the_child_and_leaves_nothing_behind(prog):
    ours = same_as_gdb(prog, ["set detach-on-fork off", "catch fork", "run", "info inferiors",
                              "stepi", "info inferiors", "kill", "info inferiors"], ("fork",))
    child = int(re.search(r"\[New inferior 2 \(process (\d+)\)\]", ours).group(1))
    assert re.search(rf"^  2    process {child} +1 \(native\) ", ours, re.M), ours
    for _ in range(100):
        if gone(child):
            break
        time.sleep(0.05)
    assert gone(child), f"child {child} outlived tdbg"


async def test_both_processes_kept_following_the_child(prog):
    """detach-on-fork off and follow the child: the parent is held stopped, listed, and
    killed with the session."""
    async with session_for(prog, "fork") as (s, rec):
        for line in ("set detach-on-fork off", "set follow-fork-mode child", "break after", "run"):
            assert (await s.execute(line)).ok, line
        stop = rec.last_stop
        assert stop is not None and stop.breakpoint_id == 1
        # the parent, held, keeps its copy of the location: gdb 13 says the child hit 1.2
        assert re.search(r'^Thread 2\.1 "\S+" hit Breakpoint 1\.2, after \(n=1\)', stop.message, re.M), stop.message
        parent = int(re.search(r"LWP (\d+)\) fork", " ".join(m.text for m in rec.of(ev.Message))).group(1))
        table = (await s.execute("info inferiors")).text.splitlines()
        assert table[1].startswith(f"  1    process {parent} ") and table[2].startswith(f"* 2    process {stop.tid} ")
        assert not gone(parent) and s.pid == stop.tid
        child = stop.tid
        await s.close()
        for _ in range(100):
            if gone(parent) and gone(child):
                break
            await asyncio.sleep(0.05)
        assert gone(parent) and gone(child)
        assert not os.path.exists(f"/proc/{child}/status") or gone(child)
