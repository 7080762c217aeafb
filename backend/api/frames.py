"""`session.frames`: the stack, its registers, and the program's threads.

Every method hops once to the ptrace worker (link.py) and needs a stopped program.
Methods named `..._text` return what gdb prints for the command.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from .. import events as ev
from ..errors import CommandError
from ..inspect.backtrace_text import backtrace_text
from ..inspect.frame_regs import fp_registers
from ..inspect.frame_report import info_frame_text
from ..inspect.printf import format_values
from ..inspect.printf import parse as parse_printf
from ..inspect.threads import ThreadRow

if TYPE_CHECKING:
    from ..debugger import Debugger
    from .link import WorkerLink


class ApplyState(NamedTuple):
    """The threads `thread apply` may run a command in, and the selection to restore."""
    rows: list[ThreadRow]           # the current inferior's, by number
    inferior: int                   # the current inferior's number
    many: bool                      # more than one inferior: IDs are shown INF.N
    inferiors: tuple[int, ...]
    thread: int | None              # the selected thread's number
    frame: int                      # its selected frame


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

    async def backtrace_full_text(self, count: int | None = None, full: bool = False,
                                  from_tty: bool = False) -> str:
        """gdb's `backtrace [full] [COUNT]` (COUNT < 0: the outermost frames, None: all)."""
        def work() -> str:
            d = self._dbg
            return backtrace_text(d.target, d.frames, d.text, d.variables, count, full, from_tty)
        return await self._link.stopped_call(work)

    async def frame_function_text(self, name: str) -> str:
        """gdb's `frame function NAME`: select the innermost frame of function NAME."""
        return await self._link.stopped_call(lambda: self._show(self._level_of_function(name), "frame"))

    def _level_of_function(self, name: str) -> int:
        d = self._dbg
        if not d.target.alive:
            raise CommandError("No registers.")
        d.target.prog.resolve(name, refresh=False)     # gdb's message for an unknown one
        base = name.rpartition(":")[2].strip()
        for info in d.frames.backtrace(1 << 30):
            if info.function == base:
                return info.level
        raise CommandError(f'No frame for function "{name}".')

    async def frame_address_text(self, expr: str) -> str:
        """gdb's `frame address ADDR`: select the frame whose stack address (CFA) is ADDR."""
        def work() -> str:
            d = self._dbg
            addr = d.evaluator.evaluate_address(expr)
            if not d.target.alive:
                raise CommandError("No registers.")
            shown = len(d.frames.backtrace(1 << 30))      # gdb's backtrace ends at main
            for f in d.frames.unwind(limit=shown):
                # gdb's wild frame_id: the stack address, and no inline depth
                if f.cfa == addr and f.depth == 0:
                    return self._show(f.level, "frame")
            raise CommandError(f"No frame at address {expr.strip()}.")
        return await self._link.stopped_call(work)

    async def printf_text(self, arg: str) -> str:
        """gdb's `printf "FORMAT", ARG...` (inspect/printf.py), the arguments evaluated in
        the selected frame (without a process: the file's globals)."""
        def work() -> str:
            d = self._dbg
            p = parse_printf(arg, strict=True)
            values = [d.evaluator.evaluate_value(a) for a in p.args]
            return format_values(p, values, self._string)
        return await self._link.stopped_call(work)

    def _string(self, addr: int) -> bytes:
        """%s's bytes: up to the NUL; gdb prints a null pointer as (null)."""
        if addr == 0:
            return b"(null)"
        inf = self._dbg.target.inf
        data = inf.read_partial(addr, 4096) if inf is not None and inf.alive else b""
        if not data:
            raise CommandError(f"Cannot access memory at address {addr:#x}")
        return data.split(b"\0")[0]

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

    async def apply_state(self) -> ApplyState:
        """What `thread apply` needs: the current inferior's threads (gdb's header text in
        each row), which inferiors exist, the selected thread and frame to come back to."""
        def work() -> ApplyState:
            d = self._dbg
            infs = d.inferior_switch.proc.inferiors
            t = d.target
            rows = d.threads.rows(infs.current if infs.many else None) if t.alive else []
            current = next((r.num for r in rows if r.current), None)
            return ApplyState(rows, infs.current, infs.many,
                              tuple(sorted(e.num for e in infs.entries)), current, t.selected_frame)
        return await self._link.stopped_call(work)

    async def thread_find_text(self, regex: str) -> str:
        """gdb's `thread find REGEX` over the current inferior's threads."""
        def work() -> str:
            infs = self._dbg.inferior_switch.proc.inferiors
            if len(infs.entries) > 1:
                raise CommandError("thread find: several inferiors are not supported yet.")
            return self._dbg.threads.find_text(regex)
        return await self._link.stopped_call(work)

    async def select_thread(self, num: int) -> ev.ThreadInfo:
        """Switch frames, registers and stepping to thread `num` (gdb's `thread N`)."""
        def work() -> ev.ThreadInfo:
            self._dbg.threads.select_thread(num)
            return next(t for t in self._dbg.threads.threads_info() if t.current)
        return await self._link.stopped_call(work)

    async def name_thread(self, name: str | None) -> None:
        """gdb's `thread name [NAME]`: the selected thread's name (None: the kernel's again)."""
        def work() -> None:
            t = self._dbg.target
            th = t.inf.threads.get(t.tid) if t.inf is not None and t.alive else None
            if th is None:
                raise CommandError("No thread selected")
            th.user_name = name
        await self._link.stopped_call(work)

    async def thread_text(self, thread_id: str = "") -> str:
        """gdb's `thread [ID]`: switch to thread ID (N, or INF.N in another inferior), or
        (empty) say which thread is current."""
        return await self._link.stopped_call(lambda: self._dbg.inferior_switch.thread_text(thread_id))
