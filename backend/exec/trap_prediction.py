"""What the instruction at a pc will do when single-stepped, decoded once per pc.

Stepping pays for PTRACE_GETSIGINFO only after an instruction that can raise a
SIGTRAP of its own, and the quick stepi loop (single_step.py) predicts the next
pc of straight-line code instead of reading it: both ask here, on every step, so
the answer is cached until code changes (Controller.forget_code, an exec).
"""
from __future__ import annotations

from collections.abc import Callable

from ..disasm.decode import decode, falls_through
from ..errors import TdbgError

# Instructions that may trap by themselves (int3, a syscall that may be tgkill...).
_TRAPPING = ("int3", "int", "int1", "into", "syscall", "sysenter", "ud2", "ud0", "ud1", "hlt")
_MAX_CACHED = 65536


class TrapPrediction:
    def __init__(self, read: Callable[[int, int], bytes]) -> None:
        self.read = read                 # the program's bytes, breakpoints shadowed
        # pc -> (may trap by itself, the next pc if it always falls through to pc+size)
        self.cache: dict[int, tuple[bool, int | None]] = {}

    def clear(self) -> None:
        self.cache.clear()

    def may_trap(self, pc: int) -> bool:
        """Whether a trap after stepping the instruction at pc needs PTRACE_GETSIGINFO."""
        return self.decoded(pc)[0]

    def decoded(self, pc: int) -> tuple[bool, int | None]:
        """(may trap by itself, the next pc if it always falls through to pc+size)."""
        cache = self.cache
        hit = cache.get(pc)
        if hit is None:
            try:
                insn = next(decode(self.read(pc, 16), pc, 1), None)
            except TdbgError:
                return True, None
            if insn is None:
                hit = (True, None)
            else:
                hit = (insn[2] in _TRAPPING,
                       pc + insn[1] if falls_through(insn[2], insn[3]) else None)
            if len(cache) > _MAX_CACHED:
                cache.clear()
            cache[pc] = hit
        return hit
