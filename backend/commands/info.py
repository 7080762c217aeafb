"""`info SUBCOMMAND`: breakpoints, registers, frame, locals, args, line, sharedlibrary, threads,
symbol, inferiors, signals, display, source."""
from __future__ import annotations

import os
import re

from ..errors import CommandError
from ..numbers import parse_int
from .displays import display_spelling
from .registry import CommandInterpreter, command

# gdb's one-line help of each subcommand (`gdb -batch -ex "help info"`)
_INFO_USAGE = """Usage: info SUBCOMMAND [ARGS]

List of info subcommands:

info all-registers -- List of all registers and their contents, for selected stack frame.
info args -- All argument variables of current stack frame.
info breakpoints, info b -- Status of all user-settable breakpoints.
info display -- Expressions to display when program stops, with code numbers.
info frame -- All about the selected stack frame.
info inferiors -- Print a list of inferiors being managed.
info line -- Core addresses of the code for a source line.
info locals -- All local variables of current stack frame.
info registers, info r -- List of integer registers and their contents, for selected stack frame.
info sharedlibrary -- Status of loaded shared object libraries.
info signals -- What debugger does when program gets various signals.
info source -- Information about the current source file.
info symbol -- Describe what symbol is at location ADDR.
info threads -- Display currently known threads.

Subcommand name abbreviations are allowed if unambiguous."""


@command("info", "i", group="status",
         help="Generic command for showing things about the program being debugged.",
         usage=_INFO_USAGE)
async def _info(ci: CommandInterpreter, arg: str) -> str | None:
    sub, _, rest = arg.partition(" ")
    rest = rest.strip()
    table = {"breakpoints": _info_breakpoints, "registers": _info_registers,
             "all-registers": _info_registers, "frame": _info_frame, "locals": _info_locals,
             "args": _info_args, "line": _info_line, "sharedlibrary": _info_shared,
             "threads": _info_threads, "symbol": _info_symbol, "inferiors": _info_inferiors,
             "signals": _info_signals, "display": _info_display, "source": _info_source}
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
    from ..breaks.table import table
    solib = ci.dbg.solib
    return table(await ci.call(ci.dbg.breakpoints.infos), frozenset(solib.unloaded),
                 frozenset(solib.unresolved))


def _flags_text(v: int) -> str:
    names = [(0, "CF"), (2, "PF"), (4, "AF"), (6, "ZF"), (7, "SF"), (8, "TF"), (9, "IF"),
             (10, "DF"), (11, "OF")]
    return "[ " + " ".join(n for bit, n in names if v >> bit & 1) + " ]"


GDB_REG_ORDER = ("rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip eflags "
                 "cs ss ds es fs gs fs_base gs_base").split()


def format_register(name: str, v: int, symbolize=None) -> str:
    if name == "eflags":
        return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{_flags_text(v)}"
    if name in ("cs", "ss", "ds", "es", "fs", "gs"):
        return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{v}"
    if name in ("rip",):
        sym = symbolize(v) if symbolize else None
        return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{v:#x}" + (f" <{sym}>" if sym else "")
    if name in ("rbp", "rsp"):
        return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{v:#x}"
    signed = v - (1 << 64) if v >> 63 else v
    return f"{name:<15}{v:#x}{'':<{20 - len(hex(v))}}{signed}"


async def _info_registers(ci: CommandInterpreter, arg: str) -> str:
    regs = await ci.s.registers()
    names = [r.lstrip("$") for r in arg.split()] or GDB_REG_ORDER
    out = []
    for n in names:
        if n == "pc":
            n = "rip"
        if n not in regs:
            raise CommandError(f"Invalid register `{n}'")
        out.append(format_register(n, regs[n], ci.dbg.target.program.symbolize))
    return "\n".join(out)


async def _info_frame(ci: CommandInterpreter, arg: str) -> str:
    def work():
        f = ci.dbg.frames.frame(ci.dbg.target.selected_frame)
        info = ci.dbg.frames.frame_info(f)
        lines = [f"Stack level {f.level}, frame at {f.cfa:#x}:" if f.cfa else f"Stack level {f.level}:"]
        where = f" in {info.function}" if info.function else ""
        if info.location:
            where += f" ({os.path.basename(info.location.file)}:{info.location.line})"
        caller = ci.dbg.frames.unwind(limit=f.level + 2)
        saved = f"; saved rip = {caller[f.level + 1].pc:#x}" if len(caller) > f.level + 1 else ""
        lines.append(f" rip = {f.pc:#x}{where}{saved}")
        return "\n".join(lines)
    return await ci.call(work)


async def _info_locals(ci: CommandInterpreter, arg: str) -> str:
    return await ci.call(lambda: ci.dbg.variables.locals_text())


async def _info_args(ci: CommandInterpreter, arg: str) -> str:
    return await ci.call(lambda: ci.dbg.variables.args_text())


async def _info_line(ci: CommandInterpreter, arg: str) -> str:
    def work():
        prog = ci.dbg.target.require_program()
        if not arg:
            if ci.dbg.target.stop is None:
                raise CommandError("No line number information available.")
            addr = ci.dbg.target.stop.pc
        elif arg.startswith("*"):
            addr = parse_int(arg[1:])
        else:
            m = re.match(r"^(?:(.+):)?(\d+)$", arg.strip())
            if m:
                file = m.group(1) or ci.dbg.target.current_file()
                if file is None:
                    main = prog.main_location()
                    file = main.file if main is not None else None
                if file is not None:
                    return _info_file_line(prog, file.strip(), int(m.group(2)))
            r = prog.resolve(arg, ci.dbg.target.current_file())
            if r.line is None and "+" not in arg:
                return "\n".join(_line_of(prog, a) for a in _function_entries(ci.dbg, r.addrs))
            addr = r.addrs[0]
        return _line_of(prog, addr)
    return await ci.call(work)


def _info_file_line(prog, file: str, line: int) -> str:
    """gdb's `info line FILE:LINE`, from the line tables (symbols/index_locations.py)."""
    out = []
    for o in prog.objfiles:
        if o.debug is None:
            continue
        try:
            rows = o.debug.info_line(file, line)
        except CommandError:
            continue
        for path, n, start, end in rows:
            name = os.path.basename(path)
            if start is None:
                out.append(f'Line number {n} is out of range for "{name}".')
            elif start == end:
                at = start + o.bias
                out.append(f'Line {n} of "{name}" is at address {at:#x} <{prog.symbolize(at)}> '
                           "but contains no code.")
            else:
                out.append(_line_text(prog, n, name, start + o.bias, end + o.bias))
    if not out:
        raise CommandError(f"No source file named {file}.")
    return "\n".join(out)


def _function_entries(dbg, addrs) -> list[int]:
    """gdb's `info line FUNC`: each out-of-line copy at its entry (no prologue skip),
    then each inlined instance where it starts."""
    outline, inline = [], []
    for a in addrs:
        levels = dbg.frames.levels_at(a)
        if levels and levels[0].inline:
            inline.append(a)
            continue
        rng = dbg.target.program.function_range(a)
        outline.append(rng[0] if rng else a)
    return sorted(set(outline)) + sorted(set(inline))


def _line_of(prog, addr: int) -> str:
    loc = prog.location(addr)
    if loc is None:
        sym = prog.symbolize(addr)
        return f"No line number information available for address {addr:#x}" + (f" <{sym}>" if sym else "")
    rng = prog.line_range(addr)
    start, end = rng if rng else (addr, addr)
    return _line_text(prog, loc.line, os.path.basename(loc.file), start, end)


def _line_text(prog, line: int, name: str, start: int, end: int) -> str:
    return (f'Line {line} of "{name}" starts at address {start:#x} <{prog.symbolize(start)}> '
            f"and ends at {end:#x} <{prog.symbolize(end)}>.")


async def _info_shared(ci: CommandInterpreter, arg: str) -> str:
    return await ci.call(lambda: ci.dbg.solib.table(arg))


async def _info_threads(ci: CommandInterpreter, arg: str) -> str:
    return await ci.call(ci.dbg.threads.info_threads_text)


async def _info_symbol(ci: CommandInterpreter, arg: str) -> str:
    def work():
        addr = ci.dbg.evaluator.evaluate_address(arg)
        sym = ci.dbg.target.program.symbolize(addr)
        if sym is None:
            return f"No symbol matches {arg}."
        name, _, off = sym.partition("+")
        o = ci.dbg.target.program.objfile_for(addr)
        sec = o.elf.section_name_at(addr - o.bias) if o else None
        return f"{name}{' + ' + off if off else ''} in section {sec or '?'}"
    return await ci.call(work)


async def _info_inferiors(ci: CommandInterpreter, arg: str) -> str:
    pid = ci.s.pid
    return f"* 1    {'process ' + str(pid) if pid else '<null>'}  {ci.s.program or ''}"


async def _info_signals(ci: CommandInterpreter, arg: str) -> str:
    from .signals import info_signals
    return await info_signals(ci, arg)


async def _info_display(ci: CommandInterpreter, arg: str) -> str:
    if not ci.displays:
        return "There are no auto-display expressions now."
    return "Auto-display expressions now in effect:\nNum Enb Expression\n" + "\n".join(
        f"{i}:   y  {display_spelling(e)}" for i, e in ci.displays.items())


async def _info_source(ci: CommandInterpreter, arg: str) -> str:
    f = await ci.call(ci.dbg.target.current_file)
    return f"Current source file is {f}" if f else "No current source file."
