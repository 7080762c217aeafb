"""Many breakpoints from a command file: set N, then `delete` them all, tdbg against gdb on
the same binary, in the same run (medians). Also tdbg's peak RSS with no breakpoints and
after each N, and after setting and deleting N several times (memory stays flat).

The program: tests/many_lines_program.py (2,500 functions, 10,000 statement lines).
Start-up (loading the program, no command) is timed too and taken off each N's time.

Run: python bench/many_breakpoints_bench.py [--runs 3] [--counts 1000,5000,10000]
     [--gdb-max 10000] [--cycles 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from many_lines_program import build  # noqa: E402


def run(cmd: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KB of the process)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise SystemExit(f"failed ({p.returncode}): {' '.join(cmd[:6])} ...")
    return time.perf_counter() - t0, usage.ru_maxrss


def tdbg(prog: Path, script: Path) -> list[str]:
    return [sys.executable, "-m", "tdbg.tui.cli", "--batch", "-x", str(script), str(prog)]


def gdb(prog: Path, script: Path) -> list[str]:
    return ["gdb", "-batch", "-nx", "-ex", "set debug-file-directory /nonexistent", "-x", str(script),
            str(prog)]


def script(tmp: Path, name: str, lines: list[int], cycles: int = 1) -> Path:
    path = tmp / name
    text = "".join(f"break many.c:{n}\n" for n in lines) + "delete\n"
    path.write_text(text * cycles if lines else "")
    return path


def median(cmd: list[str], runs: int) -> tuple[float, int]:
    results = [run(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--counts", default="1000,5000,10000")
    ap.add_argument("--gdb-max", type=int, default=10000, help="no gdb run above this N")
    ap.add_argument("--cycles", type=int, default=3, help="set+delete rounds for the memory check")
    a = ap.parse_args()
    counts = [int(c) for c in a.counts.split(",")]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        prog, lines = build(tmp, 2500)
        empty = script(tmp, "empty", [])
        t0, rss0 = median(tdbg(prog, empty), a.runs)
        g0, _ = median(gdb(prog, empty), a.runs)
        print(f"start-up: tdbg {t0:.2f} s (peak RSS {rss0 / 1024:.0f} MB), gdb {g0:.2f} s")
        print(f"{'N':>6} {'tdbg s':>8} {'gdb s':>8} {'ratio':>6} {'tdbg per bp':>12} {'RSS MB':>7}")
        for n in counts:
            s = script(tmp, f"n{n}", lines[:n])
            t, rss = median(tdbg(prog, s), a.runs)
            g = median(gdb(prog, s), a.runs)[0] if n <= a.gdb_max else None
            tn, gn = t - t0, (g - g0) if g is not None else None
            ratio = f"{tn / gn:6.2f}" if gn else "     -"
            print(f"{n:>6} {tn:8.2f} {gn if gn is not None else float('nan'):8.2f} {ratio} "
                  f"{tn / n * 1e3:9.3f} ms {rss / 1024:7.0f}")
        n = min(counts)
        s = script(tmp, "cycles", lines[:n], a.cycles)
        t, rss = median(tdbg(prog, s), a.runs)
        print(f"{a.cycles} x (set {n} + delete): tdbg {t - t0:.2f} s, peak RSS {rss / 1024:.0f} MB "
              f"(one round: see N={n} above)")


if __name__ == "__main__":
    main()
