"""Catchpoints: `catch` and `tcatch` with gdb 13's subcommands, words and errors.

tdbg catches syscall, fork, vfork, exec, signal, throw, catch and rethrow; gdb's Ada
subcommands and load/unload are named in the list, as gdb lists them, and refused
in one line.
"""
from __future__ import annotations

from ..errors import CommandError
from .registry import CommandInterpreter, command

# gdb 13's catch subcommands and their one-line help (`gdb -batch -ex catch`)
_SUBCOMMANDS = {
    "assert": "Catch failed Ada assertions, when raised.",
    "catch": "Catch an exception, when caught.",
    "exception": "Catch Ada exceptions, when raised.",
    "exec": "Catch calls to exec.",
    "fork": "Catch calls to fork.",
    "handlers": "Catch Ada exceptions, when handled.",
    "load": "Catch loads of shared libraries.",
    "rethrow": "Catch an exception, when rethrown.",
    "signal": "Catch signals by their names and/or numbers.",
    "syscall": "Catch system calls by their names, groups and/or numbers.",
    "throw": "Catch an exception, when thrown.",
    "unload": "Catch unloads of shared libraries.",
    "vfork": "Catch calls to vfork.",
}
_UNSUPPORTED = ("assert", "exception", "handlers", "load", "unload")


def subcommand_list(cmd: str) -> str:
    """What gdb prints for `catch` / `tcatch` alone."""
    rows = [f"{cmd} {name} -- {text}" for name, text in _SUBCOMMANDS.items()]
    return "\n".join([f"List of {cmd} subcommands:", "", *rows, "",
                      f'Type "help {cmd}" followed by {cmd} subcommand name for full documentation.',
                      'Type "apropos word" to search for commands related to "word".',
                      'Type "apropos -v word" for full documentation of commands related to "word".',
                      "Command name abbreviations are allowed if unambiguous."])


async def _catch_command(ci: CommandInterpreter, cmd: str, arg: str, temporary: bool) -> str:
    if not arg:
        return subcommand_list(cmd)
    word, _, rest = arg.partition(" ")
    names = [word] if word in _SUBCOMMANDS else [n for n in _SUBCOMMANDS if n.startswith(word)]
    if not names:
        raise CommandError(f'Undefined {cmd} command: "{word}".  Try "help {cmd}".')
    if len(names) > 1:
        raise CommandError(f'Ambiguous {cmd} command "{word}": {", ".join(names)}.')
    name = names[0]
    if name in _UNSUPPORTED:
        raise CommandError(f"{cmd} {name} is not supported by tdbg.")
    return await ci.s.processes.catch_text(name, rest.strip(), temporary)


@command("catch", group="breakpoints", help="Set catchpoints to catch events.",
         usage="\n" + subcommand_list("catch"))
async def _catch(ci: CommandInterpreter, arg: str) -> str | None:
    return await _catch_command(ci, "catch", arg, False)


@command("tcatch", group="breakpoints", help="Set temporary catchpoints to catch events.",
         usage="\n" + subcommand_list("tcatch"))
async def _tcatch(ci: CommandInterpreter, arg: str) -> str | None:
    return await _catch_command(ci, "tcatch", arg, True)
