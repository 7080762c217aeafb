"""stepi through rep string instructions, loops, calls and returns lands where gdb's
does after every single step (tdbg predicts the next pc of straight-line code)."""
from __future__ import annotations

from conftest import needs_gdb
from test_source_diff import both


@needs_gdb
def test_stepi_lands_where_gdb_does(build):
    binary = build("step_insns")
    cmds = ["break main", "run"] + ["stepi", "x/i $pc"] * 70 + ["stepi 25", "info registers rip",
                                                               "print $rcx", "kill"]
    g, t = both(binary, *cmds)
    assert any("rep stos" in line for line in t), t
    assert t == g
