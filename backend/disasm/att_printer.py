"""x86-64 instruction text as gdb prints it (GNU libopcodes' printer), AT&T or Intel.

capstone decodes; this module prints from capstone's decoded operands (detail
mode) by libopcodes' conventions, because capstone's own text is LLVM's:
capstone says ``movq -0x30(%rbp), %rax`` where gdb says ``mov    -0x30(%rbp),%rax``.

The rules were checked instruction by instruction against ``objdump -d`` 2.40
(the printer gdb 13 links) over libc, ld.so, libm, libstdc++, libpython,
libcrypto and gdb itself; see tests/test_disasm_diff.py.
"""
from __future__ import annotations

import ctypes
import struct

import capstone
from capstone import x86_const as X

__all__ = ["Insn", "disasm"]


class Insn:
    """One decoded instruction. ``mnem`` is gdb's mnemonic field, prefixes
    included (``rep stos``); ``ops`` the operands, a branch target as a bare
    ``0x...``; ``target`` that branch target (gdb symbolizes it after the
    operands) and ``riprel`` a rip-relative address (gdb's ``# 0x...`` comment)."""
    __slots__ = ("addr", "size", "raw", "mnem", "ops", "target", "riprel")

    def __init__(self, addr, size, raw, mnem, ops, target=None, riprel=None):
        self.addr, self.size, self.raw = addr, size, raw
        self.mnem, self.ops, self.target, self.riprel = mnem, ops, target, riprel

    def operands(self, symbolize=None) -> str:
        """The operand field with the branch target symbolized (no comment)."""
        if self.target is not None and symbolize is not None:
            sym = symbolize(self.target)
            if sym:
                return f"{self.ops} <{sym}>"
        return self.ops

    def text(self, symbolize=None) -> str:
        """The instruction as gdb prints it after the address and its tab."""
        if not self.ops:
            return self.mnem
        ops = self.operands(symbolize)
        if self.riprel is not None:
            ops = f"{ops}        # {comment(self.riprel, symbolize)}"
        m = self.mnem
        return f"{m:<6} {ops}"


def comment(addr: int, symbolize=None) -> str:
    """gdb's print_address: ``0x... <sym+off>``, or the bare number."""
    sym = symbolize(addr) if symbolize is not None else None
    return f"{addr:#x} <{sym}>" if sym else f"{addr:#x}"


# ---- capstone, read without building its per-instruction Python objects ------------

def _engine() -> capstone.Cs:
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.syntax = capstone.CS_OPT_SYNTAX_INTEL
    cs.detail = True
    return cs


_CS = _engine()
_NAMES = [_CS.insn_name(i) or "" for i in range(X.X86_INS_ENDING)]
_REGS = [""] + [_CS.reg_name(i) or "" for i in range(1, X.X86_REG_ENDING)]
_REGS_ATT = list(_REGS)
_REGS_ATT[X.X86_REG_DR0:X.X86_REG_DR15 + 1] = [f"db{i}" for i in range(16)]  # libopcodes
# capstone 5's C structures, read directly (its Python objects cost more than the
# printing): cs_insn's id, size and detail pointer; cs_x86 up to op_count, one
# cs_x86_op, cs_x86_encoding.
_INSN = struct.Struct("<I12xH222xQ")
_X86_HEAD = struct.Struct("<B3xBB2xBxB41xI8xB")   # prefix[0] opcode[0:2] rex modrm avx_rm op_count
_OP = struct.Struct("<I4xIIIiqB15x")
_OPS_AT, _OP_SIZE = 72, 48
_ENC_AT = _OPS_AT + 8 * _OP_SIZE


def _layout_ok() -> bool:
    try:
        x86, insn = capstone.x86.CsX86, capstone._cs_insn
        return (ctypes.sizeof(insn) == 248 and insn.size.offset == 16
                and insn.detail.offset == 240 and x86.operands.offset == _OPS_AT
                and ctypes.sizeof(capstone.x86.X86Op) == _OP_SIZE
                and x86.encoding.offset == _ENC_AT and x86.op_count.offset == 64
                and x86.avx_rm.offset == 52 and x86.modrm.offset == 10)
    except (AttributeError, TypeError):
        return False


# Another capstone layout (capstone 6 reworked x86): print capstone's own text.
_NATIVE = _layout_ok()
if _NATIVE:
    _DETAIL_X86 = capstone._cs_detail.arch.offset
    _INSN_SIZE = ctypes.sizeof(capstone._cs_insn)
    _X86_SIZE = ctypes.sizeof(capstone.x86.CsX86)

REG, IMM, MEM = X.X86_OP_REG, X.X86_OP_IMM, X.X86_OP_MEM
R_RIP, R_EIP, R_FS, R_GS = X.X86_REG_RIP, X.X86_REG_EIP, X.X86_REG_FS, X.X86_REG_GS
_M64 = (1 << 64) - 1
_WAIT = X.X86_INS_WAIT


def _raw(code: bytes, addr: int, limit: int):
    """Yield (id, addr, size, detail bytes) for up to `limit` capstone instructions;
    id 0 for bytes capstone cannot decode (gdb: `(bad)`)."""
    p = ctypes.POINTER(capstone._cs_insn)()
    lib, handle = capstone._cs, _CS.csh
    string_at, unpack, step = ctypes.string_at, _INSN.unpack_from, _INSN_SIZE
    done, end = 0, len(code)
    while done < end and limit > 0:
        req = min(limit, 64)
        n = lib.cs_disasm(handle, code[done:] if done else code, end - done, addr + done,
                          req, ctypes.byref(p))
        if n:
            try:
                blob = string_at(ctypes.addressof(p.contents), n * step)
                for i in range(n):
                    iid, size, detail = unpack(blob, i * step)
                    yield iid, addr + done, size, string_at(detail + _DETAIL_X86, _X86_SIZE)
                    done += size
            finally:
                lib.cs_free(p, n)
        limit -= n
        if n < req and done < end and limit > 0:
            if end - done < 15:
                return              # perhaps only cut short by the buffer: never guess
            if code[done] == 0xF0:
                # capstone refuses a lock on what cannot be locked; libopcodes prints
                # `lock mov ...` (the CPU would fault): decode past it, keep it as a prefix
                for iid, a, size, buf in _raw(code[done + 1:done + 16], addr + done + 1, 1):
                    if iid:
                        yield iid, a - 1, size + 1, buf
                        done += size + 1
                        limit -= 1
                        break
                else:
                    iid = 0
                if iid:
                    continue
            bad = _bad_length(code, done)
            yield 0, addr + done, bad, None
            done += bad
            limit -= 1


def _bad_length(code: bytes, at: int) -> int:
    """How many bytes libopcodes' `(bad)` takes: the opcode bytes it read."""
    b = code[at]
    if b == 0x0F:
        return 3 if code[at + 1] in (0x38, 0x3A) else 2
    if b == 0xC5:
        return 3
    if b == 0xC4:
        return 4 if 1 <= code[at + 1] & 0x1F <= 3 else 1     # a valid map: opcode read
    return 1


def disasm(code: bytes, addr: int, count: int = 0, intel: bool = False):
    """Yield Insn for up to `count` instructions (0: as many as fit) of `code`
    placed at `addr`."""
    if not _NATIVE:
        yield from _capstone_text(code, addr, count, intel)
        return
    fmt = _format_intel if intel else _format_att
    left = count or len(code)
    pending = None                  # a 9b (fwait) that may prefix the next one
    for iid, a, size, buf in _raw(code, addr, left + 1):
        off = a - addr
        raw = code[off:off + size]
        if pending is not None:
            pa, pending = pending, None
            if iid and 0xD8 <= raw[0] <= 0xDF:
                # libopcodes reads 9b as a prefix of the x87 instruction after it
                ins = fmt(iid, a, size, raw, buf)
                if _NAMES[iid] in _WAITED:
                    ins.mnem = ins.mnem.replace(_NAMES[iid], "f" + _NAMES[iid][2:])
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
        if iid == _WAIT:
            pending = a
            continue
        yield fmt(iid, a, size, raw, buf) if iid else Insn(a, size, raw, "(bad)", "")
        left -= 1
        if not left:
            return
    if pending is not None:
        yield Insn(pending, 1, code[pending - addr:pending - addr + 1], "fwait", "")


_WAITED = frozenset(("fnstcw", "fnstsw", "fnclex", "fninit", "fnsave", "fnstenv"))


def _capstone_text(code: bytes, addr: int, count: int, intel: bool):
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.syntax = capstone.CS_OPT_SYNTAX_INTEL if intel else capstone.CS_OPT_SYNTAX_ATT
    cs.skipdata = True
    for i in cs.disasm(code, addr, count):
        yield Insn(i.address, i.size, bytes(i.bytes), i.mnemonic, i.op_str)


# ---- what both syntaxes need ---------------------------------------------------------

class _Op:
    __slots__ = ("type", "reg", "imm", "seg", "base", "index", "scale", "disp", "size",
                 "bcast")


_LEGACY = frozenset((0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65, 0x66, 0x67))
_SEG_NAME = {0x2E: "cs", 0x36: "ss", 0x3E: "ds", 0x26: "es", 0x64: "fs", 0x65: "gs"}
_STRING_OPCODES = frozenset((0x6C, 0x6D, 0x6E, 0x6F, 0xA4, 0xA5, 0xA6, 0xA7,
                             0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF))
_BRANCH = frozenset(("jmp", "call", "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja",
                     "js", "jns", "jp", "jnp", "jl", "jge", "jle", "jg", "jrcxz", "jecxz",
                     "loop", "loope", "loopne", "xbegin"))
_BND = (_BRANCH | {"ret"}) - {"loop", "loope", "loopne", "jrcxz", "jecxz", "xbegin"}
# conditional branches: a 2e/3e prefix is a branch hint, `jne,pt`
_HINTED = frozenset(("jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja", "js", "jns", "jp",
                     "jnp", "jl", "jge", "jle", "jg", "jrcxz", "jecxz", "loop", "loope",
                     "loopne"))
_ADDR_SIZED = frozenset(("jecxz", "loop", "loope", "loopne"))
_CMP_SIMD = ("eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord")
_CMP_VEX = _CMP_SIMD + ("eq_uq", "nge", "ngt", "false", "neq_oq", "ge", "gt", "true",
                        "eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq", "nle_uq",
                        "ord_s", "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq",
                        "gt_oq", "true_us")
_PP_SUFFIX = ("ps", "pd", "ss", "sd")


class _Ctx:
    """One instruction: its operands and what its text needs beyond them."""
    __slots__ = ("name", "addr", "size", "raw", "ops", "prefixes", "prefixed", "opc", "modrm",
                 "rex", "disp_off", "disp_size", "rep_used", "evex", "string", "mask", "zero",
                 "hint", "rc")


def _analyse(iid, addr, size, raw, buf) -> _Ctx:
    rep_used, opc0, opc1, rex, modrm, avx_rm, nops = _X86_HEAD.unpack_from(buf)
    c = _Ctx()
    c.name, c.addr, c.size, c.raw = _NAMES[iid], addr, size, raw
    c.opc, c.modrm, c.rep_used, c.rex = (opc0, opc1), modrm, rep_used, rex
    c.disp_off, c.disp_size = buf[_ENC_AT + 1], buf[_ENC_AT + 2]
    ops = []
    for k in range(nops):
        t, a, b, cc, d, disp, osize = _OP.unpack_from(
            buf, _OPS_AT + _OP_SIZE * k)
        o = _Op()
        o.type, o.size, o.bcast = t, osize, 0          # (capstone's avx_bcast is unreliable)
        if t == REG:
            o.reg = a
        elif t == IMM:
            v = a | (b << 32)
            o.imm = v - (1 << 64) if v >> 63 else v
        else:
            o.seg, o.base, o.index, o.scale, o.disp = a, b, cc, d, disp
        ops.append(o)
    c.ops = ops
    i = 0
    while raw[i] in _LEGACY and i < size - 1:
        i += 1
    c.prefixes = list(raw[:i]) if i else ()
    c.prefixed = bool(i)
    b0 = raw[i]
    c.evex = b0 == 0x62
    c.string = b0 in _STRING_OPCODES or (0x40 <= b0 <= 0x4F and raw[i + 1] in _STRING_OPCODES)
    c.mask = c.zero = 0
    c.rc = None
    if c.evex:
        p2 = raw[i + 3]
        c.mask, c.zero = p2 & 7, p2 >> 7
        if p2 & 0x10:                           # EVEX.b: broadcast, or rounding/SAE
            mem = None
            for o in ops:
                if o.type == MEM:
                    mem = o
            if mem is not None:
                if mem.size:
                    mem.bcast = (16 << ((p2 >> 5) & 3)) // mem.size
            else:
                rm = avx_rm
                c.rc = ("{sae}", "{rn-sae}", "{rd-sae}", "{ru-sae}", "{rz-sae}")[rm] \
                    if rm <= 4 else "{sae}"
        if c.mask and len(ops) > 1 and ops[1].type == REG \
                and _REGS[ops[1].reg] == f"k{c.mask}":
            del ops[1]          # capstone lists the write mask after the destination
    return c


def _cmp_pseudo(c: _Ctx) -> str | None:
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


def _prefix_names(c: _Ctx, intel: bool) -> list[str]:
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
            if (not has_mem and name not in _ADDR_SIZED) or _moffs(c):
                out.append("addr32")
        elif p == 0x64 or p == 0x65:
            if not has_mem:
                out.append(_SEG_NAME[p])
        elif p == 0x3E and c.opc[0] == 0xFF and name in ("jmp", "call"):
            out.append("notrack")
        elif k == hint_at:
            c.hint = ",pn" if p == 0x2E else ",pt"
        elif not c.string:
            out.append(_SEG_NAME[p])
    if c.rex & 8 and c.name in _DEFAULT64:
        out.append("rex.W" if c.rex == 0x48 else "rex." + "".join(
            b for b, bit in (("W", 8), ("R", 4), ("X", 2), ("B", 1)) if c.rex & bit))
    return out


# instructions whose operand size is 64 bits without REX.W (gdb names a REX.W on them)
_DEFAULT64 = frozenset(("call", "jmp", "ret", "push", "pop")) | _BRANCH


def _uses_66(c: _Ctx) -> bool:
    """Whether a 66 prefix is consumed: as an operand size or an SSE mandatory prefix."""
    if c.opc[0] == 0x0F:
        raw, j = c.raw, len(c.prefixes)
        if 0x40 <= raw[j] <= 0x4F:
            j += 1
        if raw[j + 1] in (0x38, 0x3A):         # (capstone's opcode omits the 38/3A)
            return True
        for o in c.ops:
            if o.type == REG and _REGS[o.reg][0] in "xm":       # xmm, mm
                return True
    if c.rex & 8:
        return False
    for o in c.ops:
        if o.size == 2:
            return True
    return c.name in ("cbw", "cwd", "clflushopt", "clwb")


def _finish(c: _Ctx, mnem: str, ops: str, target, riprel, intel: bool = False) -> Insn:
    if c.prefixed or c.rex & 8 and c.name in _DEFAULT64:
        c.hint = None
        names = _prefix_names(c, intel)
        if c.hint:
            mnem += c.hint
        if names:
            mnem = " ".join(names) + " " + mnem
    return Insn(c.addr, c.size, c.raw, mnem, ops, target, riprel)


def _imm(o: _Op) -> int:
    size = o.size
    return o.imm & ((1 << (8 * size)) - 1) if size else o.imm & _M64


def _x87_reg(c: _Ctx) -> tuple[str, int, int] | None:
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


# ---- AT&T -------------------------------------------------------------------------

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
    return "%" + _REGS[r]


def _moffs(c: _Ctx) -> bool:
    """mov between the accumulator and an absolute address (A0-A3)."""
    return 0xA0 <= c.opc[0] <= 0xA3 and c.opc[1] == 0


def _absolute(c: _Ctx, d: int) -> tuple[int, bool]:
    """A memory operand without registers: its address as printed, and whether
    libopcodes spells it with an %eiz index (32-bit addressing through a SIB)."""
    if 0x67 not in c.prefixes:
        return d & _M64, False
    return d & 0xFFFFFFFF, not _moffs(c) and c.modrm & 7 == 4


def _mem_att(c: _Ctx, o: _Op) -> tuple[str, int | None]:
    seg = "%" + _REGS[o.seg] + ":" if o.seg in (R_FS, R_GS) else ""
    d = o.disp
    if o.base == R_RIP or o.base == R_EIP:
        return (f"{seg}-{-d:#x}(%{_REGS[o.base]})" if d < 0 else f"{seg}{d:#x}(%{_REGS[o.base]})",
                (c.addr + c.size + d) & _M64)
    if not o.base and not o.index:
        a, eiz = _absolute(c, d)
        return (f"{seg}{a:#x}(,%eiz,1)" if eiz else f"{seg}{a:#x}"), None
    dtext = (f"-{-d:#x}" if d < 0 else f"{d:#x}") if d or c.disp_size else ""
    base = "%" + _REGS[o.base] if o.base else ""
    if o.index:
        return f"{seg}{dtext}({base},%{_REGS[o.index]},{o.scale})", None
    return f"{seg}{dtext}({base})", None


def _string_att(o: _Op) -> str:
    if o.type == REG:
        return "(%dx)" if o.reg == X.X86_REG_DX else _reg_att(o.reg)
    if o.type != MEM:
        return f"${_imm(o):#x}"
    base = _REGS[o.base]
    seg = _REGS[o.seg] if o.seg else ("es" if base in ("rdi", "edi") else "ds")
    return f"%{seg}:(%{base})"


def _special(c: _Ctx, intel: bool) -> tuple[str, str] | None:
    """Instructions libopcodes names or lays out unlike capstone (both syntaxes)."""
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
                seg = _SEG_NAME[p]
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
        o = _Op()
        o.type, o.reg, o.size, o.bcast = REG, X.X86_REG_XMM0, 16, 0
        ops.append(o)
        return None
    if name == "vmovq":
        if c.evex and c.disp_size == 1:          # capstone scales its disp8 by 16, not 8
            for o in ops:
                if o.type == MEM:
                    d = c.raw[c.disp_off]
                    o.disp = (d - 256 if d > 127 else d) * 8
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
_SPECIAL = frozenset(("enter", "retf", "retfq", "xlatb", "pclmulqdq", "vpclmulqdq", "sal",
                      "vmovq", "call", "jmp", "lcall", "ljmp")) | _IMPLICIT_XMM0


def _format_att(iid, addr, size, raw, buf) -> Insn:
    c = _analyse(iid, addr, size, raw, buf)
    if c.name in _SPECIAL:
        sp = _special(c, False)
        if sp is not None:
            return _finish(c, sp[0], sp[1], None, None)
    name = c.name
    ops = c.ops
    op0 = c.opc[0]
    if 0xD8 <= op0 <= 0xDF and c.modrm >= 0xC0:
        x = _x87_reg(c)
        if x is not None:
            parts = [("%st" if k == -1 else f"%st({k})") for k in x[1:] if k is not None]
            return _finish(c, x[0], ",".join(parts), None, None)
    if c.string:
        mnem = name[:-1]
        if mnem in ("movs", "cmps", "ins", "outs"):
            mnem += _STRING_SUFFIX[name[-1]]
        return _finish(c, mnem, ",".join(_string_att(o) for o in reversed(ops)), None, None)
    texts = []
    target = riprel = None
    mem_size = 0
    reg_sizes = ()
    pseudo = _cmp_pseudo(c) if name.startswith(("cmp", "vcmp", "vpcmp")) else None
    for o in reversed(ops):
        t = o.type
        if t == REG:
            texts.append("%" + _REGS_ATT[o.reg])
            if o.reg != X.X86_REG_CL or name not in _SHIFTS:
                reg_sizes += (o.size,)
        elif t == IMM:
            if name in _BRANCH:
                target = o.imm & _M64
                texts.append(f"{target:#x}")
            elif pseudo:
                continue
            elif op0 in (0xD0, 0xD1) and c.opc[1] == 0:
                continue                                # shift by one: no operand
            else:
                texts.append(f"${_imm(o):#x}")
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
            c.prefixes.remove(0x66)
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
    elif name in _PLAIN:
        mnem = _PLAIN[name]
    return _finish(c, mnem, ",".join(texts), target, riprel)


_PLAIN = {"pushfq": "pushf", "popfq": "popf"}


# ---- Intel ------------------------------------------------------------------------

_PTR = {1: "BYTE PTR ", 2: "WORD PTR ", 4: "DWORD PTR ", 8: "QWORD PTR ", 10: "TBYTE PTR ",
        16: "XMMWORD PTR ", 32: "YMMWORD PTR ", 64: "ZMMWORD PTR ", 6: "FWORD PTR "}
# where capstone's operand size is not libopcodes' memory operand size
_MEM_SIZE = {"comisd": 8, "vcomisd": 8}
_NO_PTR = frozenset(("lea", "fldenv", "fnstenv", "fstenv", "fnsave", "fsave", "frstor",
                     "fxsave", "fxrstor", "fxsave64", "fxrstor64", "xsave", "xrstor",
                     "xsavec", "xsaveopt", "xsave64", "xrstor64", "xsavec64", "xsaveopt64",
                     "xsaves", "xrstors", "sgdt", "sidt", "lgdt", "lidt", "bndldx", "bndstx",
                     "bndmk", "movabs", "lddqu", "vlddqu"))


def _mem_intel(c: _Ctx, o: _Op) -> tuple[str, int | None]:
    seg = _REGS[o.seg] + ":" if o.seg in (R_FS, R_GS) else ""
    d = o.disp
    if o.base == R_RIP or o.base == R_EIP:      # (negative: a 64-bit number, like gdb)
        return f"{seg}[{_REGS[o.base]}+{d & _M64:#x}]", (c.addr + c.size + d) & _M64
    if not o.base and not o.index:
        a, eiz = _absolute(c, d)
        return (f"{seg}[eiz*1+{a:#x}]" if eiz else f"{seg or 'ds:'}{a:#x}"), None
    inner = _REGS[o.base] if o.base else ""
    if o.index:
        inner += f"{'+' if inner else ''}{_REGS[o.index]}*{o.scale}"
    if d or c.disp_size:
        inner += f"-{-d:#x}" if d < 0 else f"+{d:#x}"
    return f"{seg}[{inner}]", None


def _string_intel(o: _Op) -> str:
    if o.type == REG:
        return "dx" if o.reg == X.X86_REG_DX else _REGS[o.reg]
    if o.type != MEM:
        return f"{_imm(o):#x}"
    base = _REGS[o.base]
    seg = _REGS[o.seg] if o.seg else ("es" if base in ("rdi", "edi") else "ds")
    return f"{_PTR.get(o.size, '')}{seg}:[{base}]"


def _format_intel(iid, addr, size, raw, buf) -> Insn:
    c = _analyse(iid, addr, size, raw, buf)
    if c.name in _SPECIAL:
        sp = _special(c, True)
        if sp is not None:
            return _finish(c, sp[0], sp[1], None, None, True)
    name = c.name
    ops = c.ops
    op0 = c.opc[0]
    if 0xD8 <= op0 <= 0xDF and c.modrm >= 0xC0:
        x = _x87_reg(c)
        if x is not None:
            parts = [("st" if k == -1 else f"st({k})") for k in x[:0:-1] if k is not None]
            name = (_X87_INTEL_DC if op0 == 0xDC else _X87_INTEL).get(x[0], x[0])
            return _finish(c, name, ",".join(parts), None, None, True)
    if c.string:
        return _finish(c, name[:-1], ",".join(_string_intel(o) for o in ops), None, None, True)
    texts = []
    target = riprel = None
    pseudo = _cmp_pseudo(c) if name.startswith(("cmp", "vcmp", "vpcmp")) else None
    for o in ops:
        t = o.type
        if t == REG:
            texts.append(_REGS[o.reg])
        elif t == IMM:
            if name in _BRANCH:
                target = o.imm & _M64
                texts.append(f"{target:#x}")
            elif pseudo:
                continue
            elif op0 in (0xD0, 0xD1) and c.opc[1] == 0:
                texts.append("1")
            else:
                texts.append(f"{_imm(o):#x}")
        else:
            s, rr = _mem_intel(c, o)
            if rr is not None:
                riprel = rr
            if o.bcast:
                s = ("QWORD BCST " if o.size == 8 else "DWORD BCST " if o.size == 4
                     else "WORD BCST ") + s
            elif name not in _NO_PTR and not _moffs(c):
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
    mnem = _PLAIN.get(name) or pseudo or name
    if name == "nop" and op0 == 0x90 and 0x66 in c.prefixes:
        mnem, texts = "xchg", ["ax", "ax"]
        c.prefixes.remove(0x66)
    elif name == "xabort":
        texts = [f"{ops[0].imm & 0xFF:#x}"]
    return _finish(c, mnem, ",".join(texts), target, riprel, True)


# libopcodes keeps the historical AT&T swap of the reversed x87 forms out of Intel syntax
_X87_INTEL = {"fsubp": "fsubrp", "fsubrp": "fsubp", "fdivp": "fdivrp", "fdivrp": "fdivp"}
_X87_INTEL_DC = {"fsub": "fsubr", "fsubr": "fsub", "fdiv": "fdivr", "fdivr": "fdiv"}
