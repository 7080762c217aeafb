"""`session.frames`: the stack, its registers, and the program's threads.

Every method hops once to the ptrace worker (link.py) and needs a stopped program.
Methods named `..._text` return what gdb prints for the command.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import events as ev
from ..inspect.frame_regs import fp_registers
from ..inspect.frame_report import info_frame_text

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink


class FramesAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    # ---- the stack ---------------------------------------------------------------------------
    async def backtrace(self, limit: int = 256) -> list[ev.FrameInfo]:
        return await self._link.stopped_call(lambda: self._dbg.frames.backtrace(limit))

    async def backtrace_text(self, limit: int = 256) -> str:
        """gdb's `backtrace [COUNT]`."""
        def work() -> str:
            d = self._dbg
            return "\n".join(d.text.format_frame(f) for f in d.frames.backtrace(limit))
        return await self._link.stopped_call(work)

    async def select_frame(self, level: int) -> ev.FrameInfo:
        def work() -> ev.FrameInfo:
            self._dbg.target.listed = None      # `list` now shows around this frame
            return self._dbg.frames.select_frame(level)
        return await self._link.stopped_call(work)

    async def frame_text(self, level: int | None = None) -> str:
        """gdb's `frame [LEVEL]`: select LEVEL (None: the selected one) and show it."""
        return await self._link.stopped_call(lambda: self._show(level, "frame"))

    async def up_text(self, count: int = 1, clamp: bool = False) -> str:
        """gdb's `up [N]`; with `clamp` (N was given) going past the outermost frame
        stops there instead of failing."""
        return await self._link.stopped_call(
            lambda: self._show(self._dbg.target.selected_frame + count, "up", clamp))

    async def down_text(self, count: int = 1, clamp: bool = False) -> str:
        """gdb's `down [N]`; with `clamp`, going past frame 0 stops there."""
        return await self._link.stopped_call(
            lambda: self._show(self._dbg.target.selected_frame - count, "down", clamp))

    def _show(self, level: int | None, how: str, clamp: bool = False) -> str:
        d = self._dbg
        info = d.frames.select_frame(d.target.selected_frame if level is None else level, how, clamp)
        d.target.listed = None          # gdb: `list` now shows around this frame
        return d.text.format_frame(info, with_source=True)

    async def info_frame_text(self) -> str:
        """gdb's `info frame` of the selected frame."""
        d = self._dbg
        return await self._link.stopped_call(
            lambda: info_frame_text(d.frames, d.text, d.target.selected_frame))

    async def registers(self, sse: bool = True) -> dict[str, int]:
        """The selected frame's registers; with sse, frame 0 adds xmm0-15 and st0-7."""
        def work() -> dict[str, int]:
            regs = self._dbg.frames.frame_registers()
            t = self._dbg.target
            if sse and t.selected_frame == 0:
                regs.update(fp_registers(t.require_inferior(), t.tid))
            return regs
        return await self._link.stopped_call(work)

    # ---- threads -----------------------------------------------------------------------------
    async def threads(self) -> list[ev.ThreadInfo]:
        """Every thread of the stopped program, with its frame 0 (gdb's `info threads`)."""
        return await self._link.stopped_call(self._dbg.threads.threads_info)

    async def info_threads_text(self, ids: str = "") -> str:
        """gdb's `info threads [ID...]`, every inferior's threads (exec/inferior_switch.py)."""
        return await self._link.stopped_call(lambda: self._dbg.inferior_switch.info_threads_text(ids))

    async def select_thread(self, num: int) -> ev.ThreadInfo:
        """Switch frames, registers and stepping to thread `num` (gdb's `thread N`)."""
        def work() -> ev.ThreadInfo:
            self._dbg.threads.select_thread(num)
            return next(t for t in self._dbg.threads.threads_info() if t.current)
        return await self._link.stopped_call(work)

    async def thread_text(self, thread_id: str = "") -> str:
        """gdb's `thread [ID]`: switch to thread ID (N, or INF.N in another inferior), or
        (empty) say which thread is current."""
        return await self._link.stopped_call(lambda: self._dbg.inferior_switch.thread_text(thread_id))
