"""`info breakpoints` rows as gdb 13 prints them: <MULTIPLE> parents with N.M location
rows (an inlined function at -O2), conditions, counts, pending rows, column widths."""
from __future__ import annotations

import pytest

from tests import batch_diff
from tests.conftest import needs_gdb


@needs_gdb
@pytest.mark.parametrize("name,cmds", [
    ("step_inline", ["break helper", "info breakpoints", "condition 1 x > 0", "run",
                     "info breakpoints", "continue", "info breakpoints", "disable 1",
                     "rwatch sink", "tbreak main", "ignore 1 2", "info breakpoints"]),
    # a line of the inlined function: every copy of it, named by the line asked for
    ("step_inline", ["break step_inline.c:13", "break step_inline.c:14", "info breakpoints",
                     "run", "info breakpoints", "delete 1", "continue", "info breakpoints"]),
])
def test_multiple_locations_like_gdb(build, name, cmds):
    prog = build(name, "-O2")
    ours = batch_diff.tdbg(prog, cmds)
    assert "Traceback" not in ours
    assert "<MULTIPLE>" in ours and "\n1.2 " in ours
    assert batch_diff.normalize(ours) == batch_diff.normalize(batch_diff.gdb(prog, cmds))


@needs_gdb
def test_pending_only_table_is_narrow_like_gdb(build):
    prog = build("step_inline", "-O2")
    cmds = ["set breakpoint pending on", "break nowhere_fn", "tbreak nowhere.c:3",
            "info breakpoints", "break leaf", "info breakpoints"]
    ours = batch_diff.tdbg(prog, cmds)
    assert "1       breakpoint     keep y   <PENDING>  nowhere_fn" in ours
    assert batch_diff.normalize(ours) == batch_diff.normalize(batch_diff.gdb(prog, cmds))
