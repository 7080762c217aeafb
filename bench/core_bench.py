"""Backend-core speed against gdb in the same run (medians of several runs).

1. Conditional breakpoint hits per second: a never-true condition on a function
   called 100,000 times (gdb: `break tick if i == -1`; tdbg: the same C condition
   and the register form `$rdi == -1`).
2. `stepi N` steps per second.

Run: python bench/core_bench.py [--runs 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

SRC = r"""
#include <stdio.h>
volatile long total;
int tick(int i) { total += i; return i; }
int main(void) {
    for (int i = 0; i < 100000; i++) tick(i);
    printf("%ld\n", total);
    return 0;
}
"""


def build(tmp: str) -> str:
    src = os.path.join(tmp, "tickloop.c")
    out = os.path.join(tmp, "tickloop")
    with open(src, "w") as f:
        f.write(SRC)
    subprocess.run(["gcc", "-g", "-O0", src, "-o", out], check=True)
    return out


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - t0


def gdb(prog: str, *cmds: str) -> list[str]:
    out = ["gdb", "-nx", "-batch", "-ex", "set debug-file-directory /nonexistent"]
    for c in cmds:
        out += ["-ex", c]
    return out + [prog]


def tdbg(prog: str, *cmds: str) -> list[str]:
    out = [sys.executable, "-m", "tdbg.tui.cli", "--batch"]
    for c in cmds:
        out += ["-ex", c]
    return out + [prog]


def median(cmd: list[str], runs: int) -> float:
    return statistics.median(timed(cmd) for _ in range(runs))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20000)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        prog = build(tmp)
        hits = 100_000
        base_g = median(gdb(prog, "run"), a.runs)
        base_t = median(tdbg(prog, "run"), a.runs)
        rows = []
        g = median(gdb(prog, "break tick if i == -1", "run"), a.runs) - base_g
        for label, cond in (("C condition i == -1", "i == -1"), ("register $rdi == -1", "$rdi == -1")):
            t = median(tdbg(prog, f"break tick if {cond}", "run"), a.runs) - base_t
            rows.append((f"conditional hits/s ({label})", hits / g, hits / t))
        n = a.steps
        g = median(gdb(prog, "break main", "run", f"stepi {n}"), a.runs) - median(gdb(prog, "break main", "run"), a.runs)
        t = median(tdbg(prog, "break main", "run", f"stepi {n}"), a.runs) - median(tdbg(prog, "break main", "run"), a.runs)
        rows.append((f"stepi {n} steps/s", n / g, n / t))
    print(f"{'measure':<45}{'gdb':>12}{'tdbg':>12}{'ratio':>8}")
    for name, gv, tv in rows:
        print(f"{name:<45}{gv:>12,.0f}{tv:>12,.0f}{tv / gv:>8.1f}x")


if __name__ == "__main__":
    main()
