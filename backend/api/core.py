"""`session.core`: core files (gdb's `core-file`, `generate-core-file`).

Each method hops once to the ptrace worker (link.py); the work is exec/core_target.py's.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink


class CoreAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    async def open(self, path: str) -> None:
        """Debug the core at path: its opening lines come as a Stopped event's message."""
        await self._link.stopped_call(lambda: self._dbg.cores.open(path))

    async def discard(self) -> bool:
        """Drop the core being debugged; False when there is none."""
        return await self._link.stopped_call(self._dbg.cores.discard)

    async def generate(self, path: str | None = None) -> str:
        """Write the stopped process as a core file: "Saved corefile FILE"."""
        return await self._link.stopped_call(lambda: self._dbg.cores.generate(path))

    @property
    def active(self) -> bool:
        """A core is being debugged (a fact read without a hop, like Session.alive)."""
        return self._dbg.cores.core is not None
