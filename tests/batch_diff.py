"""Run the same -ex commands through `tdbg --batch` and `gdb -batch`, stdout and stderr
merged in order, and normalize what legitimately differs between two runs."""
from __future__ import annotations

import difflib
import re
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# gdb's own settings for every run: libc's debug info hidden, no pager, no wrapping
GDB_SETTINGS = ["set debug-file-directory /nonexistent", "set pagination off", "set width 0"]
GDB = ["gdb", "-nx", "-batch", *(x for c in GDB_SETTINGS for x in ("-ex", c))]
# gdb loads libthread_db and says so; tdbg reads pthread_t from fs_base instead.
_GDB_ONLY = re.compile(r"^(\[Thread debugging using libthread_db enabled\]|"
                       r"Using host libthread_db library .*)\n", re.M)


def _exes(commands) -> list[str]:
    out = []
    for c in commands:
        out += ["-ex", c]
    return out


def tdbg(binary, commands, args=(), cwd=None, timeout: float = 60) -> str:
    return subprocess.run([sys.executable, "-m", "tdbg.tui.cli", "--batch", *_exes(commands),
                           "--args", str(binary), *args], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout).stdout


def gdb(binary, commands, args=(), cwd=None, timeout: float = 60) -> str:
    out = subprocess.run([*GDB, *_exes(commands), "--args", str(binary), *args], cwd=cwd,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=timeout).stdout
    return _GDB_ONLY.sub("", out)


def normalize(text: str, program_output: str | None = None) -> str:
    """Process ids, LWP numbers and stack addresses of argv (gdb's environment adds
    LINES/COLUMNS) differ between two runs. ``program_output`` (a regex) is what the
    program itself prints: it shares our pipe, so it may land anywhere among our lines,
    even inside one; it is cut out wherever it is (check it on its own)."""
    if program_output:
        text = re.sub(program_output + r"\n", "", text)
    text = re.sub(r"process \d+", "process N", text)
    text = re.sub(r"LWP \d+", "LWP N", text)
    text = re.sub(r"argv=0x[0-9a-f]+", "argv=ADDR", text)
    # tdbg names source files by their base name; gdb as the compiler was given them
    text = re.sub(r"(?<![\w/.])/[^\s:,]*/([^/\s:,]+\.(?:c|h|cpp|S))\b", r"\1", text)
    return text


# the stack moves with the environment (gdb's adds LINES/COLUMNS)
STACK = re.compile(r"0x0*7ffffff[def][0-9a-f]{4}\b")
_THREAD_DB = ("[Thread debugging", "Using host libthread_db")
_INFERIOR_END = re.compile(r"\[Inferior \d+ \(process \w+\) .*\]$")


def lines(text: str, *, exits: bool = True, skip: tuple[str, ...] = (), strip: bool = True,
          names: bool = False, fix: Callable[[str], str] | None = None) -> list[str]:
    """The lines two runs must agree on: process ids, argv and stack addresses replaced,
    libthread_db's lines dropped. exits=False drops the "[Inferior N (process N) ...]"
    lines too; skip: more line beginnings to drop; strip: trailing blanks go; names: all of
    normalize() (LWPs, argv, source paths by base name); fix: one more edit per line."""
    if names:
        text = normalize(text)
    else:
        text = re.sub(r"argv=0x[0-9a-f]+", "argv=ADDR", re.sub(r"process \d+", "process N", text))
    out = []
    for line in text.splitlines():
        if line.startswith(_THREAD_DB + skip) or not exits and _INFERIOR_END.match(line):
            continue
        line = STACK.sub("0xSTACK", line.rstrip() if strip else line)
        out.append(fix(line) if fix is not None else line)
    return out


def assert_same(binary, commands, args=(), cwd=None, *, settings: bool = False,
                **how: Any) -> list[str]:
    """Run commands through tdbg and gdb at once; assert no traceback and the same
    lines (how: lines()' options); tdbg's lines are returned for further checks (joined
    with newlines for substring checks). settings: tdbg runs gdb's opening settings
    too, for `show` to agree."""
    ours_cmds = [*GDB_SETTINGS, *commands] if settings else commands
    with ThreadPoolExecutor(2) as pool:
        mine = pool.submit(tdbg, binary, ours_cmds, args, cwd)
        theirs = lines(gdb(binary, commands, args, cwd), **how)
        ours = mine.result()
    assert "Traceback" not in ours, ours
    got = lines(ours, **how)
    # this module is not a test module: pytest does not rewrite its asserts into a diff
    assert got == theirs, "\n".join(difflib.unified_diff(theirs, got, "gdb", "tdbg", lineterm=""))
    return got


def same_as_gdb(binary, commands, program_output: str, args=(), have_gdb: bool = True) -> str:
    """Run commands through tdbg and (with gdb installed) gdb at once, half the wall time;
    assert no traceback and equal output once normalized (program_output: see normalize);
    tdbg's own output is returned for the test's further checks."""
    with ThreadPoolExecutor(2) as pool:
        gdb_run = pool.submit(gdb, binary, commands, args) if have_gdb else None
        ours = tdbg(binary, commands, args)
        theirs = gdb_run.result() if gdb_run is not None else None
    assert "Traceback" not in ours, ours
    if theirs is not None:
        assert normalize(ours, program_output) == normalize(theirs, program_output), ours
    return ours
