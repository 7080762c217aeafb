"""Breakpoint command lists (gdb's `commands N ... end`): kept per breakpoint number, shown
under the breakpoint in `info breakpoints`, and handed to the command interpreter after a
stop at that breakpoint (backend/commands/registry.py runs them). Worker thread only,
except `pending`, a single attribute the worker replaces whole.

A list goes with its breakpoint: gdb never reuses a breakpoint number, so a list whose
breakpoint is gone (delete, a spent tbreak) is dropped the next time lists are looked at,
without a hook in breaks/breakpoints.py.
"""
from __future__ import annotations

from collections.abc import Iterable

from ..program.target import Target
from .manager import Manager

INDENT = " " * 8        # gdb's print_command_lines at depth 1 under the breakpoint's row


class CommandLists:
    def __init__(self, target: Target, bps: Manager) -> None:
        self.target = target
        self.bps = bps
        self.lists: dict[int, tuple[str, ...]] = {}
        # (stop_id, the list of the breakpoint that stop hit): copied at the stop, as gdb's
        # bpstat does, so a tbreak deleted by its own hit still runs its list
        self.pending: tuple[int, tuple[str, ...]] | None = None

    def exists(self, id: int) -> bool:
        b = self.bps.bps.get(id)
        return b is not None and b.registered

    def last_created(self) -> int:
        """gdb's breakpoint_count: the number the last breakpoint got (0: none yet)."""
        return self.bps._next_id - 1

    def set(self, ids: Iterable[int], lines: Iterable[str]) -> None:
        body = tuple(lines)
        for i in ids:
            if not self.exists(i):
                continue
            if body:
                self.lists[i] = body
            else:
                self.lists.pop(i, None)

    def lines_of(self, id: int) -> tuple[str, ...]:
        if id in self.lists and not self.exists(id):
            del self.lists[id]
        return self.lists.get(id, ())

    def table_lines(self, extra: dict[int, list[str]]) -> dict[int, list[str]]:
        """`info breakpoints`'s lines under each row: dprintf's (extra) then the list's."""
        out = {k: list(v) for k, v in extra.items()}
        for i in list(self.lists):
            body = self.lines_of(i)
            if body:
                out.setdefault(i, []).extend(INDENT + ln for ln in body)
        return out

    def at_stop(self, stop_id: int, breakpoint_id: int | None) -> bool:
        """Every reported stop (exec/report.py): the list of the breakpoint it hit becomes
        pending; True when that list starts with `silent` (gdb prints no report for it)."""
        # not lines_of: a tbreak is gone by its own stop, and its list runs
        body = self.lists.get(breakpoint_id, ()) if breakpoint_id is not None else ()
        self.pending = (stop_id, body) if body else None
        return bool(body) and body[0] == "silent"

    def take(self) -> tuple[str, ...]:
        """The list of the stop the program is at, once (an older stop's list is dropped)."""
        p, self.pending = self.pending, None
        stop = self.target.stop
        if p is None or stop is None or stop.stop_id != p[0]:
            return ()
        return p[1]
