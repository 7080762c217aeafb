"""gdb 13's text where tdbg used to differ, diffed against gdb on tests/programs/flow_calls.c:
the `<function called from gdb>` frame a stopped call leaves (bt, up/down/frame N,
finish through it, nested calls; symbols/frames.py's Unwinder and exec/infcall.py's
dummy_regs), `set print frame-arguments presence`, x/i's `=>` at the selected frame's pc,
and every named eflags bit in `info registers`.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from batch_diff import gdb, normalize, tdbg
from conftest import mark_line, needs_gdb

pytestmark = needs_gdb

_OUTPUT = r"r=\d+ x=\d+ h=[\d.]+ big=\d+ pair=\d+"
_STACK = re.compile(r"0x0*7ffffff[def][0-9a-f]{4}\b")


def _same(binary, commands: list[str]) -> str:
    with ThreadPoolExecutor(1) as pool:
        theirs_f = pool.submit(gdb, binary, commands)
        ours = tdbg(binary, commands)
        theirs = theirs_f.result()
    assert "Traceback" not in ours, ours

    def clean(text: str) -> list[str]:
        return _STACK.sub("0xSTACK", normalize(text, _OUTPUT)).splitlines()
    assert clean(ours) == clean(theirs), ours
    return ours


def mark(tag: str) -> int:
    return mark_line("flow_calls", tag)


@pytest.fixture(scope="module")
def prog(build):
    return build("flow_calls")


def test_backtrace_through_a_call_made_by_the_debugger(prog):
    ours = _same(prog, [
        f"break {mark('depth2_call')}", f"break {mark('stopper_body')}", "run",
        "print stopper(3)", "bt", "up", "up", "frame 1", "frame 2", "print n", "x/2i $pc",
        "info frame",
        "down", "info locals", "finish", "bt",
        # two calls stopped, one inside the other; finish from the inner one
        "call stopper(3)", "print stopper(4)", "bt", "frame 3", "print n", "up",
        "down 2", "x/i $pc", "frame 0", "finish", "bt", "continue", "bt"])
    assert "#1  <function called from gdb>" in ours
    assert "#3  <function called from gdb>" in ours


def test_frame_arguments_presence(prog):
    ours = _same(prog, [
        "set print frame-arguments presence", "show print frame-arguments",
        "break add", "break main", "break ld_twice", "run", "bt", "continue", "bt", "frame",
        "up", "info frame", "frame 1", "finish", "info args", "continue", "info threads",
        "set print frame-arguments scalars", "bt 1"])
    assert "add (...) at" in ours and "main () at" not in ours


def test_x_i_marks_the_selected_frames_pc(prog):
    ours = _same(prog, ["break add", "run", "x/2i $pc", "up", "x/2i $pc", "x/3i $pc-3",
                        "down", "x/i $pc", "frame 1", "display/i $pc", "info display",
                        "disassemble", "down", "disassemble"])
    assert re.search(r"^=> 0x[0-9a-f]+ <main\+\d+>:", ours, re.M), ours
    # `disassemble` after `up` shows the caller's function, `=>` at its pc (gdb's)
    assert re.search(r"function main:\n(.*\n)*=> 0x[0-9a-f]+ <\+\d+>:", ours), ours


def test_info_registers_names_every_eflags_bit(prog):
    """RF (resume flag) and AC are gdb's i386_eflags bits too."""
    ours = _same(prog, ["info registers eflags", "info registers", "break add", "run",
                        "info registers eflags", "set var $eflags = $eflags | 0x10000",
                        "info registers eflags", "p $eflags", "stepi", "info registers eflags"])
    assert re.search(r"^eflags +0x1[0-9a-f]{4} +\[ [A-Z ]*RF \]$", ours, re.M), ours
