"""`session.info`: gdb's `info address`, `info source`, `info proc` and `info watchpoints`.

Each method hops once to the ptrace worker (link.py) and returns what gdb prints.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..breaks.table import table
from ..errors import CommandError
from ..inspect.proc_maps import info_proc
from ..inspect.symbol_info import info_address, info_source

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink


class InfoAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    async def address_text(self, name: str) -> str:
        """gdb's `info address SYMBOL`: where the symbol lives (static storage, a
        register, the frame, a function's entry)."""
        d = self._dbg
        return await self._link.stopped_call(lambda: info_address(d.target, d.frames, name))

    async def source_text(self) -> str:
        """gdb's `info source`: the current source file, its unit's directory, producer,
        language and DWARF version."""
        d = self._dbg
        return await self._link.stopped_call(lambda: info_source(d.target, d.frames))

    async def proc_text(self, arg: str = "") -> str:
        """gdb's `info proc [mappings|cmdline|cwd|exe|all] [PID]`."""
        t = self._dbg.target

        def work() -> str:
            return info_proc(arg, t.inf.pid if t.alive and t.inf is not None else None)
        return await self._link.call(work)

    async def watchpoints_text(self, arg: str = "") -> str:
        """gdb's `info watchpoints [N...]`: the breakpoint table's watchpoint rows."""
        d = self._dbg

        def work() -> str:
            infos = tuple(b for b in d.breakpoints.infos() if "watchpoint" in b.kind)
            if arg.strip():
                if infos:
                    # gdb's number_is_in_list reads the list only to test a watchpoint
                    wanted = _numbers(arg)
                    infos = tuple(b for b in infos if b.id in wanted)
                if not infos:
                    return f"No watchpoint matching '{arg.strip()}'."
            if not infos:
                return "No watchpoints."
            return table(infos, frozenset(d.solib.unloaded), frozenset(d.solib.unresolved))
        return await self._link.call(work)


def _numbers(arg: str) -> set[int]:
    """gdb's number list: N and N-M."""
    out: set[int] = set()
    for word in arg.split():
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", word)
        if m is None:
            raise CommandError("Arguments must be numbers or '$' variables.")
        lo = int(m.group(1))
        out.update(range(lo, int(m.group(2) or lo) + 1))
    return out
