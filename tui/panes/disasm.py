"""Disassembly pane: instructions around the pc, source lines interleaved.

The window starts at the function's entry (known from the pc's ``func+off``
symbol) so decoding never begins mid-instruction. A cursor row lets F9 set an
address breakpoint here.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Literal, Protocol

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widget import Widget

from tdbg.backend.events import BreakpointInfo, SourceLocation, Stopped

from ..util import reported
from .base import Pane
from .source import SourcePane

MAX_BACK = 768          # bytes before the pc we decode from the function entry
AFTER = 48              # instructions after the pc


class Instruction(Protocol):
    """A row of Session.disassemble() as this pane reads it (backend/disasm/decode.py has
    the class; tui/ imports only the Session's own modules: tests/test_tui_units.py)."""

    @property
    def addr(self) -> int: ...
    @property
    def mnemonic(self) -> str: ...
    @property
    def op_str(self) -> str: ...
    @property
    def symbol(self) -> str | None: ...
    @property
    def location(self) -> SourceLocation | None: ...
    @property
    def comment(self) -> str | None: ...
    @property
    def is_pc(self) -> bool: ...
    @property
    def breakpoint_id(self) -> int | None: ...


# a source line ("demo.c:12  x = f(y);") or an instruction, in display order
Row = tuple[Literal["src"], str] | tuple[Literal["insn"], Instruction]


def function_offset(symbol: str | None) -> int | None:
    if not symbol or "+" not in symbol:
        return 0 if symbol else None
    try:
        return int(symbol.rsplit("+", 1)[1], 0)
    except ValueError:
        return None


class DisasmView(Widget, can_focus=True):
    COMPONENT_CLASSES = {"disasm--pc", "disasm--bp", "disasm--source", "disasm--address",
                         "disasm--comment", "disasm--cursor", "disasm--mnemonic"}
    BINDINGS = [Binding("up,k", "move(-1)", show=False), Binding("down,j", "move(1)", show=False)]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.insns: Sequence[Instruction] = []
        self.rows: list[Row] = []
        self.cursor = 0                               # index into rows
        self.bp_addrs: dict[int, bool] = {}
        self.pc: int | None = None                    # the selected thread's pc

    def set_instructions(self, insns: Sequence[Instruction], source_line: Callable[[str, int], str | None],
                         pc: int | None = None) -> None:
        self.insns = insns
        self.pc = pc
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
        pc_row = next((i for i, row in enumerate(rows) if row[0] == "insn" and self._is_pc(row[1])), 0)
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
            return Text("(no code: the program is not stopped)",
                        style=self.get_component_rich_style("disasm--comment", partial=True))
        st = {k: self.get_component_rich_style(f"disasm--{k}", partial=True)
              for k in ("pc", "bp", "source", "address", "comment", "cursor", "mnemonic")}
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
                arrow = Text("▶ ", style=st["pc"]) if self._is_pc(ins) else Text("  ")
                sym = f" <{ins.symbol}>" if ins.symbol else ""
                line = Text.assemble(mark, arrow, (f"{ins.addr:#x}{sym}", st["address"]), "  ",
                                     (f"{ins.mnemonic:<7}", st["mnemonic"]), " ", ins.op_str)
                if ins.comment:
                    line.append(f"  ; {ins.comment}", st["comment"])
                if self._is_pc(ins):
                    line.stylize(st["pc"])
            if i == self.cursor and self.has_focus:
                line.stylize(st["cursor"])
            out.append(line)
        return Text("\n").join(out)


class DisasmPane(Pane):
    PANE_ID = "disasm"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="disasm-scroll"):
            yield DisasmView(id="disasm-view")

    def focus_target(self):
        return self.query_one(DisasmView)

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(self.app, "stop_settled", self._stop_changed)
        self.watch(self.app, "selected_thread", self._thread_changed)
        self.watch(self.app, "breakpoints", self._bps_changed)
        self.watch(self.app, "run_state", self._state_changed)

    def _state_changed(self, state: str) -> None:
        if state in ("exited", "idle"):
            view = self.query_one(DisasmView)
            view.rows, view.insns = [], []
            view.styles.height = 1
            view.refresh()
            self.border_subtitle = ""

    def _bps_changed(self, bps: tuple[BreakpointInfo, ...]) -> None:
        view = self.query_one(DisasmView)
        view.bp_addrs = {a: b.enabled for b in bps for a in b.addresses}
        view.refresh()

    def _stop_changed(self, stop: Stopped | None) -> None:
        if stop is not None and self.display:
            self.fetch(stop.pc, stop.function)

    def _thread_changed(self, info) -> None:
        if info is not None and info.pc is not None and self.display:
            self.fetch(info.pc, info.function)

    @work(exclusive=True, group="disasm", exit_on_error=False)
    async def fetch(self, pc: int, function: str | None) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        with reported(self, "disassemble", background=True):
            off = function_offset(function)
            if off == 0 and function and "+" not in function:
                # "main" may name the function without an offset: ask the pc's own symbol
                first = await session.disassemble(pc, 1)
                off = function_offset(first[0].symbol) if first else None
            start = pc - off if off is not None and off <= MAX_BACK else pc
            count = AFTER + (pc - start) // 2 + 8
            insns: Sequence[Instruction] = await session.disassemble(start, count)
            # keep a window: everything up to the pc plus AFTER instructions
            pc_i = next((i for i, ins in enumerate(insns) if ins.is_pc or ins.addr == pc), 0)
            insns = insns[max(0, pc_i - 64): pc_i + AFTER]
            source = self.screen.query_one("#source", SourcePane).line_text
            self.query_one(DisasmView).set_instructions(insns, source, pc)
            self.border_subtitle = function or f"{pc:#x}"
