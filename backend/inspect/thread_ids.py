"""gdb's thread IDs: `N` or `INF.N` for `thread`, and ID lists for `info threads`
(`1 3`, `2-4`, `2.1-3`, `1.*`), with gdb 13's messages for bad ones.

A bare N means thread N of the current inferior. Parsing only: which threads exist is
asked by the callers (inspect/threads.py, exec/inferior_switch.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import CommandError

_ID = re.compile(r"(?:(\d+)\.)?(\d+)")
_RANGE = re.compile(r"(?:(\d+)\.)?(?:(\d+)(?:-(\d+))?|(\*))")


@dataclass(frozen=True, slots=True)
class IdRange:
    inf: int
    lo: int
    hi: int | None          # None: every thread of the inferior (`INF.*`)

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


def parse_id_list(arg: str, current_inf: int) -> list[IdRange]:
    """`info threads`' ID list."""
    out = []
    for word in arg.split():
        m = _RANGE.fullmatch(word)
        if m is None or (m.group(4) and m.group(1) is None):
            raise CommandError(f"Invalid thread ID: {word}")
        inf = int(m.group(1)) if m.group(1) else current_inf
        if m.group(1) is not None and inf == 0:
            raise CommandError(f"Invalid thread ID: {word}")
        if m.group(4):
            out.append(IdRange(inf, 1, None))
            continue
        lo = int(m.group(2))
        hi = int(m.group(3)) if m.group(3) else lo
        if lo == 0:
            raise CommandError(f"Invalid thread ID: {word}")
        if hi < lo:
            raise CommandError("inverted range")
        out.append(IdRange(inf, lo, hi))
    return out


def label(inf: int | None, num: int) -> str:
    """`N`, or `INF.N` once there is more than one inferior (inf given)."""
    return f"{inf}.{num}" if inf is not None else str(num)
