"""Registers pane: general-purpose, rip, decoded eflags, segments; changes highlighted.

It shows the selected frame's registers (app.frame). Frame 0's come with each Stopped
event (no round trip to paint); "changed" is the backend's ``changed_regs`` when it
fills it, else a diff against the previous stop. A caller frame's are what the
unwinder recovered: the title says which frame, and the call-clobbered ones it cannot
know are listed as not saved.
"""
from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widget import Widget

from .. import keymap
from ..frame_view import FrameView, ViewKey
from ..util import reported
from .base import Pane

GPRS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
SEGMENTS = ("cs", "ss", "ds", "es", "fs", "gs")
FLAGS = ((0, "CF"), (2, "PF"), (4, "AF"), (6, "ZF"), (7, "SF"), (8, "TF"), (9, "IF"),
         (10, "DF"), (11, "OF"))


def decode_eflags(value: int) -> str:
    """0x246 -> '[ PF ZF IF ]' (gdb's order: low bit first)."""
    return "[ " + " ".join(name for bit, name in FLAGS if value >> bit & 1) + " ]"


class RegistersView(Widget, can_focus=True):
    COMPONENT_CLASSES = {"registers--name", "registers--changed", "registers--dim"}
    BINDINGS = [*keymap.REGISTERS]

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.regs: dict[str, int] = {}
        self.changed: frozenset[str] = frozenset()
        self.extra: dict[str, int] = {}         # SSE & co. when shown
        self.show_sse = False
        self.running = False
        self.symbol: str | None = None
        self.level = 0                          # the frame these belong to

    def update_regs(self, regs: dict[str, int], changed: frozenset[str], symbol: str | None,
                    level: int = 0) -> None:
        same_names = regs.keys() == self.regs.keys()
        self.regs, self.changed, self.symbol, self.level = regs, changed, symbol, level
        self.running = False
        # same set of registers -> same height: repaint only, no screen reflow
        self.refresh(layout=not same_names)

    def _cell(self, name: str, value: int, width: int = 18) -> Text:
        name_style = self.get_component_rich_style("registers--name", partial=True)
        val_style = (self.get_component_rich_style("registers--changed", partial=True)
                     if name in self.changed else "")
        label = f"{name:<4}" if len(name) < 4 else name + " "
        return Text.assemble((label, name_style), (f"{value:#0{width}x}", val_style))

    def render(self) -> Text:
        if not self.regs:
            return Text("(no registers: the program is not stopped)",
                        style=self.get_component_rich_style("registers--dim", partial=True))
        r = self.regs
        lines: list[Text] = []
        # rip and eflags first: in a short pane they are what must stay visible
        if "rip" in r:
            rip = self._cell("rip", r["rip"])
            if self.symbol:
                rip += Text(f" <{self.symbol}>")
            lines.append(rip)
        if "eflags" in r:
            lines.append(Text.assemble(
                ("eflags ", self.get_component_rich_style("registers--name", partial=True)),
                (f"{r['eflags']:#x} {decode_eflags(r['eflags'])}",
                 self.get_component_rich_style("registers--changed", partial=True)
                 if "eflags" in self.changed else "")))
        names = [n for n in GPRS if n in r]
        cols = 3 if self.size.width >= 72 else 2 if self.size.width >= 47 else 1
        rows = (len(names) + cols - 1) // cols
        for i in range(rows):
            row = Text()
            for c in range(cols):
                k = c * rows + i
                if k < len(names):
                    if c:
                        row += Text("   ")
                    row += self._cell(names[k], r[names[k]])
            lines.append(row)
        unknown = [n for n in GPRS if n not in r]
        if self.level and unknown:
            lines.append(Text("not saved: " + " ".join(unknown),
                              style=self.get_component_rich_style("registers--dim", partial=True)))
        segs = [self._cell(n, r[n], width=0) for n in SEGMENTS if n in r]
        per_line = len(segs) if self.size.width >= 56 else 3     # a narrow column: two rows
        for i in range(0, len(segs), max(1, per_line)):
            lines.append(Text(" ").join(segs[i:i + per_line]))
        bases = [self._cell(n, r[n], width=0) for n in ("fs_base", "gs_base") if n in r]
        if bases:
            lines.append(Text("  ").join(bases))
        if self.show_sse and self.level:
            lines.append(Text("(SSE registers: frame 0 only)",
                              style=self.get_component_rich_style("registers--dim", partial=True)))
        elif self.show_sse:
            sse = sorted((n for n in self.extra if n.startswith(("xmm", "ymm", "mxcsr", "st"))),
                         key=lambda n: (n.rstrip("0123456789"), int("0" + n.lstrip("abcdefghijklmnopqrstuvwxyz_"))))
            if not sse:
                lines.append(Text("(the backend offers no SSE registers)",
                                  style=self.get_component_rich_style("registers--dim", partial=True)))
            for n in sse:
                lines.append(self._cell(n, self.extra[n], width=0))
        text = Text("\n").join(lines)
        if self.running:
            text.stylize(self.get_component_rich_style("registers--dim", partial=True))
        return text

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.render().split("\n")))

    def action_toggle_sse(self) -> None:
        self.show_sse = not self.show_sse
        if self.show_sse:
            self._fetch_extra()
        self.refresh(layout=True)

    @work(exclusive=True, group="registers-extra", exit_on_error=False)
    async def _fetch_extra(self) -> None:
        session = getattr(self.app, "session", None)
        if session is None or session.state != "stopped" or self.level:
            return
        with reported(self):
            regs = await session.frames.registers()
            self.extra = {k: v for k, v in regs.items() if k not in self.regs}
            self.refresh(layout=True)


class RegistersPane(Pane):
    PANE_ID = "registers"

    def compose(self) -> ComposeResult:
        yield RegistersView(id="registers-view")

    def on_mount(self) -> None:
        super().on_mount()
        self._prev: dict[str, int] = {}
        self.shown_key: ViewKey | None = None     # the app.frame whose registers are shown
        self.watch(self.app, "frame", self._frame_changed)
        self.watch(self.app, "run_state", self._state_changed)

    @property
    def shown_stop_id(self) -> int | None:
        return self.shown_key[0] if self.shown_key else None

    def _frame_changed(self, frame: FrameView | None) -> None:
        if frame is None or frame.key == self.shown_key and frame.regs == self.query_one(RegistersView).regs:
            return                  # kept as they were when the program ends (dimmed by the state)
        view = self.query_one(RegistersView)
        regs = dict(frame.regs)
        changed = frame.changed_regs
        new_stop = self.shown_key is None or self.shown_key[0] != frame.stop_id
        if frame.level == 0 and new_stop:
            # frame 0 at a new stop: what the step changed
            changed = changed or frozenset(
                k for k, v in regs.items() if self._prev and self._prev.get(k) != v)
            self._prev = regs
        self.shown_key = frame.key
        self.border_title = f"{self.number} {self.pane_title}" + (
            f" (frame {frame.level})" if frame.level else "")
        view.update_regs(regs, frozenset(changed), frame.symbol, frame.level)
        if view.show_sse:
            view._fetch_extra()

    def _state_changed(self, state: str) -> None:
        view = self.query_one(RegistersView)
        running = state == "running"
        gone = state in ("idle", "exited") and bool(view.regs)
        if running != view.running or gone:
            view.running = running
            if gone:
                view.regs = {}
            view.refresh(layout=gone)
