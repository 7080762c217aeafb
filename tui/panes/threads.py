"""Threads pane: every thread of the stopped program (gdb's `info threads`).

Moving the cursor to a row switches the selected thread (gdb's `thread N`):
source, registers, stack, locals and disassembly follow it. The list is
fetched at each stop, only while the pane is shown.
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.widgets import DataTable

from tdbg.backend.events import ThreadInfo

from ..util import reported
from .base import Pane
from .table import LazyTablePane, fill


def where_text(t: ThreadInfo) -> str:
    """'hit (thr_storm.c:22)', '0x7ffff7e5feec in __futex_wait+44', or the state."""
    if t.pc is None:
        return ""
    fn = (t.function or "").split("+")[0] if t.location is not None else t.function
    if t.location is not None:
        return f"{fn or '??'} ({t.location.short()})"
    return f"{t.pc:#x} in {fn}" if fn else f"{t.pc:#x}"


class ThreadsPane(LazyTablePane, Pane):
    TABLE, TABLE_ID = DataTable, "threads-table"
    PANE_ID = "threads"
    COLUMNS = [(" ", "mark", 1), ("id", "num", None), ("tid", "tid", None), ("name", "name", None),
               ("state", "state", None), ("where", "where", None)]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.threads: list[ThreadInfo] = []
        self.fetches = 0             # for tests: a hidden pane costs nothing
        self._quiet = False          # moving the cursor ourselves must not re-select

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "stop_settled", self._stop_changed)
        self.watch(self.app, "selected_thread", self._selected_changed)
        self.watch(self.app, "run_state", self._state_changed)

    def _selected_changed(self, info: ThreadInfo | None) -> None:
        if info is not None and self.display and self.tdbg.run_state == "stopped":
            self.fetch()

    def _state_changed(self, state: str) -> None:
        if state in ("idle", "exited"):
            self._show([])
        elif state == "running":
            self.border_subtitle = "running"

    @work(exclusive=True, group="threads", exit_on_error=False)
    async def fetch(self) -> None:
        session = self.tdbg.session
        if session is None or session.state != "stopped":
            return
        with reported(self, "threads", background=True):
            self.fetches += 1
            self._show(await session.frames.threads())

    def _show(self, threads: list[ThreadInfo]) -> None:
        table = self.table
        if table is None:
            return
        stop = self.tdbg.stop
        self.threads = list(threads)
        self._quiet = True
        rows = []
        current = 0
        for i, t in enumerate(self.threads):
            state = t.state
            if stop is not None and t.tid == stop.tid and t.state == "stopped":
                state = str(stop.reason)          # why the program stopped: this thread's doing
            mark = Text("*" if t.current else "", style="bold")
            rows.append((str(t.tid), (mark, str(t.num), str(t.tid), t.name, state, where_text(t))))
            if t.current:
                current = i
        fill(table, self.COLUMNS, rows)
        if self.threads:
            table.move_cursor(row=current)
        n = len(self.threads)
        self.border_subtitle = f"{n} thread{'s' if n != 1 else ''}" if n else ""
        self.call_after_refresh(self._unquiet)

    def _unquiet(self) -> None:
        self._quiet = False

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._quiet or not 0 <= event.cursor_row < len(self.threads):
            return
        t = self.threads[event.cursor_row]
        if not t.current:
            self._select(t.num)

    @work(exclusive=True, group="select-thread", exit_on_error=False)
    async def _select(self, num: int) -> None:
        with reported(self, "thread"):
            await self.tdbg.select_thread(num)
