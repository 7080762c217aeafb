"""Frames and registers of a stopped thread: unwinding, backtrace, frame selection."""
from __future__ import annotations

from .errors import CommandError, TdbgError
from .events import FrameInfo

PAST_MAIN = ("__libc_start_call_main", "__libc_start_main", "_start")


class FramesMixin:
    _frames_cache: tuple[int, list] | None = None

    def unwind(self, limit: int = 256) -> list:
        """Frames of the current thread, innermost first; cached per stop."""
        from .symbols.frames import Unwinder
        self.require_inferior()
        key = (self.stop_id, self.tid)
        cached = self._frames_cache
        if self.stop is not None and cached and cached[0] == key and (len(cached[1]) >= limit or cached[2]):
            return cached[1][:limit]
        prog = self.program

        def cfi_for(pc: int):
            o = prog.objfile_for(pc)
            if o is None:
                return None
            try:
                return o.cfi
            except Exception:
                return None

        regs = self.registers()
        frames = Unwinder(cfi_for, self.read_memory).frames(regs, limit=limit)
        complete = len(frames) < limit
        if self.stop is not None:
            self._frames_cache = (key, frames, complete)
        return frames

    def frame(self, level: int):
        frames = self.unwind(limit=level + 1)
        if level >= len(frames):
            raise CommandError("No frame at level %d." % level)
        return frames[level]

    def frame_info(self, f) -> FrameInfo:
        prog = self.program
        loc = prog.location(f.lookup_pc)
        func = prog.function_name(f.lookup_pc)
        o = prog.objfile_for(f.pc)
        try:
            args = tuple(self.frame_args(f.level)) if loc is not None else ()
        except TdbgError:
            args = ()
        return FrameInfo(f.level, f.pc, func, loc, args, o.path if o else None,
                         f.heuristic, f.signal_frame)

    def backtrace(self, limit: int = 256) -> list[FrameInfo]:
        out = []
        for f in self.unwind(limit=limit):
            info = self.frame_info(f)
            out.append(info)
            if info.function == "main" or (info.function in PAST_MAIN and f.level > 0):
                if info.function != "main":
                    out.pop()
                break
        return out

    def select_frame(self, level: int) -> FrameInfo:
        if level < 0:
            raise CommandError("Bottom (innermost) frame selected; you cannot go down.")
        frames = self.backtrace(limit=level + 64)
        if level >= len(frames):
            raise CommandError("Initial frame selected; you cannot go up.")
        self.selected_frame = level
        return frames[level]

    def frame_registers(self) -> dict[str, int]:
        regs = self.registers()
        if self.selected_frame:
            f = self.frame(self.selected_frame)
            regs = {**{k: v for k, v in regs.items() if k in ("cs", "ss", "ds", "es", "fs", "gs",
                                                               "fs_base", "gs_base")}, **f.regs}
        return regs

    def format_frame(self, info: FrameInfo, with_source: bool = False) -> str:
        """gdb's `#1  0x... in f (n=2) at x.c:12` line."""
        import os
        args = ", ".join(f"{n}={v}" for n, v in info.args)
        show_addr = info.level > 0 or (info.location is not None and not self.program.line_start(info.pc)) \
            or info.location is None
        addr = f"{info.pc:#018x} in " if show_addr else ""
        head = f"#{info.level:<3}{addr}{info.function or '??'} ({args})"
        if info.signal_frame:
            return f"#{info.level:<3}<signal handler called>"
        if info.location is not None:
            head += f" at {os.path.basename(info.location.file)}:{info.location.line}"
            if with_source:
                src = self.source_line(info.location.file, info.location.line)
                if src is not None:
                    head += f"\n{info.location.line}\t{src}"
        elif info.objfile and info.objfile != self.program.path:
            head += f" from {info.objfile}"
        return head
