"""The box every pane lives in: a bordered, titled container with a number key."""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, cast

from textual.containers import Vertical
from textual.widget import Widget

from ..keymap import PANES

if TYPE_CHECKING:
    from ..app import TdbgApp


class Pane(Vertical):
    PANE_ID: ClassVar[str] = ""

    def __init__(self, *, hidden: bool = False, **kwargs) -> None:
        # "aux": every pane but the source; in narrow terminals they share one slot
        classes = "pane" if self.PANE_ID == "source" else "pane aux"
        super().__init__(id=self.PANE_ID, classes=classes + (" -hidden" if hidden else ""),
                         **kwargs)

    @property
    def number(self) -> str:
        return PANES.get(self.PANE_ID, ("", ""))[0]

    @property
    def pane_title(self) -> str:
        return PANES.get(self.PANE_ID, ("", self.PANE_ID))[1]

    @property
    def tdbg(self) -> TdbgApp:
        return cast("TdbgApp", self.app)

    def on_mount(self) -> None:
        self.border_title = f"{self.number} {self.pane_title}".strip()

    def focus_target(self) -> Widget | None:
        """The widget Tab lands on in this pane."""
        for w in self.query("*"):
            if w.focusable:
                return w
        return None
