"""The app's one snapshot of the selected frame (``app.frame``, a FrameView) and how it is kept.

A stop paints at once from its event (source, registers, status); once that frame is
out, its backtrace, locals and code (for the disassembly) are fetched and added to the
same snapshot, painted together. Picking a frame (stack pane, u/d, `frame`/`up`/`down`
on the command line) or a thread fetches a whole new snapshot before anything is
painted, so the panes move together.

Every fetch belongs to a generation: a newer stop or pick bumps it, and an answer for
an older one is dropped, never painted. The Stopped event is published by the worker
a moment before the resuming call returns to the loop; calls made in that moment are
refused as Running, so fetches first wait for the Session to say it is stopped.

The command line's `frame N`, `up`, `down` (and anything else: `select-frame`, a
user's script) run in the backend's command language: after every command the TUI
asks the backend which frame is selected (`session.frames.frame_text()`, gdb's
`frame` without argument, whose "#N" line names it) rather than parsing commands.
"""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from textual import work

from tdbg.backend.errors import NotRunning, ProcessGone, Running

from .code_window import code_window
from .frame_view import FrameView, Stale, selected_level
from .util import reported

if TYPE_CHECKING:
    from textual.app import App
    from textual.reactive import var

    from tdbg.backend.events import SourceLocation, Stopped, ThreadInfo
    from tdbg.backend.session import Session

    from .main_screen import MainScreen

    # The methods here run as methods of app.py's TdbgApp: type-check them as an App's.
    _AppBase = App
else:
    _AppBase = object

SETTLE_POLL = 0.005       # seconds between looks at the Session while its resume returns
SETTLE_LIMIT = 400        # looks before giving up (2 s): the program was resumed again


async def _nothing() -> None:
    """A place in a gather for an answer not needed this time."""


class FrameSync(_AppBase):
    _frame_gen = 0                  # bumped by every stop and every pick
    _thread_tid: int | None = None  # the thread the backend has selected, as last told
    _skipped: Stopped | None = None  # a stop not settled because a step was queued behind it

    if TYPE_CHECKING:       # what TdbgApp (app.py) provides
        session: Session | None
        stop: var[Stopped | None]
        stop_settled: var[Stopped | None]
        frame: var[FrameView | None]
        selected_thread: var[ThreadInfo | None]
        run_state: var[str]
        _control_waiting: int

        @property
        def main(self) -> MainScreen | None: ...

    # -- what the tests and panes read ---------------------------------------------------
    @property
    def frame_level(self) -> int:
        return self.frame.level if self.frame is not None else 0

    @property
    def frame_location(self) -> SourceLocation | None:
        return self.frame.location if self.frame is not None else None

    @property
    def backtrace(self) -> tuple | None:
        return self.frame.backtrace if self.frame is not None else None

    @property
    def locals(self) -> tuple | None:
        return self.frame.locals if self.frame is not None else None

    @property
    def frame_is_live(self) -> bool:
        return self.run_state == "stopped"

    # -- a stop ----------------------------------------------------------------------------
    def show_stop(self, ev: Stopped) -> None:
        """Frame 0 of the stop, straight from the event: the first paint needs no round trip."""
        self._frame_gen += 1
        self._thread_tid = ev.tid
        self.selected_thread = None
        self.frame = FrameView.of_stop(ev)

    def settle_stop(self, ev: Stopped) -> None:
        """The stop's first paint is out: heavier views fetch now (stop_settled), and its
        backtrace, locals and code join the snapshot."""
        if self._control_waiting:
            self._skipped = ev  # a queued step makes it stale, unless that step never stops
            return
        if self.stop is not ev or self.stop_settled is ev:
            return              # superseded, or done already
        self.stop_settled = ev
        self._load_details(self._frame_gen)

    def resume_returned(self) -> None:
        """A resuming key's call returned: if its stop was skipped as stale (a step was
        queued behind it) and no newer one came, that stop is the last: settle it. Run
        after the messages already posted (the stop itself, if it is on its way)."""
        self.call_next(self._settle_last)

    def _settle_last(self) -> None:
        if self.stop is not None and self.stop is self._skipped and self.run_state == "stopped":
            self.settle_stop(self.stop)

    @work(exclusive=True, group="frame-details", exit_on_error=False)
    async def _load_details(self, gen: int) -> None:
        view = self.frame
        if view is None or view.backtrace is not None:
            return
        try:
            session = await self.stopped_session(view.stop_id)
            frames, variables, code = await self._gather(
                session.frames.backtrace(), session.data.locals(), self._code(session, view.pc,
                                                                              view.symbol or view.function))
        except Stale:
            return
        if gen == self._frame_gen and self.frame is view:
            self.frame = view.with_details(frames or (), variables or (), code)

    # -- picking a frame or a thread ----------------------------------------------------------
    async def select_frame(self, level: int) -> None:
        """The stack pane or u/d picked frame `level` (gdb's `frame N`); errors ("No frame
        at level 3.", "Initial frame selected; you cannot go up.") go to the caller."""
        session, view = self.session, self.frame
        if session is None or view is None:
            return
        info = await session.frames.select_frame(level)
        self._frame_gen += 1            # only now: a refused pick changes nothing
        gen = self._frame_gen
        try:
            frames, regs, variables, symbol, code = await self._gather(
                session.frames.backtrace(), session.frames.registers(sse=False),
                session.data.locals(), session.data.symbolize(info.pc),
                self._code(session, info.pc, info.function))
        except Stale:
            return
        if gen == self._frame_gen and frames and level < len(frames):
            self._apply(view.stop_id, view.tid, level, frames, regs, variables, symbol, code)

    def action_frame_up(self) -> None:
        self._select_relative(1)

    def action_frame_down(self) -> None:
        self._select_relative(-1)

    @work(exclusive=True, group="select-frame", exit_on_error=False)
    async def _select_relative(self, step: int) -> None:
        if self.frame is None or self.run_state != "stopped":
            self.notify("No stack: the program is not stopped.", severity="warning", timeout=3)
            return
        with reported(self, "frame"):
            await self.select_frame(self.frame.level + step)

    def thread_selected(self, info: ThreadInfo) -> None:
        """The threads pane or `thread N` switched threads: every pane follows."""
        self.selected_thread = info
        self._thread_tid = info.tid
        self.sync_frame()

    @work(exclusive=True, group="frame-sync", exit_on_error=False)
    async def sync_frame(self) -> None:
        """Read back whatever frame and thread the backend has selected now (after a
        command-line command, a thread switch) into a new snapshot."""
        view = self.frame
        if view is None:
            return
        self._frame_gen += 1
        gen = self._frame_gen
        try:
            session = await self.stopped_session(view.stop_id)
            text, frames, regs, variables = await self._gather(
                session.frames.frame_text(), session.frames.backtrace(),
                session.frames.registers(sse=False), session.data.locals())
            level = selected_level(text or "") or 0
            if not frames or level >= len(frames):
                return
            tid = self._thread_tid if self._thread_tid is not None else view.tid
            stop, pc = self.stop, frames[level].pc
            if stop is not None and level == 0 and tid == stop.tid:
                symbol, changed = stop.symbol or stop.function, stop.changed_regs
                code = await self._gather(self._code(session, pc, symbol))
            else:
                symbol, code = await self._gather(
                    session.data.symbolize(pc), self._code(session, pc, frames[level].function))
                changed = frozenset()
        except Stale:
            return
        if gen == self._frame_gen:
            self._apply(view.stop_id, tid, level, frames, regs, variables, symbol, code, changed)

    def _apply(self, stop_id: int, tid: int, level: int, frames, regs, variables, symbol, code,
               changed: frozenset[str] = frozenset()) -> None:
        self.frame = FrameView.of_frame(stop_id, tid, level, frames, regs or {}, symbol,
                                        variables or (), code, changed)

    def _code(self, session: Session, pc: int, symbol: str | None) -> Awaitable[Any]:
        """The disassembly's instructions for a snapshot, if the pane is shown (else it
        fetches them itself when it is shown again)."""
        main = self.main
        if main is not None and main.query_one("#disasm").display:
            return code_window(session, pc, symbol)
        return _nothing()

    # -- fetching -----------------------------------------------------------------------------
    async def stopped_session(self, stop_id: int) -> Session:
        """The Session once the resume that made stop `stop_id` has returned; Stale when
        that stop is no longer the newest or the program runs on."""
        session = self.session
        for _ in range(SETTLE_LIMIT):
            stop = self.stop
            if session is None or stop is None or stop.stop_id != stop_id:
                raise Stale
            state = session.state
            if state == "stopped":
                return session
            if state != "running":
                raise Stale
            await asyncio.sleep(SETTLE_POLL)
        raise Stale

    async def _gather(self, *calls: Awaitable[Any]) -> Any:
        """All the calls, submitted together so no resume comes between them (the worker
        runs jobs in order). One failing answer is reported and counts as None; the
        program running again makes all of them stale."""
        answers = await asyncio.gather(*calls, return_exceptions=True)
        out = []
        for a in answers:
            if isinstance(a, (Running, NotRunning, ProcessGone, asyncio.CancelledError)):
                raise Stale
            if isinstance(a, Exception):
                with reported(self, "frame", background=True):
                    raise a
                a = None
            out.append(a)
        return out if len(out) != 1 else out[0]
