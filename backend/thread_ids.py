"""gdb's thread IDs: `N` or `INF.N` for `thread`, and ID lists for `info threads` and
`thread apply` (`1 3`, `2-4`, `2.1-3`, `1.*`), with gdb 13's messages for bad ones.

A bare N means thread N of the current inferior. Parsing only: which threads exist is
asked by the callers (inspect/threads.py, exec/inferior_switch.py, commands/threads.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import CommandError

_ID = re.compile(r"(?:(\d+)\.)?(\d+)")


@dataclass(frozen=True, slots=True)
class IdRange:
    inf: int
    lo: int
    hi: int | None          # None: every thread of the inferior from lo on (`INF.*`)
    qualified: bool = False     # written INF.N: warnings name it so

    def has(self, inf: int, num: int) -> bool:
        return inf == self.inf and num >= self.lo and (self.hi is None or num <= self.hi)


def parse_thread_id(arg: str, current_inf: int) -> tuple[int, int, bool]:
    """`thread`'s argument: (inferior, thread number, whether the inferior was given).
    Only the first word counts, as in gdb."""
    word = arg.split()[0]
    if word.startswith("-") and word[1:].isdigit():
        raise CommandError(f"negative value: {word}")
    m = _ID.fullmatch(word)
    if m is None or int(m.group(2)) == 0 or (m.group(1) is not None and int(m.group(1)) == 0):
        raise CommandError(f"Invalid thread ID: {arg.strip()}")
    given = m.group(1) is not None
    return (int(m.group(1)) if given else current_inf), int(m.group(2)), given


def _invalid(rest: str) -> CommandError:
    return CommandError(f"Invalid thread ID: {rest}")


def _number(word: str) -> int:
    """gdb's get_number_trailer: trailing junk makes it 0."""
    return int(word) if word.isdigit() else 0


def parse_id_word(word: str, rest: str, current_inf: int) -> IdRange | None:
    """One word of an ID list as gdb's tid_range_parser reads it, or None where a list
    ends (`thread apply`'s command begins); rest: the text from this word on, which gdb's
    messages quote."""
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
        return IdRange(inf, 1, None, qualified)
    m = re.fullmatch(r"([^-]*)(?:-(.*))?", body)
    assert m is not None
    if body.startswith("-"):
        raise CommandError(f"negative value: {rest}")
    lo = _number(m.group(1))
    if lo == 0:
        raise _invalid(rest)
    if m.group(2) is None:
        return IdRange(inf, lo, lo, qualified)
    hi = _number(m.group(2))
    if hi < lo:
        raise CommandError("inverted range")
    return IdRange(inf, lo, hi, qualified)


def parse_id_list(arg: str, current_inf: int) -> list[IdRange]:
    """`info threads`' ID list: every word an ID (`thread apply` reads its own list with
    parse_id_word, up to its command)."""
    out = []
    rest = arg.strip()
    while rest:
        word, _, after = rest.partition(" ")
        item = parse_id_word(word, rest, current_inf)
        if item is None:
            raise _invalid(rest)
        out.append(item)
        rest = after.lstrip()
    return out


def label(inf: int | None, num: int) -> str:
    """`N`, or `INF.N` once there is more than one inferior (inf given)."""
    return f"{inf}.{num}" if inf is not None else str(num)
