"""capstone's decoder, read without building its per-instruction Python objects.

capstone 5's C structures are unpacked directly (its Python objects cost more than
the printing); the printers (att_syntax.py, intel_syntax.py) work from the detail
bytes read here. On another layout NATIVE is False and att_printer.py prints
capstone's own text instead.
"""
from __future__ import annotations

import ctypes
import struct
from collections.abc import Iterator

import capstone
from capstone import x86_const as X


def _engine() -> capstone.Cs:
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.syntax = capstone.CS_OPT_SYNTAX_INTEL
    cs.detail = True
    return cs


_CS = _engine()
NAMES: list[str] = [_CS.insn_name(i) or "" for i in range(X.X86_INS_ENDING)]
REGS: list[str] = [""] + [_CS.reg_name(i) or "" for i in range(1, X.X86_REG_ENDING)]
REGS_ATT = list(REGS)
REGS_ATT[X.X86_REG_DR0:X.X86_REG_DR15 + 1] = [f"db{i}" for i in range(16)]  # libopcodes
# cs_insn's id, size and detail pointer; cs_x86 up to op_count, one cs_x86_op,
# cs_x86_encoding.
_INSN = struct.Struct("<I12xH222xQ")
X86_HEAD = struct.Struct("<B3xBB2xBxB41xI8xB")   # prefix[0] opcode[0:2] rex modrm avx_rm op_count
OP = struct.Struct("<I4xIIIiqB15x")
OPS_AT, OP_SIZE = 72, 48
ENC_AT = OPS_AT + 8 * OP_SIZE


def _layout_ok() -> bool:
    try:
        x86, insn = capstone.x86.CsX86, capstone._cs_insn
        return bool(ctypes.sizeof(insn) == 248 and insn.size.offset == 16
                    and insn.detail.offset == 240 and x86.operands.offset == OPS_AT
                    and ctypes.sizeof(capstone.x86.X86Op) == OP_SIZE
                    and x86.encoding.offset == ENC_AT and x86.op_count.offset == 64
                    and x86.avx_rm.offset == 52 and x86.modrm.offset == 10)
    except (AttributeError, TypeError):
        return False


# Another capstone layout (capstone 6 reworked x86): print capstone's own text.
NATIVE = _layout_ok()
_DETAIL_X86: int = capstone._cs_detail.arch.offset if NATIVE else 0
_INSN_SIZE = ctypes.sizeof(capstone._cs_insn) if NATIVE else 0
_X86_SIZE = ctypes.sizeof(capstone.x86.CsX86) if NATIVE else 0

# operand types and registers the printers test for
REG, IMM, MEM = X.X86_OP_REG, X.X86_OP_IMM, X.X86_OP_MEM
R_RIP, R_EIP, R_FS, R_GS = X.X86_REG_RIP, X.X86_REG_EIP, X.X86_REG_FS, X.X86_REG_GS
WAIT = X.X86_INS_WAIT


def raw_insns(code: bytes, addr: int, limit: int) -> Iterator[tuple[int, int, int, bytes]]:
    """Yield (id, addr, size, detail bytes) for up to `limit` capstone instructions;
    id 0 (and no detail) for bytes capstone cannot decode (gdb: `(bad)`)."""
    p = ctypes.POINTER(capstone._cs_insn)()
    lib, handle = capstone._cs, _CS.csh
    string_at, unpack, step = ctypes.string_at, _INSN.unpack_from, _INSN_SIZE
    done, end = 0, len(code)
    while done < end and limit > 0:
        req = min(limit, 64)
        n: int = lib.cs_disasm(handle, code[done:] if done else code, end - done, addr + done,
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
                for iid, a, size, buf in raw_insns(code[done + 1:done + 16], addr + done + 1, 1):
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
            yield 0, addr + done, bad, b""
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

