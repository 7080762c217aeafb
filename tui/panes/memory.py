"""Memory pane: address | hex | ASCII rows, reading only the rows on screen.

Bytes that differ from what this pane showed at the previous stop are
highlighted; unreadable bytes show ``??``. ``g`` goes to an address or an
expression (``$rsp``, ``&arr``, ``p->next``); an expression is evaluated again
at every stop and the view follows its new value, like gdb's ``display`` (if it
cannot be evaluated there, the view stays put and a note says why). ``e``
writes the byte under the cursor. Until the user picks something, it follows
``$rsp``.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, cast

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from tdbg.backend.errors import BadAddress, NotRunning, ProcessGone, Running, TdbgError
from tdbg.backend.events import Stopped

from .. import keymap
from ..frame_view import Stale
from ..prompt import PromptScreen
from ..util import reported
from .base import Pane

if TYPE_CHECKING:
    from ..app import TdbgApp
    from ..frame_view import FrameView, ViewKey

PAGE = 4096
_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def parse_address(text: str) -> int | None:
    """A plain number, or the first address in an evaluated value like '(int *) 0x7ffe...'."""
    t = text.strip()
    try:
        return int(t, 0)
    except ValueError:
        pass
    m = _ADDR.search(t)
    if m:
        return int(m.group(0), 16)
    m = re.search(r"(?<![\w$])-?\d+\b", t.split("=")[-1])
    return int(m.group(0)) if m else None


class MemoryView(Widget, can_focus=True):
    COMPONENT_CLASSES = {"memory--address", "memory--changed", "memory--unreadable",
                         "memory--cursor", "memory--ascii"}
    BINDINGS = [*keymap.MEMORY]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.base: int | None = None          # address of the first row shown
        self.cursor: int | None = None        # address of the selected byte
        self.data: dict[int, int | None] = {}
        self.prev: dict[int, int] = {}        # what was shown at the previous stop
        self.changed: set[int] = set()
        self.reads = 0                        # for tests: how many fetches were made
        self.expr: str | None = None          # followed at each stop (None: a fixed address)
        # the expression's value the view is placed by (it hides Widget.anchor(), which
        # nothing calls on this widget; the tests read the name)
        self.anchor: int | None = None  # type: ignore[assignment]
        self.note: str | None = None          # why the last re-evaluation failed
        self.shown_stop_id: int | None = None  # the stop the bytes were read at

    @property
    def tdbg(self) -> TdbgApp:
        return cast("TdbgApp", self.app)

    @property
    def per_row(self) -> int:
        return 16 if self.size.width >= 19 + 16 * 3 + 2 + 16 else 8

    @property
    def rows(self) -> int:
        return max(1, self.size.height)

    # -- navigation -------------------------------------------------------------
    def goto(self, addr: int, expr: str | None = None) -> None:
        """Show addr; with expr, follow that expression's value at every stop."""
        addr &= (1 << 64) - 1
        self.expr, self.anchor, self.note = expr, addr, None
        self.cursor = addr
        self.base = addr - addr % self.per_row
        self._changed_target()
        self.fetch()

    def _changed_target(self) -> None:
        pane = self.parent
        if isinstance(pane, MemoryPane):
            pane.show_target()

    def _move_anchor(self, addr: int) -> None:
        """The expression moved: keep the cursor and the view where they were relative to it."""
        addr &= (1 << 64) - 1
        old = self.anchor if self.anchor is not None else addr
        per = self.per_row
        cursor = self.cursor if self.cursor is not None else old
        base = self.base if self.base is not None else old - old % per
        rows_above = (old - old % per - base) // per
        self.anchor = addr
        self.cursor = max(0, addr + (cursor - old))
        self.base = max(0, addr - addr % per - rows_above * per)

    def action_move(self, delta: int) -> None:
        if self.cursor is None or self.base is None:
            return
        self.cursor = max(0, self.cursor + delta)
        span = self.rows * self.per_row
        if self.cursor < self.base:
            self.base -= self.per_row * ((self.base - self.cursor + self.per_row - 1) // self.per_row)
            self.fetch()
        elif self.cursor >= self.base + span:
            self.base += self.per_row * ((self.cursor - (self.base + span)) // self.per_row + 1)
            self.fetch()
        self.refresh()

    def action_scroll_rows(self, n: int) -> None:
        self.action_move(n * self.per_row)

    def action_scroll_page(self, n: int) -> None:
        self.action_move(n * self.per_row * max(1, self.rows - 1))

    def action_goto(self) -> None:
        def done(text: str | None) -> None:
            if text and text.strip():
                self._goto_expr(text.strip())
        self.app.push_screen(PromptScreen("Go to address", "", "0x7ffe0000, $rsp, &arr, list->next",
                                          "an address or any expression"), done)

    @work(exit_on_error=False, group="memory-goto")
    async def _goto_expr(self, expr: str) -> None:
        try:
            self.goto(int(expr, 0))              # a number stays where it is
            return
        except ValueError:
            pass
        with reported(self, "go to"):
            addr = parse_address(await self.app.session.data.evaluate(expr))  # type: ignore[attr-defined]
            if addr is None:
                self.notify(f"{expr} is not an address", severity="error")
            else:
                self.goto(addr, expr)

    def action_edit(self) -> None:
        if self.cursor is None:
            self.notify("Go to an address first (g)", severity="warning")
            return
        addr = self.cursor
        cur = self.data.get(addr)

        def done(text: str | None) -> None:
            if text is None or not text.strip():
                return
            try:
                value = int(text.strip(), 16) if not text.strip().startswith(("0x", "0X")) \
                    else int(text.strip(), 0)
                if not 0 <= value <= 0xFF:
                    raise ValueError
            except ValueError:
                self.notify(f"not a byte: {text}", severity="error")
                return
            self._write(addr, value)

        self.app.push_screen(PromptScreen(f"Byte at {addr:#x} (hex)",
                                          f"{cur:02x}" if cur is not None else ""), done)

    @work(exit_on_error=False)
    async def _write(self, addr: int, value: int) -> None:
        with reported(self, "write memory"):
            await self.app.session.data.write_memory(addr, bytes([value]))  # type: ignore[attr-defined]
            self.fetch()

    def on_click(self, event: events.Click) -> None:
        if self.base is None:
            return
        col = event.x - 20
        if 0 <= col < self.per_row * 3 + 1:
            i = (col - (1 if col > self.per_row // 2 * 3 else 0)) // 3
            self.cursor = self.base + event.y * self.per_row + min(i, self.per_row - 1)
            self.refresh()

    # -- data -------------------------------------------------------------------
    def on_stop(self, regs=None) -> None:
        """A new stop: what is on screen now becomes the baseline for 'changed'; an
        expression is evaluated again (a plain `$reg` straight from the stop's registers)."""
        self.prev = {a: v for a, v in self.data.items() if v is not None}
        if self.base is not None:
            self.follow(regs)

    @work(exclusive=True, group="memory-fetch", exit_on_error=False)
    async def follow(self, regs=None) -> None:
        """Re-evaluate the expression (if any), move with it, then read what is visible."""
        stop = self.tdbg.stop
        try:
            # a stop's event comes a moment before the Session takes calls again
            session = await self.tdbg.stopped_session(stop.stop_id) if stop is not None else None
        except Stale:
            return                    # the program moved on; the next stop re-evaluates
        expr = self.expr
        if expr is not None and session is not None and session.state == "stopped":
            name = expr[1:] if expr.startswith("$") else None
            try:
                if regs is not None and name in regs:
                    addr = regs[name]
                else:
                    addr = parse_address(await session.data.evaluate(expr))
                    if addr is None:
                        raise TdbgError(f"{expr} is not an address")
            except (Running, NotRunning, ProcessGone):
                return                    # the program moved on; the next stop re-evaluates
            except TdbgError as e:
                reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
                self.note = f"{expr}: {reason} (still showing {self.anchor:#x})"
            else:
                self.note = None
                self._move_anchor(addr)
            self._changed_target()
        await self._load()

    def set_stale(self) -> None:
        """No process: nothing true to show (the followed expression is kept)."""
        self.data, self.prev, self.changed = {}, {}, set()
        self.note = None
        self._changed_target()
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.base is not None:
            self.base -= self.base % self.per_row
            self.fetch()

    @work(exclusive=True, group="memory-fetch", exit_on_error=False)
    async def fetch(self) -> None:
        await self._load()

    async def _load(self) -> None:
        session = getattr(self.app, "session", None)
        if self.base is None or session is None or session.state != "stopped":
            self.refresh()
            return
        per, rows, base = self.per_row, self.rows, self.base
        data: dict[int, int | None] = {}
        try:
            raw, ok = await session.data.read_memory_partial(base, per * rows)
            self.reads += 1
            for i in range(per * rows):
                data[base + i] = raw[i] if i < ok else None
            if ok < per * rows:
                await self._fill_holes(session, data, base + ok, base + per * rows, per)
        except (Running, NotRunning, ProcessGone):
            return                    # the program moved on; the next stop refetches
        except TdbgError as e:
            self.notify(str(e), severity="error")
        self.data = data
        self.changed = {a for a, v in data.items() if v is not None and a in self.prev
                        and self.prev[a] != v}
        stop = self.tdbg.stop
        self.shown_stop_id = stop.stop_id if stop is not None else None
        self.refresh()

    async def _fill_holes(self, session, data: dict[int, int | None], start: int, end: int,
                          per: int) -> None:
        """After a failed byte, later rows may sit on another (mapped) page."""
        bad_page = start // PAGE
        row = start - start % per + per
        while row < end:
            if row // PAGE == bad_page and (row + per - 1) // PAGE == bad_page:
                row += per
                continue
            try:
                raw, ok = await session.data.read_memory_partial(row, per)
            except (BadAddress, TdbgError):
                raw, ok = b"", 0
            for i in range(ok):
                data[row + i] = raw[i]
            if ok < per:
                bad_page = (row + ok) // PAGE
            row += per

    # -- rendering ----------------------------------------------------------------
    def render(self) -> Text:
        if self.base is None:
            return Text("g: go to an address or expression ($rsp, &var)",
                        style=self.get_component_rich_style("memory--unreadable", partial=True))
        per = self.per_row
        st = {k: self.get_component_rich_style(f"memory--{k}", partial=True)
              for k in ("address", "changed", "unreadable", "cursor", "ascii")}
        lines = []
        for r in range(self.rows):
            addr = self.base + r * per
            line = Text(f"{addr:#018x}  ", style=st["address"])
            ascii_part = Text()
            for i in range(per):
                a = addr + i
                v = self.data.get(a)
                style = st["unreadable"] if v is None else (st["changed"] if a in self.changed else None)
                if a == self.cursor and self.has_focus:
                    style = (style or Style()) + st["cursor"]
                line.append("??" if v is None else f"{v:02x}", style)
                line.append("  " if i == per // 2 - 1 else " ")
                ch = "?" if v is None else (chr(v) if 32 <= v < 127 else ".")
                ascii_part.append(ch, style or st["ascii"])
            line.append(" ")
            line.append_text(ascii_part)
            lines.append(line)
        return Text("\n").join(lines)


class MemoryPane(Pane):
    PANE_ID = "memory"

    def compose(self) -> ComposeResult:
        yield MemoryView(id="memory-view")
        yield Static("", id="memory-note", markup=False)

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#memory-note").display = False
        self._followed: ViewKey | None = None     # the app.frame the expression was last placed by
        self.watch(self.app, "stop_settled", self._stop_changed)
        self.watch(self.app, "frame", self._frame_changed)
        self.watch(self.app, "run_state", self._state_changed)

    def _state_changed(self, state: str) -> None:
        if state in ("exited", "idle"):      # no process: nothing true to show
            self.query_one(MemoryView).set_stale()

    def _stop_changed(self, stop: Stopped | None) -> None:
        view = self.query_one(MemoryView)
        if stop is None:
            return
        if view.base is None and "rsp" in stop.regs:
            view.goto(stop.regs["rsp"], "$rsp")      # a sensible first view: the stack
        else:
            view.on_stop(stop.regs)

    def _frame_changed(self, frame: FrameView | None) -> None:
        """Another frame or thread picked at the same stop: `$rsp` & co. mean its registers
        now (a new stop follows once settled: _stop_changed)."""
        view = self.query_one(MemoryView)
        key = frame.key if frame is not None else None
        followed, self._followed = self._followed, key
        if frame is not None and key != followed and followed is not None \
                and followed[0] == frame.stop_id and view.expr is not None:
            view.follow(dict(frame.regs))

    def show_target(self) -> None:
        """Subtitle: what the view follows; a note line when it could not follow it."""
        view = self.query_one(MemoryView)
        if view.expr is not None and view.anchor is not None:
            self.border_subtitle = f"{view.expr} = {view.anchor:#x}"
        else:
            self.border_subtitle = f"{view.cursor:#x}" if view.cursor is not None else ""
        note = self.query_one("#memory-note", Static)
        note.update(f"⚠ {view.note}" if view.note else "")
        note.display = bool(view.note)
