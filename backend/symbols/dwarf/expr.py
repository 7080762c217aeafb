"""DWARF expressions and location lists (DWARF 2-5, x86-64).

`evaluate` runs a location expression against an `ExprContext` (registers and
memory of one frame) and says where the object lives, as pieces. It decodes the
bytes itself: pyelftools' expression parser only lists ops, and a debugger needs
the stack machine. `location_expression` picks the expression in force at a pc
from `.debug_loclists` (DWARF 5) or `.debug_loc` (DWARF 2-4).
"""
from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from ...errors import ExpressionError
from .forms import sign_extend

# DWARF register number -> user_regs_struct name (x86-64 psABI, figure 3.36).
DWARF_REGS: dict[int, str] = {
    0: "rax", 1: "rdx", 2: "rcx", 3: "rbx", 4: "rsi", 5: "rdi", 6: "rbp", 7: "rsp",
    **{i: f"r{i}" for i in range(8, 16)},
    16: "rip",
    **{17 + i: f"xmm{i}" for i in range(16)},
    **{33 + i: f"st{i}" for i in range(8)},
    **{41 + i: f"mm{i}" for i in range(8)},
    49: "eflags", 50: "es", 51: "cs", 52: "ss", 53: "ds", 54: "fs", 55: "gs",
    58: "fs_base", 59: "gs_base",
}
REG_NUMBERS: dict[str, int] = {v: k for k, v in DWARF_REGS.items()}

# pyelftools ships no type information: its objects are Any, named here for the reader.
ElfDwarfInfo: TypeAlias = Any       # elftools.dwarf.dwarfinfo.DWARFInfo
ElfCU: TypeAlias = Any              # elftools.dwarf.compileunit.CompileUnit
ElfDIE: TypeAlias = Any             # elftools.dwarf.die.DIE
ElfAttr: TypeAlias = Any            # elftools.dwarf.die.AttributeValue

MASK = 0xFFFFFFFFFFFFFFFF
_MAX_STEPS = 100_000          # DW_OP_skip/bra can loop; a corrupt expression must end


class Unavailable(Exception):
    """The value is <optimized out> or cannot be recovered in this frame."""


@dataclass
class Piece:
    kind: str                  # "memory" | "register" | "value" | "implicit" | "optimized"
    addr: int = 0
    reg: str = ""
    value: int = 0
    data: bytes = b""
    size: int | None = None    # bytes of the object this piece covers; None = all


class ExprContext(Protocol):
    bias: int

    def reg(self, name: str) -> int: ...
    def read(self, addr: int, n: int) -> bytes: ...
    def frame_base(self) -> int: ...
    def cfa(self) -> int: ...
    def addrx(self, index: int) -> int: ...


def read_uleb(data: Sequence[int], pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def read_sleb(data: Sequence[int], pos: int) -> tuple[int, int]:
    value, end = read_uleb(data, pos)
    return sign_extend(value, 7 * (end - pos)), end


def _signed(v: int) -> int:
    return v - (1 << 64) if v & (1 << 63) else v


# Fixed-size constant ops: opcode -> (struct code, size).
_CONSTS = {0x08: ("<B", 1), 0x09: ("<b", 1), 0x0A: ("<H", 2), 0x0B: ("<h", 2),
           0x0C: ("<I", 4), 0x0D: ("<i", 4), 0x0E: ("<Q", 8), 0x0F: ("<q", 8)}

_BINARY: dict[int, Callable[[int, int], int]] = {
    0x1A: lambda a, b: a & b,                                   # and
    0x1B: lambda a, b: _div(a, b),                              # div (signed)
    0x1C: lambda a, b: a - b,                                   # minus
    0x1D: lambda a, b: _mod(a, b),                              # mod
    0x1E: lambda a, b: a * b,                                   # mul
    0x21: lambda a, b: a | b,                                   # or
    0x22: lambda a, b: a + b,                                   # plus
    0x24: lambda a, b: a << b if b < 64 else 0,                 # shl
    0x25: lambda a, b: a >> b if b < 64 else 0,                 # shr
    0x26: lambda a, b: _signed(a) >> min(b, 63),                # shra
    0x27: lambda a, b: a ^ b,                                   # xor
    # Comparisons on the generic type are signed (DWARF 5 section 2.5.1.4).
    0x29: lambda a, b: int(a == b),
    0x2A: lambda a, b: int(_signed(a) >= _signed(b)),
    0x2B: lambda a, b: int(_signed(a) > _signed(b)),
    0x2C: lambda a, b: int(_signed(a) <= _signed(b)),
    0x2D: lambda a, b: int(_signed(a) < _signed(b)),
    0x2E: lambda a, b: int(a != b),
}

_UNAVAILABLE_OPS = {
    0xA3: "DW_OP_entry_value", 0xF3: "DW_OP_GNU_entry_value",
    0xFA: "DW_OP_GNU_parameter_ref", 0xA0: "DW_OP_implicit_pointer",
    0xF2: "DW_OP_GNU_implicit_pointer", 0x9B: "DW_OP_form_tls_address",
    0xE0: "DW_OP_GNU_push_tls_address", 0xFD: "DW_OP_GNU_variable_value",
    # Typed stack ops need base-type DIEs the context does not carry.
    0xA4: "DW_OP_const_type", 0xA5: "DW_OP_regval_type", 0xA6: "DW_OP_deref_type",
    0xA8: "DW_OP_convert", 0xA9: "DW_OP_reinterpret", 0xF4: "DW_OP_GNU_const_type",
    0xF5: "DW_OP_GNU_regval_type", 0xF6: "DW_OP_GNU_deref_type",
    0xF7: "DW_OP_GNU_convert", 0xF9: "DW_OP_GNU_reinterpret",
}


def _div(a: int, b: int) -> int:
    a, b = _signed(a), _signed(b)
    if b == 0:
        raise ExpressionError("DWARF expression divides by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _mod(a: int, b: int) -> int:
    if b == 0:
        raise ExpressionError("DWARF expression divides by zero")
    return a % b


def evaluate(expr: bytes, ctx: ExprContext, *, address_size: int = 8,
             push_object_address: int | None = None,
             stack: Sequence[int] = ()) -> list[Piece]:
    """Where the object described by `expr` lives. `stack` pre-loads values
    (CFI register rules start with the CFA pushed)."""
    try:
        return _evaluate(expr, ctx, address_size, push_object_address, stack)
    except (IndexError, struct.error):
        raise ExpressionError("truncated DWARF expression") from None


def _evaluate(expr: bytes, ctx: ExprContext, address_size: int,
              push_object_address: int | None, stack: Sequence[int]) -> list[Piece]:
    st: list[int] = [v & MASK for v in stack]
    pieces: list[Piece] = []
    loc: Piece | None = None        # set by DW_OP_reg*/stack_value/implicit_value
    pos, n, steps = 0, len(expr), 0

    def pop() -> int:
        if not st:
            raise ExpressionError("DWARF expression stack underflow")
        return st.pop()

    def read_int(addr: int, size: int) -> int:
        return int.from_bytes(ctx.read(addr, size), "little")

    while pos < n:
        steps += 1
        if steps > _MAX_STEPS:
            raise ExpressionError("DWARF expression does not terminate")
        op = expr[pos]
        pos += 1
        if 0x30 <= op <= 0x4F:                                   # lit0..31
            st.append(op - 0x30)
        elif 0x50 <= op <= 0x6F or op == 0x90:                   # reg0..31, regx
            if op == 0x90:
                num, pos = read_uleb(expr, pos)
            else:
                num = op - 0x50
            loc = Piece("register", reg=_reg_name(num))
        elif 0x70 <= op <= 0x8F or op == 0x92:                   # breg0..31, bregx
            if op == 0x92:
                num, pos = read_uleb(expr, pos)
            else:
                num = op - 0x70
            off, pos = read_sleb(expr, pos)
            st.append((ctx.reg(_reg_name(num)) + off) & MASK)
        elif op in _CONSTS:
            code, size = _CONSTS[op]
            st.append(struct.unpack_from(code, expr, pos)[0] & MASK)
            pos += size
        elif op == 0x10:                                         # constu
            v, pos = read_uleb(expr, pos)
            st.append(v & MASK)
        elif op == 0x11:                                         # consts
            v, pos = read_sleb(expr, pos)
            st.append(v & MASK)
        elif op == 0x03:                                         # addr
            v = int.from_bytes(expr[pos:pos + address_size], "little")
            pos += address_size
            st.append((v + ctx.bias) & MASK)
        elif op in (0xA1, 0xFB):                                 # addrx, GNU_addr_index
            i, pos = read_uleb(expr, pos)
            st.append((ctx.addrx(i) + ctx.bias) & MASK)
        elif op in (0xA2, 0xFC):                                 # constx, GNU_const_index
            # Not relocated by the load bias: constx holds offsets (TLS), not addresses.
            i, pos = read_uleb(expr, pos)
            st.append(ctx.addrx(i) & MASK)
        elif op == 0x12:                                         # dup
            st.append(_peek(st, 0))
        elif op == 0x13:                                         # drop
            pop()
        elif op == 0x14:                                         # over
            st.append(_peek(st, 1))
        elif op == 0x15:                                         # pick
            st.append(_peek(st, expr[pos]))
            pos += 1
        elif op == 0x16:                                         # swap
            a, b = pop(), pop()
            st += [a, b]
        elif op == 0x17:                                         # rot
            a, b, c = pop(), pop(), pop()
            st += [a, c, b]
        elif op == 0x06:                                         # deref
            st.append(read_int(pop(), address_size))
        elif op == 0x94:                                         # deref_size
            size = expr[pos]
            pos += 1
            st.append(read_int(pop(), size))
        elif op == 0x19:                                         # abs
            st.append(abs(_signed(pop())) & MASK)
        elif op == 0x1F:                                         # neg
            st.append(-_signed(pop()) & MASK)
        elif op == 0x20:                                         # not
            st.append(~pop() & MASK)
        elif op in _BINARY:
            b, a = pop(), pop()
            st.append(_BINARY[op](a, b) & MASK)
        elif op == 0x23:                                         # plus_uconst
            v, pos = read_uleb(expr, pos)
            st.append((pop() + v) & MASK)
        elif op == 0x2F:                                         # skip
            off = struct.unpack_from("<h", expr, pos)[0]
            pos = _jump(pos + 2 + off, n)
        elif op == 0x28:                                         # bra
            off = struct.unpack_from("<h", expr, pos)[0]
            pos += 2
            if pop() != 0:
                pos = _jump(pos + off, n)
        elif op == 0x91:                                         # fbreg
            off, pos = read_sleb(expr, pos)
            st.append((ctx.frame_base() + off) & MASK)
        elif op == 0x9C:                                         # call_frame_cfa
            st.append(ctx.cfa() & MASK)
        elif op == 0x97:                                         # push_object_address
            if push_object_address is None:
                raise ExpressionError("DW_OP_push_object_address without an object")
            st.append(push_object_address & MASK)
        elif op == 0x9F:                                         # stack_value
            loc = Piece("value", value=pop())
        elif op == 0x9E:                                         # implicit_value
            size, pos = read_uleb(expr, pos)
            loc = Piece("implicit", data=bytes(expr[pos:pos + size]))
            pos += size
        elif op in (0x93, 0x9D):                                 # piece, bit_piece
            size, pos = read_uleb(expr, pos)
            if op == 0x9D:
                _, pos = read_uleb(expr, pos)                    # bit offset: ignored
                size = (size + 7) // 8
            if loc is None:
                loc = Piece("memory", addr=pop()) if st else Piece("optimized")
            loc.size = size
            pieces.append(loc)
            loc = None
        elif op in (0x96, 0xF0):                                 # nop, GNU_uninit
            pass
        elif op in _UNAVAILABLE_OPS:
            raise Unavailable(f"{_UNAVAILABLE_OPS[op]} is not supported")
        else:
            raise ExpressionError(f"unsupported DWARF expression opcode {op:#x}")
    if pieces:
        return pieces
    if loc is not None:
        return [loc]
    if st:
        return [Piece("memory", addr=st[-1])]
    return [Piece("optimized")]


def evaluate_address(expr: bytes, ctx: ExprContext, stack: Sequence[int] = ()) -> int:
    """The single number an expression computes (CFA and CFI register rules)."""
    pieces = evaluate(expr, ctx, stack=stack)
    if len(pieces) == 1 and pieces[0].kind in ("memory", "value"):
        p = pieces[0]
        return p.addr if p.kind == "memory" else p.value
    if len(pieces) == 1 and pieces[0].kind == "register":
        return ctx.reg(pieces[0].reg)
    raise ExpressionError("DWARF expression does not compute an address")


def object_bytes(pieces: list[Piece], ctx: ExprContext, size: int) -> bytes:
    """The `size` bytes of an object assembled from its pieces; Unavailable if
    any part was optimized out or lives in a register this frame cannot recover."""
    out = bytearray()
    for p in pieces:
        n = p.size if p.size is not None else size - len(out)
        if n <= 0:
            continue
        if p.kind == "memory":
            out += ctx.read(p.addr, n)
        elif p.kind in ("register", "value"):
            v = ctx.reg(p.reg) if p.kind == "register" else p.value
            # Registers and stack values are little-endian numbers; the object
            # takes their low bytes (a char in rax, an int in a 64-bit slot).
            out += (v & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
        elif p.kind == "implicit":
            out += p.data[:n].ljust(n, b"\0")
        else:
            raise Unavailable("optimized out")
    if len(out) < size:
        raise Unavailable("location describes only part of the object")
    return bytes(out[:size])


def _peek(st: list[int], depth: int) -> int:
    if depth >= len(st):
        raise ExpressionError("DWARF expression stack underflow")
    return st[-1 - depth]


def _jump(target: int, n: int) -> int:
    if not 0 <= target <= n:
        raise ExpressionError("DWARF expression branches outside itself")
    return target


def _reg_name(num: int) -> str:
    try:
        return DWARF_REGS[num]
    except KeyError:
        raise Unavailable(f"DWARF register {num} is not known") from None


# -- location lists -----------------------------------------------------------

_EXPR_FORMS = {"DW_FORM_exprloc", "DW_FORM_block1", "DW_FORM_block2", "DW_FORM_block4",
               "DW_FORM_block"}
_section_bytes: dict[int, tuple[object, bytes]] = {}


def location_expression(attr: ElfAttr, die: ElfDIE, dwarfinfo: ElfDwarfInfo,
                        pc_linktime: int) -> bytes | None:
    """The expression of a DW_AT_location / DW_AT_frame_base in force at a pc
    (link-time); None when no location list entry covers it (optimized out)."""
    if attr.form in _EXPR_FORMS:
        return bytes(attr.value)
    cu = die.cu
    version = cu["version"]
    if attr.form == "DW_FORM_loclistx":
        offset = _loclistx_offset(dwarfinfo, cu, attr.value)
    elif attr.form in ("DW_FORM_sec_offset", "DW_FORM_data4", "DW_FORM_data8"):
        offset = attr.value
    else:
        raise ExpressionError(f"unexpected location form {attr.form}")
    base = _cu_base(dwarfinfo, cu)
    try:
        if version >= 5:
            data = _data(dwarfinfo.debug_loclists_sec)
            return _loclists_lookup(data, offset, base, pc_linktime, cu["address_size"],
                                    lambda i: debug_addr(dwarfinfo, cu, i))
        data = _data(dwarfinfo.debug_loc_sec)
        return _loc_lookup(data, offset, base, pc_linktime, cu["address_size"])
    except (IndexError, struct.error):
        raise ExpressionError(f"truncated location list at {offset:#x}") from None


def debug_addr(dwarfinfo: ElfDwarfInfo, cu: ElfCU, index: int) -> int:
    """Entry `index` of the CU's `.debug_addr` table (a link-time address)."""
    top = cu.get_top_DIE()
    base_attr = top.attributes.get("DW_AT_addr_base") or top.attributes.get("DW_AT_GNU_addr_base")
    base = base_attr.value if base_attr is not None else 8   # just past a v5 header
    size = cu["address_size"]
    data = _data(dwarfinfo.debug_addr_sec)
    pos = base + index * size
    if pos + size > len(data):
        raise ExpressionError(f".debug_addr index {index} out of range")
    return int.from_bytes(data[pos:pos + size], "little")


def _data(sec: Any) -> bytes:
    if sec is None:
        raise ExpressionError("location list section missing")
    key = id(sec.stream)
    if key not in _section_bytes:
        sec.stream.seek(0)
        _section_bytes[key] = (sec.stream, sec.stream.read())   # keep stream alive: id stays unique
    return _section_bytes[key][1]


def _cu_base(dwarfinfo: ElfDwarfInfo, cu: ElfCU) -> int:
    low = cu.get_top_DIE().attributes.get("DW_AT_low_pc")
    if low is None:
        return 0
    if low.form in ("DW_FORM_addrx", "DW_FORM_addrx1", "DW_FORM_addrx2",
                    "DW_FORM_addrx3", "DW_FORM_addrx4", "DW_FORM_GNU_addr_index"):
        return debug_addr(dwarfinfo, cu, low.value)
    value: int = low.value
    return value


def _loclistx_offset(dwarfinfo: ElfDwarfInfo, cu: ElfCU, index: int) -> int:
    top = cu.get_top_DIE()
    attr = top.attributes.get("DW_AT_loclists_base")
    base = attr.value if attr is not None else 12           # 32-bit DWARF header size
    width = 8 if cu.dwarf_format() == 64 else 4
    data = _data(dwarfinfo.debug_loclists_sec)
    return base + int.from_bytes(data[base + index * width:base + (index + 1) * width], "little")


def _loclists_lookup(data: bytes, pos: int, base: int, pc: int, asize: int,
                     addrx: Callable[[int], int]) -> bytes | None:
    default = None
    while pos < len(data):
        kind = data[pos]
        pos += 1
        start = end = 0                         # set by every kind that reads them
        if kind == 0x00:                                         # end_of_list
            break
        elif kind == 0x01:                                       # base_addressx
            i, pos = read_uleb(data, pos)
            base = addrx(i)
            continue
        elif kind == 0x06:                                       # base_address
            base = int.from_bytes(data[pos:pos + asize], "little")
            pos += asize
            continue
        elif kind == 0x09:                                       # GNU_view_pair: no location
            _, pos = read_uleb(data, pos)
            _, pos = read_uleb(data, pos)
            continue
        elif kind == 0x02:                                       # startx_endx
            a, pos = read_uleb(data, pos)
            b, pos = read_uleb(data, pos)
            start, end = addrx(a), addrx(b)
        elif kind == 0x03:                                       # startx_length
            a, pos = read_uleb(data, pos)
            length, pos = read_uleb(data, pos)
            start = addrx(a)
            end = start + length
        elif kind == 0x04:                                       # offset_pair
            a, pos = read_uleb(data, pos)
            b, pos = read_uleb(data, pos)
            start, end = base + a, base + b
        elif kind == 0x07:                                       # start_end
            start = int.from_bytes(data[pos:pos + asize], "little")
            end = int.from_bytes(data[pos + asize:pos + 2 * asize], "little")
            pos += 2 * asize
        elif kind == 0x08:                                       # start_length
            start = int.from_bytes(data[pos:pos + asize], "little")
            length, pos = read_uleb(data, pos + asize)
            end = start + length
        elif kind != 0x05:                                       # 0x05: default_location
            raise ExpressionError(f"unknown DW_LLE kind {kind:#x}")
        size, pos = read_uleb(data, pos)
        expr = data[pos:pos + size]
        pos += size
        if kind == 0x05:
            default = bytes(expr)
        elif start <= pc < end:
            return bytes(expr)
    return default


def _loc_lookup(data: bytes, pos: int, base: int, pc: int, asize: int) -> bytes | None:
    top = (1 << (8 * asize)) - 1
    while pos + 2 * asize <= len(data):
        start = int.from_bytes(data[pos:pos + asize], "little")
        end = int.from_bytes(data[pos + asize:pos + 2 * asize], "little")
        pos += 2 * asize
        if start == 0 and end == 0:
            break
        if start == top:                                         # base address selection
            base = end
            continue
        size = int.from_bytes(data[pos:pos + 2], "little")
        pos += 2
        if base + start <= pc < base + end:
            return bytes(data[pos:pos + size])
        pos += size
    return None
