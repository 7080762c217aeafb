"""Stack pane: the backtrace; selecting a frame moves the source and locals to it."""
from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable

from ..util import reported
from .base import Pane
from .table import fill


class StackPane(Pane):
    PANE_ID = "stack"
    COLUMNS = [("#", "level", 2), ("function", "fn", None), ("location", "loc", None)]

    def __init__(self) -> None:
        super().__init__()
        self.frames: list = []
        self._quiet = False        # moving the cursor ourselves must not re-select

    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="stack-table", cursor_type="row")
        fill(table, self.COLUMNS)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "backtrace", self._frames_changed)

    def _frames_changed(self, frames) -> None:
        table = self.query_one(DataTable)
        frames = list(frames or [])
        if frames == self.frames and frames:
            return                       # same stack (a step in one function): no rebuild
        self.frames = frames
        self._quiet = True
        rows = []
        for f in self.frames:
            args = ", ".join(f"{n}={v}" for n, v in (f.args or []))
            fn = f"{f.function or '??'}({args})" if f.function else f"{f.pc:#x} in ??"
            fn = fn if len(fn) <= 40 else fn[:39] + "…"     # keep the location column in view
            loc = f.location.short() if f.location else f"{f.pc:#x}"
            rows.append((str(f.level), (str(f.level), fn, loc)))
        fill(table, self.COLUMNS, rows)
        selected = getattr(self.app, "frame_level", 0)
        if self.frames:
            table.move_cursor(row=min(selected, len(self.frames) - 1))
        n = len(self.frames)
        self.border_subtitle = f"{n} frame{'s' if n != 1 else ''}" if n else ""
        self.call_after_refresh(self._unquiet)

    def _unquiet(self) -> None:
        self._quiet = False

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._quiet or event.cursor_row < 0 or event.cursor_row >= len(self.frames):
            return
        level = self.frames[event.cursor_row].level
        if level != getattr(self.app, "frame_level", 0):
            self._select(level)

    @work(exclusive=True, group="select-frame", exit_on_error=False)
    async def _select(self, level: int) -> None:
        with reported(self, "frame"):
            await self.app.select_frame(level)  # type: ignore[attr-defined]
