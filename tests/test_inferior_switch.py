"""`inferior [N]` (backend/exec/inferior_switch.py) diffed against gdb 13 on
tests/programs/inferior_switch.c with `set detach-on-fork off`: the text of a switch
(inferior, thread, frame), errors, bt/print/registers/x in the inferior switched to,
`continue` and `finish` running the selected process only, switching back to a process
after the current one exited or was killed, and gdb's pruning of an exited fork's
inferior at the next resume.

gdb numbers a breakpoint's locations per inferior once there are two ("Breakpoint 2.1",
`info breakpoints` rows "2.2 ... inf 2"); so does tdbg (exec/inferiors.py), and
`thread INF.N` / `info threads` span every inferior.
"""
from __future__ import annotations

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from batch_diff import gdb, normalize, tdbg
from conftest import needs_gdb

pytestmark = needs_gdb

_OUTPUT = r"parent got=\d+ child status=\d+"


@pytest.fixture(scope="module")
def prog(build):
    return build("inferior_switch")


def _same(binary, commands: list[str]) -> str:
    with ThreadPoolExecutor(1) as pool:
        theirs_f = pool.submit(gdb, binary, commands, (), None, 60)
        ours = tdbg(binary, commands, timeout=60)
        theirs = theirs_f.result()
    assert "Traceback" not in ours, ours
    clean_ours = normalize(ours, _OUTPUT)
    clean_theirs = normalize(theirs, _OUTPUT)
    assert clean_ours.splitlines() == clean_theirs.splitlines(), ours
    return ours


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] in "ZX"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return True


def test_switching_inspecting_and_running_each_inferior(prog):
    ours = _same(prog, [
        "inferior", "inferior 1", "inferior 2", "inferior 0", "inferior abc", "inferior 1 2",
        "inferior 1+1", "inferior -", "inferior 99999999999999999999",
        "set detach-on-fork off", "break child_work", "break parent_work", "run",
        "info inferiors", "inferior",
        "inferior 2", "bt", "print shared", "info registers rip", "x/2i $pc",
        "inferior 2", "up", "inferior 2", "frame", "inferior 9",
        "continue", "bt", "print n", "info inferiors",
        "inferior 1", "info inferiors", "bt", "print n",
        "inferior 2", "inferior", "finish",
        "inferior 1", "kill", "info inferiors", "print n",
        "inferior 2", "bt", "kill", "info inferiors"])
    child = int(re.search(r"\[New inferior 2 \(process (\d+)\)\]", ours).group(1))
    assert f"[Switching to inferior 2 [process {child}]" in ours
    deadline = time.monotonic() + 30
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child), f"child {child} outlived tdbg"


def test_back_to_the_parent_after_the_child_exited(prog):
    """The child runs to its end; the parent, switched to, is adopted again (breakpoints
    resolved anew) and reaps it; the exited fork's inferior goes at the next resume."""
    ours = _same(prog, [
        "set detach-on-fork off", "break child_work", "break parent_work", "run",
        "inferior 2", "continue", "continue", "info inferiors", "bt",
        "inferior 1", "info inferiors", "inferior 2", "inferior 1", "bt", "print n",
        "finish", "info inferiors", "inferior 2", "continue", "info inferiors", "inferior 1"])
    assert "[Inferior 2 (process" in ours and "exited normally]" in ours
    assert os.path.basename(str(prog)) in ours


def test_the_parent_held_while_following_the_child(prog):
    """follow-fork-mode child: the parent is the held one; switched to, it runs on."""
    _same(prog, ["set detach-on-fork off", "set follow-fork-mode child", "break child_work",
                 "break parent_work", "run", "info inferiors", "inferior 1", "bt", "continue",
                 "info inferiors", "inferior 2", "continue", "inferior 1", "continue",
                 "info inferiors"])


def test_thread_ids_and_locations_across_inferiors(prog):
    """`thread INF.N` switches inferior and thread at once; `info threads [ID...]` lists
    every inferior's threads (the held one read in place); each inferior has its copy of
    every breakpoint location (`Breakpoint 2.1`, rows "1.2 ... inf 2"); gdb's words for
    bad thread IDs and location numbers."""
    ours = _same(prog, [
        "set detach-on-fork off", "break child_work", "break parent_work", "run",
        "thread 1.5", "thread 9.1", "thread 1.", "thread .1", "thread 0.1", "thread 1.0",
        "thread 0", "thread -1", "thread 1x", "thread 1-2",
        "info threads", "thread 2.1", "thread", "info threads", "bt", "thread 1",
        "thread 1.1", "thread", "thread 3", "info threads 1", "info threads 2.1",
        "info threads 1.1 2.1", "info threads 1.*", "info threads 3", "info threads 2-1",
        "info threads abc", "info threads 0",
        "info breakpoints", "disable 2.3", "thread 2.1", "continue", "info breakpoints",
        "info threads"])
    assert "hit Breakpoint 1.2, child_work" in ours and "* 2.1  Thread" in ours


def test_thread_id_lists_with_one_inferior(build):
    """Before any fork: plain IDs, and `info threads` filters by its ID list."""
    binary = build("thr_fair")
    _same(binary, ["info threads", "thread", "thread 1", "break main", "run", "thread 1.1", "thread 2.1",
                   "info threads 1", "info threads 2", "info threads 1-3", "info threads 1.*",
                   "thread 2", "thread abc", "info threads 2-1"])
