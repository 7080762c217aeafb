"""One covered instruction of a fast breakpoint, moved into its stub in the pad.

jump_pad.py copies the instructions a 5-byte `jmp` replaces to the end of a stub.
Most run anywhere unchanged; these do not, and are rewritten (``classify`` at
planning time, ``encode`` once the pad address is known):

- a rip-relative operand: its displacement re-encoded for the new address;
- `jcc rel8/rel32` -> `jcc rel32` (0F 8x), `jmp rel8/rel32` -> `jmp rel32`, to the
  original absolute target;
- `jrcxz`/`jecxz`/`loop*` (no 32-bit form) -> `op +2; jmp +5; jmp rel32 target`;
- `call rel32` -> push the ORIGINAL return address, `jmp rel32 target`: the callee
  returns to the program's own code, so backtraces show the real caller, `finish`
  and the unwinder find the call site, and the pad holds no live return address;
- `call reg/[mem]` -> the same push, then `jmp reg/[mem]` (FF /2 becomes FF /4);
- `ret` and `jmp reg/[mem]` run anywhere: copied (a rip-relative operand re-encoded).

The return address is pushed as `push imm32` (sign-extended) then
`mov dword [rsp+4], hi32`: no register and no flag is touched. A call must be the
last covered instruction, or its return address would lie inside the jump's bytes.
A thread stopped anywhere in these sequences leaves the pad by single steps
(exec/pad_setup.py `_step_out`): each sequence ends in a jump out of the pad, to the
target or to the instruction after the covered ones.
"""
from __future__ import annotations

import struct
from typing import NamedTuple

import capstone
from capstone import x86

_LEGACY = frozenset(b"\xf0\xf2\xf3\x2e\x36\x3e\x26\x64\x65\x66\x67")
_HINTS = frozenset(b"\x2e\x3e\xf2")       # branch hints and `bnd`: meaningless for a rel32 copy
_LOOPS = frozenset(b"\xe0\xe1\xe2\xe3")    # loopne, loope, loop, jrcxz/jecxz: rel8 only
_G = capstone


class NoJump(Exception):
    """The site cannot take a jump (str: why)."""


class Moved(NamedTuple):
    """One covered instruction and how its copy is made (``encode``)."""
    address: int
    raw: bytes              # the original bytes
    kind: str               # plain, rip, jcc, jmp, loop, call, call_ind, jmp_ind, ret
    target: int = 0         # a direct branch's absolute target
    disp_off: int = -1      # a rip-relative operand's displacement offset in `raw`
    disp: int = 0

    @property
    def end(self) -> int:
        return self.address + len(self.raw)


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """(legacy prefixes, REX and the rest)."""
    i = 0
    while i < len(raw) and raw[i] in _LEGACY:
        i += 1
    return raw[:i], raw[i:]


def classify(insn: capstone.CsInsn, last: bool) -> Moved:
    """How a covered instruction moves out of line, or NoJump(why) when it cannot."""
    raw = bytes(insn.bytes)
    groups = set(insn.groups)
    name = insn.mnemonic
    disp_off, disp = -1, 0
    if "rip" in insn.op_str:
        if insn.disp_size != 4:
            raise NoJump("rip-relative operand without a 32-bit displacement")
        disp_off, disp = insn.disp_offset, insn.disp
    if groups & {_G.CS_GRP_INT, _G.CS_GRP_IRET}:
        raise NoJump(f"covers an interrupt or system call ({name})")
    prefixes, rest = _split(raw)
    if groups & {_G.CS_GRP_JUMP, _G.CS_GRP_BRANCH_RELATIVE} and _G.CS_GRP_CALL not in groups \
            and insn.operands and insn.operands[0].type == x86.X86_OP_IMM:
        kind = _direct_kind(rest)
        if kind is None:
            raise NoJump(f"covers a branch ({name})")
        if set(prefixes) - _HINTS - ({0x67} if kind == "loop" else set()):
            raise NoJump(f"covers a branch with a prefix it cannot keep ({name})")
        return Moved(insn.address, raw, kind, insn.operands[0].imm)
    if _G.CS_GRP_CALL in groups:
        if not last:
            raise NoJump(f"covers a call whose return address lies inside the jump ({name})")
        if 0x66 in prefixes:
            raise NoJump(f"covers a call with an operand-size prefix ({name})")
        if insn.operands and insn.operands[0].type == x86.X86_OP_IMM:
            return Moved(insn.address, raw, "call", insn.operands[0].imm)
        i = _opcode_at(rest)
        if i is None or rest[i] != 0xFF or (insn.modrm >> 3) & 7 != 2:
            raise NoJump(f"covers a far call ({name})")
        op = insn.operands[0]
        if (op.type == x86.X86_OP_REG and op.reg == x86.X86_REG_RSP) or (
                op.type == x86.X86_OP_MEM and x86.X86_REG_RSP in (op.mem.base, op.mem.index)):
            # the pushed return address would move rsp before the operand is read
            raise NoJump(f"covers a call through rsp ({name} {insn.op_str})")
        return Moved(insn.address, raw, "call_ind", 0, disp_off, disp)
    if _G.CS_GRP_JUMP in groups:
        if (insn.modrm >> 3) & 7 != 4:
            raise NoJump(f"covers a far jump ({name})")
        return Moved(insn.address, raw, "jmp_ind", 0, disp_off, disp)
    if _G.CS_GRP_RET in groups:
        if rest[0] not in (0xC3, 0xC2):
            raise NoJump(f"covers a far return ({name})")
        return Moved(insn.address, raw, "ret")
    if groups & {_G.CS_GRP_BRANCH_RELATIVE}:
        raise NoJump(f"covers a branch ({name})")
    return Moved(insn.address, raw, "rip" if disp_off >= 0 else "plain", 0, disp_off, disp)


def _direct_kind(rest: bytes) -> str | None:
    """jcc, jmp or loop: a relative branch ``encode`` knows (no REX: none is emitted)."""
    if not rest:
        return None
    if rest[0] in _LOOPS:
        return "loop"
    if rest[0] in (0xEB, 0xE9):
        return "jmp"
    if 0x70 <= rest[0] <= 0x7F or (len(rest) > 1 and rest[0] == 0x0F and 0x80 <= rest[1] <= 0x8F):
        return "jcc"
    return None


def _opcode_at(rest: bytes) -> int | None:
    """The opcode's index after an optional REX byte."""
    i = 1 if rest and 0x40 <= rest[0] <= 0x4F else 0
    return i if i < len(rest) else None


def _rel32(target: int, after: int) -> bytes:
    rel = target - after
    if not -(1 << 31) <= rel < (1 << 31):
        raise NoJump("a branch target is out of jump range from the pad")
    return struct.pack("<i", rel)


def _push_return(addr: int) -> bytes:
    """Push the 64-bit return address: neither a register nor the flags change."""
    lo, hi = addr & 0xFFFFFFFF, (addr >> 32) & 0xFFFFFFFF
    return b"\x68" + struct.pack("<I", lo) + b"\xc7\x44\x24\x04" + struct.pack("<I", hi)


def _redisp(m: Moved, b: bytearray, at: int, base: int) -> None:
    """Re-encode a rip-relative displacement: `b` starts at `at`, its copy of the
    original instruction starting at offset `base` in b."""
    if m.disp_off < 0:
        return
    new = m.disp + m.end - (at + len(b))
    if not -(1 << 31) <= new < (1 << 31):
        raise NoJump("the pad is too far for a rip-relative operand")
    struct.pack_into("<i", b, base + m.disp_off, new)


def encode(m: Moved, at: int) -> bytes:
    """The copy of `m` placed at address `at` (NoJump when a target is out of range)."""
    if m.kind == "jmp":
        return b"\xe9" + _rel32(m.target, at + 5)
    if m.kind == "jcc":
        _, rest = _split(m.raw)
        cc = (rest[1] if rest[0] == 0x0F else rest[0]) & 0x0F
        return bytes((0x0F, 0x80 | cc)) + _rel32(m.target, at + 6)
    if m.kind == "loop":
        prefixes, rest = _split(m.raw)
        head = bytes(p for p in prefixes if p == 0x67) + bytes((rest[0], 2)) + b"\xeb\x05"
        return head + b"\xe9" + _rel32(m.target, at + len(head) + 5)
    if m.kind == "call":
        push = _push_return(m.end)
        return push + b"\xe9" + _rel32(m.target, at + len(push) + 5)
    if m.kind == "call_ind":
        push = _push_return(m.end)
        prefixes, rest = _split(m.raw)
        i = _opcode_at(rest)
        assert i is not None
        jmp = bytearray(prefixes + rest)
        k = len(prefixes) + i + 1
        jmp[k] ^= 0x30                       # ModRM reg field: /2 (call) -> /4 (jmp)
        b = bytearray(push) + jmp
        _redisp(m, b, at, len(push))
        return bytes(b)
    b = bytearray(m.raw)
    _redisp(m, b, at, 0)
    return bytes(b)

