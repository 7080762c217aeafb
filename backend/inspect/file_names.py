"""Source file names as gdb prints them (its symtab names, `set filename-display relative`).

tdbg keeps every source path absolute (symbols/dwarf/line_header.py joins them with the
compilation directory); gdb prints the name its symtab was built with instead:
- the unit's primary file: DW_AT_name as the compiler was given it (`x.c`,
  `src/x.c` or `/abs/x.c`);
- another file of the line table: its directory entry joined with its name, which
  gcc writes relative to the compilation directory for headers found through a
  relative path (`sub/h.h`) and absolute otherwise (directory 0 is the compilation
  directory itself, absolute).
The line header keeps only the joined path, so the second rule is read back from it:
when the primary file was named by a relative path, a file under a subdirectory of
the compilation directory is shown relative to it.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..program.units import unit_at

if TYPE_CHECKING:
    from ..program.program import Program


def display_name(prog: Program, path: str, pc: int | None) -> str:
    """gdb's name for `path`, a file of the unit holding `pc` (None: not known)."""
    found = unit_at(prog, pc) if pc is not None else None
    if found is None:
        return path
    o, unit = found
    cache: dict[tuple[int, str], str] = o.__dict__.setdefault("_display_names", {})
    key = (unit.offset, path)
    name = cache.get(key)
    if name is None:
        name = cache[key] = _gdb_name(path, unit.name, unit.comp_dir)
    return name


def _gdb_name(path: str, cu_name: str | None, comp_dir: str | None) -> str:
    if cu_name:
        primary = cu_name if os.path.isabs(cu_name) or not comp_dir else os.path.join(comp_dir, cu_name)
        if os.path.normpath(primary) == path:
            return cu_name
    # gcc names a header's directory the way the primary file was named
    base = comp_dir.rstrip("/") + "/" if comp_dir and cu_name and not os.path.isabs(cu_name) else None
    if base and path.startswith(base) and "/" in path[len(base):]:
        return path[len(base):]
    return path
