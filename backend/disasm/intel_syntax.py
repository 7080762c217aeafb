"""Intel operands and mnemonics as libopcodes prints them (`-M intel`): operands in
encoding order, `BYTE PTR`-style memory sizes, `BCST` for EVEX broadcasts."""
from __future__ import annotations

from typing import cast

from capstone import x86_const as X

from .capstone_abi import IMM, MEM, R_EIP, R_FS, R_GS, R_RIP, REG, REGS
from .insn import Insn
from .mnemonics import BRANCH, PLAIN, SPECIAL, cmp_pseudo, special, x87_reg
from .operands import M64, Ctx, Op, absolute, analyse, imm, moffs
from .prefixes import finish

_PTR = {1: "BYTE PTR ", 2: "WORD PTR ", 4: "DWORD PTR ", 8: "QWORD PTR ", 10: "TBYTE PTR ",
        16: "XMMWORD PTR ", 32: "YMMWORD PTR ", 64: "ZMMWORD PTR ", 6: "FWORD PTR "}
# where capstone's operand size is not libopcodes' memory operand size
_MEM_SIZE = {"comisd": 8, "vcomisd": 8}
_NO_PTR = frozenset(("lea", "fldenv", "fnstenv", "fstenv", "fnsave", "fsave", "frstor",
                     "fxsave", "fxrstor", "fxsave64", "fxrstor64", "xsave", "xrstor",
                     "xsavec", "xsaveopt", "xsave64", "xrstor64", "xsavec64", "xsaveopt64",
                     "xsaves", "xrstors", "sgdt", "sidt", "lgdt", "lidt", "bndldx", "bndstx",
                     "bndmk", "movabs", "lddqu", "vlddqu"))


def _mem_intel(c: Ctx, o: Op) -> tuple[str, int | None]:
    seg = REGS[o.seg] + ":" if o.seg in (R_FS, R_GS) else ""
    d = o.disp
    if o.base == R_RIP or o.base == R_EIP:      # (negative: a 64-bit number, like gdb)
        return f"{seg}[{REGS[o.base]}+{d & M64:#x}]", (c.addr + c.size + d) & M64
    if not o.base and not o.index:
        a, eiz = absolute(c, d)
        return (f"{seg}[eiz*1+{a:#x}]" if eiz else f"{seg or 'ds:'}{a:#x}"), None
    inner = REGS[o.base] if o.base else ""
    if o.index:
        inner += f"{'+' if inner else ''}{REGS[o.index]}*{o.scale}"
    if d or c.disp_size:
        inner += f"-{-d:#x}" if d < 0 else f"+{d:#x}"
    return f"{seg}[{inner}]", None


def _string_intel(o: Op) -> str:
    if o.type == REG:
        return "dx" if o.reg == X.X86_REG_DX else REGS[o.reg]
    if o.type != MEM:
        return f"{imm(o):#x}"
    base = REGS[o.base]
    seg = REGS[o.seg] if o.seg else ("es" if base in ("rdi", "edi") else "ds")
    return f"{_PTR.get(o.size, '')}{seg}:[{base}]"


def format_intel(iid: int, addr: int, size: int, raw: bytes, buf: bytes) -> Insn:
    """The Insn of capstone instruction iid (its detail bytes buf) in Intel syntax."""
    c = analyse(iid, addr, size, raw, buf)
    if c.name in SPECIAL:
        sp = special(c, True)
        if sp is not None:
            return finish(c, sp[0], sp[1], None, None, True)
    name = c.name
    ops = c.ops
    op0 = c.opc[0]
    if 0xD8 <= op0 <= 0xDF and c.modrm >= 0xC0:
        x = x87_reg(c)
        if x is not None:
            parts = [("st" if k == -1 else f"st({k})") for k in x[:0:-1] if k is not None]
            name = (_X87_INTEL_DC if op0 == 0xDC else _X87_INTEL).get(x[0], x[0])
            return finish(c, name, ",".join(parts), None, None, True)
    if c.string:
        return finish(c, name[:-1], ",".join(_string_intel(o) for o in ops), None, None, True)
    texts: list[str] = []
    target: int | None
    riprel: int | None
    target = riprel = None
    pseudo = cmp_pseudo(c) if name.startswith(("cmp", "vcmp", "vpcmp")) else None
    for o in ops:
        t = o.type
        if t == REG:
            texts.append(REGS[o.reg])
        elif t == IMM:
            if name in BRANCH:
                target = o.imm & M64
                texts.append(f"{target:#x}")
            elif pseudo:
                continue
            elif op0 in (0xD0, 0xD1) and c.opc[1] == 0:
                texts.append("1")
            else:
                texts.append(f"{imm(o):#x}")
        else:
            s, rr = _mem_intel(c, o)
            if rr is not None:
                riprel = rr
            if o.bcast:
                s = ("QWORD BCST " if o.size == 8 else "DWORD BCST " if o.size == 4
                     else "WORD BCST ") + s
            elif name not in _NO_PTR and not moffs(c):
                if name == "cmpxchg16b":
                    s = "OWORD PTR " + s
                elif name.startswith(("vpgather", "vgather", "vpscatter", "vscatter")):
                    s = ("QWORD PTR " if name.endswith(("q", "pd")) else "DWORD PTR ") + s
                else:
                    s = _PTR.get(_MEM_SIZE.get(name, o.size), "") + s
            texts.append(s)
    if c.mask:
        texts[0] += f"{{k{c.mask}}}" + ("{z}" if c.zero else "")
    if c.rc:
        k = len(texts) - 1
        while k > 0 and ops[k].type == IMM:
            k -= 1
        texts[k] += c.rc
    mnem = PLAIN.get(name) or pseudo or name
    if name == "nop" and op0 == 0x90 and 0x66 in c.prefixes:
        mnem, texts = "xchg", ["ax", "ax"]
        cast("list[int]", c.prefixes).remove(0x66)          # (not empty: a list)
    elif name == "xabort":
        texts = [f"{ops[0].imm & 0xFF:#x}"]
    return finish(c, mnem, ",".join(texts), target, riprel, True)


# libopcodes keeps the historical AT&T swap of the reversed x87 forms out of Intel syntax
_X87_INTEL = {"fsubp": "fsubrp", "fsubrp": "fsubp", "fdivp": "fdivrp", "fdivrp": "fdivp"}
_X87_INTEL_DC = {"fsub": "fsubr", "fsubr": "fsub", "fdiv": "fdivr", "fdivr": "fdiv"}
