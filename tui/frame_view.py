"""FrameView: one snapshot of what the panes show about a stop.

A stop, a frame picked in it or a thread picked in it each make a new FrameView; the
panes paint from the app's current one only (``app.frame``), and anything a pane
fetches for it is tagged with its ``key`` so an answer for an older view is dropped.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tdbg.backend.events import FrameInfo, SourceLocation, Stopped, Variable

    from .code_window import Instruction

# gdb's frame line: "#1  0x... in f (n=2) at x.c:12" (backend/inspect/frame_text.py)
_FRAME_LINE = re.compile(r"#(\d+)\s")

# (stop id, thread id, frame level): what a fetched answer belongs to
ViewKey = tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class FrameView:
    stop_id: int
    tid: int                                # the selected thread
    level: int                              # the selected frame; 0: where the thread is
    pc: int                                 # the selected frame's pc (a return address above 0)
    location: SourceLocation | None         # the selected frame's line
    function: str | None                    # the selected frame's function ("main"; no offset)
    symbol: str | None                      # the pc as gdb's <sym+off> shows it
    regs: Mapping[str, int]                 # the selected frame's registers (unwound above 0)
    changed_regs: frozenset[str]            # what the stop changed (frame 0 of the stopping thread)
    top_pc: int                             # frame 0's pc: the thread's pc
    top_location: SourceLocation | None     # frame 0's line
    backtrace: tuple[FrameInfo, ...] | None = None     # None: not fetched yet
    locals: tuple[Variable, ...] | None = None         # None: not fetched yet
    code: tuple[Instruction, ...] | None = None        # None: not fetched (or no pane shows it)

    @property
    def key(self) -> ViewKey:
        return (self.stop_id, self.tid, self.level)

    @classmethod
    def of_stop(cls, stop: Stopped) -> FrameView:
        """Frame 0 of the stopping thread, all from the event (no round trip to paint)."""
        return cls(stop.stop_id, stop.tid, 0, stop.pc, stop.location, stop.function,
                   stop.symbol or stop.function, stop.regs, stop.changed_regs, stop.pc,
                   stop.location)

    @classmethod
    def of_frame(cls, stop_id: int, tid: int, level: int, frames: Sequence[FrameInfo],
                 regs: Mapping[str, int], symbol: str | None, variables: Sequence[Variable],
                 code: Sequence[Instruction] | None, changed: frozenset[str] = frozenset()) -> FrameView:
        """Frame `level` of a fetched backtrace (a picked frame or thread)."""
        f, top = frames[level], frames[0]
        return cls(stop_id, tid, level, f.pc, f.location, f.function or symbol, symbol, regs,
                   changed, top.pc, top.location, tuple(frames), tuple(variables),
                   tuple(code) if code is not None else None)

    def with_details(self, frames: Sequence[FrameInfo], variables: Sequence[Variable],
                     code: Sequence[Instruction] | None) -> FrameView:
        return replace(self, backtrace=tuple(frames), locals=tuple(variables),
                       code=tuple(code) if code is not None else None)


class Stale(Exception):
    """The program moved on while fetching: the answer belongs to no current view."""


def selected_level(frame_text: str) -> int | None:
    """The level in `frame`'s answer ("#1  0x... in main () at demo.c:85")."""
    m = _FRAME_LINE.match(frame_text)
    return int(m.group(1)) if m else None
