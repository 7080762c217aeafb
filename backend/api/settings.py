"""`session.settings`: how the next run starts, and gdb's `set` / `handle` switches.

Changes hop to the ptrace worker (link.py), which owns the settings: they wait for a
running program to stop rather than refuse, and a later `run` sees them. The two values
front ends show (args, tty) are read without a hop: only these methods change them.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..disasm.decode import flavor, set_flavor
from ..symbols import value_format
from ..symbols.index.debug_info import (
    choose_debug_file_directories,
    debug_file_directories,
    split_directories,
)

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

    async def disable_randomization(self) -> bool:
        settings = self._dbg.target.settings
        return await self._link.call(lambda: not settings.aslr)

    # gdb's scheduler-locking, follow-fork-mode, detach-on-fork: LaunchSettings fields
    # (program/target.py) that exec/ reads
    _RUN_MODES = ("scheduler_locking", "follow_fork_mode", "detach_on_fork")

    async def run_mode(self, name: str) -> str | bool:
        """One of _RUN_MODES: its value now."""
        if name not in self._RUN_MODES:
            raise KeyError(name)
        settings = self._dbg.target.settings
        return await self._link.call(lambda: getattr(settings, name))    # type: ignore[no-any-return]

    async def set_run_mode(self, name: str, value: str | bool) -> None:
        if name not in self._RUN_MODES:
            raise KeyError(name)
        settings = self._dbg.target.settings
        await self._link.call(lambda: setattr(settings, name, value))

    # ---- switches ----------------------------------------------------------------------------
    async def breakpoint_pending(self) -> str:
        solib = self._dbg.solib
        return await self._link.call(lambda: solib.pending_mode)

    async def disassembly_flavor(self) -> str:
        return await self._link.call(flavor)

    async def print_pretty(self) -> bool:
        return await self._link.call(lambda: value_format.OPTIONS.pretty)

    async def set_print_pretty(self, on: bool) -> None:
        """gdb's `set print pretty on|off`: structures one member a line."""
        await self._link.call(lambda: setattr(value_format.OPTIONS, "pretty", on))

    async def frame_arguments(self) -> str:
        variables = self._dbg.variables
        return await self._link.call(lambda: variables.frame_arguments)

    async def set_frame_arguments(self, mode: str) -> None:
        """gdb's `set print frame-arguments all|scalars|none|presence`."""
        variables = self._dbg.variables
        await self._link.call(lambda: setattr(variables, "frame_arguments", mode))

    async def listsize(self) -> int | None:
        target = self._dbg.target
        return await self._link.call(lambda: target.listsize)

    async def set_listsize(self, n: int | None) -> None:
        """gdb's `set listsize N|unlimited`: the lines one `list` shows."""
        target = self._dbg.target
        await self._link.call(lambda: setattr(target, "listsize", n))

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

    # ---- separate debug files ----------------------------------------------------------------
    async def debug_file_directory(self) -> str:
        """gdb's `show debug-file-directory`: the colon-separated directories."""
        return await self._link.call(lambda: ":".join(debug_file_directories()))

    async def set_debug_file_directory(self, text: str) -> None:
        """For objects read from now on, as in gdb (symbols/index/debug_info.py)."""
        await self._link.call(lambda: choose_debug_file_directories(split_directories(text)))

    # ---- source path -------------------------------------------------------------------------
    async def source_dirs(self) -> list[str]:
        """gdb's source path before $cdir:$cwd (`directory`, `show directories`)."""
        return await self._link.call(lambda: list(self._dbg.target.source_dirs))

    async def set_source_dirs(self, dirs: list[str]) -> None:
        target = self._dbg.target
        await self._link.call(lambda: target.set_source_dirs(list(dirs)))
