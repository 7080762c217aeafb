"""Watchpoint commands: watch, rwatch, awatch."""
from __future__ import annotations

from ..errors import CommandError
from . import command


async def _set_watch(ci, arg: str, access: str) -> str:
    if ci.dbg.inf is None or not ci.dbg.alive:
        raise CommandError("The program is not being run.")
    _, msg = await ci.call(lambda: ci.dbg.set_watchpoint(arg, access))
    return msg


@command("watch")
async def _watch(ci, arg):
    return await _set_watch(ci, arg, "w")


@command("rwatch")
async def _rwatch(ci, arg):
    return await _set_watch(ci, arg, "r")


@command("awatch")
async def _awatch(ci, arg):
    return await _set_watch(ci, arg, "rw")
