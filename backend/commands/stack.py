"""Stack commands: backtrace, frame, up, down."""
from __future__ import annotations

from ..numbers import parse_int
from .args import parse_count
from .registry import CommandInterpreter, command


@command("backtrace", "bt", "where", group="stack",
         help="Print backtrace of all stack frames, or innermost COUNT frames.",
         usage="Usage: backtrace [COUNT]")
async def _bt(ci: CommandInterpreter, arg: str) -> str | None:
    limit = parse_int(arg) if arg.strip().lstrip("-").isdigit() else 256
    return await ci.s.frames.backtrace_text(limit if limit > 0 else 256)


@command("frame", "f", group="stack", help="Select and print a stack frame.",
         usage="Usage: frame [LEVEL]\n"
               'With no argument, print the selected stack frame.  (See also "info frame").\n'
               "A single numerical argument specifies the frame to select.")
async def _frame(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.frames.frame_text(parse_int(arg) if arg else None)


@command("up", group="stack", help="Select and print stack frame that called this one.",
         usage="Usage: up [N]\nAn argument says how many frames up to go.")
async def _up(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.frames.up_text(parse_count(arg), clamp=bool(arg.strip()))


@command("down", group="stack", help="Select and print stack frame called by this one.",
         usage="Usage: down [N]\nAn argument says how many frames down to go.")
async def _down(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.frames.down_text(parse_count(arg), clamp=bool(arg.strip()))
