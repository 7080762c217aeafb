"""Line tables in the DWARF index: each unit's decoded line program, the directory
of every program's files (found from headers alone, kept in the on-disk cache),
source file -> tables, and pc -> line.

LineIndex is a part of DebugInfo (debug_info.py); it reads units through the DIE
reader (die_reader.py).
"""
from __future__ import annotations

import os
from typing import TypeAlias

from ..cache import IndexCache
from ..dwarf.dies import AT_STMT_LIST, DIE_ERRORS, Unit, _guarded
from ..dwarf.forms import Sect
from ..dwarf.line_header import _join, iter_line_headers, parse_line_header
from ..dwarf.line_table import CuLines, LineRow, Sal
from ..lines import decode_line_program
from .die_reader import DieReader

# (.debug_line offset, version, file paths) of one line program.
LineDirEntry: TypeAlias = tuple[int, int, tuple[str, ...]]


class LineIndex:
    """The line tables of one file's DWARF: file -> tables, pc -> line."""

    def __init__(self, reader: DieReader, line: Sect | None, cache: IndexCache) -> None:
        self.reader, self.line, self.strings = reader, line, reader.strings
        self.warn = reader.warn
        self._cache = cache
        self._culines: dict[int, CuLines | None] = {}
        self._linedir: list[LineDirEntry] | None = None
        self._unit_by_line: dict[int, int] | None = None

    # ------------------------------------------------------------------ line programs
    def unit_lines(self, unit: Unit) -> CuLines | None:
        stmt = unit.top.get(AT_STMT_LIST)
        return self.lines_at(stmt, unit) if isinstance(stmt, int) else None

    def file_name(self, unit: Unit, index: int) -> str | None:
        """Path of file ``index`` of the unit's line table (DW_AT_decl_file, DW_AT_call_file)."""
        lines = self.unit_lines(unit)
        return lines.header.file(index) if lines is not None else None

    def lines_at(self, off: int, unit: Unit | None = None) -> CuLines | None:
        if off in self._culines:
            return self._culines[off]
        self._culines[off] = None
        if self.line is None:
            return None
        try:
            header = parse_line_header(self.line, off, self.strings,
                                       unit.comp_dir if unit is not None else None)
            if unit is None and header.version < 5:
                # DWARF 4 paths are relative to the unit's comp_dir; DWARF 5 headers say it.
                unit = self._unit_for_line(off)
                if unit is not None and unit.comp_dir:
                    header = parse_line_header(self.line, off, self.strings, unit.comp_dir)
            comp_dir = unit.comp_dir if unit is not None else None
            primary = None
            if unit is not None and unit.name:
                primary = _join(comp_dir, unit.name)
            ranges = unit.ranges() if unit is not None else []
            lowpc = min((lo for lo, _ in ranges), default=1)
            cu_end = max((hi for _, hi in ranges), default=0)
            lines = decode_line_program(self.line, header, primary, cu_end, lowpc)
            if not cu_end:
                lines.cu_end = lines.highest or 0
            self._culines[off] = lines
        except DIE_ERRORS as e:
            self.warn(f"line table unreadable (.debug_line offset {off:#x})", e)
        return self._culines[off]

    def _unit_for_line(self, off: int) -> Unit | None:
        # Linkers keep units and line programs in the same order: try the k-th unit first.
        reader = self.reader
        if self._unit_by_line is None and self._linedir is not None:
            k = next((i for i, (o, _, _) in enumerate(self._linedir) if o == off), None)
            units = reader.unit_offsets()
            if k is not None and k < len(units):
                try:
                    if reader.unit(units[k]).top.get(AT_STMT_LIST) == off:
                        return reader.unit(units[k])
                except DIE_ERRORS:
                    pass
        if self._unit_by_line is None:
            by_line: dict[int, int] = {}
            self._unit_by_line = by_line
            for uoff in reader.unit_offsets():
                try:
                    stmt = reader.unit(uoff).top.get(AT_STMT_LIST)
                except DIE_ERRORS as e:
                    self.warn(f"unreadable compilation unit at .debug_info offset {uoff:#x}", e)
                    continue
                if isinstance(stmt, int):
                    by_line.setdefault(stmt, uoff)
        found = self._unit_by_line.get(off)
        return reader.unit(found) if found is not None else None

    def line_directory(self) -> list[LineDirEntry]:
        """(offset, version, files) of every line program, from its header alone."""
        if self._linedir is None:
            cached: list[LineDirEntry] | None = self._cache.load("lines")
            if cached is not None:
                self._linedir = cached
                return cached
            out: list[LineDirEntry] = []
            if self.line is not None:
                for off, hdr in iter_line_headers(self.line, self.strings):
                    if isinstance(hdr, Exception):
                        self.warn(f"line table unreadable (.debug_line offset {off:#x})", hdr)
                        continue
                    files = hdr.files
                    if hdr.version < 5 and any(not f.startswith("/") for f in files):
                        unit = self._unit_for_line(off)
                        if unit is not None and unit.comp_dir:
                            files = parse_line_header(self.line, off, self.strings, unit.comp_dir).files
                    out.append((off, hdr.version, tuple(files)))
            self._linedir = out
            self._cache.store("lines", out)
        return self._linedir

    # ------------------------------------------------------------------ pc -> line
    def sal(self, pc: int) -> Sal | None:
        """gdb's find_pc_line: the line table row (and its extent) for pc."""
        cu = self.reader.cu_offset_for(pc)
        if cu is None:
            return None
        try:
            lines = self.unit_lines(self.reader.unit(cu))
        except DIE_ERRORS as e:
            self.warn(f"unreadable compilation unit at .debug_info offset {cu:#x}", e)
            return None
        return lines.find_pc_line(pc) if lines is not None else None

    @_guarded(None)
    def find_line(self, pc: int) -> LineRow | None:
        sal = self.sal(pc)
        return None if sal is None else LineRow(sal.pc, sal.file, sal.line, sal.column, sal.is_stmt)

    @_guarded(None)
    def line_range(self, pc: int) -> tuple[int, int] | None:
        sal = self.sal(pc)
        return None if sal is None else (sal.pc, sal.end)

    @_guarded([])
    def line_table(self, pc: int) -> list[LineRow]:
        """Every row of the line table of the unit containing pc, by address (for
        interleaving source with disassembly); end markers come as end_sequence rows."""
        cu = self.reader.cu_offset_for(pc)
        lines = self.unit_lines(self.reader.unit(cu)) if cu is not None else None
        return lines.rows() if lines is not None else []

    @_guarded(False)
    def is_statement_start(self, pc: int) -> bool:
        cu = self.reader.cu_offset_for(pc)
        lines = self.unit_lines(self.reader.unit(cu)) if cu is not None else None
        return lines is not None and lines.is_stmt_at(pc)

    def match_symtabs(self, file: str) -> list[tuple[CuLines, int]]:
        """(unit's line tables, subfile index) of every table of a file named ``file``."""
        want = file.replace("\\", "/")
        out: list[tuple[CuLines, int]] = []
        for off, _, files in self.line_directory():
            if any(_file_matches(f, want) for f in files):
                lines = self.lines_at(off)
                if lines is not None:
                    out += [(lines, i) for i, t in enumerate(lines.subfiles)
                            if _file_matches(t.name, want)]
        return out


def _file_matches(path: str, want: str) -> bool:
    """gdb's compare_filenames_for_search: whole trailing path components."""
    if want.startswith("/"):
        return path == want or path == os.path.normpath(want)
    want = os.path.normpath(want)
    return path == want or path.endswith("/" + want)
