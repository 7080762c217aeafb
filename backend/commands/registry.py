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
from ..events import CommandResult, as_line
from .blocks import NESTED, Block, UserCommand, split_args, substitute, user_class_help
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
    raw: bool = False           # its text is written as is (CommandResult.raw)


COMMANDS: dict[str, Command] = {}
ALIASES: dict[str, str] = {}


def command(name: str, *aliases: str, group: str, help: str, usage: str = "",
            resumes: bool = False, raw: bool = False) -> Callable[[Handler], Handler]:
    if group not in GROUPS:         # a typo would hide the command from `help`
        raise ValueError(f"{name}: unknown command group {group!r}")

    def deco(fn: Handler) -> Handler:
        COMMANDS[name] = Command(name, fn, aliases, group, help, usage, resumes, raw)
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
        # command blocks and scripts (blocks.py, scripts.py)
        self.block: Block | None = None     # open `commands`/`define`/`document` ... `end`
        self.users: dict[str, UserCommand] = {}     # `define NAME`
        # Where lines run by other lines (a breakpoint's list, `source`, a user command)
        # print, as each runs: their stops are printed by the front end from the bus as they
        # happen, so holding the text to the end would put it after later stops. Without
        # it (a caller that only reads results) the text joins the command's result.
        self.emit: Callable[[str, bool, bool], None] | None = None     # text, ok, raw
        self._held: list[str] | None = None
        self._in_lists = False
        self._user_depth = 0

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
        """One line from a front end; then, as gdb does after each command it reads, the
        command lists of the breakpoint the program stopped at."""
        outer, self._held = self._held, []
        try:
            res, _ = await self.feed(line)
            if self.s.command_lists.pending and not self._in_lists:
                self.say(res.text, res.ok, res.raw)     # the command's own words come first
                res = CommandResult(res.ok, "")
                await self.run_stop_lists()
            held = self._held
        finally:
            self._held = outer
        if held:
            return CommandResult(res.ok, "\n".join([*held, res.line_text] if res.text else held))
        return res

    async def feed(self, line: str) -> tuple[CommandResult, bool]:
        """One line, into the open block if there is one; (result, whether it resumed)."""
        if self.block is not None:
            return await self._block_line(line), False
        return await self._run(line)

    def say(self, text: str, ok: bool = True, raw: bool = False) -> None:
        if not text:
            return
        if self.emit is not None:
            self.emit(text, ok, raw)
        elif self._held is not None:
            self._held.append(as_line(text, raw))

    async def run_stop_lists(self) -> None:
        """gdb's bpstat_do_actions: the stop's list runs; a command in it that resumes ends
        it (gdb ignores the rest), and the list of the stop that follows runs in turn, in
        this loop rather than by recursion. An error ends the list."""
        if self._in_lists:
            return
        self._in_lists = True
        try:
            while self.s.command_lists.pending:
                body = await self.s.command_lists.take()
                for ln in body[1:] if body[:1] == ("silent",) else body:
                    res, resumed = await self._run(ln)
                    self.say(res.text, res.ok, res.raw)
                    if not res.ok or resumed:
                        break
        finally:
            self._in_lists = False

    def open_block(self, finish: Callable[[list[str]], Awaitable[str | None]]) -> None:
        self.block = Block(finish)

    def cancel_block(self) -> bool:
        """Drop the open block (the TUI's Esc); False when none was open."""
        was, self.block = self.block is not None, None
        return was

    async def end_of_input(self) -> CommandResult | None:
        """The lines ran out with a block open (a script's end): gdb takes it as `end`."""
        if self.block is None:
            return None
        return await self._block_line("end")

    async def _block_line(self, line: str) -> CommandResult:
        block = self.block
        assert block is not None
        if not block.add(line):
            return CommandResult(True, "")
        self.block = None
        if block.nested:
            return CommandResult(False, NESTED)
        try:
            return CommandResult(True, await block.finish(block.lines) or "")
        except TdbgError as e:
            return CommandResult(False, str(e))

    def user_command(self, word: str) -> UserCommand | None:
        """A user-defined command named by word: its whole name (a definition hides a
        built-in of that name, as gdb's does), or a prefix no built-in command has."""
        if word in self.users:
            return self.users[word]
        if word in COMMANDS or word in ALIASES or any(c.startswith(word) for c in COMMANDS):
            return None
        named = [n for n in self.users if n.startswith(word)]
        return self.users[named[0]] if len(named) == 1 else None

    async def _call_user(self, user: UserCommand, arg: str) -> bool:
        """Run a user-defined command's lines with its arguments; True if one resumed."""
        # gdb's max-user-call-depth is 1024; each level here nests a few coroutine frames,
        # so Python's recursion limit would come first: the same message, sooner
        if self._user_depth >= 200:
            raise CommandError("Max user call depth exceeded -- command aborted.")
        args = split_args(arg)
        resumed = False
        self._user_depth += 1
        try:
            for ln in user.body:
                res, r = await self._run(substitute(ln, args))
                resumed = resumed or r
                if not res.ok:
                    raise CommandError(res.text)
                self.say(res.text, True, res.raw)
        finally:
            self._user_depth -= 1
        return resumed

    async def _run(self, line: str) -> tuple[CommandResult, bool]:
        line = line.strip()
        if not line or line.startswith("#"):
            return CommandResult(True, ""), False
        if line == "end":
            return CommandResult(False, "This command cannot be used at the top level."), False
        word = re.match(r"^[\w.-]*", line).group(0)     # type: ignore[union-attr]
        user = self.user_command(word) if word else None
        if user is not None:
            try:
                return CommandResult(True, ""), await self._call_user(user, line[len(word):].strip())
            except TdbgError as e:
                return CommandResult(False, str(e)), False
        parts = line.split(None, 1)
        if parts[0] in ("help", "h") and len(parts) > 1:      # help for what blocks.py keeps
            about = parts[1].strip()
            if about in self.users:
                u = self.users[about]
                return CommandResult(True, "\n".join(u.doc) if u.doc else "User-defined."), False
            if len(about) >= 4 and "user-defined".startswith(about):
                return CommandResult(True, user_class_help(self.users)), False
        return await self._builtin(line)

    async def _builtin(self, line: str) -> tuple[CommandResult, bool]:
        m = re.match(r"^([a-zA-Z_-]+|[!])(.*)$", line)
        if m is None:
            return CommandResult(False, f'Undefined command: "{line.split()[0]}".  Try "help".'), False
        word, rest = m.group(1), m.group(2)
        if word in ("x", "p", "print", "display", "output") and rest.startswith("/"):
            rest = rest   # keep "/fmt ..." attached
        resumes = False
        try:
            cmd = COMMANDS[self.lookup(word)]
            resumes = cmd.resumes
            text = await cmd.handler(self, rest.strip() if not rest.startswith("/") else rest)
            if cmd.resumes and self.displays and self.s.alive and self.s.stop_pc is not None:
                # gdb shows the auto-display expressions after every stop
                text = "\n".join(t for t in (text, await show_displays(self)) if t)
            return CommandResult(True, text or "", raw=cmd.raw), resumes
        except TdbgError as e:
            return CommandResult(False, str(e)), resumes

    def complete(self, line: str) -> list[str]:
        parts = line.split(" ")
        if len(parts) == 1:
            return [n for n in sorted(set(COMMANDS) | set(self.users)) if n.startswith(parts[0])]
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
