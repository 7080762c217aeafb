"""`dprintf LOCATION,"format",ARG...`: print at a location without stopping (gdb's)."""
from __future__ import annotations

from ..api.breakpoints import PendingQuery
from ..errors import CommandError
from .registry import CommandInterpreter, command, query_text


@command("dprintf", group="breakpoints",
         help="Set a dynamic printf at specified location.",
         usage='Usage: dprintf LOCATION,"format string",ARG1,ARG2,...')
async def _dprintf(ci: CommandInterpreter, arg: str) -> str | None:
    try:
        return await ci.s.fast.dprintf_text(arg)
    except PendingQuery as e:          # gdb asks, and batch mode answers no
        asked = query_text(ci, "Make dprintf pending on future shared library load? ", False)
        raise CommandError(f"{e}\n{asked}" if asked else str(e)) from None
