"""nexti steps over calls behind prefixes (`notrack call *%rax`), like gdb."""
from __future__ import annotations

from conftest import needs_gdb
from test_source_diff import both


@needs_gdb
def test_nexti_over_a_notrack_call(build):
    binary = build("step_notrack", "-O0", "-fcf-protection=full")
    cmds = ["break main", "run"] + ["nexti", "x/i $pc"] * 6 + ["print hits", "kill"]
    g, t = both(binary, *cmds)
    assert any("notrack call" in line for line in t), t
    assert t == g
