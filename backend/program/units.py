"""The compile unit holding a pc: the question behind a file's display name, a
frame's source language and `info source` (inspect/file_names.py, frame_report.py,
symbol_info.py), asked the same way by each."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..symbols.dwarf.dies import Unit
    from .program import ObjFile, Program


def unit_at(prog: Program, pc: int) -> tuple[ObjFile, Unit] | None:
    """The objfile mapping pc and its DWARF unit covering pc (None: no debug info there)."""
    o = prog.objfile_for(pc)
    if o is None or o.debug is None:
        return None
    off = o.debug.cu_offset_for(pc - o.bias)
    if off is None:
        return None
    return o, o.debug.dies.unit(off)
