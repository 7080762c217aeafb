"""Session: the only object front ends hold.

Every method hops once to the ptrace worker and awaits the result there;
loops (continue N, stepi N, condition checks) stay on the worker. Events
(Stopped, Exited, Output ...) arrive on the bus.

The Session itself starts, runs and ends the program and knows the facts about it;
the rest is grouped (backend/api/): `session.breakpoints`, `session.frames`,
`session.data`, `session.settings`.
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar, cast

from . import events as ev
from .api.breakpoints import BreakpointsAPI
from .api.command_lists import CommandListsAPI
from .api.core import CoreAPI
from .api.data import DataAPI
from .api.fast import FastAPI
from .api.flow import FlowAPI
from .api.frames import FramesAPI
from .api.info import InfoAPI
from .api.link import WorkerLink
from .api.processes import ProcessesAPI
from .api.registers import RegistersAPI
from .api.settings import SettingsAPI
from .bus import EventBus, Subscription
from .commands import CommandInterpreter
from .debugger import Debugger
from .errors import NotRunning, Running, TdbgError
from .events import CommandResult
from .exec.report import Result
from .process import ptrace_scope  # noqa: F401 - for tui/procs.py (tui imports only this module)
from .process.ptrace import REG_NAMES
from .worker import PtraceWorker

T = TypeVar("T")


class Session:
    def __init__(self, program: str | None = None, args: Sequence[str] = (), *,
                 aslr: bool = False, use_pty: bool = True, tty: str | None = None) -> None:
        self.bus = EventBus()
        self.worker = PtraceWorker()
        self.worker.start()
        self.dbg = Debugger(cast(Callable[[object], None], self.bus.publish))
        # Settings are written before the worker runs anything for this session; later
        # changes go through the worker (session.settings).
        settings = self.dbg.target.settings
        settings.args, settings.aslr, settings.use_pty, settings.tty = list(args), aslr, use_pty, tty
        self.link = WorkerLink(self.worker, self.bus)
        self.breakpoints = BreakpointsAPI(self.link, self.dbg)
        self.frames = FramesAPI(self.link, self.dbg)
        self.data = DataAPI(self.link, self.dbg)
        self.settings = SettingsAPI(self.link, self.dbg)
        self.info = InfoAPI(self.link, self.dbg)
        self.core = CoreAPI(self.link, self.dbg)
        self.fast = FastAPI(self.link, self.dbg)
        self.processes = ProcessesAPI(self.link, self.dbg)     # catch ..., info inferiors
        self.flow = FlowAPI(self.link, self.dbg, self._resume)
        self.command_lists = CommandListsAPI(self.link, self.dbg)   # commands N ... end
        self.registers = RegistersAPI(self.link, self.dbg)     # info registers, all-registers
        self.from_tty = True          # False (batch mode): queries answer themselves, handle is quiet
        # A front end that can ask the user sets this (the TUI's y/n dialog); without it a
        # query is answered yes, as gdb's is when its input is not a terminal.
        self.confirm: Callable[[str], Awaitable[bool]] | None = None
        self._closed = False
        self._commands: CommandInterpreter | None = None
        if program is not None:
            self.worker.call(lambda: self.dbg.load(program))   # BadExecutable: one line

    # ---- plumbing ----------------------------------------------------------------
    async def _call(self, fn: Callable[[], T]) -> T:
        return await self.link.call(fn)

    async def _stopped_call(self, fn: Callable[[], T]) -> T:
        return await self.link.stopped_call(fn)

    async def _resume(self, fn: Callable[[], Result | None]) -> None:
        """Run a resuming command; its stop or exit is published as an event."""
        if self.link.running:
            raise Running()
        self.link.running = True
        loop = asyncio.get_running_loop()
        link = self.link

        def settled() -> None:
            # Queued on the loop before the bus delivers the stop (both go through
            # call_soon_threadsafe, in order): handlers of Stopped may fetch at once.
            loop.call_soon_threadsafe(setattr, link, "running", False)
        try:
            await self._call(lambda: self.dbg.report_after(fn, settled))
        finally:
            self.link.running = False

    def events(self) -> Subscription:
        if self.bus._loop is None:
            self.bus.bind_loop(asyncio.get_running_loop())
        return self.bus.subscribe()

    # ---- facts ---------------------------------------------------------------------------
    @property
    def program(self) -> str | None:
        return self.dbg.program.path if self.dbg.program else None

    @property
    def pid(self) -> int | None:
        inf = self.dbg.inf
        return inf.pid if inf is not None and self.dbg.alive else None

    @property
    def alive(self) -> bool:
        """There is a process (stopped or running)."""
        return self.dbg.alive

    @property
    def stop_pc(self) -> int | None:
        """Where the program stopped; None while it runs, before it runs, and after a resume
        that failed before stopping."""
        stop = self.dbg.target.stop
        return stop.pc if stop is not None else None

    @property
    def state(self) -> str:
        if self.link.running:
            return "running"
        if self.dbg.alive:
            return "stopped"
        return "exited" if self.dbg.inf is not None else "idle"

    async def load(self) -> None:
        """Index the program's symbols (off the UI thread; cached on disk)."""
        def work() -> None:
            prog = self.dbg.target.require_program()
            if prog.main.debug is None:
                self.bus.publish(ev.Message(f"(No debugging symbols found in {prog.path})", "warning"))
            for w in prog.main.warnings:
                self.bus.publish(ev.Message(w, "warning"))
        await self._call(work)

    async def load_program(self, path: str) -> None:
        """gdb's `file PATH`: the program the next run starts (read for its symbols)."""
        await self._stopped_call(lambda: self.dbg.load(path))

    # ---- source and symbols ------------------------------------------------------------------
    def main_location(self) -> ev.SourceLocation | None:
        return self.worker.call(lambda: self.dbg.program.main_location() if self.dbg.program else None)

    def source_files(self) -> list[str]:
        def work() -> list[str]:
            prog = self.dbg.program
            if prog is None or prog.main.debug is None:
                return []
            return prog.main.debug.source_files()
        return self.worker.call(work)

    def read_source(self, path: str) -> list[str] | None:
        """Without a hop: the source pane reads while the program runs."""
        return self.dbg.target.source_lines(path)

    def completions(self, word: str) -> list[str]:
        """What a command's argument starting with `word` may be: $registers, symbols, source
        file names (unsorted, may repeat); nothing without a program. Without a hop, like
        read_source: completion must not wait for a running program."""
        prog = self.dbg.target.program
        if prog is None:
            return []
        if word.startswith("$"):
            return ["$" + r for r in REG_NAMES if ("$" + r).startswith(word)]
        out = prog.main.elf.symbols_matching(word)[:200]
        if prog.main.debug is not None and word:
            out += [os.path.basename(f) for f in prog.main.debug.source_files()
                    if os.path.basename(f).startswith(word)]
        return out

    # ---- running ---------------------------------------------------------------------------
    async def run(self, args: Sequence[str] | None = None) -> None:
        await self._resume(lambda: self.dbg.stepper.run(list(args) if args is not None else None))

    async def start(self, args: Sequence[str] | None = None) -> None:
        # Refuse before launching: a program without `main` must not be left half-started.
        await self._stopped_call(lambda: self.dbg.target.require_program().resolve("main"))
        await self._resume(lambda: self.dbg.stepper.run(list(args) if args is not None else None,
                                                 stop_at_main=True))

    async def attach(self, pid: int) -> None:
        await self._resume(lambda: self.dbg.flow.attach(pid, self.from_tty))   # gdb's words

    async def cont(self, count: int = 1) -> None:
        await self._resume(lambda: self.dbg.proc.cont(count))

    async def step(self, count: int = 1) -> None:
        await self._resume(lambda: self.dbg.stepper.step(count))

    async def next(self, count: int = 1) -> None:
        await self._resume(lambda: self.dbg.stepper.next(count))

    async def finish(self) -> None:
        await self._resume(lambda: self.dbg.stepper.finish())

    async def stepi(self, count: int = 1) -> None:
        await self._resume(lambda: self.dbg.stepper.stepi(count))

    async def nexti(self, count: int = 1) -> None:
        await self._resume(lambda: self.dbg.stepper.nexti(count))

    async def until(self, location: str | None = None) -> None:
        await self._resume(lambda: self.dbg.stepper.until(location))

    async def advance(self, location: str) -> None:
        await self._resume(lambda: self.dbg.stepper.until(location, advance=True))

    def interrupt(self) -> None:
        """Any thread: stop the running program (Ctrl-C)."""
        ctl = self.dbg.ctl
        if ctl is not None and self.link.running:
            ctl.interrupt()

    async def kill(self) -> None:
        if self.core.active:        # a core is dropped (the TUI's run kills what it debugs)
            await self.core.discard()
            return
        if self.link.running:
            self.interrupt()
        await self._call(self.dbg.proc.kill)

    async def detach(self) -> int:
        return await self._stopped_call(self.dbg.proc.detach)

    async def close(self) -> None:
        """Kill a launched tracee, detach (without INT3s) from an attached one, stop the worker."""
        if self._closed:
            return
        self._closed = True
        if self.link.running:
            self.interrupt()
        try:
            await asyncio.wait_for(asyncio.wrap_future(self.worker.submit(self.dbg.proc.close)), 10)
        except (TimeoutError, TdbgError, OSError):
            pass
        self.worker.stop()

    def close_sync(self) -> None:
        """close() for non-async callers (atexit, signal handlers)."""
        if self._closed:
            return
        self._closed = True
        if self.link.running:
            self.interrupt()
        try:
            self.worker.submit(self.dbg.proc.close).result(timeout=10)
        except Exception:
            pass
        self.worker.stop()

    def close_on_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """SIGTERM/SIGHUP end tdbg through close(): a launched tracee dies, an attached
        one is detached with no INT3 or debug register left (docs/hard-cases.md E7)."""
        import signal
        import sys

        def quit_now(sig: int) -> None:
            self.close_sync()
            sys.stdout.flush()
            os._exit(128 + sig)
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, quit_now, sig)
            except (NotImplementedError, RuntimeError):
                pass

    # ---- the program's terminal ---------------------------------------------------------------
    async def write_stdin(self, data: bytes) -> None:
        inf = self.dbg.inf
        if inf is None or inf.pty_master is None or not inf.alive:
            raise NotRunning("The program has no terminal to type into.")
        os.write(inf.pty_master, data)

    def resize_pty(self, rows: int, cols: int) -> None:
        import fcntl
        import struct
        import termios
        inf = self.dbg.inf
        if inf is not None and inf.pty_master is not None and inf.alive:
            try:
                fcntl.ioctl(inf.pty_master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            except OSError:
                pass

    # ---- the command language ----------------------------------------------------------------
    async def execute(self, line: str) -> CommandResult:
        return await self._interpreter().execute(line)

    def complete(self, line: str) -> list[str]:
        return self._interpreter().complete(line)

    @property
    def commands(self) -> CommandInterpreter:
        """The command interpreter: front ends set its `emit` and read its open block."""
        return self._interpreter()

    def _interpreter(self) -> CommandInterpreter:
        if self._commands is None:
            self._commands = CommandInterpreter(self)
        return self._commands
