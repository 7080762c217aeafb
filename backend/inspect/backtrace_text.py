"""gdb's `backtrace [full] [COUNT]` text: COUNT > 0 the innermost frames, < 0 the
outermost ones, 0 none; `full` adds each frame's locals, as `info locals` lists them
(inspect/variables.py), 8 spaces in, under the frame line."""
from __future__ import annotations

from ..errors import TdbgError
from ..events import FrameInfo
from ..program.target import Target
from .frame_text import FrameText
from .frames import Frames
from .variables import Variables

_ALL = 100_000          # gdb has no limit; this one keeps a runaway recursion finite


def frames_for(frames: Frames, count: int | None) -> tuple[list[FrameInfo], bool]:
    """The frames `backtrace COUNT` shows, and whether more follow (gdb says so to a tty)."""
    if count is None:
        return frames.backtrace(_ALL), False
    if count >= 0:
        shown = frames.backtrace(count + 1)
        return shown[:count], len(shown) > count
    every = frames.backtrace(_ALL)
    return every[max(0, len(every) + count):], False


def locals_lines(target: Target, variables: Variables, level: int) -> list[str]:
    """`info locals` of frame `level` as bt full prints them; the selected frame is kept."""
    saved = target.selected_frame
    target.selected_frame = level
    try:
        text = variables.locals_text()
    except TdbgError as e:            # gdb: a frame without a block
        text = str(e)
    finally:
        target.selected_frame = saved
    if text in ("No locals.", "No symbol table info available."):
        return [text]
    return [" " * 8 + line for line in text.split("\n")]


def backtrace_text(target: Target, frames: Frames, text: FrameText, variables: Variables,
                   count: int | None, full: bool, from_tty: bool) -> str:
    shown, more = frames_for(frames, count)
    out: list[str] = []
    for info in shown:
        out.append(text.format_frame(info))
        if full:
            out += locals_lines(target, variables, info.level)
    if more and from_tty:
        out.append("(More stack frames follow...)")
    return "\n".join(out)
