"""Thread commands: thread N."""
from __future__ import annotations

from ..errors import CommandError
from ..numbers import parse_int
from .registry import CommandInterpreter, command


@command("thread", "t", group="running", help="Use this command to switch between threads.",
         usage="Usage: thread [N]\n"
               "The new thread ID must be currently known.  With no argument, shows the\n"
               'current thread.  See "info threads" for the known ones.')
async def _thread(ci: CommandInterpreter, arg: str) -> str | None:
    arg = arg.strip()
    if arg.startswith("apply") or arg.startswith("name") or arg.startswith("find"):
        raise CommandError(f'"thread {arg.split()[0]}" is not supported yet.')
    num = parse_int(arg) if arg else None
    return await ci.s.frames.thread_text(num)
