"""gdb's text for the commands that show code: `list`, `info line`, `info symbol`, `disassemble`.

Plain functions of the Debugger, run on the ptrace worker by DataAPI (data.py).
"""
from __future__ import annotations

import os
import re
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import CommandError, TdbgError
from ..inspect.file_names import display_name
from ..inspect.symbol_info import establish_default_source, has_current_source
from . import disasm_text

if TYPE_CHECKING:
    from ..debugger import Debugger
    from ..events import SourceLocation
    from ..program.program import Program
    from ..program.target import Target


def list_text(dbg: Debugger, arg: str) -> str:
    """`list [LOCATION]`: ten lines around it; without one, around the selected frame's
    line (or main), and a `list` right after a `list` goes on where it stopped."""
    t = dbg.target
    prog = t.require_program()
    last = t.listed
    # gdb's lines_to_list(): `set listsize` (unlimited, 0 or negative: the whole file)
    size = t.listsize if t.listsize is not None and t.listsize > 0 else 1 << 30
    last_line: int | None = None
    r_m = re.match(r"^(\d+)\s*,\s*(\d+)$", arg.strip())
    m = re.match(r"^(?:(.+):)?(\d+)$", arg.strip())
    if r_m:
        # `list FIRST,LAST` in the current file
        file = t.current_file()
        if file is None:
            raise CommandError("No symbol table is loaded.")
        first, last_line = int(r_m.group(1)), int(r_m.group(2))
        center = first
    elif m and (m.group(1) is None or not m.group(1).startswith("*")):
        # `list N`, `list FILE:N`: around N itself, even where N has no code
        file = t.current_file() if m.group(1) is None else _full_path(prog, m.group(1).strip(), arg)
        if file is None:
            raise CommandError("No symbol table is loaded.")
        center = int(m.group(2))
        first = max(1, center - size // 2)
    elif arg:
        r = prog.resolve(arg, t.current_file())
        addrs = r.addrs
        if r.line is None and addrs and not arg.startswith("*"):
            addrs = _function_entries(dbg, addrs)     # gdb: around the function's first line
        loc = prog.location(addrs[0]) if addrs else None
        center = r.line or (loc.line if loc else 1)
        file = r.file or (loc.file if loc else None)
        if file is None:
            raise CommandError("No line number known for " + arg)
        first = max(1, center - size // 2)
    elif last is not None and last[0] == t.stop_id:
        file, center = last[1], last[2]
        first = center
    elif t.alive and t.stop:
        loc = _selected_location(dbg)
        if loc is None:
            raise CommandError("No symbol table is loaded.")
        file, center = loc.file, loc.line
        first = max(1, center - size // 2)
    else:
        loc = prog.main_location()
        if loc is None:
            raise CommandError("No symbol table is loaded.")
        # gdb's select_source_symtab puts the current line size-1 above main's, and
        # the first `list` centres on that
        file, center = loc.file, max(loc.line - (size - 1), 1)
        first = max(1, center - size // 2)
    lines = t.source_lines(file)
    if lines is None:
        raise CommandError(f"{first}\tin {_shown_name(prog, file, None)}")
    if first > len(lines):
        raise CommandError(f"Line number {first} out of range; {_shown_name(prog, file, None)} "
                           f"has {len(lines)} lines.")
    end = min(len(lines), first + size - 1 if last_line is None else last_line)
    t.listed = (t.stop_id, file, end + 1)
    _LAST_LINE[t] = (_listing_key(t), file, first)     # after `listed`: part of the key
    return "\n".join(f"{n}\t{lines[n - 1]}" for n in range(first, end + 1))


def _full_path(prog: Program, file: str, arg: str) -> str:
    """The path of the source file a `list FILE:N` names, from its line table."""
    for o in prog.objfiles:
        if o.debug is None:
            continue
        try:
            rows = o.debug.info_line(file, 1)
        except CommandError:
            continue
        if rows:
            return rows[0][0]
    raise CommandError(f"No source file named {file}.")


def _selected_location(dbg: Debugger) -> SourceLocation | None:
    """The selected frame's line (a caller's: the line of its call)."""
    frames = dbg.frames
    return frames.frame_location(frames.frame(dbg.target.selected_frame))


def disassemble_text(dbg: Debugger, arg: str) -> str:
    """`disassemble[/m|/r|/s] [ADDRESS | START,END | START,+LEN]`: the whole function
    around ADDRESS (or the selected frame's pc), or a range; `=>` marks the selected
    frame's pc, as gdb does after `up` (disasm_text.py)."""
    return disasm_text.disassemble_text(dbg, arg)


def info_symbol_text(dbg: Debugger, arg: str) -> str:
    """`info symbol ADDR`: "main + 4 in section .text", and once more than one object
    is loaded (gdb's multi_objfile_p) "... of /path/of/the/object"."""
    if not arg.strip():
        raise CommandError("Argument required (address).")
    prog = dbg.target.program
    if prog is None:
        return f"No symbol matches {arg}."
    addr = dbg.evaluator.evaluate_address(arg)
    sym = prog.symbolize(addr)
    if sym is None:
        return f"No symbol matches {arg}."
    name, _, off = sym.partition("+")
    o = prog.objfile_for(addr)
    sec = o.elf.section_name_at(addr - o.bias) if o else None
    text = f"{name}{' + ' + off if off else ''} in section {sec or '?'}"
    # once a process ran, gdb has a second object for good: the vDSO it read symbols from
    if o is not None and (len(prog.objfiles) > 1 or dbg.target.inf is not None):
        text += f" of {os.path.abspath(o.path) if o is prog.main else o.display_path}"
    return text


def info_line_text(dbg: Debugger, arg: str) -> str:
    """`info line [LOCATION]`: where a line's code starts and ends."""
    t = dbg.target
    prog = t.program
    if prog is None:
        raise CommandError('No symbol table is loaded.  Use the "file" command.')
    if not arg:
        # gdb: the line after the last one `info line` showed, or the first one `list`
        # showed, or the selected frame's; nothing before a stop or a `list`
        last = _LAST_LINE.get(t)
        if last is not None and last[0] == _listing_key(t):
            file, line = last[1], last[2]
        elif t.alive and t.stop is not None and (loc := _selected_location(dbg)) is not None:
            file, line = loc.file, loc.line
        else:
            raise CommandError("No line number information available.")
        _remember_line(t, file, line + 1)
        return _info_file_line(prog, file, line)
    if arg.startswith("*"):
        if not arg[1:].strip():
            raise CommandError("Argument required (expression to compute).")
        addrs = [dbg.evaluator.evaluate_address(arg[1:])]
    else:
        m = re.match(r"^(?:(.+):)?(\d+)$", arg.strip())
        if m and m.group(1) is None:
            establish_default_source(t)
        if m:
            named: str | None = m.group(1) or t.current_file()
            if named is None:
                main = prog.main_location()
                named = main.file if main is not None else None
            if named is not None:
                text = _info_file_line(prog, named.strip(), int(m.group(2)))
                _remember_line(t, _full_path(prog, named.strip(), arg), int(m.group(2)) + 1)
                return text
        r = prog.resolve(arg, t.current_file())
        addrs = _function_entries(dbg, r.addrs) if r.line is None and "+" not in arg else r.addrs[:1]
    loc = prog.location(addrs[-1])
    if loc is not None:
        _remember_line(t, loc.file, loc.line + 1)
    return "\n".join(_line_of(prog, a) for a in addrs)


# gdb's last_line_listed, per Target: (the stop and frame it belongs to, file, line)
_LAST_LINE: weakref.WeakKeyDictionary[Target, tuple[object, str, int]] = weakref.WeakKeyDictionary()


def _listing_key(t: Target) -> object:
    """A new stop or a frame shown (`up`, `frame N`: api/frames.py resets `listed`) shows
    its own line: older ones no longer count."""
    return t.stop_id, t.selected_frame, t.listed


def _remember_line(t: Target, file: str, line: int) -> None:
    """Only once there is a current source file (a stop or a `list`), as in gdb."""
    if has_current_source(t):
        _LAST_LINE[t] = (_listing_key(t), file, line)


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
            name = _shown_name(prog, path, None if start is None else start + o.bias)
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


def _shown_name(prog: Program, path: str, pc: int | None) -> str:
    """gdb's name for a file of the line tables (inspect/file_names.py), found through a pc
    of its unit: the line's own, else the file's first line's."""
    if pc is None:
        try:
            r = prog.resolve(f"{path}:1", None, refresh=False)
            pc = r.addrs[0] if r.addrs else None
        except TdbgError:
            pc = None
    return display_name(prog, path, pc) if pc is not None else os.path.basename(path)


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
        if addr == 0:
            return "No line number information available."
        sym = prog.symbolize(addr)
        return f"No line number information available for address {addr:#x}" + (f" <{sym}>" if sym else "")
    rng = prog.line_range(addr)
    start, end = rng if rng else (addr, addr)
    return _line_text(prog, loc.line, display_name(prog, loc.file, addr), start, end)


def _line_text(prog: Program, line: int, name: str, start: int, end: int) -> str:
    return (f'Line {line} of "{name}" starts at address {start:#x} <{prog.symbolize(start)}> '
            f"and ends at {end:#x} <{prog.symbolize(end)}>.")
