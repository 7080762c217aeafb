"""gdb's text for the commands that show code: `list`, `info line`, `info symbol`, `disassemble`.

Plain functions of the Debugger, run on the ptrace worker by DataAPI (data.py).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import CommandError
from ..numbers import parse_int

if TYPE_CHECKING:
    from ..debugger import Debugger
    from ..events import SourceLocation
    from ..program.program import Program


def list_text(dbg: Debugger, arg: str) -> str:
    """`list [LOCATION]`: ten lines around it; without one, around the selected frame's
    line (or main), and a `list` right after a `list` goes on where it stopped."""
    t = dbg.target
    prog = t.require_program()
    last = t.listed
    if arg:
        r = prog.resolve(arg, t.current_file())
        loc = prog.location(r.addrs[0]) if r.addrs else None
        center = r.line or (loc.line if loc else 1)
        file = r.file or (loc.file if loc else None)
        if file is None:
            raise CommandError("No line number known for " + arg)
    elif last is not None and last[0] == t.stop_id:
        file, center = last[1], last[2] + 5
    else:
        loc = _selected_location(dbg) if t.alive and t.stop else prog.main_location()
        if loc is None:
            raise CommandError("No symbol table is loaded.")
        file, center = loc.file, loc.line
    lines = t.source_lines(file)
    if lines is None:
        raise CommandError(f"{center}\tin {file}")
    first = max(1, center - 5)
    if first > len(lines):
        raise CommandError(f'Line number {first} out of range; "{file}" has {len(lines)} lines.')
    end = min(len(lines), first + 9)
    t.listed = (t.stop_id, file, end + 1)
    return "\n".join(f"{n}\t{lines[n - 1]}" for n in range(first, end + 1))


def _selected_location(dbg: Debugger) -> SourceLocation | None:
    """The selected frame's line (a caller's: the line of its call)."""
    frames = dbg.frames
    return frames.frame_location(frames.frame(dbg.target.selected_frame))


def disassemble_text(dbg: Debugger, arg: str) -> str:
    """`disassemble [ADDRESS]`: the whole function around ADDRESS (or the stop's pc)."""
    t = dbg.target
    prog = t.require_program()
    if arg:
        addr = dbg.evaluator.evaluate_address(arg.split(",")[0])
    elif t.stop is not None:
        addr = t.stop.pc
    else:
        raise CommandError("No frame selected.")
    rng = prog.function_range(addr)
    if rng is None:
        raise CommandError("No function contains specified address.")
    n = rng[1] - rng[0]
    insns = dbg.disassemble(rng[0], max(1, n))
    name = prog.function_name(rng[0])
    out = [f"Dump of assembler code for function {name}:"]
    for i in insns:
        if i.addr >= rng[1]:
            break
        off = i.addr - rng[0]
        mark = "=> " if i.is_pc else "   "
        out.append(f"{mark}{i.addr:#018x} <+{off}>:\t{i.text}")
    out.append("End of assembler dump.")
    return "\n".join(out)


def info_symbol_text(dbg: Debugger, arg: str) -> str:
    """`info symbol ADDR`: "main + 4 in section .text"."""
    addr = dbg.evaluator.evaluate_address(arg)
    prog = dbg.target.prog
    sym = prog.symbolize(addr)
    if sym is None:
        return f"No symbol matches {arg}."
    name, _, off = sym.partition("+")
    o = prog.objfile_for(addr)
    sec = o.elf.section_name_at(addr - o.bias) if o else None
    return f"{name}{' + ' + off if off else ''} in section {sec or '?'}"


def info_line_text(dbg: Debugger, arg: str) -> str:
    """`info line [LOCATION]`: where a line's code starts and ends."""
    t = dbg.target
    prog = t.require_program()
    if not arg:
        if t.stop is None:
            raise CommandError("No line number information available.")
        addr = t.stop.pc
    elif arg.startswith("*"):
        addr = parse_int(arg[1:])
    else:
        m = re.match(r"^(?:(.+):)?(\d+)$", arg.strip())
        if m:
            file = m.group(1) or t.current_file()
            if file is None:
                main = prog.main_location()
                file = main.file if main is not None else None
            if file is not None:
                return _info_file_line(prog, file.strip(), int(m.group(2)))
        r = prog.resolve(arg, t.current_file())
        if r.line is None and "+" not in arg:
            return "\n".join(_line_of(prog, a) for a in _function_entries(dbg, r.addrs))
        addr = r.addrs[0]
    return _line_of(prog, addr)


def _info_file_line(prog: Program, file: str, line: int) -> str:
    """gdb's `info line FILE:LINE`, from the line tables (symbols/index/locations.py)."""
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
            if start is None or end is None:       # both or neither (index/locations.py)
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


def _function_entries(dbg: Debugger, addrs: Iterable[int]) -> list[int]:
    """gdb's `info line FUNC`: each out-of-line copy at its entry (no prologue skip),
    then each inlined instance where it starts."""
    outline, inline = [], []
    for a in addrs:
        levels = dbg.frames.levels_at(a)
        if levels and levels[0].inline:
            inline.append(a)
            continue
        rng = dbg.target.prog.function_range(a)
        outline.append(rng[0] if rng else a)
    return sorted(set(outline)) + sorted(set(inline))


def _line_of(prog: Program, addr: int) -> str:
    loc = prog.location(addr)
    if loc is None:
        sym = prog.symbolize(addr)
        return f"No line number information available for address {addr:#x}" + (f" <{sym}>" if sym else "")
    rng = prog.line_range(addr)
    start, end = rng if rng else (addr, addr)
    return _line_text(prog, loc.line, os.path.basename(loc.file), start, end)


def _line_text(prog: Program, line: int, name: str, start: int, end: int) -> str:
    return (f'Line {line} of "{name}" starts at address {start:#x} <{prog.symbolize(start)}> '
            f"and ends at {end:#x} <{prog.symbolize(end)}>.")
