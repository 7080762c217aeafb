"""The prefixes gdb names before a mnemonic (lock, rep, bnd, notrack, data16, rex.W...)
and the Insn that both printers finish with."""
from __future__ import annotations

from .capstone_abi import MEM, REG, REGS
from .insn import Insn
from .mnemonics import BRANCH
from .operands import SEG_NAME, Ctx, moffs

_BND = (BRANCH | {"ret"}) - {"loop", "loope", "loopne", "jrcxz", "jecxz", "xbegin"}
# conditional branches: a 2e/3e prefix is a branch hint, `jne,pt`
_HINTED = frozenset(("jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja", "js", "jns", "jp",
                     "jnp", "jl", "jge", "jle", "jg", "jrcxz", "jecxz", "loop", "loope",
                     "loopne"))
_ADDR_SIZED = frozenset(("jecxz", "loop", "loope", "loopne"))
# instructions whose operand size is 64 bits without REX.W (gdb names a REX.W on them)
_DEFAULT64 = frozenset(("call", "jmp", "ret", "push", "pop")) | BRANCH


def _prefix_names(c: Ctx, intel: bool) -> list[str]:
    """Prefix bytes gdb names before the mnemonic: lock/rep/bnd/notrack, and the
    ones the instruction does not consume (a 2nd operand-size prefix, a segment
    override that means nothing in 64-bit mode...)."""
    out = []
    pre = c.prefixes
    name = c.name
    mandatory = None
    if not c.rep_used and c.opc[0] in (0x0F, 0x90):   # F2/F3 as an SSE mandatory prefix
        for k in range(len(pre) - 1, -1, -1):
            if pre[k] in (0xF2, 0xF3):
                mandatory = k
                break
    has_mem = False
    for o in c.ops:
        if o.type == MEM:
            has_mem = True
    seen66 = not _uses_66(c)
    hint_at = -1
    if name in _HINTED and not intel:
        for k, p in enumerate(pre):
            if p == 0x2E or p == 0x3E:
                hint_at = k
    for k, p in enumerate(pre):
        if p == 0xF0:
            out.append("lock")
        elif p == 0xF2 or p == 0xF3:
            if k == mandatory:
                continue
            if c.string:
                op = c.opc[0]
                out.append(("rep" if op not in (0xA6, 0xA7, 0xAE, 0xAF) else "repz")
                           if p == 0xF3 else "repnz")
            elif p == 0xF2 and name in _BND:
                out.append("bnd")
            else:
                out.append("repz" if p == 0xF3 else "repnz")
        elif p == 0x66:
            if seen66:
                out.append("data16")
            seen66 = True
        elif p == 0x67:
            if (not has_mem and name not in _ADDR_SIZED) or moffs(c):
                out.append("addr32")
        elif p == 0x64 or p == 0x65:
            if not has_mem:
                out.append(SEG_NAME[p])
        elif p == 0x3E and c.opc[0] == 0xFF and name in ("jmp", "call"):
            out.append("notrack")
        elif k == hint_at:
            c.hint = ",pn" if p == 0x2E else ",pt"
        elif not c.string:
            out.append(SEG_NAME[p])
    if c.rex & 8 and c.name in _DEFAULT64:
        out.append("rex.W" if c.rex == 0x48 else "rex." + "".join(
            b for b, bit in (("W", 8), ("R", 4), ("X", 2), ("B", 1)) if c.rex & bit))
    return out


def _uses_66(c: Ctx) -> bool:
    """Whether a 66 prefix is consumed: as an operand size or an SSE mandatory prefix."""
    if c.opc[0] == 0x0F:
        raw, j = c.raw, len(c.prefixes)
        if 0x40 <= raw[j] <= 0x4F:
            j += 1
        if raw[j + 1] in (0x38, 0x3A):         # (capstone's opcode omits the 38/3A)
            return True
        for o in c.ops:
            if o.type == REG and REGS[o.reg][0] in "xm":       # xmm, mm
                return True
    if c.rex & 8:
        return False
    for o in c.ops:
        if o.size == 2:
            return True
    return c.name in ("cbw", "cwd", "clflushopt", "clwb")


def finish(c: Ctx, mnem: str, ops: str, target: int | None, riprel: int | None,
           intel: bool = False) -> Insn:
    """The Insn of c printed as mnem and ops, its prefixes named before mnem."""
    if c.prefixed or c.rex & 8 and c.name in _DEFAULT64:
        c.hint = None
        names = _prefix_names(c, intel)
        if c.hint:
            mnem += c.hint
        if names:
            mnem = " ".join(names) + " " + mnem
    return Insn(c.addr, c.size, c.raw, mnem, ops, target, riprel)
