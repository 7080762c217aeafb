"""gdb's words for a DWARF location (`info address`): its locexpr_describe_location_1,
which names the simple forms ("a variable in $rax", "the constant 2") and otherwise
prints the expression an operation a line (disassemble_dwarf_expression)."""
from __future__ import annotations

from elftools.dwarf.dwarf_expr import DW_OP_name2opcode

from ..errors import CommandError
from ..symbols.dwarf.expr import DWARF_REGS, read_sleb, read_uleb

_NAMES = {code: name for name, code in DW_OP_name2opcode.items()}
_OP_ADDR, _OP_CONST8U, _OP_REGX, _OP_FBREG, _OP_BREGX = 0x03, 0x0E, 0x90, 0x91, 0x92
_OP_PIECE, _OP_BIT_PIECE, _OP_STACK_VALUE = 0x93, 0x9D, 0x9F
_TLS = (0x9B, 0xE0)                     # DW_OP_form_tls_address, DW_OP_GNU_push_tls_address
_ENTRY_VALUE = (0xA3, 0xF3)
_FIXED = {0x08: (1, False), 0x09: (1, True), 0x0A: (2, False), 0x0B: (2, True),
          0x0C: (4, False), 0x0D: (4, True), 0x0E: (8, False), 0x0F: (8, True)}


def regname(num: int) -> str:
    return DWARF_REGS.get(num, str(num))


def _int(data: bytes, pos: int, n: int, signed: bool = False) -> tuple[int, int]:
    return int.from_bytes(data[pos:pos + n], "little", signed=signed), pos + n


def disassemble(data: bytes, start: int, end: int, indent: int = 0, all_ops: bool = False,
                addrx: object = None) -> tuple[str, int]:
    """gdb's disassemble_dwarf_expression: "  <offset>: DW_OP_name operands" a line, up to
    a piece (unless all_ops); the text and where it stopped."""
    out, pos = [], start
    while pos < end and (all_ops or data[pos] not in (_OP_PIECE, _OP_BIT_PIECE)):
        op = data[pos]
        name = _NAMES.get(op)
        if name is None:
            raise CommandError(f"Unrecognized DWARF opcode 0x{op:02x} at {pos}")
        line = f"  {pos:>{indent + 4}}: {name}"
        pos += 1
        if op == _OP_ADDR:
            v, pos = _int(data, pos, 8)
            line += f" 0x{v:x}"
        elif op in _FIXED:
            size, signed = _FIXED[op]
            v, pos = _int(data, pos, size, signed)
            line += f" {v}"
        elif op in (0x10, 0x23):                           # constu, plus_uconst
            v, pos = read_uleb(data, pos)
            line += f" {v}"
        elif op == 0x11:                                   # consts
            v, pos = read_sleb(data, pos)
            line += f" {v}"
        elif 0x50 <= op <= 0x6F:                           # reg0..31
            line += f" [${regname(op - 0x50)}]"
        elif op == _OP_REGX:
            v, pos = read_uleb(data, pos)
            line += f" {v} [${regname(v)}]"
        elif op == 0x9E:                                   # implicit_value
            v, pos = read_uleb(data, pos)
            pos += v
            line += f" {v}"
        elif 0x70 <= op <= 0x8F:                           # breg0..31
            v, pos = read_sleb(data, pos)
            line += f" {v} [${regname(op - 0x70)}]"
        elif op == _OP_BREGX:
            r, pos = read_uleb(data, pos)
            v, pos = read_sleb(data, pos)
            line += f" register {r} [${regname(r)}] offset {v}"
        elif op == _OP_FBREG:
            v, pos = read_sleb(data, pos)
            line += f" {v}"
        elif op in (0x94, 0x95, 0x15):                     # deref_size, xderef_size, pick
            line += f" {data[pos]}"
            pos += 1
        elif op in (0x2F, 0x28):                           # skip, bra
            v, pos = _int(data, pos, 2, True)
            line += f" to {pos + v}" if op == 0x2F else f" {pos + v}"
        elif op == _OP_PIECE:
            v, pos = read_uleb(data, pos)
            line += f" {v} (bytes)"
        elif op == _OP_BIT_PIECE:
            size, pos = read_uleb(data, pos)
            off, pos = read_uleb(data, pos)
            line += f" size {size} offset {off} (bits)"
        elif op in _ENTRY_VALUE:
            n, pos = read_uleb(data, pos)
            inner, _ = disassemble(data, pos, pos + n, indent + 2, True)
            out.append(line + "\n" + inner.removesuffix("\n"))
            pos += n
            continue
        out.append(line)
    return "".join(x + "\n" for x in out), pos


def _piece(data: bytes, pos: int, end: int, frame_base: bytes | None) -> tuple[str, int]:
    """locexpr_describe_location_piece: the words for one simple piece, or ("", pos)."""
    op = data[pos]
    if 0x50 <= op <= 0x6F:
        return f"a variable in ${regname(op - 0x50)}", pos + 1
    if op == _OP_REGX:
        reg, nxt = read_uleb(data, pos + 1)
        return f"a variable in ${regname(reg)}", nxt
    if op == _OP_FBREG:
        off, nxt = read_sleb(data, pos + 1)
        if frame_base and 0x70 <= frame_base[0] <= 0x8F:
            base_off, after = read_sleb(frame_base, 1)
            if after != len(frame_base):
                return "", pos
            reg = frame_base[0] - 0x70
        elif frame_base and 0x50 <= frame_base[0] <= 0x6F:
            reg, base_off = frame_base[0] - 0x50, 0
        else:
            return "", pos          # a base gdb cannot trace (DW_OP_call_frame_cfa): shown whole
        return f"a variable at frame base reg ${regname(reg)} offset {base_off}+{off}", nxt
    if 0x70 <= op <= 0x8F:
        off, nxt = read_sleb(data, pos + 1)
        if nxt == end or data[nxt] in (_OP_PIECE, _OP_BIT_PIECE):
            return f"a variable at offset {off} from base reg ${regname(op - 0x70)}", nxt
        return "", pos
    if op in (_OP_ADDR, _OP_CONST8U) and pos + 10 == end and data[pos + 9] in _TLS:
        v, _ = _int(data, pos + 1, 8)
        return f"a thread-local variable at offset 0x{v:x} in the thread-local storage", end
    if 0x30 <= op <= 0x4F and pos + 1 < end and data[pos + 1] == _OP_STACK_VALUE:
        return f"the constant {op - 0x30}", pos + 2
    return "", pos


def describe(data: bytes, frame_base: bytes | None, symbol: str) -> str:
    """locexpr_describe_location_1: the simple pieces in words, others disassembled,
    joined with ", and "."""
    out: list[str] = []
    pos, end = 0, len(data)
    while pos < end:
        here = pos
        if out:
            out.append(", and ")
        text, pos = _piece(data, pos, end, frame_base)
        out.append(text)
        dis = not text and data[here] not in (_OP_PIECE, _OP_BIT_PIECE)
        if dis:
            body, pos = disassemble(data, pos, end)
            out.append("a complex DWARF expression:\n" + body)
        if pos < end:
            empty = pos == here
            if dis:
                out.append("   ")
            if data[pos] == _OP_PIECE:
                n, pos = read_uleb(data, pos + 1)
                out.append(f"an empty {n}-byte piece" if empty else f" [{n}-byte piece]")
            elif data[pos] == _OP_BIT_PIECE:
                bits, pos = read_uleb(data, pos + 1)
                off, pos = read_uleb(data, pos)
                out.append(f"an empty {bits}-bit piece" if empty
                           else f" [{bits}-bit piece, offset {off} bits]")
            else:
                raise CommandError(f'Corrupted DWARF2 expression for symbol "{symbol}".')
    return "".join(out)
