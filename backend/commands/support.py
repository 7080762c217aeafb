"""Support commands: help (from the command table), echo, shell (set and show: show.py)."""
from __future__ import annotations

from ..errors import CommandError
from . import settings_table
from . import show as _set_and_show  # registers `set` and `show`
from .registry import COMMANDS, GROUPS, Command, CommandInterpreter, command

_ABBREVIATIONS = "Command name abbreviations are allowed if unambiguous."


def _names(c: Command) -> str:
    """`break, b, br, brea`: as gdb names a command with its aliases."""
    return ", ".join((c.name, *c.aliases))


def _group_lines(group: str) -> list[str]:
    return [f"{_names(c)} -- {c.help}" for name, c in sorted(COMMANDS.items()) if c.group == group]


def _classes() -> str:
    return "\n".join(["List of classes of commands:", ""]
                     + [f"{g} -- {text}" for g, text in GROUPS.items()]
                     + ["",
                        'Type "help" followed by a class name for a list of commands in that class.',
                        'Type "help all" for the list of all commands.',
                        'Type "help" followed by command name for full documentation.',
                        _ABBREVIATIONS])


def _group(group: str) -> str:
    return "\n".join([GROUPS[group], "", "List of commands:", ""] + _group_lines(group)
                     + ["", 'Type "help" followed by command name for full documentation.',
                        _ABBREVIATIONS])


def _all() -> str:
    out: list[str] = []
    for g in GROUPS:
        out += ["", f"Command class: {g}", ""] + _group_lines(g)
    return "\n".join(out)


def _one(c: Command) -> str:
    """gdb's `help NAME`: the names (when there are aliases), the help line, the usage."""
    lines = [_names(c)] if c.aliases else []
    lines.append(c.help)
    if c.usage:
        lines.append(c.usage)
    return "\n".join(lines)


@command("help", "h", group="support", help="Print list of commands.",
         usage="Usage: help [CLASS | COMMAND | all]\n"
               "With no argument, lists the classes of commands; with a class, its commands;\n"
               "with a command (or an alias, or an unambiguous prefix), its documentation.")
async def _help(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg:
        return _classes()
    word = arg.split()[0]
    if word == "all":
        return _all()
    if word in ("set", "show") and len(arg.split()) > 1:
        return _setting_help(word, arg.split()[1:])
    if word in GROUPS:
        return _group(word)
    try:
        name = ci.lookup(word)
    except CommandError:
        groups = [g for g in GROUPS if g.startswith(word)]    # gdb: `help runn` is `help running`
        if len(groups) != 1:
            raise
        return _group(groups[0])
    return _one(COMMANDS[name])


def _setting_help(verb: str, words: list[str]) -> str:
    """`help set print pretty`: the setting's line from the settings table."""
    try:
        row, prefix, rest = settings_table.resolve(words)
    except settings_table.Ambiguous as e:
        raise CommandError(e.text(verb)) from None
    if row is not None:
        return f"{verb.capitalize()} {row.help}"
    if prefix and not rest:
        return _set_and_show.subcommands_text(verb, prefix)
    where = f"{verb} {prefix}".strip()
    raise CommandError(f'Undefined {where} command: "{" ".join(rest)}".  Try "help {where}".')


@command("echo", group="support", help="Print a constant string.  Give string as argument.",
         usage='Usage: echo TEXT\n"\\n" in TEXT is a newline.')
async def _echo(ci: CommandInterpreter, arg: str) -> str | None:
    return arg.replace("\\n", "\n")


@command("shell", "!", group="support", help="Execute the rest of the line as a shell command.",
         usage="Not supported in tdbg.")
async def _shell(ci: CommandInterpreter, arg: str) -> str | None:
    raise CommandError("shell commands are not supported in tdbg")
