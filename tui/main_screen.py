"""The debugger screen: status line, banner, the panes, the footer.

Layout is CSS (themes/layout.tcss). Below NARROW_WIDTH columns the screen gets
the ``-narrow`` class: the source takes the top, one other pane at a time shows
below it, picked from a one-line tab bar (or its number key). Widgets are never
moved between containers, only shown and hidden, so no pane loses its state
when the terminal is resized.
"""
from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from .keymap import HIDDEN_AT_START, PANES
from .panes.base import Pane
from .panes.breakpoints import BreakpointsPane
from .panes.command import CommandPane
from .panes.console import ConsolePane
from .panes.disasm import DisasmPane
from .panes.locals import LocalsPane
from .panes.maps import MapsPane
from .panes.memory import MemoryPane
from .panes.registers import RegistersPane
from .panes.source import SourcePane
from .panes.stack import StackPane
from .panes.threads import ThreadsPane

NARROW_WIDTH = 110
PANE_ORDER = list(PANES)
SHORT_TITLES = {"threads": "Thr", "registers": "Regs", "stack": "Stack", "locals": "Locals",
                "breakpoints": "Bkpts", "memory": "Mem", "disasm": "Asm", "console": "I/O",
                "command": "Cmd", "maps": "Maps"}


class PaneTabs(Widget):
    """One-line tab bar for narrow terminals: ' 2 Regs  3 Stack  4 Locals ...'."""
    COMPONENT_CLASSES = {"pane-tabs--active", "pane-tabs--key"}

    class Picked(Message):
        def __init__(self, pane_id: str) -> None:
            super().__init__()
            self.pane_id = pane_id

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.active = "command"
        self._spans: list[tuple[int, int, str]] = []

    def render(self) -> Text:
        text = Text()
        self._spans = []
        for pid, (n, _) in PANES.items():
            if not n:
                continue
            start = text.cell_len
            label = Text.assemble((f" {n}", self.get_component_rich_style("pane-tabs--key", partial=True)),
                                  f" {SHORT_TITLES[pid]} ")
            if pid == self.active:
                label.stylize(self.get_component_rich_style("pane-tabs--active", partial=True))
            text.append_text(label)
            self._spans.append((start, text.cell_len, pid))
        return text

    def on_click(self, event: events.Click) -> None:
        for a, b, pid in self._spans:
            if a <= event.x < b:
                self.post_message(self.Picked(pid))


class StatusBar(Widget):
    """One line: program, pid, state. A plain render: updating it never reflows the screen."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.text = Text()

    def show(self, text: Text, state: str) -> None:
        self.text = text
        for s in ("idle", "loading", "running", "stopped", "exited"):
            self.set_class(s == state, f"-{s}")
        self.refresh()

    def render(self) -> Text:
        return self.text


class MainScreen(Screen):
    ready = False

    def compose(self) -> ComposeResult:
        with Vertical(id="top"):                 # one dock: docked siblings would overlap
            yield StatusBar(id="status")
            yield Static("", id="banner", markup=False)
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield SourcePane()
                yield DisasmPane()
                yield MapsPane(hidden="maps" in HIDDEN_AT_START)
                with Horizontal(id="bottom"):
                    yield ConsolePane()
                    yield CommandPane()
            with Vertical(id="side"):
                yield ThreadsPane(hidden="threads" in HIDDEN_AT_START)
                yield RegistersPane()
                yield StackPane()
                yield LocalsPane()
                yield BreakpointsPane()
                yield MemoryPane()
        yield PaneTabs(id="pane-tabs")
        yield Footer()

    def on_mount(self) -> None:
        self.ready = True
        self.query_one("#banner").display = False
        self._apply_width(self.size.width)
        self.call_after_refresh(self.focus_pane, "source")
        mounted = getattr(self.app, "main_mounted", None)
        if mounted is not None:
            mounted()

    def on_resize(self, event: events.Resize) -> None:
        self._apply_width(event.size.width)

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow")

    def _apply_width(self, width: int) -> None:
        if width <= 0:
            return
        narrow = width < NARROW_WIDTH
        self.set_class(narrow, "-narrow")
        self.query_one(Footer).compact = narrow
        if narrow:
            self._activate_tab(self.query_one(PaneTabs).active)
        self._update_containers()

    # -- panes ------------------------------------------------------------------
    def pane(self, pane_id: str) -> Pane:
        return self.query_one(f"#{pane_id}", Pane)

    def visible_panes(self) -> list[Pane]:
        out = []
        for pid in PANE_ORDER:
            p = self.pane(pid)
            if self.narrow:
                if pid == "source" or p.has_class("-tab-active"):
                    out.append(p)
            elif not p.has_class("-hidden"):
                out.append(p)
        return out

    def _activate_tab(self, pane_id: str) -> None:
        tabs = self.query_one(PaneTabs)
        tabs.active = pane_id
        tabs.refresh()
        for pid in PANE_ORDER:
            self.pane(pid).set_class(pid == pane_id, "-tab-active")

    def go_to_pane(self, pane_id: str) -> None:
        """Number keys: focus a pane, showing it first if it is hidden (narrow: bring its
        tab up)."""
        if not self.narrow and self.pane(pane_id).has_class("-hidden"):
            self.show_pane(pane_id)
            self.call_after_refresh(self.focus_pane, pane_id)   # focusable once displayed
        else:
            self.focus_pane(pane_id)

    def toggle_pane(self, pane_id: str) -> None:
        """Alt+digit, v then a digit: show/hide a pane (narrow: bring its tab up). Source is
        always shown."""
        if pane_id == "source":
            self.focus_pane("source")
            return
        if self.narrow:
            self._activate_tab(pane_id)
            self.focus_pane(pane_id)
            return
        pane = self.pane(pane_id)
        hide = not pane.has_class("-hidden")
        if hide and self.focused is not None and pane in self.focused.ancestors_with_self:
            self.focus_pane("source")
        pane.set_class(hide, "-hidden")
        self._update_containers()
        if not hide:        # focusable only once its styles say it is displayed
            self.call_after_refresh(self.focus_pane, pane_id)

    def show_pane(self, pane_id: str) -> None:
        if self.narrow:
            self._activate_tab(pane_id)
        else:
            self.pane(pane_id).remove_class("-hidden")
            self._update_containers()

    def _update_containers(self) -> None:
        """A column/row whose panes are all hidden gives its room back."""
        side_shown = any(not p.has_class("-hidden") for p in self.query_one("#side").query(Pane))
        bottom_shown = any(not p.has_class("-hidden") for p in self.query_one("#bottom").query(Pane))
        self.query_one("#side").set_class(not side_shown and not self.narrow, "-empty")
        self.query_one("#bottom").set_class(not bottom_shown and not self.narrow, "-empty")

    def focus_pane(self, pane_id: str) -> None:
        pane = self.pane(pane_id)
        if self.narrow and pane_id != "source":
            self._activate_tab(pane_id)
        target = pane.focus_target()
        if target is not None:
            # now, not after a refresh: keys typed right after ":" belong to the input
            self.set_focus(target)

    def current_pane(self) -> Pane | None:
        node = self.focused
        while node is not None and not isinstance(node, Pane):
            node = node.parent  # type: ignore[assignment]
        return node

    def cycle_pane(self, step: int) -> None:
        panes = self.visible_panes()
        if self.narrow:
            # Tab walks source -> each tab in turn
            ids = ["source"] + [pid for pid in PANE_ORDER if pid != "source"]
            cur = self.current_pane()
            i = ids.index(cur.PANE_ID) if cur is not None and cur.PANE_ID in ids else 0
            self.focus_pane(ids[(i + step) % len(ids)])
            return
        if not panes:
            return
        cur = self.current_pane()
        i = panes.index(cur) if cur in panes else -1
        nxt = panes[(i + step) % len(panes)]
        self.focus_pane(nxt.PANE_ID)

    def on_pane_tabs_picked(self, event: PaneTabs.Picked) -> None:
        self.focus_pane(event.pane_id)

    # -- status line and banner -------------------------------------------------
    def set_status(self, text: Text, state: str) -> None:
        self.query_one(StatusBar).show(text, state)

    def set_banner(self, text: str | None, kind: str = "info") -> None:
        banner = self.query_one("#banner", Static)
        if not text:
            if banner.display:
                banner.display = False
            return
        banner.update(text)
        for k in ("info", "ok", "error"):
            banner.set_class(k == kind, f"-{k}")
        banner.display = True
