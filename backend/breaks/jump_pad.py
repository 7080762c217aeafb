"""A fast breakpoint's two halves: the 5-byte `jmp` at the site and its stub in the pad.

The site's first whole instructions covering 5 bytes are replaced by `jmp stub`. The
stub (one per site and condition set, never rewritten: a thread may still be in an
old one):

    S:  lea rsp,[rsp-128]; pushfq; push rax; push rcx; push rdx   (the red zone is kept)
        <condition> ; test rax,rax ; jz F
        pop rdx; pop rcx; pop rax; popfq; lea rsp,[rsp+128]
    T:  int3 ; nop        the debugger rewinds the pc to the site: the registers are the site's
    F:  pop rdx; pop rcx; pop rax; popfq; lea rsp,[rsp+128]
    R:  the covered instructions, moved (relocate.py) ; jmp site+len

A stopped thread anywhere before R can be rolled back to the site exactly: ``depth``
tells how many bytes the stub has pushed at each instruction (exec/pad_setup.py).
A thread resuming from a stop at the site goes through R (its out-of-line copy); one
stopped among R's instructions is single-stepped out: each rewritten branch and call
there ends in a jump out of the pad.
"""
from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field

import capstone

from ..inspect.cond_compile import Compiled
from .relocate import Moved, NoJump, classify, encode

__all__ = ["JMP_LEN", "SLOTS", "Cover", "NoJump", "Stub", "build_stub", "plan_cover"]

JMP_LEN = 5
_cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
_cs.detail = True
# lea rsp,[rsp-128]; pushfq; and qword [rsp],~TF; push x3. The saved flags lose TF: a
# thread we single-stepped across the pushfq would otherwise get the kernel's forced TF back
# at the popfq and trap after every instruction from then on (gdb's displaced-step fixup
# clears TF after a stepped pushf for the same reason).
_ENTER = b"\x48\x8d\x64\x24\x80\x9c\x48\x81\x24\x24\xff\xfe\xff\xff\x50\x51\x52"
_LEAVE = b"\x5a\x59\x58\x9d\x48\x8d\xa4\x24\x80\x00\x00\x00"  # pop x3; popfq; lea rsp,[rsp+128]
_ENTER_DEPTHS = [(0, 0), (5, 128), (6, 136), (14, 136), (15, 144), (16, 152)]
_LEAVE_DEPTHS = [(0, 160), (1, 152), (2, 144), (3, 136), (4, 128)]
# where each saved register sits: bytes below the program's rsp
SLOTS = {"eflags": 136, "rax": 144, "rcx": 152, "rdx": 160}


@dataclass
class Cover:
    """The instructions a jump at `site` replaces."""
    site: int
    orig: bytes
    # Moved[1] is the original bytes: fast_sites.py sizes a stub by them plus 128; the
    # rewritten forms add at most 29 bytes (relocate.py), the stub's own parts 49.
    insns: list[Moved]


@dataclass
class Stub:
    site: int
    addr: int                  # S
    code: bytes
    trap: int                  # T (offset)
    resume: int                # R (offset)
    cover: Cover
    key: tuple[str, ...]
    depths: dict[int, int] = field(default_factory=dict)   # offset -> bytes pushed (before R)

    @property
    def end(self) -> int:
        return self.addr + len(self.code)

    @property
    def jump(self) -> bytes:
        rel = self.addr - (self.site + JMP_LEN)
        return b"\xe9" + struct.pack("<i", rel) + b"\x90" * (len(self.cover.orig) - JMP_LEN)


def plan_cover(site: int, read: Callable[[int, int], bytes], func: tuple[int, int] | None,
               line_addrs: list[int], other_sites: list[int]) -> Cover:
    """The whole instructions from `site` spanning a 5-byte jump, or NoJump(why).

    read: the program's original bytes (breakpoints shadowed)."""
    if func is None:
        raise NoJump("no function bounds at the site")
    lo, hi = func
    if hi - lo > 1 << 16:
        raise NoJump("function too large to scan")
    code = read(lo, hi - lo)
    decoded = list(_cs.disasm(code, lo))
    if not decoded or decoded[-1].address + decoded[-1].size < hi:
        raise NoJump("cannot decode the function")
    by_addr = {i.address: i for i in decoded}
    targets: set[int] = set()
    for insn in decoded:
        groups = set(insn.groups)
        if groups & {capstone.CS_GRP_JUMP, capstone.CS_GRP_CALL, capstone.CS_GRP_BRANCH_RELATIVE}:
            ops = insn.operands
            if ops and ops[0].type == capstone.x86.X86_OP_IMM:
                targets.add(ops[0].imm)
            elif capstone.CS_GRP_JUMP in groups:
                raise NoJump("the function has an indirect jump (a jump table may land inside the covered bytes)")
    insns: list[Moved] = []
    length = 0
    while length < JMP_LEN:
        insn = by_addr.get(site + length)
        if insn is None:
            raise NoJump("the site is not an instruction boundary" if not length
                         else "fewer than 5 bytes to the function's end")
        insns.append(classify(insn, last=length + insn.size >= JMP_LEN))
        length += insn.size
    inside = range(site + 1, site + length)
    if any(t in inside for t in targets):
        raise NoJump("a jump target lies inside the covered instructions")
    if any(a in inside for a in line_addrs):
        raise NoJump("a line starts inside the covered instructions")
    if any(a in inside for a in other_sites):
        raise NoJump("another breakpoint lies inside the covered instructions")
    return Cover(site, read(site, length), insns)


def build_stub(cover: Cover, cond: Compiled, addr: int, key: tuple[str, ...]) -> Stub:
    """The stub's code for a pad address `addr` (NoJump when out of rel32 range)."""
    code = bytearray()
    depths: dict[int, int] = {}

    def put(b: bytes, table: list[tuple[int, int]], extra: int = 0) -> None:
        for off, d in table:
            depths[len(code) + off] = d + extra
        code.extend(b)

    put(_ENTER, _ENTER_DEPTHS)
    put(cond.code, cond.depths, 160)
    depths[len(code)] = 160
    code += b"\x48\x85\xc0\x0f\x84\0\0\0\0"          # test rax,rax; jz F
    jz = len(code)
    depths[jz - 6] = 160
    put(_LEAVE, _LEAVE_DEPTHS)
    trap = len(code)
    depths[trap] = 0
    code += b"\xcc\x90"                              # int3; a pc at T+1 can only be the trap
    struct.pack_into("<i", code, jz - 4, len(code) - jz)
    put(_LEAVE, _LEAVE_DEPTHS)
    resume = len(code)
    for m in cover.insns:
        code += encode(m, addr + len(code))
    back = cover.site + len(cover.orig) - (addr + len(code) + 5)
    if not -(1 << 31) <= back < (1 << 31) or not -(1 << 31) <= addr - cover.site - 5 < (1 << 31):
        raise NoJump("the pad is out of jump range")
    code += b"\xe9" + struct.pack("<i", back)
    return Stub(cover.site, addr, bytes(code), trap, resume, cover, key, depths)
