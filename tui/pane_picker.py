"""`v`: show or hide a pane by its number (a digit alone goes to the pane; keymap.py says why
this prefix exists beside Alt+digit)."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from .keymap import PANE_MENU_KEY, PANES


class PanePicker(ModalScreen[str | None]):
    """Dismissed with the pane id whose digit was pressed, or None (Esc, or v again)."""

    BINDINGS = [
        Binding(f"escape,{PANE_MENU_KEY}", "pick(None)", "Cancel", show=False),
        *[Binding(n, f"pick('{pid}')", title, show=False) for pid, (n, title) in PANES.items() if n],
    ]

    def __init__(self, hidden: set[str]) -> None:
        super().__init__(classes="dialog-screen")
        self._hidden = hidden

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label("Show or hide which pane?  (Esc: none)", classes="dialog-title")
            rows = Text()
            for pid, (n, title) in PANES.items():
                if n:
                    state = "hidden" if pid in self._hidden else "shown"
                    rows.append(f" {n} ", style="bold")
                    rows.append(f"{title:<14}{state}\n")
            rows.rstrip()
            yield Static(rows, id="picker-panes")

    def action_pick(self, pane_id: str | None) -> None:
        self.dismiss(pane_id)
