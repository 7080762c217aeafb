"""DW_OP_entry_value in location expressions: find it, and substitute known values (docs/hard-cases.md F4).

At -O2 gcc describes a parameter whose register was reused by
`DW_OP_entry_value(DW_OP_reg5)`: "what rdi held when the function was entered".
The answer is in the caller: the DW_TAG_call_site whose return pc is the caller
frame's pc has a DW_TAG_call_site_parameter for rdi, and its DW_AT_call_value is
an expression evaluated in the caller's frame. gdb uses the same lookup to print
`f (v=v@entry=5)` when a parameter still equals its entry value.

`substitute()` rewrites an expression, replacing each DW_OP_entry_value(DW_OP_regN)
by the constant found that way, so the ordinary evaluator can run it.
"""
from __future__ import annotations

from collections.abc import Callable

from ..symbols.dwarf.expr import read_sleb, read_uleb

_ENTRY_VALUE = (0xA3, 0xF3)
# Operand layout of each DWARF op (for walking an expression without running it):
# a string of "u" (uleb), "s" (sleb), "1/2/4/8" (fixed bytes), "b" (uleb length + block),
# "c" (1-byte length + block).
_OPERANDS = {0x03: "8", 0x08: "1", 0x09: "1", 0x0A: "2", 0x0B: "2", 0x0C: "4", 0x0D: "4",
             0x0E: "8", 0x0F: "8", 0x10: "u", 0x11: "s", 0x15: "1", 0x23: "u", 0x28: "2",
             0x2F: "2", 0x90: "u", 0x91: "s", 0x92: "us", 0x93: "u", 0x94: "1", 0x95: "1",
             0x98: "2", 0x99: "4", 0x9A: "4", 0x9D: "uu", 0x9E: "b", 0xA0: "4s", 0xA1: "u",
             0xA2: "u", 0xA3: "b", 0xA4: "uc", 0xA5: "uu", 0xA6: "1u", 0xA7: "1u", 0xA8: "u",
             0xA9: "u", 0xF2: "4s", 0xF3: "b", 0xF4: "uc", 0xF5: "uu", 0xF6: "1u", 0xF7: "u",
             0xF9: "u", 0xFA: "4", 0xFB: "u", 0xFC: "u", 0xFD: "4"}
_OPERANDS.update({op: "s" for op in range(0x70, 0x90)})           # DW_OP_bregN
_BRANCHES = (0x28, 0x2F)


def _next_op(expr: bytes, pos: int) -> int:
    """Position of the op after the one at pos."""
    op = expr[pos]
    pos += 1
    for kind in _OPERANDS.get(op, ""):
        if kind == "u":
            _, pos = read_uleb(expr, pos)
        elif kind == "s":
            _, pos = read_sleb(expr, pos)
        elif kind == "b":
            n, pos = read_uleb(expr, pos)
            pos += n
        elif kind == "c":
            pos += 1 + expr[pos]
        else:
            pos += int(kind)
    return pos


def register_of(expr: bytes | None) -> int | None:
    """N when expr is exactly DW_OP_regN / DW_OP_regx N."""
    if not expr:
        return None
    if len(expr) == 1 and 0x50 <= expr[0] <= 0x6F:
        return expr[0] - 0x50
    if expr[0] == 0x90:
        n, pos = read_uleb(expr, 1)
        return n if pos == len(expr) else None
    return None


def has_entry_value(expr: bytes | None) -> bool:
    if not expr:
        return False
    return any(b in _ENTRY_VALUE for b in expr)


def substitute(expr: bytes, entry_reg: Callable[[int], int | None]) -> bytes | None:
    """expr with every DW_OP_entry_value(DW_OP_regN) replaced by DW_OP_const8u of the
    value regN had at entry; None when one cannot be found (or a branch would move)."""
    out, pos, changed = bytearray(), 0, False
    try:
        while pos < len(expr):
            nxt = _next_op(expr, pos)
            op = expr[pos]
            if op in _BRANCHES:
                return None
            if op in _ENTRY_VALUE:
                n, start = read_uleb(expr, pos + 1)
                sub = bytes(expr[start:start + n])
                reg = register_of(sub)
                if reg is None and sub and sub[0] in (0xA5, 0xF5):    # DW_OP_regval_type
                    reg, end = read_uleb(sub, 1)
                    _, end = read_uleb(sub, end)
                    reg = reg if end == len(sub) else None
                value = entry_reg(reg) if reg is not None else None
                if value is None:
                    return None
                out += bytes([0x0E]) + (value & (1 << 64) - 1).to_bytes(8, "little")
                changed = True
            else:
                out += expr[pos:nxt]
            pos = nxt
    except IndexError:
        return None
    return bytes(out) if changed else None
