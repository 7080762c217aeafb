"""Differential tests: the same command script through `tdbg --batch` and `gdb -batch`.

Where the two disagree on the same binary, tdbg is wrong. The comparison is line by
line after normalising what legitimately differs between the two runs:
- file names: gdb prints the DW_AT_name path, tdbg the basename;
- stack addresses (argv, &local): the environment differs, so the stack moves;
- pids, and gdb-only chatter about libthread_db.
This module also holds the helpers that tests/test_stepping.py uses.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import gdb_batch, needs_gdb

ROOT = Path(__file__).resolve().parent.parent

_GDB_ONLY = re.compile(r"^(\[Thread debugging using libthread_db enabled\]|Using host libthread_db"
                       r"|\[Inferior \d+ \(process \d+\) detached\]|Run till exit from )")
_PATH = re.compile(r"(?<![\w.])/(?:[^\s:/'\"]+/)+([^\s:/'\",)]+)")
# The stack lives just under 0x7ffffffff000 with ASLR off; its exact place depends on
# the environment. mmap'ed libraries (0x7ffff7...) do not move, so they stay exact.
_STACK = re.compile(r"0x0*7ffffff[def][0-9a-f]{4}\b")
_PID = re.compile(r"process \d+")


def normalise(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if _GDB_ONLY.match(line):
            continue
        line = _PATH.sub(r"\1", line)
        line = _STACK.sub("0xSTACK", line)
        line = _PID.sub("process PID", line)
        out.append(line.rstrip())
    while out and not out[-1]:
        out.pop()
    return out


def _tdbg_cmd(binary, commands, args) -> list[str]:
    cmd = [sys.executable, "-m", "tdbg.tui.cli", "--batch", "-ex", "set confirm off"]   # as gdb's
    for c in commands:
        cmd += ["-ex", c]
    return cmd + [str(Path(binary).resolve()), *args]


def _gdb_cmd(binary, commands, args) -> list[str]:
    """gdb -batch as conftest.gdb_batch runs it (libc debug info hidden)."""
    cmd = ["gdb", "-nx", "-batch", "-ex", "set debug-file-directory /nonexistent",
           "-ex", "set pagination off", "-ex", "set width 0", "-ex", "set confirm off"]
    for c in commands:
        cmd += ["-ex", c]
    return cmd + ["--args", str(Path(binary).resolve()), *args]


def _run_all(cmds: list[list[str]], env: dict | None, timeout: float = 120) -> list[str]:
    """Run the commands at once (gdb and tdbg side by side: half the wall time); their
    stdout+stderr, merged in order as a terminal shows them."""
    full_env = {**os.environ, **(env or {})}
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=full_env, cwd=ROOT) for c in cmds]
    outs = []
    for p in procs:
        try:
            outs.append(p.communicate(timeout=timeout)[0])
        except subprocess.TimeoutExpired:
            p.kill()
            outs.append(p.communicate()[0] + "\n<TIMEOUT>")
    return outs


def tdbg_batch(binary, *commands: str, args: tuple[str, ...] = (), env: dict | None = None) -> str:
    out = _run_all([_tdbg_cmd(binary, commands, args)], env)[0]
    assert "Traceback" not in out, out
    return out


def gdb_run(binary, *commands: str, args: tuple[str, ...] = (), env: dict | None = None) -> str:
    return _run_all([_gdb_cmd(binary, commands, args)], env)[0]


def both(binary, *commands: str, args: tuple[str, ...] = (), env: dict | None = None
         ) -> tuple[list[str], list[str]]:
    """(gdb lines, tdbg lines), normalised."""
    g, t = _run_all([_gdb_cmd(binary, commands, args), _tdbg_cmd(binary, commands, args)], env)
    assert "Traceback" not in t, t
    return normalise(g), normalise(t)


def _line_matches(g: str, t: str) -> bool:
    """-O2 rule (docs/hard-cases.md F4): tdbg may say <optimized out> where gdb knows a value
    (gdb also reads registers the CFI does not restore as "same value"), never a
    different value."""
    if g == t:
        return True
    if "<optimized out>" not in t:
        return False
    parts = [re.escape(p) for p in t.split("<optimized out>")]
    return re.fullmatch(r"(?:.+?)".join(parts), g) is not None


def assert_same(binary, *commands: str, args: tuple[str, ...] = (), env: dict | None = None,
                drop: str | None = None, optimized: bool = False) -> list[str]:
    """Run the script through both; the normalised outputs must be equal line by line.
    `drop` (a regex) removes lines known to differ that are checked elsewhere;
    `optimized` allows <optimized out> where gdb has a value (see _line_matches)."""
    g, t = both(binary, *commands, args=args, env=env)
    if drop is not None:
        rx = re.compile(drop)
        g = [x for x in g if not rx.search(x)]
        t = [x for x in t if not rx.search(x)]
    same = len(g) == len(t) and all(
        x == y or optimized and _line_matches(x, y) for x, y in zip(g, t, strict=True))
    if not same:
        import difflib
        diff = "\n".join(difflib.unified_diff(g, t, "gdb", "tdbg", lineterm="", n=3))
        raise AssertionError(f"tdbg differs from gdb for {list(commands)}:\n{diff}")
    return t


def functions_of(binary) -> list[str]:
    """Functions defined in the binary's own debug info (gdb's `info functions` non-debugging
    part excluded)."""
    out = gdb_batch(binary, "info functions")
    names = []
    for line in out.splitlines():
        m = re.match(r"^\d+:\s+.*?\b(\w+)\(", line)
        if m:
            names.append(m.group(1))
    return names


# ---- demo/demo.c ------------------------------------------------------------------------

DEMO_FUNCS = ["push", "list_sum", "factorial", "shape_area", "tick", "main"]
# Per function: where `break FUNC` stops, the frames, arguments, locals once the first
# line ran (before, they are uninitialised stack garbage), the value `finish` returns,
# then stepping on in the caller.
FUNC_SCRIPT = ("bt", "info args", "next", "info locals", "finish", "next", "step", "bt",
               "info locals")


@needs_gdb
@pytest.mark.parametrize("opt", ["-O0", "-O2"])
@pytest.mark.parametrize("func", DEMO_FUNCS)
def test_break_every_function(build, opt, func):
    binary = build("demo", opt)
    assert_same(binary, f"break {func}", "run", *FUNC_SCRIPT, optimized=opt != "-O0")


@needs_gdb
def test_demo_functions_are_all_covered(build):
    """The list above is every function of demo.c with a body (on_usr1: see the signal test)."""
    names = set(functions_of(build("demo", "-O0")))
    assert names == set(DEMO_FUNCS) | {"on_usr1"}, names


@needs_gdb
@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_recursive_finish(build, opt):
    """B1: the return breakpoint of factorial(4) is reached first by deeper levels;
    only the hit in factorial(5)'s frame counts: 24, then 120 in factorial(6).
    (At -O2 gcc turns the recursion into a loop: the condition never holds there.)"""
    lines = assert_same(build("demo", opt), "break factorial if n==4", "run", "bt", "finish",
                        "bt", "finish", "bt", "info args", optimized=opt != "-O0")
    if opt == "-O0":
        values = [ln for ln in lines if ln.startswith("Value returned")]
        assert [v.split(" = ")[-1] for v in values] == ["24", "120"], lines


@needs_gdb
def test_signal_handler_frames(build):
    """C1: the handler's caller is "<signal handler called>"; finish leaves the handler
    for the trampoline, finish again for the interrupted code (without line info)."""
    assert_same(build("demo", "-O0"), "break on_usr1", "run", "continue", "bt", "info args",
                "finish", "bt", "finish", "bt 3")


@needs_gdb
def test_frame_selection_and_caller_variables(build):
    """`up`/`down`/`frame N` and the selected frame's variables; finish from frame 1."""
    assert_same(build("demo", "-O0"), "break factorial if n==2", "run", "up", "info args",
                "print n * 10", "frame 3", "info locals", "print rounds", "down", "print n",
                "frame 1", "finish", "bt", "down", "frame 9")


@needs_gdb
def test_no_process_errors(build):
    assert_same(build("demo", "-O0"), "bt", "finish", "info locals", "info args", "step",
                "next", "up", "frame", "down")


@needs_gdb
def test_outermost_finish_and_stepping_out_of_main(build):
    """finish in main (the outermost frame gdb shows); `next` off main's end stops in
    code without line info, from which `next` cannot find the function's bounds."""
    assert_same(build("demo", "-O0"), "break 98", "run", "finish", "next", "next", "bt 1",
                "next")


@needs_gdb
@pytest.mark.parametrize("opt", ["-O0", "-O2"])
@pytest.mark.parametrize("cmd", ["step", "next"])
def test_long_step_sequences(build, opt, cmd):
    """Forty steps through the whole demo: calls, returns mid-line, loops, inlined code
    at -O2, and the SIGUSR1 stop (where gdb has no function bounds to step in)."""
    assert_same(build("demo", opt), "break main", "run", *[cmd] * 40, "bt",
                optimized=opt != "-O0")
