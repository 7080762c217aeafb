"""`thread apply`'s argument as gdb 13 reads it: a thread ID list (gdb's tid_range_parser:
`N`, `N-M`, `INF.N`, `INF.N-M`, `INF.*`, `*`), the -q/-c/-s flags (and -ascending for
`thread apply all`), then the command. Parsing only; threads.py runs it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import CommandError

_QCS = ("q", "c", "s")


@dataclass(frozen=True, slots=True)
class IdItem:
    inf: int
    lo: int
    hi: int | None          # None: every thread of the inferior from lo on (`INF.*`)
    qualified: bool         # written INF.N: warnings name it so


@dataclass(frozen=True, slots=True)
class Flags:
    quiet: bool = False
    cont: bool = False
    silent: bool = False
    ascending: bool = False


def _invalid(rest: str) -> CommandError:
    return CommandError(f"Invalid thread ID: {rest}")


def _number(word: str) -> int:
    """gdb's get_number_trailer: trailing junk makes it 0."""
    if not word.isdigit():
        return 0
    return int(word)


def _one(word: str, rest: str, current_inf: int) -> IdItem | None:
    """One word of the list, or None where the list ends (the command begins)."""
    inf, qualified, body = current_inf, False, word
    if "." in word:
        left, _, body = word.partition(".")
        inf = _number(left)
        if inf == 0:
            return None
        qualified = True
        if not body:
            return None
    if body == "*":
        return IdItem(inf, 1, None, qualified)
    m = re.fullmatch(r"([^-]*)(?:-(.*))?", body)
    assert m is not None
    if body.startswith("-"):
        raise CommandError(f"negative value: {rest}")
    lo = _number(m.group(1))
    if lo == 0:
        raise _invalid(rest)
    if m.group(2) is None:
        return IdItem(inf, lo, lo, qualified)
    hi = _number(m.group(2))
    if hi < lo:
        raise CommandError("inverted range")
    return IdItem(inf, lo, hi, qualified)


def _flags(cmd: str, names: tuple[str, ...], what: str) -> tuple[Flags, str]:
    """gdb's process_options: -NAME (a unique prefix) flags, `--` ends them; an unknown
    -WORD is where the command begins."""
    got: dict[str, bool] = {}
    while cmd.startswith("-"):
        word, _, after = cmd.partition(" ")
        if word == "--":
            cmd = after.lstrip()
            break
        name = word[1:]
        matches = [n for n in names if n.startswith(name)] if name[:1].isalpha() else []
        if name in matches:
            matches = [name]
        if not matches:
            break
        if len(matches) > 1:
            raise CommandError(f"Ambiguous option at: {cmd}")
        got[matches[0]] = True
        cmd = after.lstrip()
    flags = Flags(got.get("q", False), got.get("c", False), got.get("s", False),
                  got.get("ascending", False))
    if flags.cont and flags.silent:
        raise CommandError(f"{what}: -c and -s are mutually exclusive")
    return flags, cmd


def parse_apply_all(arg: str) -> tuple[Flags, str]:
    """`thread apply all [-ascending] [-q] [-c | -s] COMMAND`."""
    flags, cmd = _flags(arg.strip(), ("ascending", *_QCS), "thread apply all")
    if not cmd:
        raise CommandError("Please specify a command at the end of 'thread apply all'")
    return flags, cmd


def parse_apply(arg: str, current_inf: int) -> tuple[list[IdItem], Flags, str]:
    """`thread apply ID... [-q] [-c | -s] COMMAND`."""
    text = arg.strip()
    if not text:
        raise CommandError("Please specify a thread ID list")
    items: list[IdItem] = []
    rest = text
    while rest and (rest[0].isdigit() or rest[0] == "*"):
        word, _, after = rest.partition(" ")
        item = _one(word, rest, current_inf)
        if item is None:
            break
        items.append(item)
        rest = after.lstrip()
    flags, cmd = _flags(rest, _QCS, "thread apply")
    if not cmd:
        raise CommandError("Please specify a command following the thread ID list")
    if not items or cmd[0].isdigit():
        raise _invalid(cmd)
    return items, flags, cmd
