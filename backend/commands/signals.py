"""Signal commands: handle (`info signals` is in info.py)."""
from __future__ import annotations

from .registry import CommandInterpreter, command, query_text


@command("handle", group="running", help="Specify how to handle signals.",
         usage="Usage: handle SIGNAL [ACTIONS]\n"
               "Args are signals and actions to apply to those signals.\n"
               "If no actions are specified, the current settings for the specified signals\n"
               "will be displayed instead.\n"
               "Actions: stop, nostop, print, noprint, pass, nopass (also noignore, ignore).\n"
               'Numeric ranges may be given as LOW-HIGH; "all" means all signals except\n'
               "those used by the debugger.")
async def _handle(ci: CommandInterpreter, arg: str) -> str | None:
    notes, rows = await ci.s.settings.handle(arg.split(), lambda q: (True, query_text(ci, q, True)))
    out = list(notes)
    if ci.s.from_tty:                   # gdb shows the result only to a person
        out += rows
    return "\n".join(out)
