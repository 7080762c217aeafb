"""Breakpoint commands: break, tbreak, delete, clear, disable, enable, condition, ignore.
(Watchpoints are in watch.py.)"""
from __future__ import annotations

import re

from ..api.breakpoints import PendingQuery
from ..errors import CommandError
from ..numbers import parse_int
from .args import parse_ids
from .registry import CommandInterpreter, command, query_text

_IF = re.compile(r"^(.*?)\s+if\s+(.*)$")

_LOCATIONS = ("LOCATION is FUNC, FILE:LINE, LINE, *ADDR or SYM+OFF.\n"
              "With no LOCATION, uses current execution address of the selected\n"
              "stack frame.\n"
              "CONDITION is a C expression, checked at each location when the breakpoint is set.\n"
              "A breakpoint in a library loaded later becomes pending with\n"
              '"set breakpoint pending on".')


async def _set_break(ci: CommandInterpreter, arg: str, temporary: bool) -> str:
    spec, cond = arg, None
    m = _IF.match(arg)
    if m:
        spec, cond = m.group(1), m.group(2)
    if not spec:
        pc = ci.s.stop_pc
        if pc is None:
            raise CommandError("No default breakpoint location now selected.")
        spec = f"*{pc:#x}"
    try:
        return await ci.s.breakpoints.break_text(spec, cond, temporary)
    except PendingQuery as e:
        question = "Make breakpoint pending on future shared library load? "
        hint = "" if not ci.s.from_tty else \
            '\n(use "set breakpoint pending on" to make it pending)'
        asked = query_text(ci, question, False)
        raise CommandError(f"{e}\n{asked}{hint}" if asked else str(e)) from None


@command("break", "b", "br", "brea", group="breakpoints", help="Set breakpoint at specified location.",
         usage=f"Usage: break [LOCATION] [if CONDITION]\n{_LOCATIONS}")
async def _break(ci: CommandInterpreter, arg: str) -> str | None:
    return await _set_break(ci, arg, False)


@command("tbreak", "tb", group="breakpoints", help="Set a temporary breakpoint.",
         usage='Usage: tbreak [LOCATION] [if CONDITION]\nLike "break" except the breakpoint is only '
               f"temporary,\nso it will be deleted when hit.\n{_LOCATIONS}")
async def _tbreak(ci: CommandInterpreter, arg: str) -> str | None:
    return await _set_break(ci, arg, True)


@command("delete", "d", group="breakpoints", help="Delete all or some breakpoints.",
         usage="Usage: delete [BREAKPOINTNUM]...\n"
               "Arguments are breakpoint numbers (or ranges N-M) with spaces in between.\n"
               "To delete all breakpoints, give no argument.")
async def _delete(ci: CommandInterpreter, arg: str) -> str | None:
    arg = re.sub(r"^breakpoints?\s*", "", arg)
    await ci.s.breakpoints.delete_many(parse_ids(arg) if arg else None)
    return ""


@command("clear", group="breakpoints", help="Clear breakpoint at specified location.",
         usage="Usage: clear [LOCATION]\n"
               "With no argument, clears all breakpoints at the address the program stopped at.")
async def _clear(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.breakpoints.clear_text(arg)


_ENABLE_ARGS = ("Arguments are breakpoint numbers N, locations N.M and ranges N-M or N.M-L,\n"
                "with spaces in between.  No argument means all breakpoints.")


@command("disable", group="breakpoints", help="Disable all or some breakpoints.",
         usage=f"Usage: disable [BREAKPOINTNUM]...\n{_ENABLE_ARGS}\n"
               "A disabled breakpoint is not forgotten, but has no effect until re-enabled.")
async def _disable(ci: CommandInterpreter, arg: str) -> str | None:
    arg = re.sub(r"^breakpoints?\b\s*", "", arg)
    return await ci.s.breakpoints.enable_text(arg, False)


@command("enable", group="breakpoints", help="Enable all or some breakpoints.",
         usage=f"Usage: enable [BREAKPOINTNUM]...\n{_ENABLE_ARGS}")
async def _enable(ci: CommandInterpreter, arg: str) -> str | None:
    arg = re.sub(r"^breakpoints?\b\s*", "", arg)
    return await ci.s.breakpoints.enable_text(arg, True)


@command("condition", group="breakpoints",
         help="Specify breakpoint number N to break only if COND is true.",
         usage="Usage: condition N [COND]\n"
               "COND is an expression to be evaluated whenever breakpoint N is reached;\n"
               "without COND, the breakpoint becomes unconditional.")
async def _condition(ci: CommandInterpreter, arg: str) -> str | None:
    num, _, expr = arg.partition(" ")
    if not num:
        raise CommandError("Argument required (breakpoint number).")
    bid = parse_int(num)
    notes = await ci.s.breakpoints.condition(bid, expr.strip() or None)
    if not expr.strip() and ci.s.from_tty:
        notes.append(f"Breakpoint {bid} now unconditional.")     # gdb says it only to a person
    return "\n".join(notes)


@command("ignore", group="breakpoints", help="Set ignore-count of breakpoint number N to COUNT.",
         usage="Usage: ignore N COUNT")
async def _ignore(ci: CommandInterpreter, arg: str) -> str | None:
    parts = arg.split()
    if len(parts) != 2:
        raise CommandError("Argument required (a breakpoint number and a count).")
    bid, n = parse_int(parts[0]), parse_int(parts[1])
    await ci.s.breakpoints.ignore(bid, n)
    if not ci.s.from_tty:
        return ""                                   # gdb says it only to a person
    if n == 0:
        return f"Will stop next time breakpoint {bid} is reached."
    if n == 1:
        return f"Will ignore next crossing of breakpoint {bid}."
    return f"Will ignore next {n} crossings of breakpoint {bid}."


@command("rbreak", group="breakpoints", help="Set a breakpoint for all functions matching REGEXP.",
         usage="Usage: rbreak [FILE:]REGEX\n"
               "A breakpoint on each function whose name REGEX matches (a POSIX basic regular\n"
               "expression, searched anywhere in the name), those with debug information\n"
               "first, each followed by its declaration; FILE: keeps the functions of one file.")
async def _rbreak(ci: CommandInterpreter, arg: str) -> str | None:
    out: list[str] = []
    for spec, signature in await ci.s.data.rbreak_targets(arg):
        try:
            said = await ci.s.breakpoints.break_text(spec, None, False)
        except PendingQuery as e:
            said = str(e)
        out += [said, signature] if said else [signature]
    return "\n".join(out)
