"""Benchmark: `info functions/variables/types REGEX` in a big program, tdbg vs gdb.

    python bench/symbol_query_bench.py [--runs 3] [--files 400]

Builds (once, cached under /tmp) the program from gen_big_program.py, then times
`tdbg --batch` and `gdb -batch` as separate processes, median of --runs each, for a
regex that matches nothing (the index scans alone: inspect/symbol_search.py decodes no
type then) and one that picks a few names in one unit.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(cmd: list[str]) -> tuple[float, str]:
    t0 = time.perf_counter()
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout
    return time.perf_counter() - t0, out


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, str(HERE))
    import gen_big_program

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--files", type=int, default=400)
    args = ap.parse_args(argv)
    prog = str(gen_big_program.generate(gen_big_program.DEFAULT_OUT, args.files, os.cpu_count() or 2))
    unit = args.files // 2
    for query in ("info functions ^nosuch", "info variables ^nosuch", "info types ^nosuch",
                  f"info functions -n ^u{unit}_f1", f"info variables -n ^unit_{unit}_"):
        ours = [sys.executable, "-m", "tdbg.tui.cli", "--batch", "-ex", query, prog]
        gdb = ["gdb", "-nx", "-batch", "-ex", query, prog]
        t_ours = statistics.median(timed(ours)[0] for _ in range(args.runs))
        t_gdb = statistics.median(timed(gdb)[0] for _ in range(args.runs))
        same = timed(ours)[1] == timed(gdb)[1]
        print(f"{query:40} tdbg {t_ours:6.2f}s  gdb {t_gdb:6.2f}s  ratio {t_ours / t_gdb:4.1f}"
              f"  {'same text' if same else 'TEXT DIFFERS'}")


if __name__ == "__main__":
    main()
