"""`display` like gdb -batch: shown after every stop (values, /x formats, /i and /s as x
shows them), refused when it cannot be evaluated, listed by `info display`."""
from __future__ import annotations

from conftest import needs_gdb
from test_source_diff import both


@needs_gdb
def test_displays_after_each_stop_like_gdb(build):
    binary = build("cond_names")
    g, t = both(binary, "break depth", "run", "display n", "display/i $pc", "display/x local",
                "display nosuch", "continue", "next", "step", "info display", "undisplay 2",
                "continue", "kill")
    assert t == g
