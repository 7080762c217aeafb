"""Source-level stepping against gdb on our own programs (docs/hard-cases.md B1-B3, B8, B10, C1, F4,
F6, G3): the same command script through `tdbg --batch` and `gdb -batch`, compared
line by line (helpers in test_source_diff.py). Where gdb cannot be matched on purpose
(B8: gdb 13 turns `next` over longjmp into a continue) tdbg's own answer is checked.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import find_source, needs_gdb
from test_source_diff import assert_same, tdbg_batch

pytestmark = needs_gdb


# ---- step_flow.c: calls, loops, recursion, signals, exit ------------------------------------

def test_step_into_and_out_of_functions(build):
    """`step` into add (stops after the prologue), `step` off its last line back into
    main mid-line (continues to the next line start and prints the frame), `step`
    over puts (no line info), into a recursion."""
    assert_same(build("step_flow", "-O0"), "break main", "run", *["step"] * 8, "bt",
                *["step"] * 5)


def test_next_over_loops(build):
    """`next` in a one-line for loop, a while loop; the line after the loop."""
    assert_same(build("step_flow", "-O0"), "break 46", "run", *["next"] * 15)


def test_next_over_recursive_call_stays_in_frame(build):
    """B2: `next` over depth(n-1) at depth 25 of 50: the inner calls reach the same
    return address first; the stop is the line after, in the same frame (n=25)."""
    lines = assert_same(build("step_flow", "-O0"), "break depth if n==25", "run", "bt 3",
                        "next", "next", "bt 3", "info locals", "finish")
    assert "#0  depth (n=25) at step_flow.c:25" in lines, lines
    assert "Value returned is $1 = 25" in lines


def test_stepi_nexti_format_and_stepi_into_call(build):
    """B5: `stepi` prints `0x...<tab>LINE<tab>source` mid-line; into a call it prints the
    callee's frame at its `{` line; `nexti` steps over calls; back out mid-line."""
    assert_same(build("step_flow", "-O0"), "break 43", "run", *["stepi"] * 3, "bt",
                *["stepi"] * 4, *["nexti"] * 9, "nexti 3", "stepi", "stepi")


def test_until_and_advance(build):
    """`until` at a loop's end jumps past the loop instead of going round it; `advance`
    and `until LOCATION` stop at the location; `until` to a location in another frame
    runs until the current frame returns."""
    assert_same(build("step_flow", "-O0"), "break 50", "run", "delete", *["until"] * 4,
                "advance 52", "until 61", "info locals")
    assert_same(build("demo", "-O0"), "break 89", "run", "delete", "next", "until",
                "info locals", "advance 93", "until 99")


def test_breakpoint_on_the_line_stepped_to(build):
    """B4: a step that lands on a breakpoint reports "Breakpoint N" and counts the hit;
    a step that starts on one does not count it again."""
    lines = assert_same(build("step_flow", "-O0"), "break 49", "break 50", "run", "next",
                        "next", "next", "next", "step", "info breakpoints")
    assert lines.count("\tbreakpoint already hit 2 times") == 2, lines


def test_next_over_exit(build):
    """`next` over exit(3) reports the exit once; later steps say there is no process."""
    lines = assert_same(build("step_flow", "-O0"), "break 62", "run", "next", "next", "next",
                        "step", args=("exit",))
    assert sum("exited with code 03" in ln for ln in lines) == 1, lines


def test_signal_handler_step_and_finish(build):
    """C1: into the handler at a breakpoint, `<signal handler called>` in bt, finish out
    of the handler to the trampoline and on; stepping off the handler's end returns
    through sigreturn into code without line info."""
    binary = build("step_flow", "-O0")
    assert_same(binary, "break handler", "run", "continue", "bt", "finish", "bt", "finish",
                "next", args=("sig",))
    assert_same(binary, "break 36", "run", "continue", "step", "step", "step", "bt 2",
                args=("sig",))
    assert_same(binary, "break handler", "run", "continue", *["next"] * 4, args=("sig",))


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_next_over_a_loop_waiting_for_a_signal(build, opt):
    """A routine signal (SIGALRM) arriving while `next` single-steps a loop: its handler
    runs (at full speed) and the loop ends, as in gdb; no hang."""
    assert_same(build("step_alarm", opt), "break 19", "run", "next", "next", "bt",
                optimized=opt != "-O0")


def test_finish_from_an_outer_frame_and_the_outermost(build):
    """`up` then `finish` finishes frame 1 (value of depth(49)); main is the outermost
    frame gdb shows, so finishing it is refused."""
    assert_same(build("step_flow", "-O0"), "break depth if n==48", "run", "up", "finish",
                "bt 2", "frame 1", "finish", "frame 2", "finish")


def test_next_over_longjmp_stays_in_control(build):
    """B8: gdb 13 here turns `next` over a call that longjmps into a continue (no libc
    probes). tdbg decodes the jmp_buf at longjmp's entry and keeps stepping where it
    lands: back in main, after setjmp returned 7."""
    binary = build("step_flow", "-O0")
    out = tdbg_batch(binary, "break 59", "run", "next", "print j", "bt", "next", "next")
    assert re.search(r"^58\t    if \(j == 0\)$", out, re.M), out
    assert "$1 = 7" in out and "#0  main (" in out, out
    assert re.search(r"^60\t    total \+= j \+ handled;$", out, re.M), out
    # From inside the callee: `next` over longjmp itself leaves jumper for main.
    out = tdbg_batch(binary, "break jumper", "run", "next", "bt", "continue")
    assert re.search(r"^main \(argc=1, argv=0x[0-9a-f]+\) at (\S*/)?step_flow.c:58$", out, re.M), out
    assert "exited normally" in out


@pytest.mark.parametrize("script", [
    ("break main", "run", *["next"] * 4, "bt", "info locals"),
    ("break main", "run", *["step"] * 5, "bt"),
    ("break add", "run", "bt", "finish", "next", "step", "bt", "finish"),
    ("break 64", "run", "next", "next", "bt", "next"),
])
def test_optimised_flow(build, script):
    """The same program at -O2 (up to the longjmp, where gdb gives up: see above):
    stepping follows gdb; values equal gdb's or are <optimized out>."""
    assert_same(build("step_flow", "-O2"), *script, optimized=True)


# ---- step_plt.c + step_lib.c: our own shared library through the PLT ------------------------

@pytest.fixture(scope="module")
def plt_program(tmp_path_factory):
    """step_plt linked against libsteplib.so, lazy binding (the resolver runs on the
    first call of each function); found through an rpath."""
    def make(opt: str) -> Path:
        out = tmp_path_factory.mktemp(f"plt{opt}")
        lib = out / "libsteplib.so"
        subprocess.run(["gcc", "-g", opt, "-shared", "-fPIC", str(find_source("step_lib")),
                        "-o", str(lib)], check=True)
        exe = out / "step_plt"
        subprocess.run(["gcc", "-g", opt, str(find_source("step_plt")), f"-L{out}", "-lsteplib",
                        f"-Wl,-rpath,{out}", "-Wl,-z,lazy", "-o", str(exe)], check=True)
        return exe
    return make


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_step_into_shared_library_through_plt(plt_program, opt):
    """B3: `step` at lib_fn(1) (lazy: through _dl_runtime_resolve) and lib_fn(2) (bound)
    lands on lib_fn's first line both times; `step` over puts (no debug info) steps
    over it; library-to-library calls through the library's own PLT too."""
    assert_same(plt_program(opt), "break main", "run", *["step"] * 10, "bt", *["step"] * 7,
                optimized=opt != "-O0")


def test_next_finish_and_frames_across_objects(plt_program):
    """A breakpoint set in the library once it is loaded; finish back into the program
    (value returned), frames of two objects in one backtrace."""
    assert_same(plt_program("-O0"), "break main", "run", "break lib_fn", "continue", "bt",
                "finish", "next", "next", "step", "bt", "up", "print a", "finish", "next",
                "delete", "next", "step", "step", "bt", "finish", "finish")


# ---- step_inline.c at -O2: inline frames, cold code, caller registers -------------------------

def test_inline_frames(build):
    """B10: `break helper` has 3 locations (numbered 1.1-1.3 at the stops); bt shows the
    inline frame and its caller at the call site without an address; up/down, the
    caller's locals, finish out of the inline frame (no value: nothing returns)."""
    assert_same(build("step_inline", "-O2"), "break helper", "run", "bt", "info locals", "up",
                "info locals", "down", "finish", "bt", *["next"] * 7, "bt", optimized=True)


@pytest.mark.parametrize("cmd", ["next", "step"])
def test_stepping_through_inlined_calls(build, cmd):
    """gdb's inline stepping: a stop at an inlined call's first instruction shows the
    call site; `step` there enters the inline function without running, `next` goes
    over the inlined body."""
    assert_same(build("step_inline", "-O2"), "break main", "run", *[cmd] * 12, "bt",
                optimized=True)


def test_instruction_steps_show_inline_frames(build):
    """stepi/nexti never hide an inline frame (unlike step/next): each instruction is
    shown in the function it belongs to, entering and leaving inlined code."""
    assert_same(build("step_inline", "-O2"), "break main", "run", *["stepi"] * 9, "bt",
                *["nexti"] * 12, "bt", "next 3", "step 2", "stepi", "nexti", "bt",
                optimized=True)


def test_step_and_next_counts(build):
    """`next 3`/`step 2`: only the last stop is printed, against where its step began."""
    assert_same(build("step_flow", "-O0"), "break main", "run", "next 3", "step 3", "bt",
                "next 2", "step 4", "bt", "next 40")


def test_cold_part_of_a_split_function(build):
    """B10: checked.cold: a stop in the cold part, bt names `checked`, finish returns."""
    assert_same(build("step_inline", "-O2"), "break complain", "run", "bt", "finish", "bt",
                "next", "next", "next", "bt", "finish", args=("1", "2"), optimized=True)


def test_caller_frame_values_from_cfi(build):
    """F6 / F4: leaf's caller keeper keeps values in callee-saved registers, restored
    by CFI for frame 1; parameters show gdb's `v=v@entry=...` from the call sites."""
    assert_same(build("step_inline", "-O2"), "break leaf", "run", "bt", "up", "info locals",
                "info args", "print kept * 2", "print $rbx", "print $pc", "frame 2",
                "info locals", "down", "finish", "info locals", "continue", "bt", "up",
                "info locals", args=("1", "2"), optimized=True)


# ---- step_ret.c: finish return values by ABI class ------------------------------------------

RET_FUNCS = ["r_char", "r_short", "r_long", "r_float", "r_double", "r_ldouble", "r_uchar",
             "r_pair", "r_dpair", "r_big"]


@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_finish_return_values(build, opt):
    """G3: rax (char, short, long), xmm0 (float, double), st0 (long double), rax:rdx,
    xmm0:xmm1 and memory-returned structs: `Value returned` equals gdb's."""
    script = [f"break {f}" for f in RET_FUNCS] + ["run"]
    for _ in RET_FUNCS:
        script += ["finish", "continue"]
    lines = assert_same(build("step_ret", opt), *script, optimized=opt != "-O0")
    assert sum(ln.startswith("Value returned") for ln in lines) == len(RET_FUNCS), lines
