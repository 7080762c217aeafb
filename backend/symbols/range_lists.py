"""DW_AT_ranges lists: .debug_rnglists (DWARF 5) and .debug_ranges (DWARF 2-4)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ExpressionError
from .dwarf.expr import debug_addr, read_uleb

if TYPE_CHECKING:
    from elftools.dwarf.compileunit import CompileUnit
    from elftools.dwarf.die import AttributeValue
    from elftools.dwarf.dwarfinfo import DWARFInfo
    from elftools.dwarf.typeunit import TypeUnit


def range_list(dwarf: DWARFInfo, cu: CompileUnit | TypeUnit, attr: AttributeValue) -> list[tuple[int, int]]:
    """[low, high) link-time ranges that a DW_AT_ranges attribute lists."""
    from .dwarf.expr import _cu_base, _data
    base = _cu_base(dwarf, cu)
    size: int = cu["address_size"]
    out: list[tuple[int, int]] = []
    if cu["version"] < 5:
        data = _data(dwarf.debug_ranges_sec)
        pos = attr.value
        top = (1 << (8 * size)) - 1
        while pos + 2 * size <= len(data):
            a = int.from_bytes(data[pos:pos + size], "little")
            b = int.from_bytes(data[pos + size:pos + 2 * size], "little")
            pos += 2 * size
            if a == 0 and b == 0:
                break
            if a == top:
                base = b
            else:
                out.append((base + a, base + b))
        return out
    data = _data(dwarf.debug_rnglists_sec)
    pos = attr.value
    if attr.form == "DW_FORM_rnglistx":
        rb = cu.get_top_DIE().attributes.get("DW_AT_rnglists_base")
        table = rb.value if rb is not None else 12
        pos = table + int.from_bytes(data[table + 4 * attr.value:table + 4 * attr.value + 4], "little")

    def addrx(i: int) -> int:
        return debug_addr(dwarf, cu, i)
    while pos < len(data):
        kind = data[pos]
        pos += 1
        if kind == 0:                                            # end_of_list
            break
        if kind == 1:                                            # base_addressx
            i, pos = read_uleb(data, pos)
            base = addrx(i)
        elif kind in (2, 3, 4):                                  # startx_endx/_length, offset_pair
            a, pos = read_uleb(data, pos)
            b, pos = read_uleb(data, pos)
            if kind == 2:
                out.append((addrx(a), addrx(b)))
            elif kind == 3:
                out.append((addrx(a), addrx(a) + b))
            else:
                out.append((base + a, base + b))
        elif kind == 5:                                          # base_address
            base = int.from_bytes(data[pos:pos + size], "little")
            pos += size
        elif kind == 6:                                          # start_end
            a = int.from_bytes(data[pos:pos + size], "little")
            b = int.from_bytes(data[pos + size:pos + 2 * size], "little")
            pos += 2 * size
            out.append((a, b))
        elif kind == 7:                                          # start_length
            a = int.from_bytes(data[pos:pos + size], "little")
            n, pos = read_uleb(data, pos + size)
            out.append((a, a + n))
        else:
            raise ExpressionError(f"unknown DW_RLE kind {kind:#x}")
    return out
