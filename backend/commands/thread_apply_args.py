"""`thread apply`'s argument as gdb 13 reads it: a thread ID list (gdb's tid_range_parser:
`N`, `N-M`, `INF.N`, `INF.N-M`, `INF.*`, `*`: backend/thread_ids.py), the -q/-c/-s flags (and -ascending for
`thread apply all`), then the command. Parsing only; threads.py runs it.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import CommandError
from ..thread_ids import IdRange, parse_id_word

_QCS = ("q", "c", "s")


@dataclass(frozen=True, slots=True)
class Flags:
    quiet: bool = False
    cont: bool = False
    silent: bool = False
    ascending: bool = False


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


def parse_apply(arg: str, current_inf: int) -> tuple[list[IdRange], Flags, str]:
    """`thread apply ID... [-q] [-c | -s] COMMAND`."""
    text = arg.strip()
    if not text:
        raise CommandError("Please specify a thread ID list")
    items: list[IdRange] = []
    rest = text
    while rest and (rest[0].isdigit() or rest[0] == "*"):
        word, _, after = rest.partition(" ")
        item = parse_id_word(word, rest, current_inf)
        if item is None:
            break
        items.append(item)
        rest = after.lstrip()
    flags, cmd = _flags(rest, _QCS, "thread apply")
    if not cmd:
        raise CommandError("Please specify a command following the thread ID list")
    if not items or cmd[0].isdigit():
        raise CommandError(f"Invalid thread ID: {cmd}")
    return items, flags, cmd
