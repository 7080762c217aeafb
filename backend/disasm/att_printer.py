"""x86-64 instruction text as gdb prints it (GNU libopcodes' printer), AT&T or Intel.

capstone decodes; this package prints from capstone's decoded operands (detail
mode) by libopcodes' conventions, because capstone's own text is LLVM's:
capstone says ``movq -0x30(%rbp), %rax`` where gdb says ``mov    -0x30(%rbp),%rax``.

This module walks the bytes (capstone_abi.py) and hands each instruction to a
printer: att_syntax.py or intel_syntax.py, which share operands.py (capstone's
operands), mnemonics.py (names unlike capstone's) and prefixes.py.

The rules were checked instruction by instruction against ``objdump -d`` 2.40
(the printer gdb 13 links) over libc, ld.so, libm, libstdc++, libpython,
libcrypto and gdb itself; see tests/test_disasm_diff.py.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import capstone

from .att_syntax import format_att
from .capstone_abi import NAMES, NATIVE, WAIT, raw_insns
from .insn import Insn, comment
from .intel_syntax import format_intel

__all__ = ["Insn", "comment", "disasm"]

_WAITED = frozenset(("fnstcw", "fnstsw", "fnclex", "fninit", "fnsave", "fnstenv"))


def disasm(code: bytes, addr: int, count: int = 0, intel: bool = False) -> Iterator[Insn]:
    """Yield Insn for up to `count` instructions (0: as many as fit) of `code`
    placed at `addr`."""
    if not NATIVE:
        yield from _capstone_text(code, addr, count, intel)
        return
    fmt: Callable[[int, int, int, bytes, bytes], Insn] = format_intel if intel else format_att
    left = count or len(code)
    pending: int | None = None      # a 9b (fwait) that may prefix the next one
    for iid, a, size, buf in raw_insns(code, addr, left + 1):
        off = a - addr
        raw = code[off:off + size]
        if pending is not None:
            pa, pending = pending, None
            if iid and 0xD8 <= raw[0] <= 0xDF:
                # libopcodes reads 9b as a prefix of the x87 instruction after it
                ins = fmt(iid, a, size, raw, buf)
                if NAMES[iid] in _WAITED:
                    ins.mnem = ins.mnem.replace(NAMES[iid], "f" + NAMES[iid][2:])
                ins.addr, ins.size, ins.raw = pa, size + 1, code[pa - addr:off + size]
                yield ins
                left -= 1
                if not left:
                    return
                continue
            yield Insn(pa, 1, code[pa - addr:pa - addr + 1], "fwait", "")
            left -= 1
            if not left:
                return
        if iid == WAIT:
            pending = a
            continue
        yield fmt(iid, a, size, raw, buf) if iid else Insn(a, size, raw, "(bad)", "")
        left -= 1
        if not left:
            return
    if pending is not None:
        yield Insn(pending, 1, code[pending - addr:pending - addr + 1], "fwait", "")


def _capstone_text(code: bytes, addr: int, count: int, intel: bool) -> Iterator[Insn]:
    """capstone's own (LLVM's) text, where its structures are not the ones
    capstone_abi.py reads."""
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.syntax = capstone.CS_OPT_SYNTAX_INTEL if intel else capstone.CS_OPT_SYNTAX_ATT
    cs.skipdata = True
    for i in cs.disasm(code, addr, count):
        yield Insn(i.address, i.size, bytes(i.bytes), i.mnemonic, i.op_str)
