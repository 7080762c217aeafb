"""Frame lines as gdb prints them: `#1  0x... in f (n=2) at x.c:12`, stop headers."""
from __future__ import annotations

from ..errors import NotRunning, TdbgError
from ..events import FrameInfo, SourceLocation, args_text
from ..program.target import Target
from .file_names import display_name
from .frames import DUMMY, Frames


class FrameText:
    def __init__(self, target: Target, frames: Frames) -> None:
        self.target = target
        self.frames = frames

    def format_frame(self, info: FrameInfo, with_source: bool = False) -> str:
        """gdb's `#1  0x... in f (n=2) at x.c:12` line."""
        if info.signal_frame:
            return f"#{info.level:<3}<signal handler called>"
        if info.function == DUMMY and info.location is None:
            return f"#{info.level:<3}{DUMMY}"
        return f"#{info.level:<3}" + self.describe_frame(info, with_source)

    def describe_frame(self, info: FrameInfo, with_source: bool = True) -> str:
        """`0x... in f (n=2) at x.c:12` (address when gdb shows one), then the source line."""
        if info.signal_frame:
            return "<signal handler called>"
        if info.function == DUMMY and info.location is None:
            return DUMMY
        args = args_text(info.args)
        addr = f"{info.pc:#018x} in " if self.frames.show_address(info) else ""
        head = f"{addr}{info.function or '??'} ({args})"
        if info.location is not None:
            head += f" at {self.file_name(info.location.file, info.pc, info.level)}:{info.location.line}"
            src = self.source_text(info.location.file, info.location.line, info.pc, info.level) \
                if with_source else None
            if src is not None:
                head += "\n" + src
        elif info.objfile and info.objfile != self.target.require_program().path:
            head += f" from {info.objfile}"
        return head

    def frame0_header(self) -> str:
        """The stop header for frame 0 as gdb's print_stack_frame(SRC_AND_LOC) shows it."""
        frames = self.frames.unwind(limit=1)
        if not frames:
            raise NotRunning()
        return self.describe_frame(self.frames.frame_info(frames[0]))

    def frame_line(self, pc: int, loc: SourceLocation | None, with_addr: bool,
                   args: str = "") -> str:
        t = self.target
        prog = t.require_program()
        if args == "" and t.alive and t.stop is not None and pc == t.stop.pc:
            try:
                return self.frame0_header()       # inline frames, trampolines
            except TdbgError:
                pass
        func = prog.function_name(pc) or "??"
        if args == "" and loc is not None:
            args = self.frame_args_text(0)
        addr = f"{pc:#018x} in " if with_addr else ""
        if loc is None:
            where = ""
            o = prog.objfile_for(pc)
            if o is not None and o is not prog.main:
                where = f" from {o.display_path}"
            return f"{addr}{func} ()" + where
        text = f"{addr}{func} ({args}) at {self.file_name(loc.file, pc)}:{loc.line}"
        src = self.source_text(loc.file, loc.line, pc)
        return text if src is None else f"{text}\n{src}"

    def source_text(self, path: str, line: int, pc: int, level: int = 0) -> str | None:
        """The source line under a frame line, as gdb's print_source_lines says it: the
        text; a missing file's "No such file or directory." when it follows a line of
        another file, then "in FILE"; a file newer than the program warned about once, above the line;
        nothing for a line past the file's end (#line directives)."""
        t = self.target
        lines = t.source_lines(path)
        other_file = t.visit_source(path)
        if lines is None:
            name = self.file_name(path, pc, level)
            if other_file:
                return f"{line}\t{name}: No such file or directory."
            return f"{line}\tin {name}"
        if not 1 <= line <= len(lines):
            return None
        src = lines[line - 1]
        if t.source_newer(path) and t.say_once("newer", path):
            return f"warning: Source file is more recent than executable.\n{line}\t{src}"
        return f"{line}\t{src}"

    def file_name(self, path: str, pc: int, level: int = 0) -> str:
        """gdb's name for a source file of the code at pc (file_names.py); a caller
        frame's pc is a return address, looked up at pc-1 as its line is."""
        return display_name(self.target.prog, path, pc - 1, pc) if level > 0 else \
            display_name(self.target.prog, path, pc)

    def frame_args_text(self, level: int) -> str:
        """'n=6, p=0x...' for frame headers."""
        try:
            return args_text(self.frames.args_of(level))
        except TdbgError:
            return ""
