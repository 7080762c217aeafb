"""Disassembly pane: instructions around the selected frame's pc, source lines interleaved.

It paints the code that comes in the app's frame snapshot (code_window.py says which
instructions), with the stack and locals. ▶ marks the thread's pc (frame 0); with a
caller frame selected, ▷ marks that frame's pc: the return address. A cursor row lets
F9 set an address breakpoint here.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Literal

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget

from tdbg.backend.events import BreakpointInfo

from .. import keymap
from ..code_window import Instruction, code_window
from ..frame_view import FrameView, Stale, ViewKey
from ..util import reported
from .base import Pane
from .source import SourcePane

# a source line ("demo.c:12  x = f(y);") or an instruction, in display order
Row = tuple[Literal["src"], str] | tuple[Literal["insn"], Instruction]


class DisasmView(Widget, can_focus=True):
    COMPONENT_CLASSES = {"disasm--pc", "disasm--frame", "disasm--bp", "disasm--source",
                         "disasm--address", "disasm--comment", "disasm--cursor", "disasm--mnemonic"}
    BINDINGS = [*keymap.DISASM]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.insns: Sequence[Instruction] = []
        self.rows: list[Row] = []
        self.cursor = 0                               # index into rows
        self.bp_addrs: dict[int, bool] = {}
        self.pc: int | None = None                    # the selected thread's pc
        self.frame_pc: int | None = None              # a selected caller's pc (return address)

    def set_instructions(self, insns: Sequence[Instruction], source_line: Callable[[str, int], str | None],
                         pc: int | None = None, frame_pc: int | None = None) -> None:
        self.insns = insns
        self.pc, self.frame_pc = pc, frame_pc
        rows: list[Row] = []
        last = None
        for ins in insns:
            loc = ins.location
            if loc is not None and (last is None or (loc.file, loc.line) != last):
                last = (loc.file, loc.line)
                text = source_line(loc.file, loc.line)
                rows.append(("src", f"{os.path.basename(loc.file)}:{loc.line}  {(text or '').strip()}"))
            rows.append(("insn", ins))
        self.rows = rows
        pc_row = next((i for i, row in enumerate(rows) if row[0] == "insn" and (
            row[1].addr == frame_pc if frame_pc is not None else self._is_pc(row[1]))), 0)
        self.cursor = pc_row
        if self.styles.height is None or self.styles.height.value != max(1, len(rows)):
            self.styles.height = max(1, len(rows))      # a reflow only when the length changes
        self.refresh()
        self.call_after_refresh(self._scroll_to_row, pc_row)

    def _is_pc(self, ins: Instruction) -> bool:
        return ins.addr == self.pc if self.pc is not None else ins.is_pc

    def _scroll_to_row(self, row: int) -> None:
        parent = self.parent
        if isinstance(parent, VerticalScroll):
            h = parent.scrollable_content_region.height
            if not parent.scroll_y <= row < parent.scroll_y + h - 1:
                parent.scroll_to(y=max(0, row - h // 3), animate=False)

    def selected_address(self) -> int | None:
        for i in range(self.cursor, len(self.rows)):
            row = self.rows[i]
            if row[0] == "insn":
                return row[1].addr
        return None

    def action_move(self, d: int) -> None:
        if self.rows:
            self.cursor = min(max(0, self.cursor + d), len(self.rows) - 1)
            self._scroll_to_row(self.cursor)
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        if 0 <= event.y < len(self.rows):
            self.cursor = event.y
            self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def render(self) -> Text:
        if not self.rows:
            why = f"(no code readable at {self.pc:#x})" if self.pc is not None \
                else "(no code: the program is not stopped)"
            return Text(why, style=self.get_component_rich_style("disasm--comment", partial=True))
        st = {k: self.get_component_rich_style(f"disasm--{k}", partial=True)
              for k in ("pc", "frame", "bp", "source", "address", "comment", "cursor", "mnemonic")}
        out = []
        for i, row in enumerate(self.rows):
            if row[0] == "src":
                line = Text(row[1], style=st["source"])
            else:
                ins = row[1]
                enabled = self.bp_addrs.get(ins.addr)
                if enabled is None and ins.breakpoint_id is not None:
                    enabled = True
                mark = Text("● " if enabled else ("○ " if enabled is False else "  "), style=st["bp"])
                here = self._is_pc(ins)
                caller = not here and ins.addr == self.frame_pc
                arrow = Text("▶ ", style=st["pc"]) if here else (
                    Text("▷ ", style=st["frame"]) if caller else Text("  "))
                sym = f" <{ins.symbol}>" if ins.symbol else ""
                line = Text.assemble(mark, arrow, (f"{ins.addr:#x}{sym}", st["address"]), "  ",
                                     (f"{ins.mnemonic:<7}", st["mnemonic"]), " ", ins.op_str)
                if ins.comment:
                    line.append(f"  ; {ins.comment}", st["comment"])
                if here:
                    line.stylize(st["pc"])
                elif caller:
                    line.stylize(st["frame"])
            if i == self.cursor and self.has_focus:
                line.stylize(st["cursor"])
            out.append(line)
        return Text("\n").join(out)


class DisasmPane(Pane):
    PANE_ID = "disasm"

    def __init__(self) -> None:
        super().__init__()
        self.shown_key: ViewKey | None = None     # the app.frame whose code is shown

    @property
    def shown_stop_id(self) -> int | None:
        return self.shown_key[0] if self.shown_key else None

    @property
    def wants_code(self) -> bool:
        """Shown: the app fetches the code with each frame snapshot (hidden: no cost)."""
        return bool(self.display)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="disasm-scroll"):
            yield DisasmView(id="disasm-view")

    def focus_target(self):
        return self.query_one(DisasmView)

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "frame", self._frame_changed)
        self.watch(self.app, "breakpoints", self._bps_changed)
        self.watch(self.app, "run_state", self._state_changed)

    def on_show(self) -> None:
        """Shown again: the snapshots made while hidden brought no code; fetch it."""
        frame = self.tdbg.frame
        if frame is not None and frame.key != self.shown_key and frame.backtrace is not None:
            self.fetch(frame)

    def _state_changed(self, state: str) -> None:
        if state in ("exited", "idle"):
            view = self.query_one(DisasmView)
            view.rows, view.insns, view.pc, view.frame_pc = [], [], None, None
            view.styles.height = 1
            view.refresh()
            self.border_subtitle = ""
            self.shown_key = None

    def _bps_changed(self, bps: tuple[BreakpointInfo, ...]) -> None:
        view = self.query_one(DisasmView)
        view.bp_addrs = {a: b.enabled for b in bps for a in b.addresses}
        view.refresh()

    def _frame_changed(self, frame: FrameView | None) -> None:
        if frame is None or frame.key == self.shown_key:
            return
        if frame.code is not None:
            self._paint(frame, frame.code)
        elif frame.backtrace is not None and self.display:
            self._paint(frame, ())        # its code could not be read: not another frame's

    @work(exclusive=True, group="disasm", exit_on_error=False)
    async def fetch(self, frame: FrameView) -> None:
        try:
            session = await self.tdbg.stopped_session(frame.stop_id)
        except Stale:
            return                # the program moved on: the next stop brings its code
        with reported(self, "disassemble", background=True):
            code = await code_window(session, frame.pc, frame.symbol or frame.function)
            current = self.tdbg.frame
            if current is not None and current.key == frame.key:
                self._paint(current, code)      # else a newer snapshot: it brings its own

    def _paint(self, frame: FrameView, code: Sequence[Instruction]) -> None:
        source = self.screen.query_one("#source", SourcePane).line_text
        self.query_one(DisasmView).set_instructions(
            code, source, frame.top_pc, frame.pc if frame.level else None)
        self.shown_key = frame.key
        self.border_subtitle = (frame.symbol or frame.function or f"{frame.pc:#x}") + (
            f"  ▷ frame {frame.level}" if frame.level else "")
