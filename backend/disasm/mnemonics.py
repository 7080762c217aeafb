"""Instructions libopcodes names or lays out unlike capstone, in both syntaxes: compare
predicates, x87 register forms, and a few one-offs (enter, lret, xlat, pclmul...)."""
from __future__ import annotations

from capstone import x86_const as X

from .capstone_abi import MEM, REG
from .operands import SEG_NAME, Ctx, Op

BRANCH = frozenset(("jmp", "call", "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja",
                    "js", "jns", "jp", "jnp", "jl", "jge", "jle", "jg", "jrcxz", "jecxz",
                    "loop", "loope", "loopne", "xbegin"))
# pushfq/popfq: libopcodes leaves the q off in both syntaxes
PLAIN = {"pushfq": "pushf", "popfq": "popf"}

_CMP_SIMD = ("eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord")
_CMP_VEX = _CMP_SIMD + ("eq_uq", "nge", "ngt", "false", "neq_oq", "ge", "gt", "true",
                        "eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq", "nle_uq",
                        "ord_s", "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq",
                        "gt_oq", "true_us")
_PP_SUFFIX = ("ps", "pd", "ss", "sd")


def cmp_pseudo(c: Ctx) -> str | None:
    """cmpps $2 -> cmpleps, vpcmpub $4 -> vpcmpnequb: libopcodes names the predicate
    (and drops the immediate) of SSE/AVX compares."""
    raw = c.raw
    pred = raw[-1]
    i = len(c.prefixes)
    b0 = raw[i]
    if c.opc[0] == 0x0F and c.opc[1] == 0xC2:              # legacy cmpps/pd/ss/sd
        if pred >= 8:
            return None
        pre = c.prefixes
        pp = 3 if 0xF2 in pre else 2 if 0xF3 in pre else 1 if 0x66 in pre else 0
        return "cmp" + _CMP_SIMD[pred] + _PP_SUFFIX[pp]
    if b0 == 0xC5:
        mmap, pp = 1, raw[i + 1] & 3
        opb = raw[i + 2]
    elif b0 == 0xC4:
        mmap, pp = raw[i + 1] & 0x1F, raw[i + 2] & 3
        opb = raw[i + 3]
    elif b0 == 0x62:
        mmap, pp, w = raw[i + 1] & 7, raw[i + 2] & 3, raw[i + 2] >> 7
        opb = raw[i + 4]
        if mmap == 3 and opb in (0x1E, 0x1F, 0x3E, 0x3F):  # vpcmp[u]{b,w,d,q}
            if pred in (3, 7):
                return None
            size = ("d", "q") if opb in (0x1E, 0x1F) else ("b", "w")
            return "vpcmp" + _CMP_SIMD[pred] + ("u" if opb in (0x1E, 0x3E) else "") + size[w]
    else:
        return None
    if mmap == 1 and opb == 0xC2 and pred < 32:
        return "vcmp" + _CMP_VEX[pred] + _PP_SUFFIX[pp]
    return None


def x87_reg(c: Ctx) -> tuple[str, int | None, int | None] | None:
    """x87 register forms (D8-DF, mod=3): libopcodes' name, and the operands as
    (first, second) with -1 for %st, i for %st(i), None when absent (AT&T order)."""
    op, m = c.opc[0], c.modrm
    i, reg = m & 7, (m >> 3) & 7
    if op == 0xD8:
        name = ("fadd", "fmul", "fcom", "fcomp", "fsub", "fsubr", "fdiv", "fdivr")[reg]
        return (name, i, None) if reg in (2, 3) else (name, i, -1)
    if op == 0xDC:
        if reg in (2, 3):
            return None
        return ("fadd", "fmul", "", "", "fsub", "fsubr", "fdiv", "fdivr")[reg], -1, i
    if op == 0xDE:
        if m == 0xD9:
            return "fcompp", None, None
        if reg in (2, 3):
            return None
        return ("faddp", "fmulp", "", "", "fsubp", "fsubrp", "fdivp", "fdivrp")[reg], -1, i
    if op == 0xDA and reg < 4:
        return ("fcmovb", "fcmove", "fcmovbe", "fcmovu")[reg], i, -1
    if op == 0xDB and reg < 4:
        return ("fcmovnb", "fcmovne", "fcmovnbe", "fcmovnu")[reg], i, -1
    if op == 0xDB and reg in (5, 6):
        return ("fucomi", "fcomi")[reg - 5], i, -1
    if op == 0xDF and reg in (5, 6):
        return ("fucomip", "fcomip")[reg - 5], i, -1
    if op == 0xDF and reg == 0:
        return "ffreep", i, None
    if op == 0xD9 and reg in (0, 1):
        return ("fld", "fxch")[reg], i, None
    if op == 0xDD and reg in (0, 2, 3, 4, 5):
        return {0: "ffree", 2: "fst", 3: "fstp", 4: "fucom", 5: "fucomp"}[reg], i, None
    return None


def special(c: Ctx, intel: bool) -> tuple[str, str] | None:
    """Instructions libopcodes names or lays out unlike capstone (both syntaxes):
    (mnemonic, operands) when done here, else None after rewriting c for the printer."""
    name, ops = c.name, c.ops
    d = "" if intel else "$"
    if name == "enter":
        return name, f"{d}{ops[0].imm & 0xFFFF:#x},{d}{ops[1].imm & 0xFF:#x}"
    if name in ("retf", "retfq"):
        mnem = name if intel else "lret" + name[4:]
        return mnem, f"{d}{ops[0].imm & 0xFFFF:#x}" if ops else ""
    if name == "xlatb":
        seg = "ds"
        for p in c.prefixes:
            if p in (0x64, 0x65):
                seg = SEG_NAME[p]
        c.prefixes = [p for p in c.prefixes if p not in (0x64, 0x65, 0x3E)]
        rbx = "ebx" if 0x67 in c.prefixes else "rbx"
        return "xlat", f"BYTE PTR {seg}:[{rbx}]" if intel else f"%{seg}:(%{rbx})"
    if name in ("pclmulqdq", "vpclmulqdq"):
        imm = ops[-1].imm & 0xFF
        if imm in (0, 1, 0x10, 0x11):
            c.name = name[:-3] + ("hq" if imm & 1 else "lq") + ("hq" if imm & 0x10 else "lq") + "dq"
            del ops[-1]
        return None
    if name in _IMPLICIT_XMM0 and len(ops) == 2 and not c.evex:
        o = Op()
        o.type, o.reg, o.size, o.bcast = REG, X.X86_REG_XMM0, 16, 0
        ops.append(o)
        return None
    if name == "vmovq":
        if c.evex and c.disp_size == 1:          # capstone scales its disp8 by 16, not 8
            for o in ops:
                if o.type == MEM:
                    disp8 = c.raw[c.disp_off]
                    o.disp = (disp8 - 256 if disp8 > 127 else disp8) * 8
        return None
    if name == "sal":
        c.name = "shl"
    elif name in ("call", "jmp", "lcall", "ljmp") and c.opc[0] == 0xFF \
            and (c.modrm >> 3) & 7 in (3, 5):           # far, through memory
        if intel:
            c.name = name.lstrip("l")
            ops[0].size = 6 if not c.rex & 8 else 10
        else:
            c.name = "l" + name.lstrip("l")
    return None


_IMPLICIT_XMM0 = frozenset(("sha256rnds2", "pblendvb", "blendvps", "blendvpd"))
# the names special() may act on: the printers call it for these only
SPECIAL = frozenset(("enter", "retf", "retfq", "xlatb", "pclmulqdq", "vpclmulqdq", "sal",
                     "vmovq", "call", "jmp", "lcall", "ljmp")) | _IMPLICIT_XMM0
