"""`?`: every key, generated from the key table (with config overrides applied)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from . import keymap


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", show=False)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog help"):
            yield Label("tdbg keys  (Esc closes; Ctrl+P: command palette)", classes="dialog-title")
            table = DataTable(id="help-table", cursor_type="none", zebra_stripes=True)
            table.add_columns("where", "keys", "what")
            overrides = getattr(self.app, "_keymap", {}) or {}
            for section, bindings in keymap.SECTIONS:
                for b in bindings:
                    if b.description and not b.description.startswith("Show/hide"):
                        keys = overrides.get(b.id, b.key) if b.id else b.key
                        table.add_row(section, keymap.key_label(keys), b.tooltip or b.description)
            panes = "  ".join(f"{n} {title}" for n, title in keymap.PANES.values() if n)
            table.add_row("Debugger", "1 … 0", f"show/hide a pane (narrow: pick it): {panes}")
            table.add_row("Source", "click gutter", "toggle a breakpoint on that line")
            yield table

    def action_close(self) -> None:
        self.dismiss(None)
