"""The DIE reader of one file's DWARF: its units and abbreviation tables (made on
first use and kept), a DIE's attributes and address ranges, pc -> unit through
.debug_aranges, and the warnings all of the index reports.

The other parts of the index (funcs.py, lines.py, blocks.py, locations.py) ask it
for units and DIEs; the Units it makes read their DIEs through it (dwarf/dies.py).
"""
from __future__ import annotations

import bisect

from ..dwarf.dies import (
    AT_HIGH_PC,
    AT_LOW_PC,
    AT_RANGES,
    DIE_ERRORS,
    HIGH_IS_OFFSET,
    RANGES_IS_INDEX,
    Abbrev,
    Attrs,
    Unit,
    _guarded,
    parse_abbrevs,
    read_attrs,
)
from ..dwarf.forms import DwarfError, Sect, Strings
from .ranges import read_aranges, read_ranges


class DieReader:
    """Units and DIEs of one file's .debug_info (see the module docstring)."""

    def __init__(self, sects: dict[str, Sect], warnings: list[str]) -> None:
        self.sects, self.warnings = sects, warnings
        self.info = sects[".debug_info"]
        self.abbrev = sects.get(".debug_abbrev")
        self.strings = Strings(sects.get(".debug_str"), sects.get(".debug_line_str"),
                               sects.get(".debug_str_offsets"), sects.get(".debug_addr"))
        self._units: dict[int, Unit] = {}
        self._unit_list: list[int] | None = None
        self._raw_abbrevs: dict[int, dict[int, Abbrev]] = {}
        self._abbrevs: dict[tuple[int, int, int], dict[int, Abbrev]] = {}   # compiled for unit sizes
        self._aranges: tuple[list[int], list[tuple[int, int, int]]] | None = None
        self._warned: set[str] = set()

    def warn(self, where: str, err: Exception) -> None:
        """Record one line per distinct problem (the same broken byte is met from many paths)."""
        key = str(err) or where
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(f"warning: {where}: {err}" if str(err) else f"warning: {where}")

    # ------------------------------------------------------------------ units
    def raw_abbrev_table(self, off: int) -> dict[int, Abbrev]:
        t = self._raw_abbrevs.get(off)
        if t is None:
            if self.abbrev is None:
                raise DwarfError(".debug_abbrev is missing")
            t = self._raw_abbrevs[off] = parse_abbrevs(self.abbrev, off)
        return t

    def abbrev_table(self, off: int, addr_size: int = 8, offset_size: int = 4) -> dict[int, Abbrev]:
        """The table at off, with skip plans for units of these address/offset sizes."""
        key = (off, addr_size, offset_size)
        t = self._abbrevs.get(key)
        if t is None:
            raw = self.raw_abbrev_table(off)
            t = self._abbrevs[key] = {c: Abbrev(a.tag, a.children, a.attrs) for c, a in raw.items()}
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
            offs: list[int] = []
            off = 0
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

    def read_die(self, die: int) -> tuple[Unit, Abbrev, Attrs, int]:
        """(unit, abbreviation, attributes, offset of its children) of the DIE at ``die``."""
        unit = self.unit_containing(die)
        if unit is None:
            raise DwarfError(f"DIE reference {die:#x} outside .debug_info")
        code, off = self.info.uleb(die)
        ab = unit.abbrev(code, die)
        attrs, off = read_attrs(unit, off, ab)
        return unit, ab, attrs, off

    def die_ranges(self, unit: Unit, attrs: Attrs, cu_base: bool = False) -> list[tuple[int, int]]:
        """Address ranges of a DIE from low/high_pc or DW_AT_ranges; [] when it has no code."""
        low = attrs.get(AT_LOW_PC)
        if AT_RANGES in attrs:
            base = low if cu_base else unit.top.get(AT_LOW_PC)
            out = read_ranges(self.sects, unit, attrs[AT_RANGES], base if isinstance(base, int) else 0,
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

    # ------------------------------------------------------------------ pc -> unit
    def _arange_index(self) -> tuple[list[int], list[tuple[int, int, int]]]:
        if self._aranges is None:
            spans: list[tuple[int, int, int]] = []
            s = self.sects.get(".debug_aranges")
            if s is not None:
                try:
                    read_aranges(s, spans, self.info.size)
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
