"""Commands that change the flow of the program: call, jump, return, starti.

gdb asks before `jump` leaves the function and before `return` (the latter only when a
person typed it: gdb -batch pops silently). A front end that can ask sets
`session.confirm` (the TUI's y/n dialog); otherwise the query is answered yes and
printed as gdb prints it when its input is not a terminal.
"""
from __future__ import annotations

import shlex

from ..errors import CommandError
from .registry import CommandInterpreter, command, query_text


async def _ask(ci: CommandInterpreter, question: str, refused: str) -> str | None:
    """gdb's query(): the text to print for it (None: nothing to print); raises `refused`
    when the user says no."""
    if not getattr(ci, "confirm", True):
        return None                                  # set confirm off
    ask = ci.s.confirm
    if ask is not None and ci.s.from_tty:
        if not await ask(question.rstrip()):
            raise CommandError(refused)
        return None
    return query_text(ci, question, True)


async def _call(ci: CommandInterpreter, arg: str) -> str | None:
    fmt = None
    if arg.startswith("/"):
        fmt, _, arg = arg[1:].partition(" ")
    # gdb: no expression is the last value again (print_command_1's access_value_history(0))
    return await ci.s.flow.call_text(arg.strip() or "$", fmt)


command("call", group="data", help="Call a function in the program.",
        usage="Usage: call EXP\n"
              "The argument is the function name and arguments, in the notation of the\n"
              "current working language.  The result is printed and saved in the value\n"
              "history, if it is not void.")(_call)


@command("jump", "j", group="running", resumes=True,
         help="Continue program being debugged at specified line or address.",
         usage="Usage: jump LOCATION\n"
               "Give as argument either LINENUM or *ADDR, where ADDR is an expression\n"
               "for an address to start at.")
async def _jump(ci: CommandInterpreter, arg: str) -> str | None:
    if not ci.s.alive:
        raise CommandError("The program is not being run.")
    if not arg.strip():
        raise CommandError("Argument required (starting address).")
    plan = await ci.s.flow.jump_plan(arg.strip())
    said = None
    if plan.question is not None:
        said = await _ask(ci, plan.question, "Not confirmed.")
    await ci.s.flow.jump(plan, said, ci.s.from_tty)
    return ""


@command("return", group="stack", help="Make selected stack frame return to its caller.",
         usage="Usage: return [EXPR]\n"
               "Control remains in the debugger, but when you continue\n"
               "execution will resume in the frame above the one now selected.\n"
               "If an argument is given, it is an expression for the value to return.")
async def _return(ci: CommandInterpreter, arg: str) -> str | None:
    plan = await ci.s.flow.return_plan(arg.strip() or None)
    said = None
    if ci.s.from_tty:                      # gdb asks only a person
        said = await _ask(ci, plan.question, "Not confirmed")
    await ci.s.flow.do_return(plan, ci.s.from_tty, said)
    return ""


@command("starti", group="running", resumes=True,
         help="Start the debugged program stopping at the first instruction.",
         usage="Usage: starti [ARGS]...\nARGS are taken as by \"run\".")
async def _starti(ci: CommandInterpreter, arg: str) -> str | None:
    await ci.s.flow.starti(shlex.split(arg) if arg else None)
    return ""
