"""Maps pane: the live program's memory map (/proc/PID/maps), re-read at each stop.

One row per mapping: address range, permissions, file offset and the object
(a path, shown relative to the working directory when it lies below it, or
[heap], [stack], [vdso] ...). The row holding the pc is marked. Fetched only
while the pane is shown.
"""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.widgets import DataTable

from ..util import display_path, reported
from .base import Pane
from .table import LazyTablePane, fill


class MapsTable(DataTable):
    COMPONENT_CLASSES = DataTable.COMPONENT_CLASSES | {"maps--pc", "maps--anon"}


class MapsPane(LazyTablePane, Pane):
    TABLE, TABLE_ID = MapsTable, "maps-table"
    PANE_ID = "maps"
    COLUMNS = [(" ", "mark", 1), ("start", "start", None), ("end", "end", None),
               ("perm", "perms", 4), ("offset", "offset", None), ("object", "path", None)]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.regions: list = []
        self.fetches = 0             # for tests: a hidden pane costs nothing

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "stop_settled", self._stop_changed)
        self.watch(self.app, "run_state", self._state_changed)

    def _state_changed(self, state: str) -> None:
        if state in ("idle", "exited"):
            self._show([], None)

    @work(exclusive=True, group="maps", exit_on_error=False)
    async def fetch(self) -> None:
        session = self.tdbg.session
        stop = self.tdbg.stop
        if session is None or session.state != "stopped":
            return
        with reported(self, "memory map", background=True):
            self.fetches += 1
            self._show(await session.data.memory_map(), stop.pc if stop else None)

    def _show(self, regions: list, pc: int | None) -> None:
        table = self.table
        if table is None:
            return
        row = table.cursor_row
        self.regions = list(regions)
        rows = []
        pc_style = table.get_component_rich_style("maps--pc", partial=True)
        anon_style = table.get_component_rich_style("maps--anon", partial=True)
        pc_row = None
        for i, r in enumerate(self.regions):
            here = pc is not None and r.start <= pc < r.end
            if here:
                pc_row = i
            name = display_path(r.path) if r.path.startswith("/") else r.path
            cells = [f"{r.start:#x}", f"{r.end:#x}", r.perms, f"{r.offset:#x}"]
            cells = [Text(c, style=pc_style if here else "") for c in cells]
            obj = Text(name, style=pc_style if here else ("" if r.path.startswith("/") else anon_style))
            rows.append((str(i), (Text("▶" if here else "", style=pc_style), *cells, obj)))
        fill(table, self.COLUMNS, rows)
        if self.regions:
            target = row if 0 < row < len(self.regions) else (pc_row or 0)
            table.move_cursor(row=target)
        n = len(self.regions)
        self.border_subtitle = f"{n} mapping{'s' if n != 1 else ''}" if n else ""
