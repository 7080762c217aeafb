"""Core files: `core-file FILE` (read a core dump) and `generate-core-file [FILE]` (write one)."""
from __future__ import annotations

from .registry import CommandInterpreter, command


def _one_path(arg: str) -> str | None:
    """gdb takes the rest of the line as the file name (spaces included)."""
    arg = arg.strip()
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"":
        arg = arg[1:-1]
    return arg or None


@command("core-file", "core", group="files", help="Use FILE as core dump for examining memory and registers.",
         usage="Usage: core-file FILE\n"
               "No arg means have no core file.  This command has been superseded by the\n"
               "`target core' and `detach' commands.")
async def _core_file(ci: CommandInterpreter, arg: str) -> str | None:
    path = _one_path(arg)
    if path is None:
        await ci.s.core.discard()
        return "No core file now." if ci.s.from_tty else ""      # gdb says it only when typed
    await ci.s.core.open(path)
    return ""


@command("generate-core-file", "gcore", group="files",
         help="Save a core file with the current state of the debugged process.",
         usage="Usage: generate-core-file [FILENAME]\n"
               "Argument is optional filename.  Default filename is 'core.PROCESS_ID'.")
async def _gcore(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.core.generate(_one_path(arg))
