"""Breakpoints pane: the breakpoint table, with toggle / delete / condition / jump.

Catchpoints (`catch syscall write`, `catch fork` ...) are rows too: what they catch
in the location column, their hits counted like a breakpoint's.

With thousands of breakpoints the table is updated, not rebuilt: a BreakpointChanged
that follows the one shown names the ids that changed (backend/events.py), and only
their rows change; any other snapshot (one dropped on the way, a fetched list) is
compared whole, by identity, since unchanged infos are the same objects."""
from __future__ import annotations

from bisect import bisect_left

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from tdbg.backend.events import BreakpointInfo

from .. import keymap
from ..prompt import PromptScreen
from ..util import reported
from .base import Pane
from .table import _width, fill


class BreakpointTable(DataTable):
    BINDINGS = [*keymap.BREAKPOINTS]
    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {"breakpoints--on", "breakpoints--off"}

    def selected(self) -> BreakpointInfo | None:
        pane = self.screen.query_one(BreakpointsPane)
        if not pane.shown or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        return pane.shown.get(int(key)) if key is not None else None

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


# more changed rows than this in one snapshot: the table is filled again instead
# (DataTable.remove_row renumbers every row)
_MANY = 16


def _listed(bp: BreakpointInfo | None) -> bool:
    return bp is not None and (not bp.temporary or bp.hit_count == 0)


class BreakpointsPane(Pane):
    PANE_ID = "breakpoints"
    COLUMNS = [("#", "id", 3), ("on", "on", 2), ("location", "loc", None), ("cond", "cond", None),
               ("hits", "hits", 4)]

    def __init__(self) -> None:
        super().__init__()
        self.shown: dict[int, BreakpointInfo] = {}     # the rows, by id, in id order
        self._generation: int | None = None            # of the snapshot shown, if known

    @property
    def bps(self) -> tuple[BreakpointInfo, ...]:
        return tuple(self.shown.values())

    def compose(self) -> ComposeResult:
        table = BreakpointTable(id="breakpoints-table", cursor_type="row", zebra_stripes=False)
        fill(table, self.COLUMNS)
        yield table

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "breakpoints", self._changed)

    def _changed(self, bps: tuple[BreakpointInfo, ...]) -> None:
        event = getattr(self.app, "breakpoints_event", None)
        if event is None or event.breakpoints is not bps:
            event = None                               # a fetched list: no generation
        if (event is not None and event.changed is not None and self._generation is not None
                and event.generation == self._generation + 1):
            ids = sorted(event.changed)
            new = {i: _find(bps, i) for i in ids}
        else:
            listed = {b.id: b for b in bps}
            ids = sorted({i for i, b in listed.items() if self.shown.get(i) is not b}
                         | {i for i in self.shown if i not in listed})
            new = {i: listed.get(i) for i in ids}
        self._generation = event.generation if event is not None else None
        if not self._update(new):
            self.shown = {i: b for b in bps if _listed(b) for i in (b.id,)}
            self._fill()
        self.border_subtitle = f"{len(self.shown)}" if self.shown else ""

    def _cells(self, table: DataTable, bp: BreakpointInfo) -> tuple[object, ...]:
        mark = Text("●" if bp.enabled else "○",
                    style=table.get_component_rich_style(
                        "breakpoints--on" if bp.enabled else "breakpoints--off", partial=True))
        return (str(bp.id), mark, location_text(bp), bp.condition or "", str(bp.hit_count))

    def _update(self, new: dict[int, BreakpointInfo | None]) -> bool:
        """Change only the rows of new (id -> its info, None: gone); False when the table
        must be filled again (many changes, a row out of order, a cell wider than its column)."""
        if len(new) > _MANY:
            return False
        table = self.query_one(BreakpointTable)
        last = next(reversed(self.shown), None)
        # auto-width columns only: fill() cuts the fixed ones too
        widths = [w if fixed is None else None
                  for w, (_, _, fixed) in zip((c.width for c in table.columns.values()),
                                              self.COLUMNS, strict=True)]
        for i, bp in new.items():
            if _listed(bp):
                assert bp is not None
                cells = self._cells(table, bp)
                if any(w is not None and _width(c) > w for c, w in zip(cells, widths, strict=True)):
                    return False
                if i in self.shown:
                    for (_, key, _), cell in zip(self.COLUMNS, cells, strict=True):
                        table.update_cell(str(i), key, cell)
                elif last is None or i > last:
                    table.add_row(*cells, key=str(i))
                    last = i
                else:
                    return False
                self.shown[i] = bp
            elif i in self.shown:
                table.remove_row(str(i))
                del self.shown[i]
        return True

    def _fill(self) -> None:
        table = self.query_one(BreakpointTable)
        row = table.cursor_row
        fill(table, self.COLUMNS, ((str(i), self._cells(table, bp)) for i, bp in self.shown.items()))
        if self.shown:
            table.move_cursor(row=min(max(row, 0), len(self.shown) - 1))

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.query_one(BreakpointTable).action_jump()


def _find(bps: tuple[BreakpointInfo, ...], id: int) -> BreakpointInfo | None:
    """bps is in id order (backend/breaks/info_cache.py)."""
    i = bisect_left(bps, id, key=lambda b: b.id)
    return bps[i] if i < len(bps) and bps[i].id == id else None
