"""`info SUBCOMMAND`: breakpoints, registers, frame, locals, args, line, sharedlibrary, threads,
symbol, inferiors, signals, display, source, address, proc, watchpoints, functions, variables,
types, scope."""
from __future__ import annotations

from ..errors import CommandError
from .displays import display_spelling
from .registers import info_all_registers, info_registers
from .registry import CommandInterpreter, command

# gdb's one-line help of each subcommand (`gdb -batch -ex "help info"`)
_INFO_USAGE = """Usage: info SUBCOMMAND [ARGS]

List of info subcommands:

info address -- Describe where symbol SYM is stored.
info all-registers -- List of all registers and their contents, for selected stack frame.
info args -- All argument variables of current stack frame.
info breakpoints, info b -- Status of all user-settable breakpoints.
info display -- Expressions to display when program stops, with code numbers.
info frame -- All about the selected stack frame.
info functions -- All function names or those matching REGEXPs.
info inferiors -- Print a list of inferiors being managed.
info line -- Core addresses of the code for a source line.
info locals -- All local variables of current stack frame.
info proc -- Show additional information about a process.
info registers, info r -- List of integer registers and their contents, for selected stack frame.
info scope -- List the variables local to a scope.
info sharedlibrary -- Status of loaded shared object libraries.
info signals -- What debugger does when program gets various signals.
info source -- Information about the current source file.
info symbol -- Describe what symbol is at location ADDR.
info threads -- Display currently known threads.
info types -- All type names, or those matching REGEXP.
info variables -- All global and static variable names or those matching REGEXPs.
info watchpoints -- Status of specified watchpoints (all watchpoints if no argument).

Subcommand name abbreviations are allowed if unambiguous."""


@command("info", "i", group="status",
         help="Generic command for showing things about the program being debugged.",
         usage=_INFO_USAGE)
async def _info(ci: CommandInterpreter, arg: str) -> str | None:
    sub, _, rest = arg.partition(" ")
    rest = rest.strip()
    table = {"breakpoints": _info_breakpoints, "registers": info_registers,
             "all-registers": info_all_registers, "frame": _info_frame, "locals": _info_locals,
             "args": _info_args, "line": _info_line, "sharedlibrary": _info_shared,
             "threads": _info_threads, "symbol": _info_symbol, "inferiors": _info_inferiors,
             "signals": _info_signals, "display": _info_display, "source": _info_source,
             "address": _info_address, "proc": _info_proc, "watchpoints": _info_watchpoints,
             "fast-conditions": _info_fast_conditions, "functions": _info_functions,
             "variables": _info_variables, "types": _info_types, "scope": _info_scope}
    if not sub:
        raise CommandError('List of info subcommands: ' + ", ".join(sorted(table)))
    names = [k for k in table if k.startswith(sub)]
    if sub in ("b", "br", "break"):
        names = ["breakpoints"]
    elif sub in ("r", "reg"):
        names = ["registers"]
    if len(names) != 1:
        raise CommandError(f'Undefined info command: "{sub}".  Try "help info".')
    return await table[names[0]](ci, rest)


async def _info_breakpoints(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.breakpoints.table_text()


async def _info_frame(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.frames.info_frame_text()


async def _info_locals(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.locals_text()


async def _info_args(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.args_text()


async def _info_line(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.info_line_text(arg)


async def _info_shared(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.sharedlibrary_text(arg)


async def _info_threads(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.frames.info_threads_text(arg)


async def _info_symbol(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.info_symbol_text(arg)


async def _info_inferiors(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.processes.inferiors_text()       # gdb's table (exec/inferiors.py)


async def _info_signals(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.settings.signals_text(arg)


async def _info_display(ci: CommandInterpreter, arg: str) -> str:
    if not ci.displays:
        return "There are no auto-display expressions now."
    return "Auto-display expressions now in effect:\nNum Enb Expression\n" + "\n".join(
        f"{i}:   y  {display_spelling(e)}" for i, e in ci.displays.items())


async def _info_source(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.info.source_text()


async def _info_address(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.info.address_text(arg)


async def _info_proc(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.info.proc_text(arg)


async def _info_watchpoints(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.info.watchpoints_text(arg)


async def _info_fast_conditions(ci: CommandInterpreter, arg: str) -> str:
    """tdbg's own: which conditional breakpoints and dprintfs run inside the program
    (breaks/fast_sites.py), and why the others stop it."""
    return await ci.s.fast.table_text()


async def _info_functions(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.symbols_text("functions", arg)


async def _info_variables(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.symbols_text("variables", arg)


async def _info_types(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.symbols_text("types", arg)


async def _info_scope(ci: CommandInterpreter, arg: str) -> str:
    return await ci.s.data.scope_text(arg)
