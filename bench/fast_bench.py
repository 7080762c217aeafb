"""Fast conditions and dprintf against gdb on the same binary, in the same run (medians).

1. A never-true condition on a function called N times (default 100M for tdbg, so
   that its start-up noise does not swamp the program's time; gdb is timed on fewer
   calls and scaled, since it takes one stop per call).
2. A condition on a field through a pointer (`it->key == 99`).
3. A dprintf printing two ints, M times (default 1M for tdbg).
Also the program's own run time without a debugger, and tdbg with fast conditions off.

Run: python bench/fast_bench.py [--runs 3] [--calls 100000000] [--gdb-calls 20000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "tests", "programs", "fast_loop.c")


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def median(cmd: list[str], runs: int) -> float:
    return statistics.median(timed(cmd) for _ in range(runs))


def gdb(prog: str, n: int, *cmds: str) -> list[str]:
    out = ["gdb", "-nx", "-batch", "-ex", "set debug-file-directory /nonexistent"]
    for c in cmds:
        out += ["-ex", c]
    return out + ["--args", prog, str(n)]


def tdbg(prog: str, n: int, *cmds: str) -> list[str]:
    out = [sys.executable, "-m", "tdbg.tui.cli", "--batch"]
    for c in cmds:
        out += ["-ex", c]
    return out + [prog, str(n)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--calls", type=int, default=100_000_000)
    ap.add_argument("--gdb-calls", type=int, default=20_000)
    ap.add_argument("--prints", type=int, default=1_000_000)
    ap.add_argument("--gdb-prints", type=int, default=10_000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prog = os.path.join(tmp, "fast_loop")
        subprocess.run(["gcc", "-g", "-O0", SRC, "-o", prog], check=True)
        r = a.runs
        base_g = median(gdb(prog, a.gdb_calls, "run"), r)
        # tdbg runs long, so that the debugger's start-up (a second, give or take, and
        # noisy) does not swamp the program's own time; it is left out of both figures.
        n = a.calls
        own = median([prog, str(n)], r)
        base_t = median(tdbg(prog, n, "run"), r)
        rows: list[tuple[str, float | None, float]] = [(f"program alone, {n} calls (s)", None, own)]
        for label, cond in (("never-true i == -1", "break tick if i == -1"),
                            ("field through pointer it->key == 99", "break tick if it->key == 99")):
            g = (median(gdb(prog, a.gdb_calls, cond, "run"), r) - base_g) / a.gdb_calls
            t = median(tdbg(prog, n, cond, "run"), r) - base_t + own     # the program's run
            rows.append((f"{label}: hits/s", 1 / g, n / t))
            rows.append((f"{label}: x program alone", None, t / own))
        slow_n = a.gdb_calls
        ts = median(tdbg(prog, slow_n, "set fast-conditions off", "break tick if i == -1", "run"), r)
        tb = median(tdbg(prog, slow_n, "run"), r)
        rows.append(("never-true, fast conditions off: hits/s", None, slow_n / max(ts - tb, 1e-9)))
        dp = 'dprintf log_pair,"%d %d\\n",a,b'
        g = (median(gdb(prog, a.gdb_prints, dp, "run"), r) - median(gdb(prog, a.gdb_prints, "run"), r)) / a.gdb_prints
        t = (median(tdbg(prog, a.prints, dp, "run"), r) - median(tdbg(prog, a.prints, "run"), r)) / a.prints
        rows.append(("dprintf two ints: prints/s", 1 / g, 1 / max(t, 1e-9)))
    print(f"{'measure':<52}{'gdb':>12}{'tdbg':>14}{'ratio':>9}")
    for name, gv, tv in rows:
        if gv is None:
            print(f"{name:<52}{'':>12}{tv:>14,.2f}")
        else:
            print(f"{name:<52}{gv:>12,.0f}{tv:>14,.0f}{tv / gv:>8.1f}x")


if __name__ == "__main__":
    main()
