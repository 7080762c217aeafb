"""A C program with thousands of functions and statement lines, written and compiled at
test time: somewhere to put 10,000 breakpoints (tests/test_many_breakpoints.py,
tests/test_tui_many_breakpoints.py, bench/many_breakpoints_bench.py)."""
from __future__ import annotations

import subprocess
from pathlib import Path

STATEMENTS = ("int a = x + 1;", "int b = a * 2;", "int c = b - 3;", "return c + a;")


def write(directory: Path, functions: int) -> tuple[Path, list[int]]:
    """many.c with `functions` small functions, main calling the last one three times.
    Returns the source and its statement lines (4 per function), the lines a
    `break many.c:LINE` lands on exactly."""
    lines = ["#include <stdio.h>", "volatile int sink;"]
    statements = []
    for i in range(functions):
        lines.append(f"int f{i}(int x) {{")
        for stmt in STATEMENTS:
            lines.append(f"    {stmt}")
            statements.append(len(lines))
        lines.append("}")
    lines += ["int main(void) {",
              "    int s = 0;",
              f"    for (int i = 0; i < 3; i++) s += f{functions - 1}(i);",
              "    sink = s;",
              '    printf("done %d\\n", s);',
              "    return 0;",
              "}"]
    src = directory / "many.c"
    src.write_text("\n".join(lines) + "\n")
    return src, statements


def build(directory: Path, functions: int) -> tuple[Path, list[int]]:
    """The compiled program (-g -O0) and its statement lines."""
    src, statements = write(directory, functions)
    exe = directory / "many"
    # compiled as "many.c" from its folder: gdb and tdbg then name the file "many.c"
    subprocess.run(["gcc", "-g", "-O0", src.name, "-o", exe.name], cwd=directory, check=True,
                   capture_output=True)
    return exe, statements
