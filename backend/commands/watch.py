"""Watchpoint commands: watch, rwatch, awatch (each with -l/-location: breaks/watchpoints.py)."""
from __future__ import annotations

from ..errors import CommandError
from .registry import CommandInterpreter, command

_USAGE = ("Usage: {0} [-location] EXPRESSION\n"
          "A {1} stops execution of your program whenever the value of\n"
          "an expression {2}.  The program must be running.\n"
          "If -l or -location is given, this evaluates EXPRESSION and watches\n"
          "the memory to which it refers.")


async def _set_watch(ci: CommandInterpreter, arg: str, access: str) -> str:
    if not ci.s.alive:
        raise CommandError("The program is not being run.")
    return await ci.s.breakpoints.watch_text(arg, access)


@command("watch", group="breakpoints", help="Set a watchpoint for EXPRESSION.",
         usage=_USAGE.format("watch", "watchpoint", "changes"))
async def _watch(ci: CommandInterpreter, arg: str) -> str | None:
    return await _set_watch(ci, arg, "w")


@command("rwatch", group="breakpoints", help="Set a read watchpoint for EXPRESSION.",
         usage=_USAGE.format("rwatch", "read watchpoint", "is read"))
async def _rwatch(ci: CommandInterpreter, arg: str) -> str | None:
    return await _set_watch(ci, arg, "r")


@command("awatch", group="breakpoints", help="Set an access watchpoint for EXPRESSION.",
         usage=_USAGE.format("awatch", "access watchpoint", "is either read or written"))
async def _awatch(ci: CommandInterpreter, arg: str) -> str | None:
    return await _set_watch(ci, arg, "rw")
