"""print/FMT of a floating-point value (backend/inspect/evaluate.py _format_as), diffed
against gdb 13: /x /d /u /o /t show the value's bytes, /c and /a its value."""
from __future__ import annotations

from batch_diff import assert_same
from conftest import needs_gdb

pytestmark = needs_gdb


def test_float_values_in_integer_formats(build):
    prog = build("inferior_switch")
    assert_same(prog, ["p/x 1.5", "p/d 1.5", "p/t 1.5", "p/o 1.5", "p/c 65.0", "p/x 1.5f", "p/u -1.5",
                       "p/a 1.5", "p/x (float)2", "output/x 2.5"])


def test_x87_and_vector_lanes_in_integer_formats(build):
    """An x87 register's 10 bytes (not its 16), a float lane's 4."""
    prog = build("vec_regs")
    assert_same(prog, ["break check", "run", "p/x $st1", "p/d $st0", "p $st1", "p/x $xmm1.v4_float[0]",
                       "p/t $xmm1.v2_double[1]"])
