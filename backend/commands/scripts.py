"""gdb's command lists and scripts: `commands`, `define`, `document`, `source`.

The blocks these open are read by the interpreter (registry.py, blocks.py) from whatever
lines come next; the breakpoint lists live on the worker (backend/breaks/command_lists.py)
so they show in `info breakpoints` and go with their breakpoint.
"""
from __future__ import annotations

import os

from ..errors import CommandError
from .blocks import UserCommand, parse_breakpoint_numbers
from .registry import ALIASES, COMMANDS, CommandInterpreter, command, query_text

_END = 'End with a line saying just "end".'


async def _ask(ci: CommandInterpreter, question: str, refused: str) -> str:
    """gdb's query(): the TUI asks; batch answers yes and says so."""
    ask = ci.s.confirm
    if ci.s.from_tty and ask is not None and getattr(ci, "confirm", True):
        if not await ask(question.strip()):
            raise CommandError(refused)
        return ""
    return query_text(ci, question, True)


def _join(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


@command("commands", group="breakpoints",
         help="Set commands to be executed when the given breakpoints are hit.",
         usage='Give a space-separated breakpoint list as argument after "commands".\n'
               "A list element can be a breakpoint number (e.g. `5') or a range of numbers\n"
               "(e.g. `5-7').\n"
               "With no argument, the targeted breakpoint is the last one set.\n"
               "The commands themselves follow starting on the next line.\n"
               'Type a line containing "end" to indicate the end of them.\n'
               'Give "silent" as the first line to make the breakpoint silent;\n'
               "then no output is printed when it is hit, except what the commands print.")
async def _commands(ci: CommandInterpreter, arg: str) -> str | None:
    lists = ci.s.command_lists
    if not arg or "$bpnum" in arg:          # gdb's $bpnum: the last breakpoint's number
        last = await lists.last_created()
        if last <= 0 and not arg:
            raise CommandError("Argument required (one or more breakpoint numbers).")
        arg = arg.replace("$bpnum", str(last)) if arg else str(last)
    ids, said = parse_breakpoint_numbers(arg)
    found = await lists.existing(ids)
    # gdb reads the block when it meets the first breakpoint that exists: numbers before it
    # are reported now, the ones after once the block is read; with none, no block is read
    first = found.index(True) if True in found else len(ids)
    before = said + [f"No breakpoint number {i}." for i in ids[:first]]
    if first == len(ids):
        return _join(*before)
    after = [f"No breakpoint number {i}." for i, ok in zip(ids[first:], found[first:], strict=True) if not ok]
    targets = [i for i, ok in zip(ids, found, strict=True) if ok]

    async def finish(lines: list[str]) -> str:
        await lists.set(targets, lines)
        return _join(*after)
    ci.open_block(finish)
    prompt = (f"Type commands for breakpoint(s) {arg}, one per line.\n{_END}"
              if ci.s.from_tty else "")
    return _join(*before, prompt)


@command("define", group="support", help="Define a new command name.  Command name is argument.",
         usage="Definition appears on following lines, one command per line.\n"
               'End with a line of just "end".\n'
               'Use the "document" command to give documentation for the new command.\n'
               "Commands defined in this way may accept an unlimited number of arguments\n"
               "accessed via $arg0 .. $argN.  $argc tells how many arguments have\n"
               "been passed.")
async def _define(ci: CommandInterpreter, arg: str) -> str | None:
    name = arg.strip()
    if not name:
        raise CommandError("Argument required (name of command to define).")
    if not all(c.isalnum() or c in "-_." for c in name) or not name[0].isalpha():
        raise CommandError(f'Junk in argument list: "{name}"')     # one word, as gdb's name
    asked = ""
    if name in ci.users:
        asked = await _ask(ci, f'Redefine command "{name}"? ', f'Command "{name}" not redefined.')
    elif name in COMMANDS or name in ALIASES:
        asked = await _ask(ci, f'Really redefine built-in command "{name}"? ',
                           f'Command "{name}" not redefined.')

    async def finish(lines: list[str]) -> None:
        ci.users[name] = UserCommand(name, tuple(lines))
    ci.open_block(finish)
    prompt = f'Type commands for definition of "{name}".\n{_END}' if ci.s.from_tty else ""
    return _join(asked, prompt)


@command("document", group="support", help="Document a user-defined command or user-defined alias.",
         usage="Give command or alias name as argument.  Give documentation on following lines.\n"
               'End with a line of just "end".')
async def _document(ci: CommandInterpreter, arg: str) -> str | None:
    name = arg.strip()
    if not name:
        raise CommandError("Argument required (name of command to define).")
    if name not in ci.users:
        if name in COMMANDS or name in ALIASES:
            raise CommandError(f'Command "{name}" is built-in.')
        raise CommandError(f'Undefined command: "{name}".')

    async def finish(lines: list[str]) -> None:
        user = ci.users.get(name)
        if user is not None:
            ci.users[name] = UserCommand(user.name, user.body, tuple(lines))
    ci.open_block(finish)
    return f'Type documentation for "{name}".\n{_END}' if ci.s.from_tty else None


@command("source", group="support", help="Read commands from a file named FILE.",
         usage="\nUsage: source [-s] [-v] FILE\n"
               "-s: search for the script in the source search path,\n"
               "    even if FILE contains directories.\n"
               "-v: each command in FILE is echoed as it is executed.\n\n"
               'Note that the file ".gdbinit" is read automatically in this way\n'
               "when GDB is started.")
async def _source(ci: CommandInterpreter, arg: str) -> str | None:
    words = arg.split()
    echo = "-v" in words[:-1]
    path = arg
    while path.startswith(("-v ", "-s ")):
        path = path[3:].strip()
    if not path or path in ("-v", "-s"):
        raise CommandError("source command requires file name of file to source.")
    try:
        with open(os.path.expanduser(path), encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except (OSError, ValueError) as e:      # ValueError: a NUL in the name
        why = e.strerror if isinstance(e, OSError) and e.strerror else "No such file or directory"
        # gdb: an error when typed, a warning when the command came from a script or -batch
        if ci.s.from_tty:
            raise CommandError(f"{path}: {why}.") from None
        return f"warning: {path}: {why}"
    for n, line in enumerate(lines, 1):
        if echo and line.strip() and ci.block is None:
            ci.say(f"+{line.strip()}")
        res, _ = await ci.feed(line)
        if not res.ok:
            ci.cancel_block()
            raise CommandError(f"{path}:{n}: Error in sourced command file:\n{res.text}")
        ci.say(res.text, True, res.raw)
        if ci.block is None:
            await ci.run_stop_lists()      # gdb: after each command a file's line runs
    end = await ci.end_of_input()
    if end is not None and not end.ok:
        raise CommandError(f"{path}:{len(lines)}: Error in sourced command file:\n{end.text}")
    return end.text if end is not None else None
