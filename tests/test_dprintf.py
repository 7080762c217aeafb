"""dprintf LOCATION,"format",ARGS: gdb's dynamic printf, against gdb on the same binary."""
from __future__ import annotations

import re

from conftest import needs_gdb
from test_source_diff import both, tdbg_batch


@needs_gdb
def test_dprintf_prints_like_gdb(build):
    """Formats with flags, widths and lengths, a condition on a dprintf, hit counts, the
    table's printf line; the program runs to its end without a stop."""
    prog = build("fast_loop")
    cmds = ('dprintf log_pair,"a=%d b=%5d x=%#x %%\\n",a,b,a*b',
            'dprintf tick,"i=%u key=%ld w=%-4ld| %c %s\\n",i,(long)it->key,it->weight,it->key+64,"lit"',
            "condition 1 a > 1", "info breakpoints", "run", "info breakpoints")
    g, t = both(prog, *cmds, args=("4",))
    # The pad's captures are printed at the next stop or exit: the program's own last
    # line ("total ...", written just before it exits) may come before them.
    total = [x for x in g if x.startswith("total ")]
    assert total and total[0] in t
    assert [x for x in t if x not in total] == [x for x in g if x not in total]
    assert "a=2 b=    2 x=0x4 %" in t


def test_dprintf_in_a_loop_costs_no_stop(build):
    """Captured in the jump pad's ring: 10,000 lines (the ring fills twice and is drained
    at its traps and at the exit), all in order, counted as hits; `info fast-conditions` says
    the dprintf runs in the program."""
    prog = build("fast_loop")
    n = 10000
    out = tdbg_batch(prog, 'dprintf log_pair,"a=%d b=%u\\n",a,b', "break main", "run",
                     "info fast-conditions", "delete 2", "c", args=(str(n),)).splitlines()
    assert any(re.match(r"1\s+0x[0-9a-f]+\s+yes", x) for x in out), out[:8]
    lines = [x for x in out if x.startswith("a=")]
    assert lines == [f"a={i} b={n - i}" for i in range(n)]


@needs_gdb
def test_dprintf_errors_like_gdb(build):
    prog = build("fast_loop")
    cmds = ("dprintf", "dprintf log_pair", "dprintf log_pair,", 'dprintf log_pair,a',
            'dprintf log_pair,"%d %d\\n",a', 'dprintf log_pair,"\\q"', 'dprintf nosuch,"x"',
            "info breakpoints")
    g, t = both(prog, *cmds)
    assert t == g
