"""Session: the only object front ends hold (STYLE L2/L3).

Every method hops once to the ptrace worker and awaits the result there;
loops (continue N, stepi N, condition checks) stay on the worker. Events
(Stopped, Exited, Output ...) arrive on the bus.
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

from . import events as ev
from .bus import EventBus, Subscription
from .commands import CommandInterpreter
from .debugger import Debugger
from .errors import NotRunning, Running, TdbgError
from .events import CommandResult
from .inspect.frame_regs import fp_registers
from .worker import PtraceWorker

T = TypeVar("T")


class Session:
    def __init__(self, program: str | None = None, args: Sequence[str] = (), *,
                 aslr: bool = False, use_pty: bool = True, tty: str | None = None) -> None:
        self.bus = EventBus()
        self.worker = PtraceWorker()
        self.worker.start()
        self.dbg = Debugger(self.bus.publish)
        # Settings are written before the worker runs anything for this session; later
        # changes go through the worker (set_args, set_tty ...).
        settings = self.dbg.target.settings
        settings.args, settings.aslr, settings.use_pty, settings.tty = list(args), aslr, use_pty, tty
        self._running = False
        self._closed = False
        self._commands: CommandInterpreter | None = None
        if program is not None:
            self.worker.call(lambda: self.dbg.load(program))   # BadExecutable: one line

    # ---- plumbing ----------------------------------------------------------------
    async def _call(self, fn: Callable[[], T]) -> T:
        if self.bus._loop is None:
            self.bus.bind_loop(asyncio.get_running_loop())
        return await asyncio.wrap_future(self.worker.submit(fn))

    async def _stopped_call(self, fn: Callable[[], T]) -> T:
        if self._running:
            raise Running()
        return await self._call(fn)

    async def _resume(self, fn: Callable[[], object]) -> None:
        """Run a resuming command; its stop or exit is published as an event."""
        if self._running:
            raise Running()
        self._running = True
        try:
            await self._call(lambda: self.dbg.report_after(fn))
        finally:
            self._running = False

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
        return self.dbg.inf.pid if self.dbg.alive else None

    @property
    def state(self) -> str:
        if self._running:
            return "running"
        if self.dbg.alive:
            return "stopped"
        return "exited" if self.dbg.inf is not None else "idle"

    @property
    def args(self) -> list[str]:
        return list(self.dbg.target.settings.args)

    @property
    def tty(self) -> str | None:
        """The terminal the next run's stdin/stdout/stderr go to (None: our own pty)."""
        return self.dbg.target.settings.tty

    @tty.setter
    def tty(self, device: str | None) -> None:
        self.worker.call(lambda: setattr(self.dbg.target.settings, "tty", device or None))

    async def load(self) -> None:
        """Index the program's symbols (off the UI thread; cached on disk)."""
        def work():
            prog = self.dbg.target.require_program()
            if prog.main.debug is None:
                self.bus.publish(ev.Message(f"(No debugging symbols found in {prog.path})", "warning"))
            for w in prog.main.warnings:
                self.bus.publish(ev.Message(w, "warning"))
        await self._call(work)

    def main_location(self) -> ev.SourceLocation | None:
        return self.worker.call(lambda: self.dbg.program.main_location() if self.dbg.program else None)

    def source_files(self) -> list[str]:
        def work():
            prog = self.dbg.program
            if prog is None or prog.main.debug is None:
                return []
            return prog.main.debug.source_files()
        return self.worker.call(work)

    def read_source(self, path: str) -> list[str] | None:
        return self.dbg.target.source_lines(path)

    # ---- running ---------------------------------------------------------------------------
    async def run(self, args: Sequence[str] | None = None) -> None:
        await self._resume(lambda: self.dbg.stepper.run(list(args) if args is not None else None))

    async def start(self, args: Sequence[str] | None = None) -> None:
        # Refuse before launching: a program without `main` must not be left half-started.
        await self._stopped_call(lambda: self.dbg.target.require_program().resolve("main"))
        await self._resume(lambda: self.dbg.stepper.run(list(args) if args is not None else None,
                                                 stop_at_main=True))

    async def attach(self, pid: int) -> None:
        await self._resume(lambda: self.dbg.proc.attach(pid))

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
        if ctl is not None and self._running:
            ctl.interrupt()

    async def kill(self) -> None:
        if self._running:
            self.interrupt()
        await self._call(self.dbg.proc.kill)

    async def detach(self) -> int:
        return await self._stopped_call(self.dbg.proc.detach)

    async def close(self) -> None:
        """Kill a launched tracee, detach (without INT3s) from an attached one, stop the worker."""
        if self._closed:
            return
        self._closed = True
        if self._running:
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
        if self._running:
            self.interrupt()
        try:
            self.worker.submit(self.dbg.proc.close).result(timeout=10)
        except Exception:
            pass
        self.worker.stop()

    def close_on_signals(self, loop: asyncio.AbstractEventLoop) -> None:
        """SIGTERM/SIGHUP end tdbg through close(): a launched tracee dies, an attached
        one is detached with no INT3 or debug register left (HARD-CASES E7)."""
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

    # ---- breakpoints -------------------------------------------------------------------------
    async def break_at(self, spec: str, condition: str | None = None,
                       temporary: bool = False) -> ev.BreakpointInfo:
        b = self.dbg.breakpoints
        return await self._stopped_call(lambda: b.info(b.break_at(spec, condition, temporary)[0]))

    async def toggle_breakpoint(self, file: str, line: int) -> tuple[ev.BreakpointInfo | None, str]:
        return await self._stopped_call(lambda: self.dbg.breakpoints.toggle_line(file, line))

    async def delete_breakpoint(self, id: int) -> None:
        await self._stopped_call(lambda: self.dbg.breakpoints.delete(id))

    async def enable_breakpoint(self, id: int, enabled: bool = True) -> None:
        await self._stopped_call(lambda: self.dbg.breakpoints.enable(id, enabled))

    async def enable_location(self, id: int, number: int, enabled: bool = True) -> None:
        """One location of a breakpoint (gdb's `enable|disable ID.NUMBER`)."""
        await self._stopped_call(lambda: self.dbg.breakpoints.enable_location(id, number, enabled))

    async def set_condition(self, id: int, condition: str | None) -> None:
        await self._stopped_call(lambda: self.dbg.breakpoints.set_condition(id, condition))

    async def set_ignore(self, id: int, count: int) -> None:
        await self._stopped_call(lambda: self.dbg.breakpoints.ignore(id, count))

    def breakpoints(self) -> tuple[ev.BreakpointInfo, ...]:
        return self.worker.call(self.dbg.breakpoints.infos)

    # ---- state -------------------------------------------------------------------------------
    async def registers(self, sse: bool = True) -> dict[str, int]:
        """The selected frame's registers; with sse, frame 0 adds xmm0-15 and st0-7."""
        def work():
            regs = self.dbg.frames.frame_registers()
            t = self.dbg.target
            if sse and t.selected_frame == 0:
                regs.update(fp_registers(t.require_inferior(), t.tid))
            return regs
        return await self._stopped_call(work)

    async def evaluate_address(self, expr: str) -> int:
        """An address from an expression: `$rsp`, `&arr`, `p->next`, `0x401000`."""
        return await self._stopped_call(lambda: self.dbg.evaluator.evaluate_address(expr))

    async def read_memory(self, addr: int, n: int) -> bytes:
        return await self._stopped_call(lambda: self.dbg.target.read_memory(addr, n))

    async def read_memory_partial(self, addr: int, n: int) -> tuple[bytes, int]:
        return await self._stopped_call(lambda: self.dbg.target.read_memory_partial(addr, n))

    async def write_memory(self, addr: int, data: bytes) -> None:
        await self._stopped_call(lambda: self.dbg.target.write_memory(addr, data))

    async def disassemble(self, addr: int, count: int):
        return await self._stopped_call(lambda: self.dbg.disassemble(addr, count))

    async def backtrace(self, limit: int = 256):
        return await self._stopped_call(lambda: self.dbg.frames.backtrace(limit))

    async def select_frame(self, level: int):
        return await self._stopped_call(lambda: self.dbg.frames.select_frame(level))

    async def locals(self):
        return await self._stopped_call(lambda: self.dbg.variables.variables())

    async def children(self, expr: str):
        return await self._stopped_call(lambda: self.dbg.variables.children(expr))

    async def threads(self) -> list[ev.ThreadInfo]:
        """Every thread of the stopped program, with its frame 0 (gdb's `info threads`)."""
        return await self._stopped_call(self.dbg.threads.threads_info)

    async def select_thread(self, num: int) -> ev.ThreadInfo:
        """Switch frames, registers and stepping to thread `num` (gdb's `thread N`)."""
        def work():
            self.dbg.threads.select_thread(num)
            return next(t for t in self.dbg.threads.threads_info() if t.current)
        return await self._stopped_call(work)

    async def memory_map(self) -> list:
        """The stopped program's /proc/PID/maps rows (start, end, perms, offset, path)."""
        return await self._stopped_call(lambda: list(self.dbg.target.require_inferior().maps()))

    async def evaluate(self, expr: str) -> str:
        return await self._stopped_call(lambda: self.dbg.evaluator.evaluate_text(expr))

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

    def _interpreter(self) -> CommandInterpreter:
        if self._commands is None:
            self._commands = CommandInterpreter(self)
        return self._commands
