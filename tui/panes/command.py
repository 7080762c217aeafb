"""Command line pane: the backend's gdb-like language, with a scrollback.

``:`` focuses the input; Enter runs ``await session.execute(line)`` and shows
the result's text; Up/Down walk the history; Tab completes via
``session.complete``. Stops, exits and backend messages are echoed here too, so
the scrollback reads like a gdb session.

After `commands`, `define` or `document` each line entered joins the block (echoed after
gdb's ">" prompt) until `end`; Esc drops the block. A breakpoint's command list runs
after its stop, also when the stop came from a key (F5) rather than this line.
"""
from __future__ import annotations

import asyncio
import os

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, RichLog

from tdbg.backend.events import as_line

from .. import keymap
from ..config import state_dir
from .base import Pane

HISTORY_MAX = 500
PLACEHOLDER = ": command (help, break, print, x/8xb $rsp …)"
BLOCK_PLACEHOLDER = '> the block\'s next line ("end" ends it, Esc drops it)'
BLOCK_OPENERS = ("commands", "define", "document")


def common_prefix(items: list[str]) -> str:
    return os.path.commonprefix(items) if items else ""


class CommandLog(RichLog):
    COMPONENT_CLASSES = {"command--echo", "command--error", "command--warning", "command--note"}

    def add(self, text: str, kind: str = "") -> None:
        style = self.get_component_rich_style(f"command--{kind}", partial=True) if kind else ""
        for line in text.rstrip("\n").split("\n") if text else []:
            self.write(Text(line, style=style))


class CommandInput(Input):
    BINDINGS = [*keymap.COMMAND]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.history: list[str] = []
        self._pos = 0
        self._draft = ""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        # ":" is the key that brings one here (keymap.py's command-line): pressed again at
        # the start of the line it is that habit, not text (no command starts with one), so
        # it is left to the binding, which does nothing here. Later ("break demo.c:12") it is text.
        if character == ":" and not self.value[:self.cursor_position].strip():
            return False
        return super().check_consume_key(key, character)

    def remember(self, line: str) -> None:
        if line.strip() and (not self.history or self.history[-1] != line):
            self.history.append(line)
            del self.history[:-HISTORY_MAX]
        self._pos = len(self.history)
        self._draft = ""

    def action_history(self, delta: int) -> None:
        if not self.history:
            return
        if self._pos == len(self.history):
            self._draft = self.value
        self._pos = min(max(0, self._pos + delta), len(self.history))
        self.value = self.history[self._pos] if self._pos < len(self.history) else self._draft
        self.cursor_position = len(self.value)

    def action_complete(self) -> None:
        self.post_message(CommandPane.CompletionRequested(self.value))

    def action_leave(self) -> None:
        self.post_message(CommandPane.LeaveRequested())


class CommandPane(Pane):
    PANE_ID = "command"

    class CompletionRequested(Message):
        def __init__(self, line: str) -> None:
            super().__init__()
            self.line = line

    class LeaveRequested(Message):
        pass

    def compose(self) -> ComposeResult:
        yield CommandLog(id="command-log", max_lines=5000, wrap=True, markup=False, highlight=False,
                         min_width=1)
        yield CommandInput(placeholder=PLACEHOLDER, id="command-input")

    @property
    def input(self) -> CommandInput:
        return self.query_one(CommandInput)

    def focus_target(self):
        return self.input

    def on_mount(self) -> None:
        super().on_mount()
        self.input.history = self._load_history()
        self.input._pos = len(self.input.history)
        # a block's lines must reach the interpreter in the order typed: a line entered
        # while `commands` is still asking the worker waits for it
        self._order = asyncio.Lock()
        self._busy = 0
        self.watch(self.app, "stop", self._stopped, init=False)

    def _block_open(self) -> bool:
        session = getattr(self.app, "session", None)
        return session is not None and session.commands.block is not None

    def _emit(self, text: str, ok: bool, raw: bool = False) -> None:
        # the pane shows lines: a raw text's own last newline would show as a blank one
        self.write(as_line(text, raw), "" if ok else "error")

    def _stopped(self, stop: object) -> None:
        """A stop this line did not cause (a key): its breakpoint's list runs now."""
        session = getattr(self.app, "session", None)
        if stop is not None and session is not None and not self._busy \
                and session.command_lists.pending:
            self.run_lists()

    @work(exit_on_error=False, group="command")
    async def run_lists(self) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        session.commands.emit = self._emit
        self._busy += 1
        try:
            await session.commands.run_stop_lists()
        except Exception as e:          # never crash the screen
            self.write(str(e), "error")
        finally:
            self._busy -= 1
        self.app.after_command()  # type: ignore[attr-defined]

    def write(self, text: str, kind: str = "") -> None:
        """kind: '' | 'echo' | 'error' | 'warning' | 'note' (styled by the theme)."""
        self.query_one(CommandLog).add(text, kind)

    @on(Input.Submitted, "#command-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value
        self.input.value = ""
        self.input.remember(line)
        self._save_history()
        if self._block_open():
            self.write(f">{line}", "echo")          # gdb's prompt inside a block
            self.run_line(line)
            return
        self.write(f"(tdbg) {line}", "echo")
        if line.strip():
            self.run_line(line)

    @work(exit_on_error=False, group="command")
    async def run_line(self, line: str) -> None:
        session = await self.app.loaded_session()  # type: ignore[attr-defined]
        if session is None:
            self.write("No program is loaded.", "error")
            return
        session.commands.emit = self._emit
        word = line.split()[0] if line.split() else ""
        ordered = (self._order.locked() or session.commands.block is not None
                   or any(o.startswith(word) for o in BLOCK_OPENERS) and len(word) >= 3)
        self._busy += 1
        try:
            if ordered:
                async with self._order:
                    result = await session.execute(line)
            else:
                result = await session.execute(line)
        except Exception as e:          # execute() should not raise; never crash if it does
            self.write(str(e), "error")
            return
        finally:
            self._busy -= 1
            self.input.placeholder = BLOCK_PLACEHOLDER if self._block_open() else PLACEHOLDER
        if result.text:
            self._emit(result.text, result.ok, result.raw)
        self.app.after_command()  # type: ignore[attr-defined]

    @on(CompletionRequested)
    def _complete(self, event: CompletionRequested) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        try:
            options = list(session.complete(event.line))
        except Exception:
            options = []
        if not options:
            self.app.bell()
            return
        inp = self.input
        line = event.line
        # completions may be whole lines or just the last word: accept both
        head, _, word = line.rpartition(" ")
        head = head + " " if _ else ""
        full = [o if o.startswith(head) and len(o) >= len(line) else head + o for o in options]
        if not head:
            # command names come with their abbreviations (b, br, brea, break): an
            # abbreviation of another candidate is not a choice of its own
            full = [f for f in full if not any(g != f and g.startswith(f) for g in full)] or full
        if len(full) == 1:
            inp.value = full[0] if full[0].endswith((" ", "/")) else full[0] + " "
        else:
            prefix = common_prefix(full)
            if len(prefix) > len(line):
                inp.value = prefix
            words = [f[len(head):] for f in full]
            self.write("  ".join(words[:200]), "note")
        inp.cursor_position = len(inp.value)

    @on(LeaveRequested)
    def _leave(self) -> None:
        session = getattr(self.app, "session", None)
        if session is not None and session.commands.cancel_block():
            self.input.placeholder = PLACEHOLDER
            self.write("Block dropped: nothing was set.", "note")
            return
        self.app.focus_source()  # type: ignore[attr-defined]

    # -- history file --------------------------------------------------------
    def _history_path(self):
        return state_dir() / "history"

    def _load_history(self) -> list[str]:
        try:
            return self._history_path().read_text("utf-8").splitlines()[-HISTORY_MAX:]
        except OSError:
            return []

    def _save_history(self) -> None:
        try:
            path = self._history_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(self.input.history[-HISTORY_MAX:]) + "\n", "utf-8")
        except OSError:
            pass
