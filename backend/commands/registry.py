"""The command table, and the interpreter that looks commands up in it and runs them.

The group modules (running.py, breakpoints.py, ...) add their commands with `@command`;
this module never imports them (commands/__init__.py does), so nothing imports in a circle.

`execute(line)` never raises for user errors: it returns CommandResult(ok=False, text=one line).
Stops and exits are events on the bus; the text returned is what the command itself prints.

Handlers reach the program only through the Session (`ci.s`, its groups in backend/api/),
never the Debugger: every call hops to the ptrace worker, which owns the program's state
(tests/test_session_api.py checks it). The interpreter's own state (displays, `x`
defaults, `set confirm`) lives on the event loop.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CommandError, TdbgError
from ..events import CommandResult
from .displays import show_displays

if TYPE_CHECKING:
    from ..api.protocol import SessionAPI

Handler = Callable[["CommandInterpreter", str], Awaitable[str | None]]

# gdb 13's classes of commands and their descriptions (`gdb -batch -ex help`), those tdbg has
# commands in; `help` lists them in this order
GROUPS: dict[str, str] = {
    "breakpoints": "Making program stop at certain points.",
    "data": "Examining data.",
    "files": "Specifying and examining files.",
    "running": "Running the program.",
    "stack": "Examining the stack.",
    "status": "Status inquiries.",
    "support": "Support facilities.",
}


@dataclass(frozen=True)
class Command:
    """One row of the command table: what `help` prints and what the TUI lists."""
    name: str
    handler: Handler
    aliases: tuple[str, ...]
    group: str                  # a key of GROUPS
    help: str                   # one line, as `help GROUP` shows it
    usage: str = ""             # the rest of `help NAME`
    resumes: bool = False       # lets the program run: the auto-displays follow its stop


COMMANDS: dict[str, Command] = {}
ALIASES: dict[str, str] = {}


def command(name: str, *aliases: str, group: str, help: str, usage: str = "",
            resumes: bool = False) -> Callable[[Handler], Handler]:
    if group not in GROUPS:         # a typo would hide the command from `help`
        raise ValueError(f"{name}: unknown command group {group!r}")

    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = Command(name, fn, aliases, group, help, usage, resumes)
        for a in aliases:
            ALIASES[a] = name
        return fn
    return deco


class CommandInterpreter:
    confirm: bool       # only after `set confirm`: until then getattr(ci, "confirm", True)

    def __init__(self, session: SessionAPI) -> None:
        self.s = session                    # handlers reach the program only through it
        self.last_examine = ("x", "w", 0)   # format, unit, next address
        self.displays: dict[int, str] = {}     # gdb's display numbers stay put
        self._display_num = 0

    def lookup(self, word: str) -> str:
        if word in COMMANDS:
            return word
        if word in ALIASES:
            return ALIASES[word]
        matches = [c for c in COMMANDS if c.startswith(word)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise CommandError(f'Ambiguous command "{word}": {", ".join(sorted(matches)[:6])}.')
        raise CommandError(f'Undefined command: "{word}".  Try "help".')

    async def execute(self, line: str) -> CommandResult:
        line = line.strip()
        if not line or line.startswith("#"):
            return CommandResult(True, "")
        m = re.match(r"^([a-zA-Z_-]+|[!])(.*)$", line)
        if m is None:
            return CommandResult(False, f'Undefined command: "{line.split()[0]}".  Try "help".')
        word, rest = m.group(1), m.group(2)
        if word in ("x", "p", "print", "display", "output") and rest.startswith("/"):
            rest = rest   # keep "/fmt ..." attached
        try:
            cmd = COMMANDS[self.lookup(word)]
            text = await cmd.handler(self, rest.strip() if not rest.startswith("/") else rest)
            if cmd.resumes and self.displays and self.s.alive and self.s.stop_pc is not None:
                # gdb shows the auto-display expressions after every stop
                text = "\n".join(t for t in (text, await show_displays(self)) if t)
            return CommandResult(True, text or "")
        except TdbgError as e:
            return CommandResult(False, str(e))

    def complete(self, line: str) -> list[str]:
        parts = line.split(" ")
        if len(parts) == 1:
            return [n for n in sorted(COMMANDS) if n.startswith(parts[0])]
        word = parts[-1]
        prefix = " ".join(parts[:-1]) + " "
        return [prefix + o for o in sorted(set(self.s.completions(word)))]


def query_text(ci: CommandInterpreter, question: str, answer: bool) -> str:
    """gdb's query() answered without asking: batch mode says why, as gdb does;
    after `set confirm off` nothing is said (the answer is the same)."""
    if not getattr(ci, "confirm", True):
        return ""
    choices = "(y or n)" if answer else "(y or [n])"
    why = "; input not from terminal" if not ci.s.from_tty else ""
    return f"{question}{choices} [answered {'Y' if answer else 'N'}{why}]"
