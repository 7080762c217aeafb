"""Debugger actions behind the key table: thin calls into the Session.

Resuming commands are serialized here with one lock: a held F10 keeps at most
one step queued behind the running one (extra repeats are dropped), and a
long-running continue is never queued behind. The Session would refuse a second
resume with "running"; we avoid asking.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual import work
from textual.command import CommandPalette
from textual.widgets import Input

from .palette import SourceFileCommands
from .pane_picker import PanePicker
from .panes.base import Pane
from .panes.command import CommandPane
from .panes.disasm import DisasmView
from .panes.source import SourcePane
from .prompt import ConfirmScreen
from .util import reported

if TYPE_CHECKING:
    from textual.app import App
    from textual.reactive import var

    from tdbg.backend.events import BreakpointInfo
    from tdbg.backend.session import Session

    from .main_screen import MainScreen

    # The methods here run as methods of app.py's TdbgApp: type-check them as an App's.
    _AppBase = App
else:
    _AppBase = object

SHORT = {"step", "next", "stepi", "nexti"}      # may queue one behind the running one
_SESSION_ACTIONS = {"continue", "next", "step", "finish", "stepi", "toggle_breakpoint",
                    "interrupt", "run", "command_line", "open_file", "next_pane",
                    "previous_pane", "toggle_pane", "focus_pane", "pane_menu", "focus_source",
                    "frame_up", "frame_down"}


class DebuggerActions(_AppBase):
    _control_lock: asyncio.Lock | None = None
    _control_waiting = 0
    _control_running: str | None = None

    if TYPE_CHECKING:       # what TdbgApp (app.py) provides
        session: Session | None
        attached: bool
        breakpoints: var[tuple[BreakpointInfo, ...]]

        @property
        def main(self) -> MainScreen | None: ...
        async def loaded_session(self) -> Session | None: ...
        def pid_text(self, pid: int | None) -> str: ...
        def resume_returned(self) -> None: ...
        def flush_breakpoints(self) -> None: ...

    # Debugger keys only mean something on the debugger screen.
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _SESSION_ACTIONS:
            return self.main is not None and self.screen is self.main
        return True

    # -- the control path -------------------------------------------------------------
    async def _control_now(self, name: str, *args, wait: bool = False) -> None:
        if await self.loaded_session() is None:      # pressed while loading: once loaded
            return
        if self._control_lock is None:
            self._control_lock = asyncio.Lock()
        lock = self._control_lock
        queued = False
        if lock.locked() and not wait:
            if name in SHORT and self._control_running in SHORT and not self._control_waiting:
                queued = True              # one step may wait behind the running one
                self._control_waiting += 1
            else:
                if self._control_running not in SHORT:
                    self.notify("The program is running; Ctrl+C interrupts it.",
                                severity="warning", timeout=3)
                return                     # drop: a held key must not pile up steps
        async with lock:
            if queued:
                self._control_waiting -= 1
            self._control_running = name
            try:
                with reported(self, name):
                    await getattr(self.session, name)(*args)
            finally:
                self._control_running = None
                self.resume_returned()

    @work(exit_on_error=False, group="control")
    async def control(self, name: str, *args) -> None:
        await self._control_now(name, *args)

    # -- actions --------------------------------------------------------------------------
    def action_continue(self) -> None:
        state = self.session.state if self.session else "idle"
        self.control("run" if state in ("idle", "exited") else "cont")

    def action_next(self) -> None:
        self.control("next")

    def action_step(self) -> None:
        self.control("step")

    def action_finish(self) -> None:
        self.control("finish")

    def action_stepi(self) -> None:
        self.control("stepi")

    def action_interrupt(self) -> None:
        if self.session is not None and self.session.state == "running":
            self.session.interrupt()
        elif self.screen is self.main:
            self.notify("The program is not running.", timeout=2)

    def action_run(self) -> None:
        self._restart()

    @work(exit_on_error=False, group="control")
    async def _restart(self) -> None:
        session = await self.loaded_session()
        if session is None:
            return
        if session.state in ("stopped", "running"):
            if self.attached:
                self.notify("Attached to a running process: detach (`detach`) to let it go.",
                            severity="warning")
                return
            with reported(self, "kill"):
                await session.kill()
            # the killed run's resume (if any) returns once the worker sees the death
        await self._control_now("run", wait=True)

    def action_toggle_breakpoint(self) -> None:
        main = self.main
        if main is None:
            return
        focused = self.focused
        disasm = main.query_one("#disasm")
        if focused is not None and disasm in focused.ancestors_with_self:
            addr = main.query_one("#disasm-view", DisasmView).selected_address()
            if addr is not None:
                self._toggle_address(addr)
                return
        where = main.query_one("#source", SourcePane).cursor_location
        if where is None:
            self.notify("No source line here to put a breakpoint on.", severity="warning")
            return
        self.toggle_breakpoint_at(*where)

    @work(exit_on_error=False, group="breakpoints")
    async def toggle_breakpoint_at(self, path: str, line: int) -> None:
        session = await self.loaded_session()
        if session is None:
            return
        with reported(self, "breakpoint"):
            bp, message = await session.breakpoints.toggle(path, line)
            moved = bp is not None and bp.location is not None and bp.location.line != line
            self.notify(message, severity="warning" if moved else "information", timeout=4)
            self.breakpoints = await asyncio.to_thread(session.breakpoints.info)

    @work(exit_on_error=False, group="breakpoints")
    async def _toggle_address(self, addr: int) -> None:
        session = self.session
        if session is None:
            return
        with reported(self, "breakpoint"):
            existing = [b for b in self.breakpoints if addr in b.addresses]
            if existing:
                for b in existing:
                    await session.breakpoints.delete(b.id)
                self.notify(f"Deleted breakpoint {existing[0].id}", timeout=3)
            else:
                bp = await session.breakpoints.break_at(f"*{addr:#x}")
                self.notify(f"Breakpoint {bp.id} at {addr:#x}", timeout=3)
            self.breakpoints = await asyncio.to_thread(session.breakpoints.info)

    def action_command_line(self) -> None:
        # An input types ":" itself (textual drops a binding of a key the focused input
        # takes); the command line leaves one at its start to this binding: nothing to do.
        if self.main is not None and not isinstance(self.focused, Input):
            self.main.focus_pane("command")

    def command_pane_run(self, line: str) -> None:
        if self.main is not None:
            pane = self.main.query_one("#command", CommandPane)
            pane.write(f"(tdbg) {line}", "echo")
            pane.run_line(line)

    def focus_source(self) -> None:
        if self.main is not None:
            self.main.focus_pane("source")

    def action_focus_source(self) -> None:
        self.focus_source()

    def action_next_pane(self) -> None:
        if self.main is not None:
            self.main.cycle_pane(1)

    def action_previous_pane(self) -> None:
        if self.main is not None:
            self.main.cycle_pane(-1)

    def action_toggle_pane(self, pane_id: str) -> None:
        if self.main is not None:
            self.main.toggle_pane(pane_id)

    def action_focus_pane(self, pane_id: str) -> None:
        if self.main is not None:
            self.main.go_to_pane(pane_id)

    def action_pane_menu(self) -> None:
        main = self.main
        if main is None:
            return
        hidden = {p.PANE_ID for p in main.query(Pane) if p.has_class("-hidden")}

        def picked(pane_id: str | None) -> None:
            if pane_id is not None and self.main is not None:
                self.main.toggle_pane(pane_id)
        self.push_screen(PanePicker(hidden), picked)

    def action_help(self) -> None:
        from .help_screen import HelpScreen
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def show_source(self, path: str, line: int | None = None) -> None:
        if self.main is not None:
            self.main.query_one("#source", SourcePane).show(path, line)
            self.main.focus_pane("source")

    def action_open_file(self) -> None:
        self._open_file_palette()

    @work(exit_on_error=False, group="open-file")
    async def _open_file_palette(self) -> None:
        session = await self.loaded_session()
        if session is None:
            return
        with reported(self, "source files"):
            files = await asyncio.to_thread(session.source_files)
            if not files:
                self.notify("The program lists no source files.", severity="warning")
                return
            SourceFileCommands.files = sorted(files)
            await self.push_screen(CommandPalette(providers=[SourceFileCommands],
                                                  placeholder="Open source file… (fuzzy)"))

    # -- gdb's queries ----------------------------------------------------------------------
    async def confirm_query(self, question: str) -> bool:
        """A query of the command language (`return`, `jump` out of the function): asked
        in the y/n dialog; the command waits for the answer (session.confirm)."""
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def answered(yes: bool | None) -> None:
            if not answer.done():
                answer.set_result(bool(yes))
        self.push_screen(ConfirmScreen(question), answered)
        return await answer

    # -- quitting -------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Ctrl+Q (textual's own key) also goes through close(): no tracee is left behind."""
        self.action_quit_tdbg()

    def action_quit_tdbg(self) -> None:
        session = self.session
        if session is not None and session.state in ("stopped", "running"):
            verb = "Detach from" if self.attached else "Kill"
            question = f"{verb} the program (pid {self.pid_text(session.pid)}) and quit?"

            def answered(yes: bool | None) -> None:
                if yes:
                    self.shutdown()
            self.push_screen(ConfirmScreen(question), answered)
        else:
            self.shutdown()

    @work(exit_on_error=False, group="quit")
    async def shutdown(self, return_code: int = 0) -> None:
        self.flush_breakpoints()
        if self.session is not None:
            try:
                await asyncio.wait_for(self.session.close(), 10)
            except Exception:
                pass
        self.exit(return_code=return_code)

