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

This module keeps loading, units, address ranges and pc -> unit. The questions
are answered by mixins, one module each, so that they share DebugInfo's lazily
filled tables without a layer of forwarding calls on hot paths:
  index_dies.py       the DIE reader (abbreviations, units, attributes)
  index_funcs.py      functions: the unit scan, pc -> function, the name index
  index_blocks.py     gdb's blocks: inlined calls, block_for_pc
  index_lines.py      line tables: file -> tables, pc -> line
  index_locations.py  where breakpoints land: break FUNC / FILE:LINE, info line
Their names stay importable from here.
"""
from __future__ import annotations

import bisect

from ...errors import NoDebugInfo
from .. import cache
from ..dwarf.forms import DwarfError, Sect, Strings, addrx
# The mixins, and (re-exported) the public names that lived in this module before it was split.
from .blocks import Block, BlockIndex, build_blocks  # noqa: F401
from ..dwarf.dies import (ADDRESS_FORMS, AT_ABSTRACT_ORIGIN, AT_ADDR_BASE, AT_CALL_FILE,  # noqa: F401
                         AT_CALL_LINE, AT_COMP_DIR, AT_DECL_FILE, AT_DECL_LINE, AT_DECLARATION,
                         AT_ENTRY_PC, AT_HIGH_PC, AT_INLINE, AT_LANGUAGE, AT_LINKAGE_NAME,
                         AT_LOCATION, AT_LOW_PC, AT_MIPS_LINKAGE, AT_NAME, AT_PRODUCER,
                         AT_RANGES, AT_RNGLISTS_BASE, AT_SIBLING, AT_SPECIFICATION,
                         AT_STMT_LIST, AT_STR_OFFSETS_BASE, C_LANGS, CORRUPT, CPP_LANGS,
                         DIE_ERRORS, HIGH_IS_OFFSET, LOCLIST_FORMS, RANGES_IS_INDEX, REF_FORMS,
                         SCOPE_TAGS, SKIP_BLOCKS, SKIP_LEB, SKIP_OTHER, SKIP_STR, SYMBOL_TAGS,
                         TAG_INLINED, TAG_LEXICAL_BLOCK, TAG_PARAMETER, TAG_SUBPROGRAM,
                         TAG_VARIABLE, Abbrev, Unit, _guarded, parse_abbrevs,
                         producer_gcc_version, read_attrs, skip_attrs)
from .funcs import (ACT_FUNC, ACT_JUMP, ACT_LEAF, ACT_LEXICAL, ACT_SCOPE,  # noqa: F401
                          ACT_WALK, CuFuncs, FuncRec, FunctionIndex, FunctionInfo, scan_unit)
from .lines import LineIndex
from .locations import BreakpointLocations
from ..dwarf.line_table import CuLines, LineRow  # noqa: F401

DEBUG_SECTIONS = (".debug_info", ".debug_abbrev", ".debug_line", ".debug_str", ".debug_line_str",
                  ".debug_aranges", ".debug_ranges", ".debug_rnglists", ".debug_addr",
                  ".debug_str_offsets")
# Where separate debug files are looked for (by build-id, then .gnu_debuglink), like
# gdb's debug-file-directory. Empty by default: tests compare with a gdb that has
# them switched off, and libc6-dbg would change what `step` enters (HARD-CASES).
DEBUG_FILE_DIRECTORIES: tuple[str, ...] = ()


class DebugInfo(FunctionIndex, BlockIndex, LineIndex, BreakpointLocations):
    """DWARF of one ELF file, answered lazily; see the module docstring."""

    def __init__(self, elf, sects: dict[str, Sect], warnings: list[str], use_cache: bool = True) -> None:
        self.elf, self.sects, self.warnings = elf, sects, warnings
        self.info = sects[".debug_info"]
        self.abbrev = sects.get(".debug_abbrev")
        self.line = sects.get(".debug_line")
        self.strings = Strings(sects.get(".debug_str"), sects.get(".debug_line_str"),
                               sects.get(".debug_str_offsets"), sects.get(".debug_addr"))
        self._dwarf = None
        self.debug_file = None          # the separate ElfFile the DWARF came from, if any
        self._units: dict[int, Unit] = {}
        self._unit_list: list[int] | None = None
        self._abbrev_tables: dict = {}      # offset -> raw table; (offset, sizes) -> compiled
        self._aranges: tuple[list[int], list[tuple[int, int, int]]] | None = None
        self._culines: dict[int, CuLines | None] = {}
        self._funcs: dict[int, CuFuncs | None] = {}
        self._names: dict[str, list[tuple[int, int]]] | None = None
        self._linedir: list[tuple[int, int, tuple[str, ...]]] | None = None
        self._unit_by_line: dict[int, int] | None = None
        self._cache = cache.IndexCache.for_elf(elf) if use_cache else cache.IndexCache(None)
        self._warned: set[str] = set()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, elf, *, use_cache: bool = True, debug_dirs: tuple[str, ...] | None = None
             ) -> "DebugInfo | None":
        """The file's DWARF, or None without .debug_info; NoDebugInfo (one line) when it
        is there but unreadable (e.g. zstd-compressed). ``use_cache=False`` neither
        reads nor writes the on-disk index."""
        warnings: list[str] = []
        sects: dict[str, Sect] = {}
        holder = elf
        if not elf.has_dwarf():
            dirs = DEBUG_FILE_DIRECTORIES if debug_dirs is None else debug_dirs
            holder = elf.separate_debug_file(dirs) or elf
        for name in DEBUG_SECTIONS:
            try:
                found = holder.read_section(name)
            except ValueError as e:
                if f"warning: {e}" not in warnings:
                    warnings.append(f"warning: {e}")
                continue
            if found is not None:
                sects[name] = Sect(name, *found)
        if ".debug_info" not in sects or sects[".debug_info"].size == 0 or ".debug_abbrev" not in sects:
            if holder.has_dwarf():   # there is DWARF, but we cannot read it: say why, once
                why = warnings[0].removeprefix("warning: ") if warnings else ".debug_abbrev is missing"
                raise NoDebugInfo(f"{elf.path}: debug info unreadable: {why}")
            return None
        self = cls(elf, sects, warnings, use_cache)
        self.debug_file = holder if holder is not elf else None
        return self

    @property
    def dwarf(self):
        """pyelftools' DWARFInfo over the same file, built on first use."""
        if self._dwarf is None:
            holder = self.debug_file or self.elf
            try:
                self._dwarf = holder.elffile.get_dwarf_info(relocate_dwarf_sections=False)
            except Exception as e:            # pyelftools raises many kinds on bad input
                raise NoDebugInfo(f"{holder.path}: pyelftools cannot read the DWARF: {e}") from None
        return self._dwarf

    def warn(self, where: str, err: Exception) -> None:
        """Record one line per distinct problem (the same broken byte is met from many paths)."""
        key = str(err) or where
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(f"warning: {where}: {err}" if str(err) else f"warning: {where}")

    # ------------------------------------------------------------------ units
    def raw_abbrev_table(self, off: int) -> dict[int, Abbrev]:
        t = self._abbrev_tables.get(off)
        if t is None:
            t = self._abbrev_tables[off] = parse_abbrevs(self.abbrev, off)
        return t

    def abbrev_table(self, off: int, addr_size: int = 8, offset_size: int = 4) -> dict[int, Abbrev]:
        """The table at off, with skip plans for units of these address/offset sizes."""
        key = (off, addr_size, offset_size)
        t = self._abbrev_tables.get(key)
        if t is None:
            raw = self.raw_abbrev_table(off)
            t = self._abbrev_tables[key] = {c: Abbrev(a.tag, a.children, a.attrs) for c, a in raw.items()}
            for ab in t.values():
                ab.compile(addr_size, offset_size)
        return t

    def unit(self, off: int) -> Unit:
        u = self._units.get(off)
        if u is None:
            u = self._units[off] = Unit(self, off)
        return u

    def unit_offsets(self) -> list[int]:
        """Offsets of every compile unit, by walking unit headers only."""
        if self._unit_list is None:
            offs, off = [], 0
            try:
                while off + 11 <= self.info.size:
                    u = self.unit(off)
                    if u.unit_type in (1, 3, 4):        # compile, partial, skeleton
                        offs.append(off)
                    off = u.end
            except DIE_ERRORS as e:
                self.warn(f"corrupt .debug_info at offset {off:#x}", e)
            self._unit_list = offs
        return self._unit_list

    def unit_containing(self, die: int) -> Unit | None:
        offs = self.unit_offsets()
        i = bisect.bisect_right(offs, die) - 1
        if i < 0:
            return None
        u = self.unit(offs[i])
        return u if die < u.end else None

    def die_ranges(self, unit: Unit, attrs: dict, cu_base: bool = False) -> list[tuple[int, int]]:
        """Address ranges of a DIE from low/high_pc or DW_AT_ranges; [] when it has no code."""
        low = attrs.get(AT_LOW_PC)
        if AT_RANGES in attrs:
            base = low if cu_base else unit.top.get(AT_LOW_PC)
            out = self._read_ranges(unit, attrs[AT_RANGES], base if isinstance(base, int) else 0,
                                    rnglistx=not cu_base and unit.version >= 5
                                    and bool(attrs.get(RANGES_IS_INDEX)))
        elif isinstance(low, int):
            high = attrs.get(AT_HIGH_PC)
            if not isinstance(high, int):
                return [(low, low + 1)] if low else []
            high = low + high if attrs.get(HIGH_IS_OFFSET) else high
            out = [(low, high)]
        else:
            return []
        return [(lo, hi) for lo, hi in out if lo < hi and lo != 0]

    def _read_ranges(self, unit: Unit, val: int, base: int, rnglistx: bool) -> list[tuple[int, int]]:
        asz, out = unit.ctx.addr_size, []
        if unit.version < 5:
            s = self.sects.get(".debug_ranges")
            if s is None:
                raise DwarfError("DW_AT_ranges without .debug_ranges")
            off, top = val, (1 << (8 * asz)) - 1
            while True:
                lo, hi = s.uint(off, asz), s.uint(off + asz, asz)
                off += 2 * asz
                if lo == 0 and hi == 0:
                    return out
                if lo == top:
                    base = hi
                else:
                    out.append((base + lo, base + hi))
        s = self.sects.get(".debug_rnglists")
        if s is None:
            raise DwarfError("DW_AT_ranges without .debug_rnglists")
        if rnglistx:
            rbase = unit.top.get(AT_RNGLISTS_BASE, 12)
            val = rbase + s.uint(rbase + val * unit.ctx.offset_size, unit.ctx.offset_size)
        off, ctx = val, unit.ctx
        while True:
            kind = s.u8(off)
            off += 1
            if kind == 0:
                return out
            if kind in (1, 2, 3):
                a, off = s.uleb(off)
                a = addrx(ctx, a)
                if kind == 1:
                    base = a
                elif kind == 2:
                    b, off = s.uleb(off)
                    out.append((a, addrx(ctx, b)))
                else:
                    n, off = s.uleb(off)
                    out.append((a, a + n))
            elif kind == 4:
                a, off = s.uleb(off)
                b, off = s.uleb(off)
                out.append((base + a, base + b))
            elif kind == 5:
                base, off = s.uint(off, asz), off + asz
            elif kind == 6:
                out.append((s.uint(off, asz), s.uint(off + asz, asz)))
                off += 2 * asz
            elif kind == 7:
                a = s.uint(off, asz)
                n, off = s.uleb(off + asz)
                out.append((a, a + n))
            else:
                raise DwarfError(f"unknown range list entry {kind} at .debug_rnglists offset {off - 1:#x}")

    def read_die(self, die: int) -> tuple[Unit, Abbrev, dict, int]:
        unit = self.unit_containing(die)
        if unit is None:
            raise DwarfError(f"DIE reference {die:#x} outside .debug_info")
        code, off = self.info.uleb(die)
        ab = unit.abbrev(code, die)
        attrs, off = read_attrs(unit, off, ab)
        return unit, ab, attrs, off

    # ------------------------------------------------------------------ pc -> unit
    def _arange_index(self) -> tuple[list[int], list[tuple[int, int, int]]]:
        if self._aranges is None:
            spans: list[tuple[int, int, int]] = []
            s = self.sects.get(".debug_aranges")
            if s is not None:
                try:
                    _read_aranges(s, spans, self.info.size)
                except DIE_ERRORS as e:
                    self.warn("corrupt .debug_aranges", e)
            missing = self.unit_offsets() if s is None else []
            for off in missing:                 # no aranges for this unit: ask its DIE
                try:
                    spans += [(lo, hi, off) for lo, hi in self.unit(off).ranges()]
                except DIE_ERRORS as e:
                    self.warn(f"unreadable compilation unit at .debug_info offset {off:#x}", e)
            spans.sort()
            self._aranges = ([lo for lo, _, _ in spans], spans)
        return self._aranges

    @_guarded(None)
    def cu_offset_for(self, pc: int) -> int | None:
        starts, spans = self._arange_index()
        i = bisect.bisect_right(starts, pc) - 1
        for k in range(i, max(i - 16, -1), -1):     # spans are disjoint but for odd producers
            lo, hi, off = spans[k]
            if pc < hi:
                return off
        return None


def _read_aranges(s: Sect, spans: list, info_size: int) -> None:
    off = 0
    while off + 4 <= s.size:
        length, osize, p = s.initial_length(off)
        end = p + length
        if end > s.size or length < 8:
            raise DwarfError(f"bad set length {length:#x} at offset {off:#x}")
        cu_off = s.uint(p + 2, osize)
        asz, seg = s.u8(p + 2 + osize), s.u8(p + 3 + osize)
        if asz not in (4, 8) or cu_off >= info_size:
            raise DwarfError(f"bad address set header at offset {off:#x}")
        q = p + 4 + osize                     # tuples start aligned to 2*addr_size from the set
        q = off + ((q - off + 2 * asz - 1) // (2 * asz)) * (2 * asz)
        while q + 2 * asz <= end:
            lo, n = s.uint(q + seg, asz), s.uint(q + seg + asz, asz)
            q += 2 * asz + seg
            if lo == 0 and n == 0:
                break
            if n and lo:
                spans.append((lo, lo + n, cu_off))
        off = end
