"""`?`: every key, generated from the key table (with config overrides applied), what the
mouse does (also keymap.py's), then every command of the command line, from the command
table (backend/commands/registry.py).

One scrolling body of plain tables: tables that scroll themselves inside it drew their
own scrollbars in the middle of the dialog. The body's own bar is hidden too; the
title says how to scroll.
"""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from . import keymap


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", show=False)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("tdbg keys  (Esc closes; ↑ ↓ PgUp PgDn scroll; Ctrl+P: command palette)",
                        classes="dialog-title")
            with VerticalScroll(id="help-body"):
                yield Static(key_table(getattr(self.app, "_keymap", {}) or {}), id="help-keys")
                yield Label("Commands  (type : first; unambiguous abbreviations work; help CMD: more)",
                            classes="dialog-title")
                yield Static(_table(("command", "aliases", "what"), command_rows()), id="help-commands")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)


def key_rows(overrides: dict[str, str]) -> list[tuple[str, str, str]]:
    """(where, keys, what) for every binding of the key table, then the mouse's."""
    rows = [(section, keymap.key_label(keymap.keys_of(b, overrides)), keymap.what(b))
            for section, bindings in keymap.SECTIONS for b in bindings]
    return rows + [(section, gesture, what) for section, gesture, what in keymap.MOUSE]


def key_table(overrides: dict[str, str]) -> Table:
    return _table(("where", "keys", "what"), key_rows(overrides))


def _table(headers: tuple[str, str, str], rows: list[tuple[str, str, str]]) -> Table:
    table = Table(*headers, box=None, expand=True, show_edge=False, pad_edge=False,
                  header_style="bold", row_styles=["", "dim"])
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))    # "[ADDR]" is text, not markup
    return table


def command_rows() -> list[tuple[str, str, str]]:
    """(name, aliases, help line) of every command, by name."""
    # here, not at the top: it imports the whole backend, which the app imports off the loop
    from tdbg.backend.commands import COMMANDS
    return [(c.name, ", ".join(c.aliases), c.help) for _, c in sorted(COMMANDS.items())]
