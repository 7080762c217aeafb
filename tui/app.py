"""The Textual app: owns the Session, bridges its events, holds the state panes render.

One bridge worker turns backend events into Textual messages; the
handlers here update reactives (``stop``, ``breakpoints``, ``frame`` ...) that
panes watch. Control actions live in ``actions.py``, the frame snapshot in
``frame_sync.py``; nothing here computes debug information.
"""
from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import PurePath
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import App
from textual.reactive import var
from textual.timer import Timer
from textual.widgets import Input

from tdbg.backend.events import BreakpointChanged, BreakpointInfo, Stopped, ThreadInfo

from . import bpstore, config, keymap, startup, theming
from . import messages as msg
from .actions import DebuggerActions
from .frame_sync import FrameSync
from .frame_view import FrameView
from .main_screen import MainScreen
from .palette import TdbgCommands
from .panes.command import CommandPane
from .panes.console import ConsolePane
from .panes.source import SourcePane
from .util import reported

if TYPE_CHECKING:
    from tdbg.backend.session import Session


def _css_paths() -> list[str | PurePath]:
    base = resources.files("tdbg.themes")
    return [str(base / f) for f in ("layout.tcss", "panes.tcss", "dark.tcss", "light.tcss",
                                    "high_contrast.tcss")]


class TdbgApp(FrameSync, DebuggerActions, App):
    CSS_PATH = _css_paths()
    TITLE = "tdbg"
    BINDINGS = [*keymap.DEBUGGER]
    COMMANDS = App.COMMANDS | {TdbgCommands}
    ENABLE_COMMAND_PALETTE = True

    run_state: var[str] = var("idle", init=False)   # idle|loading|running|stopped|exited
    stop: var[Stopped | None] = var(None, always_update=True, init=False)
    # the same stop, set once the first paint (source, registers, status) is out:
    # heavier panes (memory, disassembly) fetch on this one
    stop_settled: var[Stopped | None] = var(None, always_update=True, init=False)
    breakpoints: var[tuple[BreakpointInfo, ...]] = var((), always_update=True, init=False)
    # the selected frame of the newest stop, and all that was fetched for it (frame_sync.py)
    frame: var[FrameView | None] = var(None, init=False)
    # a thread the user switched to (`thread N`, the threads pane); None: the stop's own
    selected_thread: var[ThreadInfo | None] = var(None, always_update=True, init=False)

    def __init__(self, session: Session | None = None, *, program: str | None = None,
                 args: Sequence[str] = (), pid: int | None = None, theme: str | None = None,
                 start: bool = False, commands: Sequence[str] = (), tty: str | None = None,
                 preview: startup.Future[startup.MainSource | None] | None = None,
                 mask_pids: bool = False) -> None:
        super().__init__()
        for t in theming.tdbg_themes():
            self.register_theme(t)
        cfg = config.load_config()
        name = theming.resolve_name(theme or cfg.get("theme") or theming.DEFAULT)
        self._remember_theme = False
        self._initial_theme(name if name in self.available_themes else theming.DEFAULT)
        self._remember_theme = True
        keys = cfg.get("keys")
        if isinstance(keys, dict):
            self.set_keymap({str(k): str(v) for k, v in keys.items()})
        self.session = session
        self.program = program or (session.program if session is not None else None)
        self.args = list(args)
        self.attach_pid = pid
        self.start_at_main = start
        self.startup_commands = list(commands)
        self.tty = tty                    # --tty: the program's I/O goes to that terminal
        self.preview = preview            # main's source, read before the backend loads
        self._loaded = asyncio.Event()    # the Session exists and has loaded (or failed)
        # process ids shown as "PID": a picture of the screen (a snapshot test, a
        # screenshot in a bug report) then does not change from run to run
        self.mask_pids = mask_pids
        self.attached = False
        self.exit_banner: str | None = None
        self.exit_message: str | None = None
        self._running_timer: Timer | None = None
        self._pending_output: list[bytes] = []

    def notify(self, message: str, *, title: str = "", severity: str = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Backend text ("arr[3]", "[ ZF ]") is never console markup."""
        super().notify(str(message), title=title, severity=severity,  # type: ignore[arg-type]
                       timeout=timeout, markup=False)

    # -- theming --------------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theming.variable_defaults()

    def _initial_theme(self, name: str) -> None:
        """The theme before anything is parsed. Setting `theme` would make textual parse
        every stylesheet a second time as the app starts (~40 ms before the first frame);
        textual's documented `set_reactive` skips that, and the stylesheet simply gets
        this theme's variables. A light theme also changes textual's ANSI colour filter:
        that one takes the ordinary path."""
        if self.available_themes[name].dark != self.current_theme.dark:
            self.theme = name
            return
        self.remove_class(f"-theme-{self.theme}")
        self.set_reactive(App.theme, name)
        self.add_class(f"-theme-{name}")
        self.stylesheet.set_variables(self.get_css_variables())
        for t in theming.tdbg_themes():
            self.set_class(t.name == name, f"-{t.name}")

    def watch_theme(self, name: str) -> None:
        for t in theming.tdbg_themes():
            self.set_class(t.name == name, f"-{t.name}")
        if getattr(self, "_remember_theme", False):
            config.save_config(theme=name)

    # -- lifecycle ------------------------------------------------------------------
    def on_mount(self) -> None:
        self._quit_on_signals()
        if self.session is None and self.program is None and self.attach_pid is None:
            from .start_screen import StartScreen
            self.push_screen(StartScreen())
        else:
            self.open_debugger()

    def _quit_on_signals(self) -> None:
        """SIGTERM/SIGHUP: the program is killed (launched) or detached without an INT3
        (attached), then a normal exit restores the terminal (tests/test_faults.py)."""
        import asyncio
        import signal

        def quit_now(sig: int) -> None:
            self.flush_breakpoints()
            if self.session is not None:
                self.session.close_sync()
            self.exit(return_code=128 + sig)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, quit_now, sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def open_debugger(self, program: str | None = None, args: Sequence[str] | None = None,
                      pid: int | None = None) -> None:
        if program is not None:
            self.program, self.args = program, list(args or ())
            self.preview = None
        if pid is not None:
            self.attach_pid = pid
        if self.preview is None and self.session is None and self.program and self.attach_pid is None:
            self.preview = startup.preview(self.program)
        self.push_screen(MainScreen())
        self.run_state = "loading"
        self.update_status()
        self._session_setup()

    @property
    def main(self) -> MainScreen | None:
        """The debugger screen once its panes exist (None before, or on the start screen)."""
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen) and screen.ready:
                return screen
        return None

    def main_mounted(self) -> None:
        """MainScreen's panes exist: if main's source is known already, it is in the first frame."""
        self.update_status()
        if self.preview is not None and self.preview.done():
            self._show_preview(self.preview.result())

    def _show_preview(self, found: startup.MainSource | None) -> None:
        source = self.main.query_one("#source", SourcePane) if self.main else None
        if found is not None and source is not None and source.view.path is None:
            source.show_lines(found.file, found.line, found.lines)
            source.view.focus()

    async def loaded_session(self) -> Session | None:
        """The Session once it has loaded (keys pressed meanwhile wait for it); None if it failed."""
        if self.session is None or not self._loaded.is_set():
            if self.run_state != "loading":
                return None
            await self._loaded.wait()
        return self.session

    @work(exit_on_error=False, group="setup")
    async def _session_setup(self) -> None:
        """Show main's source as soon as it is known, then create (off the UI thread) and
        load the session while the screen is already interactive."""
        while self.main is None:          # the panes must exist before events arrive
            await asyncio.sleep(0.005)
        if self.preview is not None and self.main.query_one("#source", SourcePane).view.path is None:
            self._show_preview(await asyncio.wrap_future(self.preview))
        await self._next_frame()          # that frame first: the backend import takes a while
        try:
            ok = await self._load_session()
        except Exception as e:            # a backend bug must not leave "loading" forever
            ok = False
            self.exit_message = f"tdbg: internal error: {type(e).__name__}: {e}".splitlines()[0]
            self.exit(return_code=1, message=self.exit_message)
        self._loaded.set()
        if not ok:
            return
        self.run_state = "idle"
        source_pane = self.main.query_one("#source", SourcePane)
        if source_pane.view.path and not isinstance(self.focused, Input):
            source_pane.view.focus()          # unless the user is typing already
        if self.attach_pid is not None:
            await self._control_now("attach", self.attach_pid)
            self.attached = True
        elif self.start_at_main:
            await self._control_now("start")
        for line in self.startup_commands:
            self.command_pane_run(line)

    async def _next_frame(self) -> None:
        done = asyncio.get_running_loop().create_future()

        def painted() -> None:
            if not done.done():
                done.set_result(None)
        self.call_after_refresh(painted)
        try:
            await asyncio.wait_for(done, 0.5)
        except TimeoutError:
            pass

    async def _load_session(self) -> bool:
        """False: the program could not be opened (the app is exiting with why)."""
        from tdbg.backend.errors import TdbgError
        session = self.session
        try:
            if session is None:
                prog = self.program if self.attach_pid is None else None
                # importing the backend and indexing the program both happen off the loop
                created: Session = await asyncio.to_thread(_new_session, prog, self.args)
                session = self.session = created
            if self.tty:
                await session.settings.set_tty(self.tty)
            self._bridge(session)
            session.confirm = self.confirm_query      # gdb's queries: a y/n dialog
            await session.load()
        except TdbgError as e:
            if session is None:
                self.exit_message = str(e).splitlines()[0] if str(e) else type(e).__name__
                self.exit(return_code=1, message=self.exit_message)
                return False
            self.notify(str(e), severity="error", title="loading symbols")
        if self.program:
            config.add_recent(self.program, self.args)
        await self._restore_breakpoints(session)
        self.breakpoints = await asyncio.to_thread(session.breakpoints.info)
        loc = await asyncio.to_thread(session.main_location)
        source = self.main.query_one("#source", SourcePane) if self.main else None
        if loc is not None and source is not None:
            if source.view.path is None:
                source.show(loc.file, loc.line)
        elif source is not None:
            source.show_message("No source for main: press F7/i to step by instruction, "
                                "or : then `break *ADDR`.")
        if self.main is not None:
            self.main.query_one("#console", ConsolePane).show_tty(session.settings.tty)
        self.update_status()
        return True

    @work(exit_on_error=False, group="bridge")
    async def _bridge(self, session: Session) -> None:
        """The one consumer of the session's events: each becomes a message."""
        async for event in session.events():
            message = msg.from_event(event)
            if message is not None:
                self.post_message(message)

    async def _restore_breakpoints(self, session: Session) -> None:
        if not self.program:
            return
        moved, failed = [], []
        for saved in bpstore.load(self.program):
            spec = saved.spec
            if saved.file and saved.line:
                lines = await asyncio.to_thread(session.read_source, saved.file)
                line = bpstore.anchor(saved, lines)
                if line is None:
                    failed.append(f"{os.path.basename(saved.file)}:{saved.line}")
                    continue
                if line != saved.line:
                    moved.append(f"{os.path.basename(saved.file)}:{saved.line}→{line}")
                spec = f"{saved.file}:{line}"
            with reported(self, "restoring breakpoints"):
                bp = await session.breakpoints.break_at(spec, saved.condition)
                if not saved.enabled:
                    await session.breakpoints.enable(bp.id, False)
        if moved:
            self.notify("Breakpoints followed edits: " + ", ".join(moved), title="breakpoints")
        if failed:
            self.notify("Could not restore (line text gone): " + ", ".join(failed),
                        severity="warning", title="breakpoints")

    # -- events -> state ----------------------------------------------------------------
    @on(msg.DebuggeeStarted)
    def _started(self, m: msg.DebuggeeStarted) -> None:
        self.exit_banner = None
        self.attached = m.event.attached
        self.run_state = "running"          # a run publishes no Resumed before its first stop
        if self.main:
            self.main.set_banner(None)
            console = self.main.query_one("#console", ConsolePane)
            console.show_tty(self.session.settings.tty if self.session else None)
            console.note(f"[process {self.pid_text(m.event.pid)} started]")
            if self.session is not None and self.session.settings.tty:
                console.note(f"[its I/O is on {self.session.settings.tty}]")
            console.on_resize()           # the new pty gets the pane's size
        self.update_status()

    @on(msg.DebuggeeResumed)
    def _resumed(self, m: msg.DebuggeeResumed) -> None:
        # A step resumes for a millisecond: painting "running" for it would cost a
        # whole repaint before the stop's. Show it only if the program keeps running.
        if self._running_timer is not None:
            self._running_timer.stop()
        self._running_timer = self.set_timer(0.12, self._show_running)

    def _show_running(self) -> None:
        self._running_timer = None
        if self.session is not None and self.session.state == "running":
            self.run_state = "running"

    @on(msg.DebuggeeStopped)
    def _stopped(self, m: msg.DebuggeeStopped) -> None:
        ev = m.event
        if self._running_timer is not None:
            self._running_timer.stop()
            self._running_timer = None
        self.run_state = "stopped"
        self.stop = ev
        self.show_stop(ev)
        if self.main:
            if ev.reason == "signal":
                # what a crash needs at a glance: the signal, the line, the pc, the address
                first = (ev.message.strip().splitlines() or [ev.signal_name or "signal"])[0]
                # a core's opening lines name the signal after its threads (exec/core_target.py)
                first = next((ln for ln in ev.message.splitlines() if "signal" in ln), first)
                where = f"{ev.location.short()}, " if ev.location else ""
                fault = f", fault address {ev.fault_addr:#x}" if ev.fault_addr is not None else ""
                self.main.set_banner(f"⚠ {first.rstrip('.')} — {where}pc {ev.pc:#x}{fault}", "error")
            else:
                self.main.set_banner(None)
        # (the status line followed the new frame: watch_frame)
        # everything else waits for the first paint of this stop
        self.call_after_refresh(self._after_stop, ev)

    def _after_stop(self, ev: Stopped) -> None:
        message = ev.message
        if self.stop is not ev:
            return                        # a newer stop superseded this one
        if self.main and message:
            self.main.query_one("#command", CommandPane).write(message.strip("\n"))
        self.settle_stop(ev)

    @on(msg.DebuggeeExited)
    def _exited(self, m: msg.DebuggeeExited) -> None:
        ev = m.event
        self.run_state = "exited"
        self.stop = None
        self.frame = None
        if hasattr(ev, "code"):
            text = f"Program exited with code {ev.code}" if ev.code else "Program exited normally"
            kind = "ok" if ev.code == 0 else "error"
        else:
            text = ("Program killed" if ev.requested
                    else f"Program terminated with signal {ev.signal_name}")
            kind = "error"
        self.exit_banner = text
        if self.main:
            self.main.set_banner(f"{text}  —  press r to run it again", kind)
            self.main.query_one("#console", ConsolePane).note(f"[{text}]")
            self.main.query_one("#command", CommandPane).write(f"[{text}]", "note")
        self.update_status()

    @on(msg.DebuggeeOutput)
    def _output(self, m: msg.DebuggeeOutput) -> None:
        if self.main:
            self.main.query_one("#console", ConsolePane).write(m.event.data)

    # the event behind `breakpoints` (its generation lets the breakpoints pane change
    # only the rows named), and breakpoints waiting to be saved (_bps)
    breakpoints_event: BreakpointChanged | None = None
    _bps_unsaved: tuple[BreakpointInfo, ...] | None = None

    @on(msg.BreakpointsChanged)
    def _bps(self, m: msg.BreakpointsChanged) -> None:
        self.breakpoints_event = m.event
        self.breakpoints = m.event.breakpoints
        if self.program and self.main:
            # Saving writes every breakpoint: with many, at most a few times a second
            # (10,000 set from a script would otherwise write 10,000 files).
            if len(m.event.breakpoints) < 64:
                self._bps_unsaved = None
                self._save_bps(m.event.breakpoints)
            else:
                if self._bps_unsaved is None:
                    self.set_timer(0.3, lambda: self._save_bps(self._bps_unsaved))
                self._bps_unsaved = m.event.breakpoints

    def flush_breakpoints(self) -> None:
        """Quitting: a save still waiting on its timer is written now."""
        if self._bps_unsaved is not None:
            self._save_bps(self._bps_unsaved)

    def _save_bps(self, bps: tuple[BreakpointInfo, ...] | None) -> None:
        self._bps_unsaved = None
        if bps is not None and self.program and self.main:
            source = self.main.query_one("#source", SourcePane)
            bpstore.save(self.program, bps, source.line_text)

    @on(msg.ThreadsChanged)
    def _threads_changed(self, m: msg.ThreadsChanged) -> None:
        """`thread N` on the command line switched threads: every pane follows."""
        shown = self.frame.tid if self.frame is not None else None
        if self.run_state == "stopped" and shown is not None and m.event.current != shown:
            self._thread_tid = m.event.current
            self._follow_thread()

    @work(exclusive=True, group="follow-thread", exit_on_error=False)
    async def _follow_thread(self) -> None:
        session = self.session
        if session is None:
            return
        with reported(self, "thread", background=True):
            threads = await session.frames.threads()
            current = next((t for t in threads if t.current), None)
            if current is not None:
                self.thread_selected(current)

    async def select_thread(self, num: int) -> None:
        """The threads pane picked thread `num` (gdb's `thread N`)."""
        if self.session is not None:
            self.thread_selected(await self.session.frames.select_thread(num))

    @on(msg.BackendError)
    def _error(self, m: msg.BackendError) -> None:
        self.notify(m.event.message, severity="error")
        if self.main:
            self.main.query_one("#command", CommandPane).write(m.event.message, "error")

    @on(msg.BackendMessage)
    def _message(self, m: msg.BackendMessage) -> None:
        if self.main:
            self.main.query_one("#command", CommandPane).write(
                m.event.text, "warning" if m.event.level == "warning" else "")
        if m.event.level in ("warning", "error"):
            self.notify(m.event.text, severity=m.event.level)

    def after_command(self) -> None:
        """A command-line command may have changed anything a pane shows (`frame 2`, `up`,
        `set var`, `thread 3`): read back the selected frame and all it shows."""
        if self.main is not None and self.session is not None:
            self.main.query_one("#console", ConsolePane).show_tty(self.session.settings.tty)
        if self.session is not None and self.session.state == "stopped":
            self.sync_frame()

    # -- status ---------------------------------------------------------------------------
    def update_status(self) -> None:
        main = self.main
        if main is None:
            return
        s = self.session
        prog = os.path.basename(self.program) if self.program else (
            f"pid {self.attach_pid}" if self.attach_pid else "")
        state = self.run_state
        parts = [" tdbg ", prog]
        if s is not None and s.pid:
            parts.append(f"pid {self.pid_text(s.pid)}")
            if getattr(getattr(s, "core", None), "active", False):
                parts.append("core file")
        label = {"loading": "loading symbols…", "idle": "not started — F5/r runs it",
                 "running": "running — Ctrl+C interrupts", "exited": self.exit_banner or "exited"}
        if state == "stopped" and self.stop is not None:
            where = self.stop.location.short() if self.stop.location else f"{self.stop.pc:#x}"
            fn = (self.stop.function or "").split("+")[0]
            desc = f"stopped at {where}" + (f" in {fn}" if fn else "") + f" ({self.stop.reason})"
            frame = self.frame
            if frame is not None and frame.level:
                at = frame.location.short() if frame.location else f"{frame.pc:#x}"
                caller = (frame.function or "??").split("+")[0]
                desc += f"  ▷ frame {frame.level}: {caller} at {at}"
        else:
            desc = label.get(state, state)
        parts.append(f"● {desc}")
        text = Text("  ".join(parts))
        text.append("    ?: help  Ctrl+P: commands")
        main.set_status(text, state)

    def pid_text(self, pid: int | None) -> str:
        return "PID" if self.mask_pids else str(pid)

    def watch_run_state(self, state: str) -> None:
        self.update_status()

    def watch_frame(self, frame: FrameView | None) -> None:
        self.update_status()


def _new_session(program: str | None, args: Sequence[str]) -> Session:
    from tdbg.backend.session import Session
    return Session(program, args)


def make_app(session: Session | None = None, *, theme: str | None = None, **kwargs) -> TdbgApp:
    """The factory tests and the CLI use."""
    return TdbgApp(session, theme=theme, **kwargs)
