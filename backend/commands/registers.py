"""`info registers` and `info all-registers` (registered by info.py's table): the text
comes from session.registers (api/registers.py)."""
from __future__ import annotations

from ..errors import CommandError
from .registry import CommandInterpreter


async def info_registers(ci: CommandInterpreter, arg: str) -> str:
    if not ci.s.alive:
        raise CommandError("The program has no registers now.")
    return await ci.s.registers.info_text(arg)


async def info_all_registers(ci: CommandInterpreter, arg: str) -> str:
    if not ci.s.alive:
        raise CommandError("The program has no registers now.")
    return await ci.s.registers.info_text(arg, all_registers=True)
