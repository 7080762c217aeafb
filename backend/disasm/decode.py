"""Disassembly: capstone decodes, att_printer prints as gdb does (AT&T or Intel),
fed with breakpoint-shadowed bytes; branch targets and rip-relative operands are
symbolized as gdb's print_address does."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypedDict, Unpack

from ..events import SourceLocation
from . import att_printer
from .insn import Insn, Symbolize, comment

# gdb's default flavor is AT&T; `set disassembly-flavor intel` switches every view.
_FLAVORS = ("att", "intel")
_intel = False


def set_flavor(name: str) -> None:
    global _intel
    if name not in _FLAVORS:
        raise KeyError(name)
    _intel = name == "intel"


def flavor() -> str:
    return "intel" if _intel else "att"


@dataclass(frozen=True, slots=True)
class Instruction:
    addr: int
    size: int
    raw: bytes
    mnemonic: str                      # gdb's mnemonic field, prefixes included: "rep stos"
    op_str: str                        # operands, a branch target symbolized: "0x... <f+4>"
    symbol: str | None = None          # "main+4"
    location: SourceLocation | None = None
    comment: str | None = None         # rip-relative address, gdb's `# 0x... <sym>`
    is_pc: bool = False
    breakpoint_id: int | None = None

    @property
    def text(self) -> str:
        """The instruction exactly as gdb's x/i and disassemble print it."""
        if not self.op_str:
            return self.mnemonic
        tail = f"        # {self.comment}" if self.comment else ""
        return f"{self.mnemonic:<6} {self.op_str}{tail}"


def instructions(code: bytes, addr: int, count: int | None = None) -> list[Insn]:
    """Up to count decoded instructions (att_printer.Insn) in the current flavor."""
    return list(att_printer.disasm(code, addr, count or 0, _intel))


def decode(code: bytes, addr: int, count: int | None = None) -> Iterator[tuple[int, int, str, str, bytes]]:
    """Yield (addr, size, mnemonic, op_str, raw) for up to count instructions, as
    gdb prints them (branch targets unsymbolized)."""
    for i in att_printer.disasm(code, addr, count or 0, _intel):
        yield i.addr, i.size, i.mnem, i.ops, i.raw


class _Where(TypedDict, total=False):
    """What the caller knows of an instruction beyond its bytes (Instruction's fields)."""
    symbol: str | None
    location: SourceLocation | None
    is_pc: bool
    breakpoint_id: int | None


def instruction(insn: Insn, symbolize: Symbolize | None, **kw: Unpack[_Where]) -> Instruction:
    """An Instruction for one decoded insn, its addresses symbolized by `symbolize`."""
    note = comment(insn.riprel, symbolize) if insn.riprel is not None else None
    return Instruction(insn.addr, insn.size, insn.raw, insn.mnem, insn.operands(symbolize),
                       comment=note, **kw)


_REDIRECTS = ("j", "call", "ret", "loop", "int", "iret", "sys", "ud", "hlt", "lcall", "ljmp",
              "lret", "xbegin", "xabort", "xend", "popf", "enclu", "vm")
_SS = re.compile(r"(^|[\s,%])ss\b")


def falls_through(mnem: str, op: str) -> bool:
    """Whether a single-step of this instruction always stops at the next one: no
    branch, call, return or trap, no rep prefix (one iteration per step), no popf
    (it may set TF) and no load of %ss (it delays the step trap by one instruction)."""
    words = mnem.split()
    if not words or any(w.startswith("rep") for w in words):
        return False
    return not words[-1].startswith(_REDIRECTS) and not _SS.search(op)


def is_call_mnemonic(mnem: str) -> bool:
    """`call`, also behind prefixes (`notrack call`, `bnd call`) and far (`lcall`)."""
    return mnem.rsplit(" ", 1)[-1] in ("call", "lcall")
