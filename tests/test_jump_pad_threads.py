"""Threads parked and signals arriving among a fast breakpoint's rewritten branches and
calls (backend/breaks/relocate.py, exec/pad_setup.py's settle).

fast_branch_threads.c at -O0: two threads spin through a `call rel32` (a line's first
instruction), a `jne rel32` and the loop's `jmp rel32` back edge, each a fast site
whose condition is never true, while SIGALRM arrives every millisecond; a third thread
has 14 true hits that park the spinners, often inside a pad. The spinners check that
each call ran once and returned where it should.
"""
from __future__ import annotations

import re
import subprocess

from conftest import ROOT
from test_fast_conditions import fast_rows
from test_jump_pad_branches import code_at, symbol
from test_source_diff import tdbg_batch

SRC = ROOT / "tests" / "programs" / "fast_branch_threads.c"


def test_threads_and_signals_through_rewritten_sites(build):
    """Each true hit is reported once, in its thread; no thread is ever shown at a pad
    address; every site stays fast; the program's results are its own."""
    prog = build("fast_branch_threads", "-O0", "-pthread")
    own = subprocess.run([str(prog)], capture_output=True, text=True, timeout=60).stdout.strip()
    assert own == "lead 60000 1799970000 spin ok alarms yes"
    spin = symbol(prog, "spin")
    body = code_at(prog, spin, 200, 0x280)
    call = next(i for i in body if i.mnemonic == "call" and int(i.op_str, 16) == symbol(prog, "step"))
    jcc = next(i for i in body if i.bytes[0] == 0x0F and 0x80 <= i.bytes[1] <= 0x8F)
    back = next(i for i in body if i.bytes[0] == 0xE9 and int(i.op_str, 16) == call.address)
    assert call.size == 5 and jcc.size == 6 and back.size == 5
    text = SRC.read_text().splitlines()
    call_line, lead_line = (next(i + 1 for i, t in enumerate(text) if f"FAST:{tag}" in t) for tag in ("call", "lead"))
    # Globals only in the conditions: a frame variable of a thread's function is not
    # read right by the compiled condition yet (see the report on issue 11).
    cmds = [f"break fast_branch_threads.c:{call_line} if sums[1] == -1",
            f"break *spin+{jcc.address - spin} if sums[1] == -1",
            f"break *spin+{back.address - spin} if sums[1] == -1",
            f"break fast_branch_threads.c:{lead_line} if (sums[1] & 4095) == 0 && sums[1] > 0", "run"]
    cmds += ["info threads", "c"] * 13 + ["info threads", "info fast-conditions", "info breakpoints", "c"]
    out = tdbg_batch(prog, *cmds)
    assert re.search(rf"Breakpoint 1 at {call.address:#x}: file .*fast_branch_threads\.c, line {call_line}\.", out), out
    assert own in out and "exited normally" in out, out
    threads = [x for x in out.splitlines() if re.match(r"[* ] +\d+ +Thread", x)]
    assert len(threads) >= 14 * 2, out
    assert not [x for x in threads if " in ?? ()" in x and " from " not in x], threads
    assert len(re.findall(r"hit Breakpoint 4, lead \(arg=0x1\)", out)) == 14, out
    assert "\tbreakpoint already hit 14 times" in out
    assert fast_rows(out) == {1: "yes", 2: "yes", 3: "yes", 4: "yes"}
