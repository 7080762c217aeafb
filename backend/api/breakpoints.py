"""`session.breakpoints`: breakpoints and watchpoints as gdb users set and change them.

Every method hops once to the ptrace worker (link.py); several services may take part in
one hop, so a command's effect and its reply come from the same moment. Methods named
`..._text` return what gdb prints for the command; the others serve front ends.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import events as ev
from ..breaks.table import table
from ..errors import CommandError, PendingQuery

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink

# `break` raises it when gdb would ask "Make breakpoint pending on future shared library
# load?" (`set breakpoint pending auto`, the default); the command language words the query.
__all__ = ["BreakpointsAPI", "PendingQuery"]


class BreakpointsAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    # ---- setting --------------------------------------------------------------------------
    async def break_at(self, spec: str, condition: str | None = None,
                       temporary: bool = False) -> ev.BreakpointInfo:
        b = self._dbg.breakpoints
        return await self._link.stopped_call(lambda: b.info(b.break_at(spec, condition, temporary)[0]))

    async def break_text(self, spec: str, condition: str | None = None, temporary: bool = False) -> str:
        """gdb's `break`/`tbreak`: what it says ("Breakpoint 1 at 0x...: file f.c, line 3.")."""
        b = self._dbg.breakpoints
        return await self._link.stopped_call(lambda: b.break_at(spec, condition, temporary)[1])

    async def watch_text(self, expr: str, access: str = "w") -> str:
        """gdb's `watch` ("w"), `rwatch` ("r") and `awatch` ("rw")."""
        w = self._dbg.watch
        return await self._link.stopped_call(lambda: w.set_watchpoint(expr, access)[1])

    async def toggle(self, file: str, line: int) -> tuple[ev.BreakpointInfo | None, str]:
        """The source gutter's click: delete the breakpoint on that line, or set one."""
        return await self._link.stopped_call(lambda: self._dbg.breakpoints.toggle_line(file, line))

    # ---- deleting -------------------------------------------------------------------------
    async def delete(self, id: int) -> None:
        await self._link.stopped_call(lambda: self._dbg.breakpoints.delete(id))

    async def delete_many(self, ids: Sequence[int] | None = None) -> None:
        """gdb's `delete [N]...`: these in order (stopping at the first that fails), or with
        None every user breakpoint."""
        def work() -> None:
            d = self._dbg
            with d.breakpoints.one_event():     # one BreakpointChanged, not one per breakpoint
                for i in ids if ids is not None else [b.id for b in d.bps.user_breakpoints()]:
                    d.breakpoints.delete(i)
        await self._link.stopped_call(work)

    async def clear_text(self, spec: str) -> str:
        """gdb's `clear [LOCATION]`: every breakpoint at LOCATION (none: where the program
        stopped) is deleted."""
        def work() -> str:
            d = self._dbg
            t = d.target
            resolved = t.require_program().resolve(spec, t.current_file()) if spec else None
            addrs = set(resolved.addrs) if resolved else {t.stop.pc} if t.stop else set()
            gone = [b.id for b in d.bps.user_breakpoints() if set(b.addrs) & addrs
                    or (not b.addrs and resolved and resolved.line is not None
                        and b.spec.endswith(f":{resolved.line}"))]
            with d.breakpoints.one_event():
                for i in gone:
                    d.breakpoints.delete(i)
            if not gone:
                raise CommandError(f"No breakpoint at {spec}.")
            return f"Deleted breakpoint{'s' if len(gone) > 1 else ''} {' '.join(map(str, gone))} "
        return await self._link.stopped_call(work)

    # ---- changing -------------------------------------------------------------------------
    async def enable(self, id: int, enabled: bool = True) -> None:
        await self._link.stopped_call(lambda: self._dbg.breakpoints.enable(id, enabled))

    async def enable_location(self, id: int, number: int, enabled: bool = True) -> None:
        """One location of a breakpoint (gdb's `enable|disable ID.NUMBER`)."""
        await self._link.stopped_call(lambda: self._dbg.breakpoints.enable_location(id, number, enabled))

    async def enable_text(self, numbers: str, enabled: bool) -> str:
        """gdb's `enable`/`disable` with its N, N-M, N.M and N.M-L arguments (none: all)."""
        return await self._link.stopped_call(lambda: self._dbg.breakpoints.enable_disable(numbers, enabled))

    async def condition(self, id: int, condition: str | None) -> list[str]:
        """Set or (None) remove a condition; returns gdb's notes about locations where the
        condition cannot be evaluated, or can again."""
        def work() -> list[str]:
            notes: list[str] = []
            self._dbg.breakpoints.set_condition(id, condition, notes)
            return notes
        return await self._link.stopped_call(work)

    async def ignore(self, id: int, count: int) -> None:
        await self._link.stopped_call(lambda: self._dbg.breakpoints.ignore(id, count))

    # ---- listing --------------------------------------------------------------------------
    def info(self) -> tuple[ev.BreakpointInfo, ...]:
        """Every user breakpoint (not a coroutine: front ends call it from a thread; it
        waits for a running program to stop)."""
        return self._link.wait(self._dbg.breakpoints.infos)

    async def table_text(self) -> str:
        """gdb's `info breakpoints`."""
        def work() -> str:
            d = self._dbg
            return table(d.breakpoints.infos(), frozenset(d.solib.unloaded), frozenset(d.solib.unresolved),
                         d.command_lists.table_lines(d.dprintfs.table_lines()),
                         d.proc.inferiors.with_program(), d.proc.inferiors.many)
        return await self._link.stopped_call(work)
