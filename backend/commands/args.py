"""Argument forms several command groups share: a repeat count, a list of numbers."""
from __future__ import annotations

from ..numbers import parse_int


def parse_count(arg: str) -> int:
    """`next 3`, `up 2`: a missing count is one."""
    return parse_int(arg) if arg.strip() else 1


def parse_ids(arg: str) -> list[int]:
    """`delete 1 3-5`, `undisplay 2,4`: numbers and inclusive ranges."""
    out: list[int] = []
    for part in arg.replace(",", " ").split():
        if "-" in part:
            a, b = part.split("-", 1)
            out.extend(range(parse_int(a), parse_int(b) + 1))
        else:
            out.append(parse_int(part))
    return out
