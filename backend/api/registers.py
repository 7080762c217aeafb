"""`session.registers`: gdb's `info registers` / `info all-registers` text, with the x87,
SSE and AVX registers (inspect/register_text.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CommandError
from ..inspect.frame_regs import fp_registers
from ..inspect.register_text import registers_text

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink


class RegistersAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    async def info_text(self, arg: str = "", all_registers: bool = False) -> str:
        """gdb's `info registers [NAME|GROUP...]`; all_registers: `info all-registers`.
        The selected frame's general registers, the thread's FP/vector ones (gdb does
        not unwind those)."""
        d = self._dbg

        def work() -> str:
            t = d.target
            if not t.alive:
                raise CommandError("The program has no registers now.")
            inf, tid = t.require_inferior(), t.tid
            # a register a caller frame's CFI does not mention keeps its value (gdb's
            # x86-64 rule "same value"): frame 0's
            gp = {**t.registers(), **d.frames.frame_registers()}
            return registers_text(arg, all_registers, gp, lambda: fp_registers(inf, tid),
                                  t.prog.symbolize)
        return await self._link.stopped_call(work)
