"""Stack pane: the backtrace of the app's frame snapshot, its selected frame highlighted.

Moving the cursor to a row (keys, a click) selects that frame: source, disassembly,
registers and locals follow it. The highlight follows the selection from any route
(`frame 2`, `up` on the command line, u/d).
"""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable

from tdbg.backend.events import FrameInfo

from .. import keymap
from ..frame_view import FrameView
from ..util import reported
from .base import Pane
from .table import fill


class StackTable(DataTable):
    BINDINGS = [*keymap.STACK]


class StackPane(Pane):
    PANE_ID = "stack"
    COLUMNS = [("#", "level", 2), ("function", "fn", None), ("location", "loc", None)]

    def __init__(self) -> None:
        super().__init__()
        self.frames: tuple[FrameInfo, ...] = ()
        self.shown_stop_id: int | None = None     # the stop whose backtrace is shown
        self.selected = 0                         # the highlighted level
        self._quiet = False        # moving the cursor ourselves must not re-select

    def compose(self) -> ComposeResult:
        table = StackTable(id="stack-table", cursor_type="row")
        fill(table, self.COLUMNS)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "frame", self._frame_changed)

    def _frame_changed(self, frame: FrameView | None) -> None:
        if frame is None:
            self._show((), None, 0)
        elif frame.backtrace is not None:
            self._show(frame.backtrace, frame.stop_id, frame.level)
        # else: a new stop whose backtrace is on its way; it comes in the same snapshot

    def _show(self, frames: tuple[FrameInfo, ...], stop_id: int | None, level: int) -> None:
        table = self.query_one(DataTable)
        self.shown_stop_id = stop_id
        if frames == self.frames and frames:
            if level != self.selected:     # same stack, another frame picked: move the highlight
                self._move(table, level)
            return                         # same stack (a step in one function): no rebuild
        self.frames = frames
        rows = []
        for f in self.frames:
            args = f.args_text
            fn = f"{f.function or '??'}({args})" if f.function else f"{f.pc:#x} in ??"
            fn = fn if len(fn) <= 40 else fn[:39] + "…"     # keep the location column in view
            loc = f.location.short() if f.location else f"{f.pc:#x}"
            rows.append((str(f.level), (str(f.level), fn, loc)))
        self._quiet = True
        fill(table, self.COLUMNS, rows)
        self._move(table, level)
        n = len(self.frames)
        self.border_subtitle = f"{n} frame{'s' if n != 1 else ''}" if n else ""

    def _move(self, table: DataTable, level: int) -> None:
        self.selected = level
        if self.frames:
            self._quiet = True
            table.move_cursor(row=min(level, len(self.frames) - 1))
            self.call_after_refresh(self._unquiet)

    def _unquiet(self) -> None:
        self._quiet = False

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._quiet or event.cursor_row < 0 or event.cursor_row >= len(self.frames):
            return
        level = self.frames[event.cursor_row].level
        if level != self.tdbg.frame_level:
            self._select(level)

    @work(exclusive=True, group="select-frame", exit_on_error=False)
    async def _select(self, level: int) -> None:
        with reported(self, "frame"):
            await self.tdbg.select_frame(level)
