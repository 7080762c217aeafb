"""`session.processes`: catchpoints and the session's inferiors (forks kept or followed).

Each method hops once to the ptrace worker (link.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import events as ev

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink


class ProcessesAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    async def catch_text(self, kind: str, arg: str = "", temporary: bool = False) -> str:
        """gdb's `catch KIND [ARGS]` / `tcatch`: what it says ("Catchpoint 1 (fork)")."""
        return await self._link.stopped_call(
            lambda: self._dbg.catchpoints.catch(kind, arg, temporary)[1])

    async def catch(self, kind: str, arg: str = "", temporary: bool = False) -> ev.BreakpointInfo:
        """The same, for front ends: the catchpoint as `info breakpoints` lists it."""
        def work() -> ev.BreakpointInfo:
            d = self._dbg
            return d.breakpoints.info(d.catchpoints.catch(kind, arg, temporary)[0])
        return await self._link.stopped_call(work)

    async def inferiors_text(self) -> str:
        """gdb's `info inferiors`."""
        return await self._link.stopped_call(self._dbg.proc.inferiors_text)

    async def inferior_text(self, arg: str = "") -> str:
        """gdb's `inferior [N]`: switch to inferior N, or (no N) say which is current."""
        return await self._link.stopped_call(lambda: self._dbg.inferior_switch.select(arg))

    async def current_inferior(self) -> int:
        """gdb's number of the inferior commands act on ("[Inferior 2 (process N) killed]")."""
        return await self._link.call(lambda: self._dbg.proc.inferiors.current)
