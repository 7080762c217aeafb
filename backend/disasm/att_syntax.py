"""AT&T operands and mnemonics as libopcodes prints them: operands reversed, `%`/`$`
sigils, and the size suffix (movl, fildll, movzbl, cvtsi2sdq...) where no register
operand tells the size."""
from __future__ import annotations

from typing import cast

from capstone import x86_const as X

from .capstone_abi import IMM, MEM, R_EIP, R_FS, R_GS, R_RIP, REG, REGS, REGS_ATT
from .insn import Insn
from .mnemonics import BRANCH, PLAIN, SPECIAL, cmp_pseudo, special, x87_reg
from .operands import M64, Ctx, Op, absolute, analyse, imm
from .prefixes import finish

_SUF = {1: "b", 2: "w", 4: "l", 8: "q"}
# integer instructions suffixed by size when no register operand tells it
_SUFFIXED = frozenset("""
mov add or adc sbb and sub xor cmp test inc dec not neg mul imul div idiv
shl shr sar sal rol ror rcl rcr nop bt bts btr btc
""".split())
_SHIFTS = frozenset(("shl", "shr", "sar", "sal", "rol", "ror", "rcl", "rcr"))
_X87_FP = {"fld": 0, "fst": 0, "fstp": 0, "fadd": 0, "fmul": 0, "fcom": 0, "fcomp": 0,
           "fsub": 0, "fsubr": 0, "fdiv": 0, "fdivr": 0,
           "fild": 1, "fist": 1, "fistp": 1, "fisttp": 1, "fiadd": 1, "fimul": 1,
           "ficom": 1, "ficomp": 1, "fisub": 1, "fisubr": 1, "fidiv": 1, "fidivr": 1}
_X87_SUFFIX = ({4: "s", 8: "l", 10: "t"}, {2: "s", 4: "l", 8: "ll"})
_CONVERT_ATT = {"cdqe": "cltq", "cqo": "cqto", "cdq": "cltd", "cwde": "cwtl", "cbw": "cbtw",
                "cwd": "cwtd"}
_STRING_SUFFIX = {"b": "b", "w": "w", "d": "l", "q": "q"}
# narrowing conversions from memory: the source size is not in the operands
_CVT_XY = frozenset(("vcvtpd2ps", "vcvtpd2dq", "vcvttpd2dq", "vcvtpd2udq", "vcvttpd2udq",
                     "vcvtqq2ps", "vcvtuqq2ps"))
_CVT_INT = frozenset(("cvtsi2sd", "cvtsi2ss", "vcvtsi2sd", "vcvtsi2ss",
                      "vcvtusi2sd", "vcvtusi2ss"))


def _reg_att(r: int) -> str:
    return "%" + REGS[r]


def _mem_att(c: Ctx, o: Op) -> tuple[str, int | None]:
    seg = "%" + REGS[o.seg] + ":" if o.seg in (R_FS, R_GS) else ""
    d = o.disp
    if o.base == R_RIP or o.base == R_EIP:
        return (f"{seg}-{-d:#x}(%{REGS[o.base]})" if d < 0 else f"{seg}{d:#x}(%{REGS[o.base]})",
                (c.addr + c.size + d) & M64)
    if not o.base and not o.index:
        a, eiz = absolute(c, d)
        return (f"{seg}{a:#x}(,%eiz,1)" if eiz else f"{seg}{a:#x}"), None
    dtext = (f"-{-d:#x}" if d < 0 else f"{d:#x}") if d or c.disp_size else ""
    base = "%" + REGS[o.base] if o.base else ""
    if o.index:
        return f"{seg}{dtext}({base},%{REGS[o.index]},{o.scale})", None
    return f"{seg}{dtext}({base})", None


def _string_att(o: Op) -> str:
    if o.type == REG:
        return "(%dx)" if o.reg == X.X86_REG_DX else _reg_att(o.reg)
    if o.type != MEM:
        return f"${imm(o):#x}"
    base = REGS[o.base]
    seg = REGS[o.seg] if o.seg else ("es" if base in ("rdi", "edi") else "ds")
    return f"%{seg}:(%{base})"


def format_att(iid: int, addr: int, size: int, raw: bytes, buf: bytes) -> Insn:
    """The Insn of capstone instruction iid (its detail bytes buf) in AT&T syntax."""
    c = analyse(iid, addr, size, raw, buf)
    if c.name in SPECIAL:
        sp = special(c, False)
        if sp is not None:
            return finish(c, sp[0], sp[1], None, None)
    name = c.name
    ops = c.ops
    op0 = c.opc[0]
    if 0xD8 <= op0 <= 0xDF and c.modrm >= 0xC0:
        x = x87_reg(c)
        if x is not None:
            parts = [("%st" if k == -1 else f"%st({k})") for k in x[1:] if k is not None]
            return finish(c, x[0], ",".join(parts), None, None)
    if c.string:
        mnem = name[:-1]
        if mnem in ("movs", "cmps", "ins", "outs"):
            mnem += _STRING_SUFFIX[name[-1]]
        return finish(c, mnem, ",".join(_string_att(o) for o in reversed(ops)), None, None)
    texts: list[str] = []
    target: int | None
    riprel: int | None
    target = riprel = None
    mem_size = 0
    reg_sizes: tuple[int, ...] = ()
    pseudo = cmp_pseudo(c) if name.startswith(("cmp", "vcmp", "vpcmp")) else None
    for o in reversed(ops):
        t = o.type
        if t == REG:
            texts.append("%" + REGS_ATT[o.reg])
            if o.reg != X.X86_REG_CL or name not in _SHIFTS:
                reg_sizes += (o.size,)
        elif t == IMM:
            if name in BRANCH:
                target = o.imm & M64
                texts.append(f"{target:#x}")
            elif pseudo:
                continue
            elif op0 in (0xD0, 0xD1) and c.opc[1] == 0:
                continue                                # shift by one: no operand
            else:
                texts.append(f"${imm(o):#x}")
        else:
            s, rr = _mem_att(c, o)
            if rr is not None:
                riprel = rr
            if o.bcast:
                s += f"{{1to{o.bcast}}}"
            texts.append(s)
            mem_size = o.size
    if c.mask:
        texts[-1] += f"{{%k{c.mask}}}" + ("{z}" if c.zero else "")
    elif c.zero:
        texts[-1] += "{z}"
    elif name in ("in", "out") and texts:
        texts = ["(%dx)" if t == "%dx" else t for t in texts]
    if c.rc:
        texts.insert(1 if name in _CVT_INT else 0, c.rc)
    mnem = pseudo or name
    if name in ("call", "jmp", "lcall", "ljmp"):
        if target is None:
            texts = ["*" + t for t in texts]
    elif name in _SUFFIXED:
        if mem_size and mem_size not in reg_sizes:
            mnem = name + _SUF.get(mem_size, "")
        elif name == "nop" and op0 == 0x90 and 0x66 in c.prefixes:
            mnem, texts = "xchg", ["%ax", "%ax"]
            cast("list[int]", c.prefixes).remove(0x66)      # (not empty: a list)
    elif name == "movzx" or name == "movsx" or name == "movsxd":
        if ops[0].size != 4 or name != "movsxd":
            mnem = name[:4] + _SUF[ops[1].size] + _SUF[ops[0].size]
    elif name in _CONVERT_ATT:
        mnem = _CONVERT_ATT[name]
    elif mem_size and name in _X87_FP:
        mnem = name + _X87_SUFFIX[_X87_FP[name]].get(mem_size, "")
    elif mem_size and name in _CVT_INT:
        mnem = name + _SUF[mem_size]
    elif mem_size and name in _CVT_XY and mem_size in (16, 32):
        mnem = name + ("x" if mem_size == 16 else "y")
    elif name == "xabort":
        texts = [f"${ops[0].imm & 0xFF:#x}"]
    elif name == "crc32" and mem_size:
        mnem = "crc32" + _SUF[mem_size]
    elif (name == "push" or name == "pop") and mem_size == 2:
        mnem = name + "w"
    elif mem_size and name in ("vfpclassps", "vfpclasspd"):
        mnem = name + {16: "x", 32: "y", 64: "z"}.get(mem_size, "")
    elif name in PLAIN:
        mnem = PLAIN[name]
    return finish(c, mnem, ",".join(texts), target, riprel)
