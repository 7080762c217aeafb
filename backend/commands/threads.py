"""Thread commands: thread [ID] (exec/inferior_switch.py reads the ID)."""
from __future__ import annotations

from ..errors import CommandError
from .registry import CommandInterpreter, command


@command("thread", "t", group="running", help="Use this command to switch between threads.",
         usage="Usage: thread [THREAD-ID]\n"
               "THREAD-ID is N, or INF.N for thread N of inferior INF.  The new thread ID\n"
               "must be currently known.  With no argument, shows the\n"
               'current thread.  See "info threads" for the known ones.')
async def _thread(ci: CommandInterpreter, arg: str) -> str | None:
    arg = arg.strip()
    if arg.startswith("apply") or arg.startswith("name") or arg.startswith("find"):
        raise CommandError(f'"thread {arg.split()[0]}" is not supported yet.')
    return await ci.s.frames.thread_text(arg)
