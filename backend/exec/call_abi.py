"""The System V x86-64 calling convention as an inferior call needs it (infcall.py):
where each argument goes (ABI 3.2.3: INTEGER eightbytes in rdi, rsi, rdx, rcx, r8, r9;
SSE ones in xmm0-7; MEMORY, x87 and whatever no longer fits on the stack), and the
register structures copied, written and read.
"""
from __future__ import annotations

from collections.abc import Callable

from ..errors import TdbgError
from ..process import ptrace
from ..symbols.return_values import _classify, return_value
from ..symbols.types import Type
from ..symbols.values import Value

_MASK = (1 << 64) - 1
RED_ZONE = 128
INT_REGS = ("rdi", "rsi", "rdx", "rcx", "r8", "r9")
SSE_REGS = 8


def returned_in_memory(t: Type) -> bool:
    """A struct (or big complex) the caller passes a hidden pointer for, in rdi."""
    s = t.strip()
    return s.kind in ("struct", "union", "class", "complex") and _classify(s) is None


def copy_regs(r: ptrace.UserRegs) -> ptrace.UserRegs:
    return ptrace.UserRegs.from_buffer_copy(r)


def copy_fp(fp: ptrace.UserFPRegs) -> ptrace.UserFPRegs:
    return ptrace.UserFPRegs.from_buffer_copy(fp)


def set_xmm(fp: ptrace.UserFPRegs, i: int, data: bytes) -> None:
    raw = data.ljust(16, b"\0")[:16]
    for k in range(4):
        fp.xmm_space[i * 4 + k] = int.from_bytes(raw[4 * k:4 * k + 4], "little")


def xmm(fp: ptrace.UserFPRegs, i: int) -> int:
    return sum(fp.xmm_space[i * 4 + k] << (32 * k) for k in range(4))


def st(fp: ptrace.UserFPRegs, i: int) -> int:
    return sum(fp.st_space[i * 4 + k] << (32 * k) for k in range(4)) & ((1 << 80) - 1)


def siginfo(tid: int) -> ptrace.SigInfo | None:
    try:
        return ptrace.get_siginfo(tid)
    except TdbgError:
        return None


def eightbytes(data: bytes) -> list[int]:
    data = data.ljust((len(data) + 7) // 8 * 8, b"\0")
    return [int.from_bytes(data[i:i + 8], "little") for i in range(0, len(data), 8)]


def place(a: Value, ints: list[int], sses: list[bytes], stack: list[bytes]) -> None:
    """One argument into registers or the stack area (ABI 3.2.3)."""
    s = a.type.strip()
    data = a.data
    if s.kind in ("struct", "union", "class", "complex") or (s.kind == "float" and s.size > 8):
        classes = _classify(s)
        if classes is not None and "X87" not in classes:
            need_i = classes.count("INTEGER")
            need_s = classes.count("SSE")
            if len(ints) + need_i <= len(INT_REGS) and len(sses) + need_s <= SSE_REGS:
                for cls, word in zip(classes, eightbytes(data), strict=False):
                    if cls == "INTEGER":
                        ints.append(word)
                    else:
                        sses.append(word.to_bytes(8, "little"))
                return
        stack.append(data.ljust((len(data) + 7) // 8 * 8, b"\0"))
        return
    if s.kind == "float":
        if len(sses) < SSE_REGS:
            sses.append(data)
            return
        stack.append(data.ljust(8, b"\0"))
        return
    n = int.from_bytes(data[:8], "little")
    if s.size < 8 and (s.kind == "int" and s.signed or s.kind == "enum" and not s.is_unsigned) \
            and n >> (8 * s.size - 1):
        n |= _MASK ^ ((1 << (8 * s.size)) - 1)        # sign-extend as gcc does
    if len(ints) < len(INT_REGS):
        ints.append(n)
    else:
        stack.append((n & _MASK).to_bytes(8, "little"))


def read_return(ret: Type, regs: ptrace.UserRegs, fp: ptrace.UserFPRegs,
                read: Callable[[int, int], bytes]) -> Value:
    """What a function of return type `ret` returned, by its registers (not MEMORY)."""
    def reg(name: str) -> int:
        if name.startswith("xmm"):
            return xmm(fp, int(name[3:]))
        if name.startswith("st"):
            return st(fp, int(name[2:]))
        return int(getattr(regs, name))
    if ret.strip().kind == "void":
        return Value(ret, b"")
    return Value(ret, return_value(ret, reg, read).fetch().data)
