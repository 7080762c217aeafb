"""Source file names as gdb prints them (its symtab names, `set filename-display relative`).

tdbg keeps every source path absolute and normalized (symbols/dwarf/line_header.py joins
them with the compilation directory); gdb prints the name its symtab was built with:
- a file of the line table: its directory entry as written, "/", its name (directory 0
  of DWARF 5 is the compilation directory as written, which distribution packages
  leave relative: `./malloc/malloc.c`, `../sysdeps/x86/h.h`);
- unless that string is the unit's primary file, compared as gdb's start_subfile does
  (an absolute one with DW_AT_name joined to the compilation directory, a relative one
  with DW_AT_name itself): then DW_AT_name as the compiler was given it (`x.c`,
  `src/x.c` or `/abs/x.c`).
The line header keeps each file's written name beside its path (LineHeader.written).
Paths a unit's line table does not list fall back to reading the rules back from the
joined path: a file under a subdirectory of the compilation directory is shown relative
to it when the primary file was named by a relative path.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..program.units import unit_at

if TYPE_CHECKING:
    from ..program.program import ObjFile, Program
    from ..symbols.dwarf.dies import Unit


def display_name(prog: Program, path: str, pc: int | None, also: int | None = None) -> str:
    """gdb's name for `path`, a file of the unit holding `pc` (None: not known). `also`:
    another pc to ask when pc's unit does not list path (a caller frame is looked up at
    its return address - 1, which an inlined caller's first instruction is not)."""
    shown = None
    for at in (pc, also):
        found = unit_at(prog, at) if at is not None else None
        if found is None:
            continue
        o, unit = found
        cache: dict[tuple[int, str], str | None] = o.__dict__.setdefault("_display_names", {})
        key = (unit.offset, path)
        if key not in cache:
            written = _written_name(o, unit, path)
            cache[key] = None if written is None else _symtab_name(written, unit.name, unit.comp_dir)
        if cache[key] is not None:
            return cache[key] or path
        if shown is None:
            shown = _gdb_name(path, unit.name, unit.comp_dir)
    return path if shown is None else shown


def _written_name(o: ObjFile, unit: Unit, path: str) -> str | None:
    """The line table's written name of path (a program's own entries before file 0,
    which DWARF 5 repeats as file 1)."""
    lines = o.debug.lines.unit_lines(unit) if o.debug is not None else None
    if lines is None:
        return None
    h = lines.header
    found = [w for f, w in zip(h.files, h.written, strict=False) if f == path]
    return found[1] if len(found) > 1 and h.first_file == 0 else found[0] if found else None


def _symtab_name(written: str, cu_name: str | None, comp_dir: str | None) -> str:
    if not cu_name:
        return written
    if os.path.isabs(written) and not os.path.isabs(cu_name) and comp_dir:
        primary = comp_dir.rstrip("/") + "/" + cu_name
    else:
        primary = cu_name
    return cu_name if written == primary else written


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
