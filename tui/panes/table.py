"""Filling a DataTable whose column widths are right in the very next frame.

A DataTable measures auto-width columns on its next idle; a frame painted before
that (a stop repaints at once) shows every column cut to its header's width
("shape_ar", "demo.c:6"). The panes rebuild their tables from scratch at each
change anyway, so they measure the cells here and give every column its width.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable

if TYPE_CHECKING:
    from tdbg.backend.events import Stopped

    from .base import Pane

    # The mixin's methods run as methods of a Pane (threads.py, maps.py): type-check them so.
    _PaneBase = Pane
else:
    _PaneBase = object

# (header, key, fixed width or None: as wide as its widest cell)
Column = tuple[str, str, "int | None"]


def _width(cell: object) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


def fill(table: DataTable, columns: Sequence[Column],
         rows: Iterable[tuple[str, Sequence[object]]] = ()) -> None:
    """Replace the table's columns and rows; rows are (key, cells)."""
    rows = list(rows)
    table.clear(columns=True)
    for i, (label, key, fixed) in enumerate(columns):
        width = fixed if fixed is not None else max([cell_len(label)] + [_width(r[1][i]) for r in rows])
        table.add_column(label, key=key, width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)


class LazyTablePane(_PaneBase):
    """Mixin for a Pane holding one table that exists only once the pane is shown
    and is fetched again at each stop while visible (threads, memory map).
    Subclasses set TABLE (the DataTable class), TABLE_ID and COLUMNS, and fetch()."""

    TABLE: type[DataTable] = DataTable
    TABLE_ID = ""
    COLUMNS: Sequence[Column] = ()

    if TYPE_CHECKING:
        def fetch(self) -> object: ...

    def compose(self) -> ComposeResult:
        if not self.has_class("-hidden"):     # hidden at start: built when first shown
            yield self._new_table()

    def _new_table(self) -> DataTable:
        table = self.TABLE(id=self.TABLE_ID, cursor_type="row")
        fill(table, self.COLUMNS)
        return table

    @property
    def table(self) -> DataTable | None:
        found = self.query(self.TABLE)
        return found.first() if found else None

    def on_show(self) -> None:
        if self.table is None:
            self.mount(self._new_table())
        self._stop_changed(self.tdbg.stop_settled)

    def _stop_changed(self, stop: Stopped | None) -> None:
        if stop is not None and self.display and self.tdbg.run_state == "stopped":
            self.fetch()
