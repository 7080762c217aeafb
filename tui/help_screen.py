"""`?`: every key, generated from the key table (with config overrides applied), then every
command of the command line, from the command table (backend/commands/registry.py)."""
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
            table: DataTable[str] = DataTable(id="help-table", cursor_type="none", zebra_stripes=True)
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
            yield Label("Commands  (type : first; unambiguous abbreviations work; help CMD: more)",
                        classes="dialog-title")
            commands: DataTable[str] = DataTable(id="help-commands", cursor_type="none", zebra_stripes=True)
            commands.add_columns("command", "aliases", "what")
            commands.add_rows(command_rows())
            yield commands

    def action_close(self) -> None:
        self.dismiss(None)


def command_rows() -> list[tuple[str, str, str]]:
    """(name, aliases, help line) of every command, by name."""
    # here, not at the top: it imports the whole backend, which the app imports off the loop
    from tdbg.backend.commands import COMMANDS
    return [(c.name, ", ".join(c.aliases), c.help) for _, c in sorted(COMMANDS.items())]
