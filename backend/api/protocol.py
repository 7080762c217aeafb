"""What the command language (backend/commands/) needs of a Session (backend/session.py).

The commands sit below the Session in the layers (tests/test_layering.py), so they name
this interface instead of the class; mypy checks that Session provides it where
Session builds its CommandInterpreter.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .breakpoints import BreakpointsAPI
    from .command_lists import CommandListsAPI
    from .core import CoreAPI
    from .data import DataAPI
    from .fast import FastAPI
    from .flow import FlowAPI
    from .frames import FramesAPI
    from .info import InfoAPI
    from .processes import ProcessesAPI
    from .registers import RegistersAPI
    from .settings import SettingsAPI


class SessionAPI(Protocol):
    from_tty: bool              # False in batch mode: queries answer themselves, notes stay quiet
    breakpoints: BreakpointsAPI
    frames: FramesAPI
    data: DataAPI
    flow: FlowAPI
    confirm: Callable[[str], Awaitable[bool]] | None   # asks the user; None: answer yes
    settings: SettingsAPI
    info: InfoAPI
    core: CoreAPI
    fast: FastAPI
    processes: ProcessesAPI
    command_lists: CommandListsAPI
    registers: RegistersAPI

    # ---- facts ----------------------------------------------------------------------------
    @property
    def program(self) -> str | None: ...
    @property
    def pid(self) -> int | None: ...
    @property
    def alive(self) -> bool: ...
    @property
    def stop_pc(self) -> int | None: ...
    def completions(self, word: str) -> list[str]: ...

    # ---- the program's life ----------------------------------------------------------------
    async def load_program(self, path: str) -> None: ...
    async def run(self, args: Sequence[str] | None = None) -> None: ...
    async def start(self, args: Sequence[str] | None = None) -> None: ...
    async def attach(self, pid: int) -> None: ...
    async def cont(self, count: int = 1) -> None: ...
    async def step(self, count: int = 1) -> None: ...
    async def next(self, count: int = 1) -> None: ...
    async def finish(self) -> None: ...
    async def stepi(self, count: int = 1) -> None: ...
    async def nexti(self, count: int = 1) -> None: ...
    async def until(self, location: str | None = None) -> None: ...
    async def advance(self, location: str) -> None: ...
    async def kill(self) -> None: ...
    async def detach(self) -> int: ...
    async def close(self) -> None: ...
