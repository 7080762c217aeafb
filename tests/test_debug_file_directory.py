"""`set debug-file-directory` (backend/symbols/index/debug_info.py), diffed against gdb 13:
a shared library whose DWARF was split off by build-id, as distribution debug packages
ship it, gets its lines, locals and stepping once the directory is set; the file names
follow gdb's symtab names for a relative compilation directory (`./lib/...`, as glibc's
`./malloc/malloc.c`; inspect/file_names.py); `info sharedlibrary` counts the separate
file. Without the directory the library stays at the assembly level, as in gdb.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from batch_diff import assert_same, tdbg
from conftest import mark_line, needs_gdb

pytestmark = needs_gdb


# solib_host.c dlopens it and calls plugin_fn
PLUGIN = """#include "helper.h"
int plugin_counter;
int plugin_fn(int x)
{
    int y = helper(x);
    plugin_counter += y;
    return x * 2;
}
"""


@pytest.fixture(scope="module")
def split(tmp_path_factory, build):
    """(host, library, debug root): the library built from a relative path with its
    compilation directory written relative (-fdebug-prefix-map), then stripped, its DWARF
    under debug root/.build-id/NN/REST.debug."""
    root = tmp_path_factory.mktemp("split")
    src = root / "src" / "sub"
    src.mkdir(parents=True)
    (src / "helper.h").write_text("static inline int helper(int x)\n{\n    return x * 5;\n}\n")
    (src / "plugin.c").write_text(PLUGIN)
    lib = root / "libsolib_plugin.so"
    subprocess.run(["gcc", "-g", "-O0", "-shared", "-fPIC", f"-fdebug-prefix-map={root / 'src'}=./lib",
                    "sub/plugin.c", "-o", str(lib)], cwd=root / "src", check=True, capture_output=True)
    note = subprocess.run(["readelf", "-n", str(lib)], check=True, capture_output=True, text=True).stdout
    build_id = next(line.split()[-1] for line in note.splitlines() if "Build ID" in line)
    dbg = root / "dbg"
    (dbg / ".build-id" / build_id[:2]).mkdir(parents=True)
    subprocess.run(["objcopy", "--only-keep-debug", str(lib),
                    str(dbg / ".build-id" / build_id[:2] / f"{build_id[2:]}.debug")], check=True)
    subprocess.run(["strip", "--strip-debug", str(lib)], check=True)
    return build("solib_host", "-O0", "-ldl"), lib, dbg


def test_library_debug_file_found_by_build_id(split):
    host, lib, dbg = split
    ours = "\n".join(assert_same(host, [
        "show debug-file-directory", f"set debug-file-directory {dbg}", "show debug-file-directory",
        "set breakpoint pending on", "break plugin_fn", "run", "bt", "info source", "info locals",
        "step", "bt", "info args", "info source", "finish", "next", "info locals", "info sharedlibrary",
        "list"], [str(lib), "1"], settings=True))
    assert "Breakpoint 1, plugin_fn (x=1) at sub/plugin.c:5" in ours
    assert "helper (x=1) at sub/helper.h:3" in ours and "Compilation directory is ./lib" in ours
    assert "Value returned is $1 = 5" in ours and "y = 5" in ours


def test_without_the_directory_the_library_has_no_lines(split):
    host, lib, dbg = split
    ours = tdbg(host, ["set breakpoint pending on", "break plugin_fn", "run", "bt 1", "info sharedlibrary",
                       "set debug-file-directory", "show debug-file-directory"], [str(lib), "1"])
    assert "Breakpoint 1, 0x" in ours and "in plugin_fn () from " in ours
    assert "Yes (*)" in ours and "(*): Shared library is missing debugging information." in ours
    assert 'searched for is "".' in ours


def _libc_debug_file() -> Path | None:
    """glibc's separate debug file under /usr/lib/debug (libc6-dbg), if installed."""
    libc = Path("/lib/x86_64-linux-gnu/libc.so.6")
    if not libc.exists():
        return None
    note = subprocess.run(["readelf", "-n", str(libc)], capture_output=True, text=True).stdout
    ids = [line.split()[-1] for line in note.splitlines() if "Build ID" in line]
    found = ids and Path(f"/usr/lib/debug/.build-id/{ids[0][:2]}/{ids[0][2:]}.debug")
    return found if found and found.exists() else None


@pytest.mark.skipif(_libc_debug_file() is None, reason="glibc's debug file (libc6-dbg) not installed")
def test_stepping_into_glibc_with_its_debug_package(build):
    """gdb's default directory with libc6-dbg: `step` enters malloc.c, shown by glibc's
    relative names (`./malloc/malloc.c`), `finish` returns the value, `bt` from inside."""
    prog = build("debug_libc")
    ours = "\n".join(assert_same(prog, [
        "set debug-file-directory /usr/lib/debug", f"break {mark_line('debug_libc', 'malloc')}", "run",
        "step", "bt", "info source", "info args", "next", "next", "finish", "step", "step", "bt",
        "info sharedlibrary"]))
    assert "__GI___libc_malloc (bytes=16) at ./malloc/malloc.c:" in ours
