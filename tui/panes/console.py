"""Console pane: the program's output (ANSI colours kept) and a line to type its stdin.

Output arrives in arbitrary chunks: an incremental UTF-8 decoder keeps split
characters whole, ANSI state carries across lines, and a trailing partial line
(a prompt without newline) is shown at once below the scrollback.
"""
from __future__ import annotations

import codecs

from rich.ansi import AnsiDecoder
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, RichLog, Static

from .. import keymap
from ..util import reported
from .base import Pane

MAX_LINES = 5000


class StdinInput(Input):
    BINDINGS = [*keymap.CONSOLE]

    def action_eof(self) -> None:
        self.post_message(ConsolePane.EofRequested())


class ConsolePane(Pane):
    PANE_ID = "console"

    class EofRequested(Message):
        pass

    def __init__(self) -> None:
        super().__init__()
        self._utf8 = codecs.getincrementaldecoder("utf-8")("replace")
        self._ansi = AnsiDecoder()
        self._partial = ""
        self.text_seen = ""          # for tests and the smoke check (bounded)

    def compose(self) -> ComposeResult:
        yield Static("", id="console-tty", markup=False)
        yield RichLog(id="console-log", max_lines=MAX_LINES, wrap=False, markup=False,
                      highlight=False, auto_scroll=True, min_width=1)
        yield Static("", id="console-partial", markup=False)
        yield StdinInput(placeholder="stdin ⏎ (Ctrl+D: EOF)", id="console-input")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#console-tty").display = False

    def focus_target(self):
        tty = self.query_one("#console-tty")
        return self.query_one("#console-log") if tty.display else self.query_one("#console-input")

    def show_tty(self, device: str | None) -> None:
        """gdb's --tty / `tty DEV`: the program's I/O is on another terminal, not here."""
        line = self.query_one("#console-tty", Static)
        stdin = self.query_one("#console-input", Input)
        if device:
            line.update(f"The program's I/O is on {device}")
            self.border_subtitle = device
        else:
            self.border_subtitle = ""
        line.display = bool(device)
        if stdin.has_focus and device:
            self.query_one("#console-log").focus()
        stdin.display = not device

    def write(self, data: bytes) -> None:
        text = self._utf8.decode(data)
        if not text:
            return
        self.text_seen = (self.text_seen + text)[-20000:]
        text = self._partial + text.replace("\r\n", "\n")
        *complete, self._partial = text.split("\n")
        log = self.query_one(RichLog)
        for line in complete:
            line = line.rsplit("\r", 1)[-1]          # a carriage return redraws the line
            for decoded in self._ansi.decode(line):
                log.write(decoded)
        partial = self.query_one("#console-partial", Static)
        shown = self._partial.rsplit("\r", 1)[-1]
        partial.update(Text.from_ansi(shown) if shown else "")
        partial.display = bool(shown)

    def on_resize(self) -> None:
        """The program's terminal is as big as this pane (so `ls`-like output wraps right)."""
        session = getattr(self.app, "session", None)
        log = self.query_one(RichLog)
        if session is not None and log.size.width > 0:
            try:
                session.resize_pty(max(1, log.size.height), max(1, log.size.width))
            except Exception:
                pass

    def note(self, text: str, style: str = "italic") -> None:
        """A line of ours (not the program's), e.g. '[program exited with code 0]'."""
        self.query_one(RichLog).write(Text(text, style=style))

    @on(Input.Submitted, "#console-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.input.value = ""
        self._send((event.value + "\n").encode())

    @on(EofRequested)
    def _eof(self) -> None:
        self._send(b"\x04")

    @work(exit_on_error=False, group="stdin")
    async def _send(self, data: bytes) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        with reported(self, "stdin"):
            await session.write_stdin(data)
