"""Lazy DWARF index: the ``DebugInfo`` facade over one ELF file's DWARF.

Nothing is parsed up front. A pc finds its unit through .debug_aranges, a file
name finds its line programs through the .debug_line headers alone, and a unit's
DIEs are walked (by our own minimal reader, skipping subtrees by DW_AT_sibling)
only when a question needs them. The full function-name index is built on first
use and cached on disk (cache.py); `break main` on a cold start is answered from
.symtab and the one unit it points into when that is provably complete.

Where answers must equal gdb 13's (break FUNC, break/info line FILE:LINE, pc ->
line), DebugInfo follows gdb's own algorithms, named after them in the methods
(find_pc_sect_line, skip_prologue_sal, amd64_skip_prologue, the linespec block
filter), and tests/test_symbols_where.py checks them against gdb.

This module finds the sections and builds the parts that answer the questions,
one module each, each given the parts it asks in turn:
  die_reader.py  units, abbreviations, DIEs, address ranges, pc -> unit (self.dies)
  lines.py       line tables: file -> tables, pc -> line (self.lines)
  funcs.py       functions: the unit scan, pc -> function, the name index (self.funcs)
  blocks.py      gdb's blocks: inlined calls, block_for_pc (self.blocks)
  locations.py   where breakpoints land: break FUNC / FILE:LINE, info line (self.locations)
The methods below are the questions the rest of the debugger asks.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from ...errors import NoDebugInfo
from .. import cache
from ..dwarf.forms import Sect, SectBuf
from ..dwarf.line_table import CuLines, LineRow
from .blocks import Block, BlockIndex
from .die_reader import DieReader
from .funcs import CuFuncs, FuncRec, FunctionIndex, FunctionInfo
from .lines import LineIndex
from .locations import BreakpointLocations, Location

if TYPE_CHECKING:
    from ..elf import ElfFile

__all__ = ["DebugInfo", "Block", "CuLines", "FuncRec", "FunctionInfo", "LineRow"]

DEBUG_SECTIONS = (".debug_info", ".debug_abbrev", ".debug_line", ".debug_str", ".debug_line_str",
                  ".debug_aranges", ".debug_ranges", ".debug_rnglists", ".debug_addr",
                  ".debug_str_offsets")
# Where separate debug files are looked for (by build-id, then .gnu_debuglink): gdb's
# debug-file-directory and its default. Installed debug packages change what a session
# shows (libc6-dbg: `step` enters malloc.c, frames in libc get lines), as in gdb; the
# test suite pins it (tests/conftest.py).
DEFAULT_DEBUG_FILE_DIRECTORIES: tuple[str, ...] = ("/usr/lib/debug",)
_chosen: tuple[str, ...] | None = None      # `set debug-file-directory`, for the process


def debug_file_directories() -> tuple[str, ...]:
    """Where separate debug files are looked for: what `set debug-file-directory` chose,
    else TDBG_DEBUG_FILE_DIRECTORY (colon-separated, like the setting), else gdb's default.
    Objects read before a change keep what they found, as in gdb."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get("TDBG_DEBUG_FILE_DIRECTORY")
    if env is not None:
        return split_directories(env)
    return DEFAULT_DEBUG_FILE_DIRECTORIES


def split_directories(text: str) -> tuple[str, ...]:
    return tuple(d for d in text.split(":") if d)


def choose_debug_file_directories(dirs: tuple[str, ...] | None) -> None:
    """`set debug-file-directory` (None: back to the environment's or gdb's default)."""
    global _chosen
    _chosen = dirs


class DebugInfo:
    """DWARF of one ELF file, answered lazily; see the module docstring."""

    def __init__(self, elf: ElfFile, sects: dict[str, Sect], warnings: list[str], use_cache: bool = True,
                 debug_file: ElfFile | None = None) -> None:
        self.elf, self.sects, self.warnings = elf, sects, warnings
        self.debug_file = debug_file    # the separate ElfFile the DWARF came from, if any
        self._dwarf: Any = None
        self._cache = cache.IndexCache.for_elf(elf) if use_cache else cache.IndexCache(None)
        self.dies = DieReader(sects, warnings)
        self.lines = LineIndex(self.dies, sects.get(".debug_line"), self._cache)
        self.funcs = FunctionIndex(self.dies, self.lines, self._cache, elf, debug_file)
        self.blocks = BlockIndex(self.dies, self.funcs, self.lines)
        self.locations = BreakpointLocations(self.dies, self.lines, self.funcs, self.blocks, elf)

    @classmethod
    def load(cls, elf: ElfFile, *, use_cache: bool = True, debug_dirs: tuple[str, ...] | None = None
             ) -> DebugInfo | None:
        """The file's DWARF, or None without .debug_info; NoDebugInfo (one line) when it
        is there but unreadable (e.g. zstd-compressed). ``use_cache=False`` neither
        reads nor writes the on-disk index."""
        warnings: list[str] = []
        sects: dict[str, Sect] = {}
        holder = elf
        if not elf.has_dwarf():
            dirs = debug_file_directories() if debug_dirs is None else debug_dirs
            holder = elf.separate_debug_file(dirs) or elf
        for name in DEBUG_SECTIONS:
            try:
                found = holder.read_section(name)
            except ValueError as e:
                if f"warning: {e}" not in warnings:
                    warnings.append(f"warning: {e}")
                continue
            if found is not None:
                buf, start, size = found            # buf: the file's mmap or a decompressed copy
                sects[name] = Sect(name, cast(SectBuf, buf), start, size)
        if ".debug_info" not in sects or sects[".debug_info"].size == 0 or ".debug_abbrev" not in sects:
            if holder.has_dwarf():   # there is DWARF, but we cannot read it: say why, once
                why = warnings[0].removeprefix("warning: ") if warnings else ".debug_abbrev is missing"
                raise NoDebugInfo(f"{elf.path}: debug info unreadable: {why}")
            return None
        return cls(elf, sects, warnings, use_cache, holder if holder is not elf else None)

    @property
    def dwarf(self) -> Any:
        """pyelftools' DWARFInfo over the same file, built on first use."""
        if self._dwarf is None:
            holder = self.debug_file or self.elf
            try:
                self._dwarf = holder.elffile.get_dwarf_info(relocate_dwarf_sections=False)
            except Exception as e:            # pyelftools raises many kinds on bad input
                raise NoDebugInfo(f"{holder.path}: pyelftools cannot read the DWARF: {e}") from None
        return self._dwarf

    # ------------------------------------------------------------------ what callers ask
    # One line each, to the part that answers (the parts are used directly inside
    # this package).
    def cu_offset_for(self, pc: int) -> int | None:
        return self.dies.cu_offset_for(pc)

    def find_line(self, pc: int) -> LineRow | None:
        return self.lines.find_line(pc)

    def line_range(self, pc: int) -> tuple[int, int] | None:
        return self.lines.line_range(pc)

    def line_table(self, pc: int) -> list[LineRow]:
        return self.lines.line_table(pc)

    def is_statement_start(self, pc: int) -> bool:
        return self.lines.is_statement_start(pc)

    def function_at(self, pc: int) -> FunctionInfo | None:
        return self.funcs.function_at(pc)

    def functions_named(self, name: str, inlined: bool = True) -> list[FunctionInfo]:
        return self.funcs.functions_named(name, inlined)

    def inlined_instances(self, name: str) -> list[tuple[int, str | None, int | None]]:
        return self.funcs.inlined_instances(name)

    def all_function_names(self) -> list[str]:
        return self.funcs.all_function_names()

    def source_files(self) -> list[str]:
        return self.funcs.source_files()

    def inlined_chain(self, pc: int) -> list[tuple[str, str | None, int | None]]:
        return self.blocks.inlined_chain(pc)

    def breakpoint_address(self, func: FunctionInfo) -> int:
        return self.locations.breakpoint_address(func)

    def breakpoint_location(self, func: FunctionInfo) -> Location:
        return self.locations.breakpoint_location(func)

    def line_addresses(self, file: str, line: int) -> tuple[int, list[int]]:
        return self.locations.line_addresses(file, line)

    def line_locations(self, file: str, line: int) -> list[Location]:
        return self.locations.line_locations(file, line)

    def info_line(self, file: str, line: int) -> list[tuple[str, int, int | None, int | None]]:
        return self.locations.info_line(file, line)

    def _amd64_skip_prologue(self, start_pc: int) -> int:      # exec/calls.py: gdb's infrun uses it
        return self.locations.amd64_skip_prologue(start_pc)

    # The index's lazily filled tables, for tests/test_symbols_where.py's laziness checks.
    @property
    def _funcs(self) -> dict[int, CuFuncs | None]:
        return self.funcs._funcs

    @property
    def _culines(self) -> dict[int, CuLines | None]:
        return self.lines._culines

    @property
    def _names(self) -> dict[str, list[tuple[int, int]]] | None:
        return self.funcs._names
