"""`session.command_lists`: breakpoint command lists (backend/breaks/command_lists.py), each
method one hop to the ptrace worker (link.py)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink


class CommandListsAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    async def last_created(self) -> int:
        return await self._link.call(self._dbg.command_lists.last_created)

    async def existing(self, ids: Sequence[int]) -> list[bool]:
        lists = self._dbg.command_lists
        return await self._link.call(lambda: [lists.exists(i) for i in ids])

    async def set(self, ids: Sequence[int], lines: Sequence[str]) -> None:
        await self._link.call(lambda: self._dbg.command_lists.set(ids, lines))

    @property
    def pending(self) -> bool:
        """A stop's list waits to run (read without a hop: the worker replaces it whole)."""
        return self._dbg.command_lists.pending is not None

    async def take(self) -> tuple[str, ...]:
        return await self._link.call(self._dbg.command_lists.take)
