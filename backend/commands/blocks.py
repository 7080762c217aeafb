"""Multi-line command input (gdb's `commands`, `define`, `document` ... `end`) and the
user-defined commands, as the interpreter (registry.py) keeps them on the event loop.

A block's lines come from wherever the interpreter's lines come from: a -x script or a
`source`d file, the following -ex arguments of `tdbg --batch` (gdb would read them from
stdin), the TUI's command line (tui/panes/command.py shows gdb's ">" prompt). Nested
blocks (`if`, `while`, a `define` inside a list) are not supported: the whole block is
then dropped with one line saying so.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ..errors import CommandError

# words that open a block of their own in gdb: inside a block they would need their own `end`
OPENERS = ("if", "while", "define", "document", "commands", "python", "compile", "guile",
           "while-stepping", "stepping", "ws", "expect")
NESTED = "Nested command blocks (if, while, define ...) are not supported in tdbg: the block was dropped."


@dataclass
class Block:
    """An open block: lines gathered until the `end` that closes it, then finish(lines)."""
    finish: Callable[[list[str]], Awaitable[str | None]]
    lines: list[str] = field(default_factory=list)
    depth: int = 0                  # nested openers seen (their lines are dropped)
    nested: bool = False

    def add(self, line: str) -> bool:
        """Take one line; True when it was the closing `end`."""
        text = line.strip()
        word = text.split(None, 1)[0] if text else ""
        if text == "end":
            if self.depth == 0:
                return True
            self.depth -= 1
            return False
        if word in OPENERS:
            self.depth += 1
            self.nested = True
        if text and not text.startswith("#"):
            self.lines.append(text)
        return False


@dataclass
class UserCommand:
    name: str
    body: tuple[str, ...]
    doc: tuple[str, ...] = ()

    def help_line(self) -> str:
        return self.doc[0] if self.doc else "User-defined."


_ARG = re.compile(r"\$(argc|arg(\d))(?![\w])")


def split_args(arg: str) -> list[str]:
    """gdb's user_args: words split at blanks, quotes and parentheses keep theirs together."""
    out: list[str] = []
    i, n = 0, len(arg)
    while i < n:
        while i < n and arg[i].isspace():
            i += 1
        if i >= n:
            break
        start, depth, quote = i, 0, ""
        while i < n:
            c = arg[i]
            if quote:
                if c == "\\" and i + 1 < n:
                    i += 1
                elif c == quote:
                    quote = ""
            elif c in "'\"":
                quote = c
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c.isspace() and depth <= 0:
                break
            i += 1
        out.append(arg[start:i])
    return out


def substitute(line: str, args: list[str]) -> str:
    """$argc and $arg0..$arg9 replaced by the call's arguments (gdb's insert_user_defined_cmd_args)."""
    def one(m: re.Match[str]) -> str:
        if m.group(1) == "argc":
            return str(len(args))
        k = int(m.group(2))
        if k >= len(args):
            raise CommandError(f"Missing argument {k} in user function.")
        return args[k]
    return _ARG.sub(one, line)


def user_class_help(users: dict[str, UserCommand]) -> str:
    """gdb 13's `help user-defined`."""
    return "\n".join(["User-defined commands.",
                      "The commands in this class are those defined by the user.",
                      'Use the "define" command to define a command.', "", "List of commands:", ""]
                     + [f"{n} -- {users[n].help_line()}" for n in sorted(users)]
                     + ["", 'Type "help" followed by command name for full documentation.',
                        'Type "apropos word" to search for commands related to "word".',
                        'Type "apropos -v word" for full documentation of commands related to "word".',
                        "Command name abbreviations are allowed if unambiguous."])


def parse_breakpoint_numbers(arg: str) -> tuple[list[int], list[str]]:
    """gdb's map_breakpoint_numbers over `N`, `N-M`, `N M ...`: the numbers, and the warnings
    said on the way. Parsing stops at a word that is not a number (gdb's parser is then
    finished); a negative or inverted range is an error."""
    ids: list[int] = []
    said: list[str] = []
    for word in arg.split():
        if not (word[0].isdigit() or word[0] == "-"):
            break
        if word.startswith("-"):
            raise CommandError("negative value")
        first, dash, last = word.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            said.append(f"warning: bad breakpoint number at or near '{word}'")
            continue
        a, b = int(first), int(last) if dash else int(first)
        if b < a:
            raise CommandError("inverted range")
        if a == 0:
            said.append(f"warning: bad breakpoint number at or near '{word}'")
            continue
        ids.extend(range(a, b + 1))
    return ids, said
