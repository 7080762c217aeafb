"""Support commands: help (from the command table), echo, shell, pwd, cd (set and show:
show.py)."""
from __future__ import annotations

import asyncio
import os

from ..errors import CommandError, TdbgError
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
         usage='Usage: echo TEXT\n"\\n" in TEXT is a newline.', raw=True)
async def _echo(ci: CommandInterpreter, arg: str) -> str | None:
    return arg.replace("\\n", "\n")


@command("shell", "!", group="support", help="Execute the rest of the line as a shell command.",
         usage="Usage: shell [COMMAND]  (or !COMMAND)\n"
               "Runs COMMAND with /bin/sh -c; its output (stdout and stderr) is shown here.\n"
               "With no arguments, run an inferior shell.")
async def _shell(ci: CommandInterpreter, arg: str) -> str | None:
    # The output is collected, not inherited: in the TUI the terminal belongs to the screen,
    # and batch prints it in its place among the other commands' lines.
    argv = ["/bin/sh", "-c", arg] if arg.strip() else [os.environ.get("SHELL") or "/bin/sh"]
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT)
        out, _ = await proc.communicate()
    except OSError as e:
        raise CommandError(f"Cannot execute {argv[0]}: {e.strerror}.") from None
    rc = proc.returncode or 0          # set once communicate() returned
    try:        # gdb's $_shell_exitcode / $_shell_exitsignal (the other one becomes void)
        kept, gone = ("$_shell_exitcode", "$_shell_exitsignal") if rc >= 0 else \
            ("$_shell_exitsignal", "$_shell_exitcode")
        await ci.s.data.evaluate(f"{kept} = {abs(rc)}")
        await ci.s.data.evaluate(f"{gone} = $nonexistent_void")
    except TdbgError:
        pass
    return out.decode("utf-8", "replace").removesuffix("\n")


# gdb's current_directory: the path `cd` was given, joined textually (a symlink stays)
_LOGICAL: list[str | None] = [None]


def _pwd_text() -> str:
    try:
        cwd = os.getcwd()
    except OSError as e:
        raise CommandError(f"Error finding name of working directory: {e.strerror}") from None
    logical = _LOGICAL[0]
    if logical and logical != cwd and os.path.realpath(logical) == cwd:
        return f"Working directory {logical}\n (canonically {cwd})."
    return f"Working directory {cwd}."


@command("pwd", group="files", help="Print working directory.",
         usage="Usage: pwd\nThis is used for your program as well.")
async def _pwd(ci: CommandInterpreter, arg: str) -> str | None:
    if arg.strip():
        raise CommandError(f'The "pwd" command does not take an argument: {arg.strip()}')
    return _pwd_text()


@command("cd", group="files", help="Set working directory to DIR for debugger.",
         usage="Usage: cd [DIR]\n"
               "The debugger's working directory, which the program started next inherits;\n"
               "with no DIR, the home directory.")
async def _cd(ci: CommandInterpreter, arg: str) -> str | None:
    # gdb's cd_command: the debugger's own directory changes (the program run next
    # starts there, as it inherits it); said only to a person.
    target = os.path.expanduser(arg.strip() or "~")
    try:
        os.chdir(target)
    except OSError as e:
        raise CommandError(f"{target}: {e.strerror}.") from None
    _LOGICAL[0] = os.path.normpath(os.path.join(_LOGICAL[0] or os.getcwd(), target))
    return _pwd_text() if ci.s.from_tty else ""
