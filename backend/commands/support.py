"""Support commands: help (from the command table), echo, shell, set."""
from __future__ import annotations

import re
import shlex

from ..errors import CommandError
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


@command("echo", group="support", help="Print a constant string.  Give string as argument.",
         usage='Usage: echo TEXT\n"\\n" in TEXT is a newline.')
async def _echo(ci: CommandInterpreter, arg: str) -> str | None:
    return arg.replace("\\n", "\n")


@command("shell", "!", group="support", help="Execute the rest of the line as a shell command.",
         usage="Not supported in tdbg.")
async def _shell(ci: CommandInterpreter, arg: str) -> str | None:
    raise CommandError("shell commands are not supported in tdbg")


@command("set", group="data", help="Evaluate expression EXP and assign result to variable VAR.",
         usage="Usage: set var VAR = EXP  (or set $REG = EXP, set EXPR = EXP)\n"
               "Settings:\n"
               "  set args [ARGS]...\n"
               "  set inferior-tty [TTY]\n"
               "  set breakpoint pending on|off|auto\n"
               "  set disable-randomization on|off\n"
               "  set disassembly-flavor att|intel\n"
               "  set confirm [on|off]\n"
               "gdb's confirm, pagination, width, height, print, listsize, debug-file-directory\n"
               "and style settings are accepted and ignored.")
async def _set(ci: CommandInterpreter, arg: str) -> str | None:
    m = re.match(r"^(var|variable)\s+(.*)$", arg)
    if m:
        await ci.s.data.evaluate(m.group(2))
        return ""
    m = re.match(r"^args\s*(.*)$", arg)
    if m:
        await ci.s.settings.set_args(shlex.split(m.group(1)))
        return ""
    m = re.match(r"^inferior-tty\b\s*(.*)$", arg)
    if m:
        await ci.s.settings.set_tty(m.group(1).strip() or None)    # no device: tdbg's own terminal
        return ""
    m = re.match(r"^breakpoint\s+pending\s+(on|off|auto)$", arg)
    if m:
        await ci.s.settings.set_breakpoint_pending(m.group(1))
        return ""
    m = re.match(r"^disable-randomization\s+(on|off)$", arg)
    if m:
        await ci.s.settings.set_disable_randomization(m.group(1) == "on")
        return ""
    m = re.match(r"^disassembly-flavor\s+(att|intel)$", arg)
    if m:
        await ci.s.settings.set_disassembly_flavor(m.group(1))
        return ""
    m = re.match(r"^confirm\s*(on|off)?$", arg)
    if m:
        ci.confirm = m.group(1) != "off"          # queries answer themselves silently
        return ""
    if re.match(r"^(confirm|pagination|width|height|print|listsize|debug-file-directory|style)\b", arg):
        return ""
    if arg.startswith("$") or "=" in arg:
        await ci.s.data.evaluate(arg)
        return ""
    raise CommandError(f'Undefined set command: "{arg}".  Try "help set".')
