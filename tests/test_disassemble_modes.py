"""`disassemble` with /r (raw bytes), /m (source line order), /s (address order with
file names) and their combinations, for a function, START,END and START,+LEN, diffed
against gdb 13 on tests/programs/info_cmds.c (-O0 and -O2, where /m and /s differ) and
where_static_a.c, whose main has lines of an included file."""
from __future__ import annotations

import re
import subprocess
from functools import partial

import batch_diff
import pytest
from conftest import ROOT, find_source, needs_gdb

assert_same = partial(batch_diff.assert_same, cwd=ROOT, exits=False)


def _build(tmp_path_factory, opt: str):
    out = tmp_path_factory.mktemp("dis") / f"info_cmds{opt}"
    src = find_source("info_cmds").relative_to(ROOT)
    subprocess.run(["gcc", "-g", opt, str(src), "-o", str(out)], cwd=ROOT, check=True)
    return out


@needs_gdb
@pytest.mark.parametrize("opt", ["-O0", "-O2"])
def test_disassemble_modifiers_like_gdb(tmp_path_factory, opt):
    out = assert_same(_build(tmp_path_factory, opt), [
        "disassemble /r add", "disassemble /m main", "disassemble /s main", "disassemble /rs add",
        "disassemble /mr add", "disassemble /r add,+8", "disassemble /s add,+8",
        "disassemble main,main+10", "disassemble /b add",
        # bad modifiers and arguments
        "disassemble /x add", "disassemble /ms add", "disassemble /", "disassemble /s",
        # stopped: the selected frame's pc is marked, in a caller too
        "break move", "run", "disassemble /s", "disassemble /r", "disassemble /m", "up",
        "disassemble /s", "disassemble /r $pc,+4", "disassemble /r 0,8"])
    assert out[0] == "Dump of assembler code for function add:"
    assert any(re.match(r"   0x[0-9a-f]{16} <\+0>:\t[0-9a-f]{2}( [0-9a-f]{2})* *\t\w", line)
               for line in out)
    assert "tests/programs/info_cmds.c:" in out
    assert any(line.startswith("=> 0x") for line in out)


@needs_gdb
def test_disassemble_source_of_two_files_like_gdb(build):
    """-O2: main holds inlined code of where_inline.c, so /s names both files in turn."""
    binary = build("where_static_a", "-O2", extra_sources=("where_static_b",))
    out = assert_same(binary, ["disassemble /s main", "disassemble /m main", "disassemble /rs call_b"])
    assert sum(line.endswith(".c:") for line in out) >= 3
