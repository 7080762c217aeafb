"""Run the same -ex commands through `tdbg --batch` and `gdb -batch`, stdout and stderr
merged in order, and normalize what legitimately differs between two runs."""
from __future__ import annotations

import re
import subprocess
import sys

GDB = ["gdb", "-nx", "-batch", "-ex", "set debug-file-directory /nonexistent",
       "-ex", "set pagination off", "-ex", "set width 0"]
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


def same_as_gdb(binary, commands, program_output: str, args=(), have_gdb: bool = True) -> str:
    """Run commands through tdbg and (with gdb installed) gdb at once, half the wall time;
    assert no traceback and equal output once normalized (program_output: see normalize);
    tdbg's own output is returned for the test's further checks."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(2) as pool:
        gdb_run = pool.submit(gdb, binary, commands, args) if have_gdb else None
        ours = tdbg(binary, commands, args)
        theirs = gdb_run.result() if gdb_run is not None else None
    assert "Traceback" not in ours, ours
    if theirs is not None:
        assert normalize(ours, program_output) == normalize(theirs, program_output), ours
    return ours
