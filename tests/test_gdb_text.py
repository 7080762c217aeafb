"""gdb's text where it depends on the selected frame, on types, and on file names, diffed
against gdb 13 on tests/programs/gdb_text.c: `list`/`print`/`x`/`info locals`/`info frame`
after `up`/`frame N`/`down`; `ptype`/`whatis` bodies; `info frame` in full; file names as
the compiler was given them (unlike tests/test_source_diff.py, paths are not normalised
here); finish's "Run till exit from" line when typed (gdb prints it only with from_tty).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from functools import partial
from pathlib import Path

import batch_diff
import pytest
from batch_diff import STACK, gdb, tdbg
from conftest import find_source, needs_gdb

from tdbg.backend import events as ev
from tests.helpers import session_for

pytestmark = needs_gdb

# `Breakpoint 1 at 0x...: file F, line N.` comes from backend/breaks/breakpoints.py, which
# still names F by its base name: compared by base name until it uses inspect/file_names.py
_BREAK_AT = re.compile(r"^(Breakpoint \d+ at 0x[0-9a-f]+: file )(?:\S*/)?")


def _break_at(line: str) -> str:
    return _BREAK_AT.sub(r"\1", line)


_lines = partial(batch_diff.lines, exits=False, fix=_break_at)
assert_same = partial(batch_diff.assert_same, exits=False, fix=_break_at)


def _mark(tag: str) -> int:
    lines = find_source("gdb_text").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if f"MARK:{tag}" in line)


@pytest.fixture(scope="module")
def prog(build):
    return build("gdb_text")


def test_selected_frame_is_what_list_print_x_and_locals_use(prog):
    assert_same(prog, ["break leaf", "run",
                       "up", "list", "list", "print local_mid", "print wide", "x/2dw &local_mid",
                       "info locals", "info args", "print $pc",
                       "frame 2", "list", "print pt", "print local_top", "info locals",
                       "down", "list", "print depth", "up", "info locals",
                       "frame 0", "list", "print local_leaf", "info locals"])


def test_up_and_down_with_a_count_stop_at_the_ends(prog):
    assert_same(prog, ["break leaf", "run", "up 9", "up", "down 9", "down", "up 2", "down 1"])


def test_info_frame_in_full(prog):
    assert_same(prog, [f"break {_mark('middle-call')}", "break *leaf", "run", "info frame",
                       "continue", "info frame", "stepi", "info frame", "stepi", "info frame",
                       "up", "info frame", "up", "info frame", "frame 3", "info frame"])


def test_ptype_and_whatis_bodies(prog):
    exprs = ["the_record", "the_ptr", "record_ptr", "record_t", "struct record", "struct flags",
             "the_record.fl", "union word", "the_record.anon", "the_record.op", "the_record.callbacks",
             "the_record.corners", "point_t", "point_t *", "&the_record", "*the_ptr", "enum mode",
             "the_record.mode", "combine", "the_record.anon.nest"]
    assert_same(prog, [f"{cmd} {e}" for e in exprs for cmd in ("ptype", "whatis")])
    assert_same(prog, ["break leaf", "run", "up", "ptype r", "whatis r", "ptype *r", "whatis r->fl"])


@pytest.mark.parametrize("how", ["absolute", "in its directory", "from the parent directory"])
def test_file_names_as_the_compiler_was_given_them(tmp_path, how):
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(find_source("gdb_text"), src / "gdb_text.c")
    binary = tmp_path / "prog"
    name, cwd = {"absolute": (str(src / "gdb_text.c"), tmp_path),
                 "in its directory": ("gdb_text.c", src),
                 "from the parent directory": ("src/gdb_text.c", tmp_path)}[how]
    subprocess.run(["gcc", "-g", "-O0", name, "-o", str(binary)], cwd=cwd, check=True)
    commands = ["break leaf", "run", "bt", "info frame", "up", "info frame", "next", "next", "finish"]
    ours, theirs = tdbg(binary, commands, cwd=cwd), gdb(binary, commands, cwd=cwd)
    assert f" at {name}:" in theirs
    assert _lines(ours) == _lines(theirs)


def _typed_finish(binary: Path) -> str:
    """gdb's output for commands given from a terminal-like context (from_tty, no -batch)."""
    out = subprocess.run(["gdb", "-nx", "-ex", "set pagination off", "-ex", "set width 0",
                          "-ex", "break leaf", "-ex", "run", "-ex", "finish", "-ex", "up",
                          "-ex", "finish", "-ex", "kill", "-ex", "quit", str(binary)],
                         stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=60).stdout
    return "\n".join(line for line in out.splitlines() if line.startswith("Run till exit from "))


async def test_finish_says_run_till_exit_when_typed(prog):
    expected = _typed_finish(prog).splitlines()
    assert len(expected) == 2
    async with session_for(prog) as (s, rec):
        assert s.from_tty
        for cmd in ("break leaf", "run", "finish"):
            assert (await s.execute(cmd)).ok
        first = rec.last_stop.message.splitlines()
        assert first[0] == expected[0] and "Value returned is" in first[-1]
        assert (await s.execute("up")).ok
        assert (await s.execute("finish")).ok
        assert STACK.sub("", rec.last_stop.message.splitlines()[0]) == STACK.sub("", expected[1])
        assert rec.last_stop.reason == ev.StopReason.STEP


def test_print_formats_apply_to_every_scalar_inside(prog):
    """`p/x a_struct` and `p/d an_array`: gdb formats each member and element, pretty or not."""
    assert_same(prog, ["break leaf", "run", "p/x the_record", "p/d the_record.corners",
                       "p/x the_ptr->corners[1]", "p/x the_record.fl", "set print pretty on",
                       "p/x the_record", "p/o the_record.anon", "p/c the_record.tail"])
