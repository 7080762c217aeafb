"""Thread commands: thread N."""
from __future__ import annotations

from ..errors import CommandError
from . import command
from ..numbers import parse_int


@command("thread", "t")
async def _thread(ci, arg):
    arg = arg.strip()
    if arg.startswith("apply") or arg.startswith("name") or arg.startswith("find"):
        raise CommandError(f'"thread {arg.split()[0]}" is not supported yet.')
    num = parse_int(arg) if arg else None
    return await ci.call(lambda: ci.dbg.select_thread(num))
