"""`session.fast`: fast conditional breakpoints (breaks/fast_sites.py) and dprintf.

Each method hops once to the ptrace worker (link.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..breaks.fast_sites import table_text

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink


class FastAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    async def table_text(self) -> str:
        """`info fast-conditions`: which conditional breakpoints run in the program, and why not."""
        return await self._link.stopped_call(lambda: table_text(self._dbg.bps))

    async def set_enabled(self, on: bool) -> None:
        """`set fast-conditions on|off`: off puts every site back to an INT3."""
        bps = self._dbg.bps

        def work() -> None:
            if bps.fast is None or bps.fast.enabled == on:
                return
            bps.fast.enabled = on
            bps.refresh_all()
        await self._link.stopped_call(work)

    async def enabled(self) -> bool:
        return await self._link.call(lambda: self._dbg.bps.fast is not None and self._dbg.bps.fast.enabled)

    async def dprintf_text(self, arg: str) -> str:
        """gdb's `dprintf LOCATION,"format",ARGS`: what it says."""
        return await self._link.stopped_call(lambda: self._dbg.dprintfs.dprintf(arg))
