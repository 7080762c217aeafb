"""Generate and build a large C program for the symbol benchmarks.

Hundreds of translation units share a header full of types (kept in every CU with
-fno-eliminate-unused-debug-types, as happens in real C++ code bases), and each unit
holds dozens of functions with locals, loops and nested blocks, so the result carries
~20-30 MB of .debug_info. The build is cached: running this again is a no-op.

    python bench/gen_big_program.py [--files N] [--out DIR]   -> prints the binary path
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

VERSION = 2
DEFAULT_OUT = Path(os.environ.get("TMPDIR", "/tmp")) / "tdbg-bench" / "big"
N_STRUCTS = 240
N_FUNCS = 40


def common_header() -> str:
    out = ["#ifndef COMMON_H", "#define COMMON_H", "#include <stddef.h>"]
    for s in range(N_STRUCTS):
        out.append(f"enum kind_{s} {{ " + ", ".join(f"K{s}_{k}" for k in range(6)) + " };")
        fields = [f"    int f{i};" if i % 3 else f"    double d{i};" for i in range(8)]
        fields.append(f"    enum kind_{s} kind;")
        if s:
            fields.append(f"    struct rec_{s - 1} *prev;")
        out.append(f"struct rec_{s} {{\n" + "\n".join(fields) + "\n};")
        out.append(f"typedef struct rec_{s} rec_{s}_t;")
    out.append("static inline int clamp(int v, int lo, int hi)\n{\n"
               "    return v < lo ? lo : v > hi ? hi : v;\n}")
    out.append("#endif")
    return "\n".join(out) + "\n"


def unit(i: int, n_files: int) -> str:
    out = ['#include "common.h"', f"int unit_{i}_counter;"]
    for f in range(N_FUNCS):
        out.append(f"int u{i}_f{f}(void *rp, int n);")
    for f in range(N_FUNCS):
        s = (i * 7 + f) % N_STRUCTS
        call = f"        acc += u{i}_f{f + 1}(r, n - 1);\n" if f + 1 < N_FUNCS else ""
        out.append(f"""
int u{i}_f{f}(void *rp, int n)
{{
    struct rec_{s} *r = rp;
    int acc = 0;
    rec_{s}_t local = {{0}};
    for (int k = 0; k < n; k++) {{
        int t = k * {f + 1};
        local.f1 += t;
        if (t & 1)
            acc += clamp(t, 0, {100 + f});
    }}
    if (r && n > 0) {{
        double scale = r->d0 * 0.5;
        acc += (int)scale + local.f1;
{call}    }}
    unit_{i}_counter += acc;
    return acc;
}}""")
    if i == n_files - 1:
        out += [f"int u{j}_f0(void *rp, int n);" for j in range(n_files - 1)]
        calls = "\n".join(f"    total += u{j}_f0(0, argc);" for j in range(n_files))
        out.append(f"\nint main(int argc, char **argv)\n{{\n    int total = 0;\n    (void)argv;\n{calls}\n    return total & 1;\n}}")
    return "\n".join(out) + "\n"


def generate(out: Path, n_files: int, jobs: int) -> Path:
    binary = out / "bigprog"
    stamp = out / f"stamp-v{VERSION}-{n_files}"
    if binary.exists() and stamp.exists():
        return binary
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "common.h").write_text(common_header())
    names = [f"unit{i:04d}.c" for i in range(n_files)]
    for i, name in enumerate(names):
        (src / name).write_text(unit(i, n_files))
    objdir = out / "obj"
    objdir.mkdir(exist_ok=True)

    def compile_one(name: str) -> None:
        obj = objdir / (name[:-2] + ".o")
        subprocess.run(["gcc", "-g", "-O0", "-fno-eliminate-unused-debug-types", "-c",
                        str(src / name), "-o", str(obj)], check=True, capture_output=True)

    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(compile_one, names))
    subprocess.run(["gcc", "-o", str(binary), *(str(objdir / (n[:-2] + ".o")) for n in names)],
                   check=True)
    stamp.write_text("ok\n")
    return binary


def last_file(out: Path = DEFAULT_OUT) -> Path:
    return sorted((out / "src").glob("unit*.c"))[-1]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=400)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    args = ap.parse_args(argv)
    print(generate(args.out, args.files, args.jobs))


if __name__ == "__main__":
    sys.exit(main())
