"""Signal commands: handle, info signals."""
from __future__ import annotations

from . import command, query_text


@command("handle")
async def _handle(ci, arg):
    table = ci.dbg.signals
    changed, notes = table.handle(arg.split(), lambda q: (True, query_text(ci, q, True)))
    out = list(notes)
    if changed and getattr(ci.s, "from_tty", True):     # gdb shows the result only to a person
        out += [table.HEADER] + [table.row(n) for n in changed]
    return "\n".join(out)


async def info_signals(ci, arg: str) -> str:
    return await ci.call(lambda: ci.dbg.signals.info(arg, ci.dbg.evaluate_address))
