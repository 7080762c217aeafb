"""Disassembly with capstone, fed with breakpoint-shadowed bytes, symbolized targets."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import capstone

from .events import SourceLocation

def _engine(syntax: int) -> capstone.Cs:
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.detail = False
    cs.skipdata = True
    cs.syntax = syntax
    return cs


# gdb's default flavor is AT&T; `set disassembly-flavor intel` switches every view.
_ENGINES = {"att": _engine(capstone.CS_OPT_SYNTAX_ATT), "intel": _engine(capstone.CS_OPT_SYNTAX_INTEL)}
_cs = _ENGINES["att"]


def set_flavor(name: str) -> None:
    global _cs
    _cs = _ENGINES[name]


def flavor() -> str:
    return next(k for k, v in _ENGINES.items() if v is _cs)
_TARGET = re.compile(r"^\*?\$?(0x[0-9a-f]+)$")
_RIPREL = re.compile(r"\[rip ([+-]) (0x[0-9a-f]+)\]")
_RIPREL_ATT = re.compile(r"(-?0x[0-9a-f]+)\(%rip\)")


@dataclass(frozen=True, slots=True)
class Instruction:
    addr: int
    size: int
    raw: bytes
    mnemonic: str
    op_str: str
    symbol: str | None = None          # "main+4"
    location: SourceLocation | None = None
    comment: str | None = None         # symbolized branch target / rip-relative address
    is_pc: bool = False
    breakpoint_id: int | None = None

    @property
    def text(self) -> str:
        return f"{self.mnemonic} {self.op_str}".strip()


def decode(code: bytes, addr: int, count: int | None = None):
    """Yield (addr, size, mnemonic, op_str, raw) for up to count instructions."""
    n = 0
    for insn in _cs.disasm(code, addr):
        yield insn.address, insn.size, insn.mnemonic, insn.op_str, bytes(insn.bytes)
        n += 1
        if count is not None and n >= count:
            return


def instruction_length(code: bytes, addr: int) -> int:
    for _, size, *_ in decode(code, addr, 1):
        return size
    return 1


def is_call(code: bytes, addr: int) -> tuple[bool, int]:
    for _, size, mnem, _, _ in decode(code, addr, 1):
        return mnem.startswith("call"), size
    return False, 1


def annotate(addr: int, size: int, mnem: str, op: str,
             symbolize: Callable[[int], str | None]) -> str | None:
    """A gdb-like `<sym+off>` comment for branch targets and rip-relative operands."""
    target = None
    m = _TARGET.match(op)
    if (mnem.startswith("j") or mnem.startswith("call")) and m and not op.startswith("*"):
        target = int(m.group(1), 16)
    elif (m := _RIPREL.search(op)) is not None:
        off = int(m.group(2), 16)
        target = addr + size + (off if m.group(1) == "+" else -off)
    elif (m := _RIPREL_ATT.search(op)) is not None:
        target = addr + size + int(m.group(1), 16)
    if target is None:
        return None
    sym = symbolize(target)
    return f"{target:#x} <{sym}>" if sym else None
