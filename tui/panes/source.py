"""Source pane: the program's source with breakpoints and the pc, following the selected frame.

It renders what the app's reactives say (the selected frame, breakpoint table,
theme) and asks the Session only for file text. Frame 0's line (the pc) has ▶; a
selected caller's line has ▷, and the view follows it. Breakpoint toggles go
through the app so F9, gutter clicks and the command line agree.
"""
from __future__ import annotations

import os

from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from tdbg.backend.events import BreakpointInfo, SourceLocation

from ..frame_view import FrameView, ViewKey
from ..util import display_path, same_file, short_path
from .base import Pane
from .source_view import SourceView


class SourcePane(Pane):
    PANE_ID = "source"

    def __init__(self) -> None:
        super().__init__()
        self._files: dict[str, list[str] | None] = {}
        self._pc_loc: SourceLocation | None = None       # frame 0's line
        self._frame_loc: SourceLocation | None = None    # a selected caller's line
        self.shown_key: ViewKey | None = None           # the app.frame painted here

    def compose(self) -> ComposeResult:
        yield Static("Loading symbols…", id="source-empty", markup=False)
        yield SourceView(id="source-view")
        yield Input(placeholder="search (Enter: find, Esc: cancel)", id="source-search")

    @property
    def view(self) -> SourceView:
        return self.query_one(SourceView)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#source-search").display = False
        self.view.display = False
        self.watch(self.app, "theme", self._theme_changed)
        self.watch(self.app, "breakpoints", self._breakpoints_changed)
        self.watch(self.app, "frame", self._frame_changed)

    def focus_target(self):
        return self.view

    # -- following the app ----------------------------------------------------
    def _theme_changed(self, _theme: str) -> None:
        name = self.app.theme_variables.get("tdbg-syntax", "monokai")
        self.view.set_syntax_style(name)

    @property
    def shown_stop_id(self) -> int | None:
        return self.shown_key[0] if self.shown_key else None

    def _frame_changed(self, frame: FrameView | None) -> None:
        live = frame is not None and self.tdbg.frame_is_live
        key = frame.key if frame is not None and live else None
        if key == self.shown_key:
            return                  # the same frame, its backtrace and locals added: stay put
        self.shown_key = key
        self._pc_loc = frame.top_location if frame is not None and live else None
        self._frame_loc = frame.location if frame is not None and live and frame.level else None
        loc = frame.location if frame is not None and live else None
        if loc is not None:
            self.show(loc.file, loc.line)
        else:
            self._mark_frame_lines(self.view.path)

    def _breakpoints_changed(self, bps: tuple[BreakpointInfo, ...]) -> None:
        self._update_marks()

    def _update_marks(self) -> None:
        path = self.view.path
        marks: dict[int, str] = {}
        for bp in self.tdbg.breakpoints:
            loc = bp.location
            if loc is None or not same_file(loc.file, path):
                continue
            state = "disabled" if not bp.enabled else ("cond" if bp.condition else "enabled")
            if marks.get(loc.line) != "enabled":          # an enabled one wins the mark
                marks[loc.line] = state
        self.view.set_marks(marks)

    # -- showing files --------------------------------------------------------
    def read(self, path: str) -> list[str] | None:
        if path not in self._files:
            session = self.tdbg.session
            try:
                self._files[path] = session.read_source(path) if session else None
            except Exception:
                self._files[path] = None
        return self._files[path]

    def show_lines(self, path: str, line: int, lines: list[str]) -> None:
        """Show a file whose text is known already (main's, read before the Session exists)."""
        self._files.setdefault(path, lines)
        self.show(path, line)

    def line_text(self, path: str, line: int) -> str | None:
        lines = self.read(path)
        return lines[line - 1] if lines and 1 <= line <= len(lines) else None

    def show(self, path: str, line: int | None = None) -> bool:
        view = self.view
        if view.path is None or not same_file(view.path, path) or view.path != path:
            lines = self.read(path)
            if lines is None:
                self._show_missing(path)
                return False
            view.show_file(path, lines)
            self.query_one("#source-empty").display = False
            view.display = True
            self.border_subtitle = short_path(display_path(path), 60)
            self._update_marks()
        self._mark_frame_lines(path)
        if line is not None:
            view.goto(line, center=True)
        return True

    def _mark_frame_lines(self, path: str | None) -> None:
        """▶ on frame 0's line and ▷ on a selected caller's, where they are in this file."""
        live = self.tdbg.frame_is_live
        pc, frame = self._pc_loc, self._frame_loc
        self.view.set_pc(pc.line if live and pc is not None and same_file(pc.file, path) else None)
        self.view.set_frame_line(frame.line if live and frame is not None
                                 and same_file(frame.file, path) else None)

    def _show_missing(self, path: str) -> None:
        self.view.display = False
        self.view.clear_file()
        empty = self.query_one("#source-empty", Static)
        empty.update(f"Source file not found: {display_path(path)}\n(see the Disassembly pane; "
                     f"`directory DIR` on the command line adds a search path)")
        empty.display = True
        self.border_subtitle = os.path.basename(path)

    def show_message(self, text: str) -> None:
        if self.view.path is None:
            self.query_one("#source-empty", Static).update(text)

    @property
    def cursor_location(self) -> tuple[str, int] | None:
        v = self.view
        return (v.path, v.cursor) if v.path else None

    @on(SourceView.GutterClicked)
    def _gutter_clicked(self, event: SourceView.GutterClicked) -> None:
        event.stop()
        self.tdbg.toggle_breakpoint_at(event.path, event.line)

    # -- search -----------------------------------------------------------------
    @on(SourceView.SearchRequested)
    def _open_search(self) -> None:
        box = self.query_one("#source-search", Input)
        box.display = True
        box.value = self.view.search or ""
        box.focus()

    @on(Input.Submitted, "#source-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        box = self.query_one("#source-search", Input)
        box.display = False
        self.view.focus()
        self.view.set_search(event.value or None)
        if event.value:
            hit = self.view.find(event.value, self.view.cursor - 1)
            if hit is None:
                self.notify(f"Pattern not found: {event.value}", severity="warning")
            else:
                self.view.goto(hit, center=False)

    def on_key(self, event) -> None:
        box = self.query_one("#source-search", Input)
        if event.key == "escape" and box.has_focus:
            event.stop()
            box.display = False
            self.view.focus()
