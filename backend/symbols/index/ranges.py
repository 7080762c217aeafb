"""Address-range sections: a DIE's DW_AT_ranges list (.debug_ranges in DWARF 2-4,
.debug_rnglists in DWARF 5) and the unit address table .debug_aranges.

The DIE reader (die_reader.py) decodes them; both raise DwarfError on malformed input.
"""
from __future__ import annotations

from ..dwarf.dies import AT_RNGLISTS_BASE, Unit
from ..dwarf.forms import DwarfError, Sect, addrx


def read_ranges(sects: dict[str, Sect], unit: Unit, val: int, base: int,
                rnglistx: bool) -> list[tuple[int, int]]:
    """The list at ``val`` (an offset, or a DW_FORM_rnglistx index when ``rnglistx``);
    ``base`` is the base address until the list sets its own."""
    asz = unit.ctx.addr_size
    out: list[tuple[int, int]] = []
    if unit.version < 5:
        s = sects.get(".debug_ranges")
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
    s = sects.get(".debug_rnglists")
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


def read_aranges(s: Sect, spans: list[tuple[int, int, int]], info_size: int) -> None:
    """Append (low, high, unit offset) for every address set of .debug_aranges to spans."""
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
