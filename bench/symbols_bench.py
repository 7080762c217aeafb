"""Benchmark: resolving `break FILE:LINE` / `info line FILE:LINE` in a big program, tdbg vs gdb.

    python bench/symbols_bench.py [--runs 5] [--files 400]

Builds (once, cached under /tmp) the program from gen_big_program.py, then times
separate processes, median of --runs each, wall time and peak RSS (wait4):
  gdb          gdb -nx -batch -ex 'break F:L' -ex 'info line F:L' prog
  tdbg cold    ElfFile + DebugInfo + line_addresses + info_line, empty index cache
  tdbg warm    the same with the on-disk index cache from a previous run
and, for information, `break FUNC` the same way, and building the full function-name
index (what tab completion needs; gdb always builds its own at startup, so it is
compared with gdb's `break FUNC`). Python runs with its bytecode
cached (as after `pip install`), since that is what users run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

OURS = r"""
import sys
from tdbg.backend.symbols.elf import ElfFile
from tdbg.backend.symbols.index.debug_info import DebugInfo
prog, kind, spec = sys.argv[1:4]
d = DebugInfo.load(ElfFile.open(prog))
if kind == "line":
    f, _, n = spec.rpartition(":")
    for addr, path, line in d.line_locations(f, int(n)):
        print(f"Breakpoint at {addr:#x}: file {path}, line {line}.")
    for path, line, start, end in d.info_line(f, int(n)):
        print(f"Line {line} of \"{path}\" starts at address {start:#x} and ends at {end:#x}.")
elif kind == "all":
    print(len(d.all_function_names()), "functions")
else:
    for fn in d.functions_named(spec):
        addr, path, line = d.breakpoint_location(fn)
        print(f"Breakpoint at {addr:#x}: file {path}, line {line}.")
"""


def run(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, stdout) of one process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd[0]} failed:\n{out.decode(errors='replace')}")
    return wall, usage.ru_maxrss // 1024, out.decode(errors="replace")


def measure(label: str, cmd: list[str], runs: int, env: dict | None = None, before=None):
    samples = []
    for _ in range(runs):
        if before:
            before()
        samples.append(run(cmd, env))
    wall = statistics.median(s[0] for s in samples)
    rss = statistics.median(s[1] for s in samples)
    return label, wall, rss, samples[-1][2]


def addresses(text: str) -> list[str]:
    import re
    return sorted(set(re.findall(r"(?:at|address) (0x[0-9a-f]+)", text)))


def main(argv: list[str] | None = None) -> None:
    sys.path.insert(0, str(HERE))
    import gen_big_program

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--files", type=int, default=400)
    args = ap.parse_args(argv)

    prog = gen_big_program.generate(gen_big_program.DEFAULT_OUT, args.files, os.cpu_count() or 2)
    last = sorted((gen_big_program.DEFAULT_OUT / "src").glob("unit*.c"))[-1]
    line = len(last.read_text().splitlines()) - 3           # inside main, the last function
    spec = f"{last.name}:{line}"
    func = f"u{args.files // 2}_f7"
    info = subprocess.run(["readelf", "-S", "-W", str(prog)], capture_output=True, text=True).stdout
    dbg_size = next((int(l.split()[5], 16) for l in info.splitlines() if ".debug_info" in l), 0)

    work = Path(tempfile.mkdtemp(prefix="tdbg-bench-"))
    cache = work / "xdg"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(XDG_CACHE_HOME=str(cache), PYTHONPYCACHEPREFIX=str(work / "pyc"))
    ours = [sys.executable, "-c", OURS, str(prog)]
    run(ours + ["line", spec], env)                          # compile bytecode once, untimed

    def drop_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    gdb = ["gdb", "-nx", "-batch", "-ex", "set debug-file-directory /nonexistent"]
    rows = [
        measure("gdb    break+info line", gdb + ["-ex", f"break {spec}", "-ex", f"info line {spec}", str(prog)],
                args.runs),
        measure("tdbg   cold (no cache)", ours + ["line", spec], args.runs, env, drop_cache),
        measure("tdbg   warm (cache)", ours + ["line", spec], args.runs, env),
        measure("gdb    break FUNC", gdb + ["-ex", f"break {func}", str(prog)], args.runs),
        measure("tdbg   break FUNC cold", ours + ["func", func], args.runs, env, drop_cache),
        measure("tdbg   break FUNC warm", ours + ["func", func], args.runs, env),
        measure("tdbg   all names cold", ours + ["all", "-"], args.runs, env, drop_cache),
        measure("tdbg   all names warm", ours + ["all", "-"], args.runs, env),
    ]
    shutil.rmtree(work, ignore_errors=True)

    print(f"program: {prog}  (.debug_info {dbg_size / 1e6:.1f} MB, {args.files} units)")
    print(f"query:   break/info line {spec}; break {func}; median of {args.runs} runs\n")
    print(f"{'':26} {'time s':>8} {'vs gdb':>7} {'peak RSS MB':>12}")
    for i, (label, wall, rss, _out) in enumerate(rows):
        base = rows[0 if i < 3 else 3]
        print(f"{label:26} {wall:8.3f} {wall / base[1]:6.2f}x {rss:12d}")
    same = addresses(rows[0][3]) == addresses(rows[1][3]) == addresses(rows[2][3])
    same_f = addresses(rows[3][3]) == addresses(rows[4][3])
    print(f"\naddresses equal gdb's: file:line {same}, function {same_f}")
    if not (same and same_f):
        print("gdb:\n" + rows[0][3] + rows[3][3] + "tdbg:\n" + rows[1][3] + rows[4][3])


if __name__ == "__main__":
    main()
