"""`session.settings`: how the next run starts, and gdb's `set` / `handle` switches.

Changes hop to the ptrace worker (link.py), which owns the settings: they wait for a
running program to stop rather than refuse, and a later `run` sees them. The two values
front ends show (args, tty) are read without a hop: only these methods change them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..disasm.decode import set_flavor

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink

# gdb's query for SIGTRAP/SIGINT, answered: question -> (answer, text to print)
Confirm = Callable[[str], tuple[bool, str]]


class SettingsAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    # ---- the next run ----------------------------------------------------------------------
    @property
    def args(self) -> list[str]:
        return list(self._dbg.target.settings.args)

    async def set_args(self, args: Sequence[str]) -> None:
        """gdb's `set args`."""
        settings = self._dbg.target.settings
        await self._link.call(lambda: setattr(settings, "args", list(args)))

    @property
    def tty(self) -> str | None:
        """The terminal the next run's stdin/stdout/stderr go to (None: our own pty)."""
        return self._dbg.target.settings.tty

    async def set_tty(self, device: str | None) -> None:
        """gdb's `tty DEV` / `set inferior-tty [DEV]` (None or "": back to tdbg's own terminal)."""
        settings = self._dbg.target.settings
        await self._link.call(lambda: setattr(settings, "tty", device or None))

    async def set_disable_randomization(self, on: bool) -> None:
        """gdb's `set disable-randomization on|off` (on: the run has no ASLR)."""
        settings = self._dbg.target.settings
        await self._link.call(lambda: setattr(settings, "aslr", not on))

    # ---- switches ----------------------------------------------------------------------------
    async def set_breakpoint_pending(self, mode: str) -> None:
        """gdb's `set breakpoint pending on|off|auto`."""
        solib = self._dbg.solib
        await self._link.call(lambda: setattr(solib, "pending_mode", mode))

    async def set_disassembly_flavor(self, flavor: str) -> None:
        """gdb's `set disassembly-flavor att|intel`."""
        await self._link.call(lambda: set_flavor(flavor))

    async def set_from_tty(self, on: bool) -> None:
        """gdb's from_tty for the commands that say more when typed (finish's "Run till
        exit from ..."); gdb -batch runs its -ex commands without it."""
        stepper = self._dbg.stepper
        await self._link.call(lambda: setattr(stepper, "from_tty", on))

    # ---- signals -----------------------------------------------------------------------------
    async def handle(self, words: Sequence[str], confirm: Confirm) -> tuple[list[str], list[str]]:
        """gdb's `handle SIGNAL... [ACTION]...`: (notes printed meanwhile, the table rows of the
        signals changed under their header; [] when none changed). `confirm` answers
        gdb's query for the signals the debugger uses itself."""
        def work() -> tuple[list[str], list[str]]:
            table = self._dbg.signals
            changed, notes = table.handle(list(words), confirm)
            rows = [table.HEADER] + [table.row(n) for n in changed] if changed else []
            return notes, rows
        return await self._link.call(work)

    async def signals_text(self, arg: str = "") -> str:
        """gdb's `info signals [SIGNAL]`."""
        d = self._dbg
        return await self._link.stopped_call(lambda: d.signals.info(arg, d.evaluator.evaluate_address))
