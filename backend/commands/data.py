"""Data commands: print, output, printf, ptype, whatis, display, undisplay, x."""
from __future__ import annotations

from ..errors import CommandError
from .args import parse_ids
from .displays import display_parts, examined_display, show_displays, show_one_display
from .registry import CommandInterpreter, command


@command("print", "p", "inspect", group="data", help="Print value of expression EXP.",
         usage="Usage: print[/FMT] EXP\n"
               "EXP is a C expression in the selected frame's scope; $REG is a register.\n"
               "FMT is a format letter but no count or size letter (see \"x\" command).")
async def _print(ci: CommandInterpreter, arg: str) -> str | None:
    fmt = None
    if arg.startswith("/"):
        fmt, _, arg = arg[1:].partition(" ")
    if not arg.strip():
        raise CommandError("Argument required (expression to compute).")
    return await ci.s.data.print_text(arg.strip(), fmt)


@command("output", group="data",
         help='Like "print" but don\'t put in value history and don\'t print newline.',
         usage="Usage: output[/FMT] EXP", raw=True)
async def _output(ci: CommandInterpreter, arg: str) -> str | None:
    if arg.startswith("/"):
        fmt, _, arg = arg[1:].partition(" ")
        return await ci.s.data.formatted(arg.strip(), fmt)
    return await ci.s.data.evaluate(arg)


@command("printf", group="data", help="Formatted printing, like the C \"printf\" function.",
         usage='Usage: printf "format string", ARG1, ARG2, ARG3, ..., ARGN\n'
               "This supports most C printf format specifications, like %s, %d, etc.", raw=True)
async def _printf(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg.strip():
        raise CommandError("Argument required (format-control string and values to print).")
    return await ci.s.frames.printf_text(arg)      # as is: the format says where lines end


@command("ptype", group="data", help="Print definition of type TYPE.",
         usage="Usage: ptype TYPE | EXPRESSION")
async def _ptype(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.data.ptype_text(arg)


@command("whatis", group="data", help="Print data type of expression EXP.",
         usage='Only one level of typedefs is unrolled.  See also "ptype".')
async def _whatis(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.data.whatis_text(arg)


@command("display", group="data", help="Print value of expression EXP each time the program stops.",
         usage="Usage: display[/FMT] EXP\n"
               '/FMT may be used before EXP as in the "print" command.\n'
               '/FMT "i" or "s" or including a size-letter is allowed,\n'
               'as in the "x" command, and then EXP is used to get the address to examine\n'
               'and examining is done as in the "x" command.\n\n'
               "With no argument, display all currently requested auto-display expressions.\n"
               'Use "undisplay" to cancel display requests previously made.')
async def _display(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg:
        return await show_displays(ci)
    if ci.s.alive:                       # gdb refuses an expression it cannot evaluate now
        await ci.s.data.check(display_parts(arg)[2], address=examined_display(arg))
    ci._display_num += 1
    n = ci._display_num
    ci.displays[n] = arg
    if ci.s.alive and ci.s.from_tty:     # gdb -batch shows it at stops only
        return await show_one_display(ci, n, arg)
    return ""


@command("undisplay", group="data", help="Cancel some expressions to be displayed when program stops.",
         usage="Usage: undisplay [NUM]...\n"
               "Arguments are the code numbers of the expressions to stop displaying.\n"
               "No argument means cancel all automatic-display expressions.\n"
               'Do "info display" to see current list of code numbers.')
async def _undisplay(ci: CommandInterpreter, arg: str) -> str | None:
    if not arg:
        ci.displays.clear()
    else:
        for i in parse_ids(arg):
            ci.displays.pop(i, None)
    return ""


@command("x", group="data", help="Examine memory: x/FMT ADDRESS.",
         usage="Usage: x/FMT ADDRESS\n"
               "ADDRESS is an expression for the memory address to examine.\n"
               "FMT is a repeat count followed by a format letter and a size letter.\n"
               "Format letters are o(octal), x(hex), d(decimal), u(unsigned decimal),\n"
               "  t(binary), f(float), a(address), i(instruction), c(char) and s(string).\n"
               "Size letters are b(byte), h(halfword), w(word), g(giant, 8 bytes).\n"
               "Defaults for format and size letters are those previously used.\n"
               "Default count is 1.  Default address is following last thing printed\n"
               "with this command.")
async def _x(ci: CommandInterpreter, arg: str) -> str | None:
    text, ci.last_examine = await ci.s.data.examine(arg, ci.last_examine)
    return text
