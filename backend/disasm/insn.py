"""One printed instruction (Insn) and gdb's print_address text for the addresses in it."""
from __future__ import annotations

from collections.abc import Callable

# An address to `sym+off`, or None where no symbol covers it (Program.symbolize).
Symbolize = Callable[[int], str | None]


class Insn:
    """One decoded instruction. ``mnem`` is gdb's mnemonic field, prefixes
    included (``rep stos``); ``ops`` the operands, a branch target as a bare
    ``0x...``; ``target`` that branch target (gdb symbolizes it after the
    operands) and ``riprel`` a rip-relative address (gdb's ``# 0x...`` comment)."""
    __slots__ = ("addr", "size", "raw", "mnem", "ops", "target", "riprel")

    addr: int
    size: int
    raw: bytes
    mnem: str
    ops: str
    target: int | None
    riprel: int | None

    def __init__(self, addr: int, size: int, raw: bytes, mnem: str, ops: str,
                 target: int | None = None, riprel: int | None = None) -> None:
        self.addr, self.size, self.raw = addr, size, raw
        self.mnem, self.ops, self.target, self.riprel = mnem, ops, target, riprel

    def operands(self, symbolize: Symbolize | None = None) -> str:
        """The operand field with the branch target symbolized (no comment)."""
        if self.target is not None and symbolize is not None:
            sym = symbolize(self.target)
            if sym:
                return f"{self.ops} <{sym}>"
        return self.ops

    def text(self, symbolize: Symbolize | None = None) -> str:
        """The instruction as gdb prints it after the address and its tab."""
        if not self.ops:
            return self.mnem
        ops = self.operands(symbolize)
        if self.riprel is not None:
            ops = f"{ops}        # {comment(self.riprel, symbolize)}"
        m = self.mnem
        return f"{m:<6} {ops}"


def comment(addr: int, symbolize: Symbolize | None = None) -> str:
    """gdb's print_address: ``0x... <sym+off>``, or the bare number."""
    sym = symbolize(addr) if symbolize is not None else None
    return f"{addr:#x} <{sym}>" if sym else f"{addr:#x}"
