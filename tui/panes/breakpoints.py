"""Breakpoints pane: the breakpoint table, with toggle / delete / condition / jump.

Catchpoints (`catch syscall write`, `catch fork` ...) are rows too: what they catch
in the location column, their hits counted like a breakpoint's."""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import DataTable

from tdbg.backend.events import BreakpointInfo

from .. import keymap
from ..prompt import PromptScreen
from ..util import reported
from .base import Pane
from .table import fill


class BreakpointTable(DataTable):
    BINDINGS = [*keymap.BREAKPOINTS]
    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {"breakpoints--on", "breakpoints--off"}

    def selected(self) -> BreakpointInfo | None:
        pane = self.screen.query_one(BreakpointsPane)
        if not pane.bps or self.cursor_row < 0 or self.cursor_row >= len(pane.bps):
            return None
        return pane.bps[self.cursor_row]

    def action_toggle_enabled(self) -> None:
        if (bp := self.selected()) is not None:
            self._call("enable", bp.id, not bp.enabled)

    def action_delete(self) -> None:
        if (bp := self.selected()) is not None:
            self._call("delete", bp.id)

    def action_edit_condition(self) -> None:
        bp = self.selected()
        if bp is None:
            return

        def done(text: str | None) -> None:
            if text is not None:
                self._call("condition", bp.id, text.strip() or None)

        self.app.push_screen(PromptScreen(f"Condition for breakpoint {bp.id}", bp.condition or "",
                                          "e.g. i == 3   (empty: always stop)"), done)

    def action_jump(self) -> None:
        bp = self.selected()
        if bp is not None and bp.location is not None:
            self.app.show_source(bp.location.file, bp.location.line)  # type: ignore[attr-defined]

    @work(exit_on_error=False)
    async def _call(self, method: str, *args) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        with reported(self):
            await getattr(session.breakpoints, method)(*args)     # BreakpointChanged repaints the table


def location_text(bp: BreakpointInfo) -> str:
    if bp.kind == "catchpoint":      # what it catches, as `info breakpoints` words it
        return f"catch {bp.spec.strip()}"
    if bp.pending:
        return f"{bp.spec} (pending)"
    if bp.location is not None:
        where = bp.location.short()
        fn = bp.function or bp.location.function
        return f"{where} in {fn.split('+')[0]}" if fn else where
    if bp.addresses:
        return f"{bp.addresses[0]:#x}" + (f" <{bp.function}>" if bp.function else "")
    return bp.spec


class BreakpointsPane(Pane):
    PANE_ID = "breakpoints"
    COLUMNS = [("#", "id", 3), ("on", "on", 2), ("location", "loc", None), ("cond", "cond", None),
               ("hits", "hits", 4)]

    def __init__(self) -> None:
        super().__init__()
        self.bps: tuple[BreakpointInfo, ...] = ()

    def compose(self) -> ComposeResult:
        table = BreakpointTable(id="breakpoints-table", cursor_type="row", zebra_stripes=False)
        fill(table, self.COLUMNS)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "breakpoints", self._changed)

    def _changed(self, bps: tuple[BreakpointInfo, ...]) -> None:
        table = self.query_one(BreakpointTable)
        row = table.cursor_row
        self.bps = tuple(b for b in bps if not b.temporary or b.hit_count == 0)
        rows = []
        for bp in self.bps:
            mark = Text("●" if bp.enabled else "○",
                        style=table.get_component_rich_style(
                            "breakpoints--on" if bp.enabled else "breakpoints--off", partial=True))
            rows.append((str(bp.id), (str(bp.id), mark, location_text(bp), bp.condition or "",
                                      str(bp.hit_count))))
        fill(table, self.COLUMNS, rows)
        if self.bps:
            table.move_cursor(row=min(max(row, 0), len(self.bps) - 1))
        self.border_subtitle = f"{len(self.bps)}" if self.bps else ""

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one(BreakpointTable).action_jump()
