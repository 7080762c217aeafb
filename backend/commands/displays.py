"""Auto-display expressions (`display`): how a spec is read and shown.

Its own module because the interpreter (registry.py) shows them after every stop, and the
registry must not import a group module (data.py, info.py use these too).
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..errors import TdbgError

if TYPE_CHECKING:
    from .registry import CommandInterpreter

_DISPLAY = re.compile(r"^/(\d*)([a-z]*)\s+(.*)$")


def display_parts(e: str) -> tuple[str, str, str]:
    """A display spec `/2xb expr` as (count, format letters, expression); no /FMT: ("", "", e)."""
    m = _DISPLAY.match(e)
    return (m.group(1), m.group(2), m.group(3)) if m else ("", "", e)


def examined_display(arg: str) -> bool:
    """gdb shows `display/i` and `display/s` as the x command does."""
    return bool(set(display_parts(arg)[1]) & set("is"))


def display_spelling(e: str) -> str:
    """gdb lists an x-style display with its count and unit: `/i $pc` is `/1bi $pc`."""
    if not examined_display(e):
        return e
    count, letters, expr = display_parts(e)
    count = count or "1"
    unit = next((u for u in letters if u in "bhwg"), "b")
    fmt = "".join(c for c in letters if c not in "bhwg")
    return f"/{count}{unit}{fmt} {expr}"


async def _examine_display(ci: CommandInterpreter, n: int, arg: str) -> str:
    text, _ = await ci.s.data.examine(arg)
    return f"{n}: x{arg.split()[0]} {display_parts(arg)[2].strip()}\n{text}"


async def show_displays(ci: CommandInterpreter) -> str:
    out = [await show_one_display(ci, i, e) for i, e in ci.displays.items()]
    return "\n".join(out)


async def show_one_display(ci: CommandInterpreter, n: int, e: str) -> str:
    """`N: EXPR = VALUE` (or x's output for /i and /s), as gdb shows a display."""
    try:
        if examined_display(e):
            return await _examine_display(ci, n, e)
        count, letters, expr = display_parts(e)
        fmt, expr = (letters, expr) if letters and not count else (None, e)
        return f"{n}: {e} = {await ci.s.data.formatted(expr, fmt)}"
    except TdbgError as err:
        return f"{n}: {e} = <error: {err}>"
