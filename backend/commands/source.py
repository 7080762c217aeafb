"""Commands that show the program's code: list, disassemble, directory."""
from __future__ import annotations

import os
import shlex

from .registry import CommandInterpreter, command
from .settings_table import source_path_text


@command("disassemble", group="data", help="Disassemble a specified section of memory.",
         usage="Usage: disassemble[/m|/r|/s] START [, END]\n"
               "Default is the function surrounding the pc of the selected frame.\n"
               "With a /s modifier, source lines are included (if available), in address\n"
               "order, with the name of each file; with /m, in source line order (deprecated\n"
               "in favor of /s); with /r (or /b), raw instructions in hex are included.\n"
               "With a single argument, the function surrounding that address is dumped;\n"
               'two arguments are a range, in the form "start,end", or "start,+length".')
async def _disassemble(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.data.disassemble_text(arg)


@command("list", "l", group="files", help="List specified function or line.",
         usage="Usage: list [LOCATION]\n"
               "Lists ten lines around LOCATION (FUNC, FILE:LINE, LINE, *ADDR); with no\n"
               "argument, around where the program stopped (or around main).")
async def _list(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.data.list_text(arg)


@command("directory", "dir", group="files",
         help="Add directory DIR to beginning of search path for source files.",
         usage="Usage: directory [DIR ...]\n"
               "Forget cached info on source file locations and line positions.\n"
               "DIR can also be $cwd for the current working directory, or $cdir for the\n"
               "directory in which the source file was compiled into object code.\n"
               "With no argument, reset the search path to $cdir:$cwd, the default.")
async def _directory(ci: CommandInterpreter, arg: str) -> str | None:
    dirs = await ci.s.settings.source_dirs()
    warnings: list[str] = []
    if not arg.strip():
        # gdb asks only a person (directory_command: `!from_tty || query (...)`)
        ask = ci.s.confirm
        if ci.s.from_tty and ask is not None and getattr(ci, "confirm", True) and \
                not await ask("Reinitialize source path to empty?"):
            return ""
        dirs = []
    else:
        # gdb's add_path: each DIR goes in front, in the order given; one already there moves
        given = [d for word in shlex.split(arg) for d in word.split(":") if d]
        for d in reversed(given):
            if d not in ("$cdir", "$cwd"):
                d = os.path.abspath(os.path.expanduser(d))
                if not os.path.exists(d):
                    warnings.append(f"Warning: {d}: No such file or directory.")
            dirs = [d, *(x for x in dirs if x != d)]
        dirs = [d for d in dirs if d not in ("$cdir", "$cwd")]
        warnings.reverse()
    await ci.s.settings.set_source_dirs(dirs)
    said = [f"Source directories searched: {source_path_text(dirs)}"] if ci.s.from_tty else []
    return "\n".join(warnings + said)
