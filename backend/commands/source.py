"""Commands that show the program's code: list, disassemble."""
from __future__ import annotations

from .registry import CommandInterpreter, command


@command("disassemble", group="data", help="Disassemble a specified section of memory.",
         usage="Usage: disassemble [ADDRESS]\n"
               "Shows the whole function containing ADDRESS; default is the function\n"
               "surrounding the pc of the selected frame.")
async def _disassemble(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.data.disassemble_text(arg)


@command("list", "l", group="files", help="List specified function or line.",
         usage="Usage: list [LOCATION]\n"
               "Lists ten lines around LOCATION (FUNC, FILE:LINE, LINE, *ADDR); with no\n"
               "argument, around where the program stopped (or around main).")
async def _list(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.data.list_text(arg)
