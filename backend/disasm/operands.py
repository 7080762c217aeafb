"""One instruction as both printers see it: capstone's operands (Op) and the encoding
facts its text needs beyond them (Ctx), unpacked from capstone_abi.py's detail bytes."""
from __future__ import annotations

from .capstone_abi import ENC_AT, IMM, MEM, NAMES, OP, OP_SIZE, OPS_AT, REG, REGS, X86_HEAD

M64 = (1 << 64) - 1

LEGACY = frozenset((0xF0, 0xF2, 0xF3, 0x2E, 0x36, 0x3E, 0x26, 0x64, 0x65, 0x66, 0x67))
SEG_NAME = {0x2E: "cs", 0x36: "ss", 0x3E: "ds", 0x26: "es", 0x64: "fs", 0x65: "gs"}
_STRING_OPCODES = frozenset((0x6C, 0x6D, 0x6E, 0x6F, 0xA4, 0xA5, 0xA6, 0xA7,
                             0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF))


class Op:
    """A capstone operand: reg for REG, imm for IMM, seg..disp for MEM."""
    __slots__ = ("type", "reg", "imm", "seg", "base", "index", "scale", "disp", "size",
                 "bcast")

    type: int
    reg: int
    imm: int
    seg: int
    base: int
    index: int
    scale: int
    disp: int
    size: int
    bcast: int          # EVEX broadcast: the {1toN} count, 0 without


class Ctx:
    """One instruction: its operands and what its text needs beyond them."""
    __slots__ = ("name", "addr", "size", "raw", "ops", "prefixes", "prefixed", "opc", "modrm",
                 "rex", "disp_off", "disp_size", "rep_used", "evex", "string", "mask", "zero",
                 "hint", "rc")

    name: str                               # capstone's mnemonic, rewritten by the printers
    addr: int
    size: int
    raw: bytes
    ops: list[Op]
    prefixes: list[int] | tuple[()]         # the legacy prefix bytes, in order
    prefixed: bool
    opc: tuple[int, int]
    modrm: int
    rex: int
    disp_off: int
    disp_size: int
    rep_used: int
    evex: bool
    string: bool
    mask: int                               # EVEX write mask register, 0 without
    zero: int                               # EVEX.z
    hint: str | None                        # `,pt`/`,pn` of a hinted branch (prefixes.py)
    rc: str | None                          # EVEX rounding/SAE, `{rn-sae}`


def analyse(iid: int, addr: int, size: int, raw: bytes, buf: bytes) -> Ctx:
    rep_used, opc0, opc1, rex, modrm, avx_rm, nops = X86_HEAD.unpack_from(buf)
    c = Ctx()
    c.name, c.addr, c.size, c.raw = NAMES[iid], addr, size, raw
    c.opc, c.modrm, c.rep_used, c.rex = (opc0, opc1), modrm, rep_used, rex
    c.disp_off, c.disp_size = buf[ENC_AT + 1], buf[ENC_AT + 2]
    ops = []
    for k in range(nops):
        t, a, b, cc, d, disp, osize = OP.unpack_from(
            buf, OPS_AT + OP_SIZE * k)
        o = Op()
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
    while raw[i] in LEGACY and i < size - 1:
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
                and REGS[ops[1].reg] == f"k{c.mask}":
            del ops[1]          # capstone lists the write mask after the destination
    return c


def imm(o: Op) -> int:
    """An immediate as libopcodes prints it: unsigned, in its operand's size."""
    size = o.size
    return o.imm & ((1 << (8 * size)) - 1) if size else o.imm & M64


def moffs(c: Ctx) -> bool:
    """mov between the accumulator and an absolute address (A0-A3)."""
    return 0xA0 <= c.opc[0] <= 0xA3 and c.opc[1] == 0


def absolute(c: Ctx, d: int) -> tuple[int, bool]:
    """A memory operand without registers: its address as printed, and whether
    libopcodes spells it with an %eiz index (32-bit addressing through a SIB)."""
    if 0x67 not in c.prefixes:
        return d & M64, False
    return d & 0xFFFFFFFF, not moffs(c) and c.modrm & 7 == 4
