"""gdb's `info address SYMBOL` and `info source` (printcmd.c address_info, source.c
info_source_command), worded as gdb 13 words them."""
from __future__ import annotations

import os
import weakref
from typing import TYPE_CHECKING

from elftools.dwarf.locationlists import BaseAddressEntry, LocationEntry, LocationParser

from ..errors import CommandError
from ..program.units import unit_at
from ..symbols.dwarf.dies import AT_LANGUAGE, C_LANGS, CPP_LANGS
from ..symbols.dwarf.expr import location_expression
from .dwarf_describe import describe
from .file_names import display_name
from .frame_env import build_env

if TYPE_CHECKING:
    from elftools.dwarf.die import DIE

    from ..program.program import ObjFile, Program
    from ..program.target import Target
    from ..symbols.scopes import Scopes, Variable
    from .frames import Frames

_EXPR_FORMS = ("DW_FORM_exprloc", "DW_FORM_block1", "DW_FORM_block2", "DW_FORM_block4", "DW_FORM_block")
_AT_MACROS = (0x79, 0x43, 0x2119)      # DW_AT_macros, DW_AT_macro_info, DW_AT_GNU_macros
_DW_LANG_ASM = 0x8001


def info_address(target: Target, frames: Frames, name: str) -> str:
    name = name.strip()
    if not name:
        raise CommandError("Argument required.")
    if target.program is None:
        raise CommandError(f'No symbol "{name}" in current context.')
    prog = target.program
    level = target.selected_frame if target.alive and target.stop is not None else 0
    env = build_env(target, frames, None, target.tid, level) if prog.main.debug is not None else None
    var: Variable | None = None
    if env is not None:
        args, local = env.variables()
        var = next((v for v in (*local, *args) if v.name == name), None)
        if var is None:
            var = env.scopes.lookup_global(name, env.cu_offset)
    if var is None:
        # a function whose definition DIE names it only through DW_AT_abstract_origin (-O2)
        for o in prog.objfiles:
            funcs = o.debug.functions_named(name, inlined=False) if o.debug is not None else []
            if funcs:
                return f'Symbol "{name}" is a function at address {funcs[0].low + o.bias:#x}.'
    if var is None or env is None:
        addr = _minimal_symbol(prog, name)
        if addr is None:
            raise CommandError(f'No symbol "{name}" in current context.')
        return f'Symbol "{name}" is at {addr:#x} in a file compiled without debugging.'
    o = _objfile_of(prog, env.scopes)
    return f'Symbol "{name}" is {_where(var, env.scopes, o, env.pc)}.'


def _minimal_symbol(prog: Program, name: str) -> int | None:
    """gdb's lookup_bound_minimal_symbol: a definition anywhere before a PLT stub."""
    stub = None
    for o in prog.objfiles:
        sym = o.elf.symbol(name)
        if sym is None or not sym.addr:
            continue
        if o.elf.plt_name(sym.addr) is None:
            return sym.addr + o.bias
        stub = stub if stub is not None else sym.addr + o.bias
    return stub


def _objfile_of(prog: Program, scopes: Scopes) -> ObjFile:
    for o in prog.objfiles:
        if o.debug is not None and o.scopes is scopes:
            return o
    return prog.main


def _where(var: Variable, scopes: Scopes, o: ObjFile, link_pc: int) -> str:
    die = var.die
    if var.kind == "function":
        ranges = scopes.ranges(die)
        if ranges:
            entry = die.attributes.get("DW_AT_entry_pc")
            low = entry.value if entry is not None and entry.form == "DW_FORM_addr" else ranges[0][0]
            return f"a function at address {low + o.bias:#x}"
    if die.tag == "DW_TAG_enumerator" or var.const_value is not None:
        return "constant"
    attr = var.location
    if attr is None:
        return "optimized out"
    if attr.form not in _EXPR_FORMS:
        return _multi_location(var, scopes, o)
    data = bytes(attr.value)
    # gdb's reader turns a lone DW_OP_addr into static storage (dwarf2/read.c var_decode_location)
    if len(data) == 9 and data[0] == 0x03:
        return f"static storage at address {int.from_bytes(data[1:], 'little') + o.bias:#x}"
    return describe(data, _frame_base(scopes, var, link_pc), var.name)


def _multi_location(var: Variable, scopes: Scopes, o: ObjFile) -> str:
    """gdb's loclist_describe_location: each range (relocated) and its location; a base
    address entry is shown as the file has it, on the line of the range after it."""
    die, attr = var.die, var.location
    lists = scopes.dwarf.location_lists()
    if lists is None or attr is None:
        return "optimized out"
    try:
        entries = LocationParser(lists).parse_from_attribute(attr, die.cu["version"], die=die)
    except Exception as err:
        raise CommandError(f'Corrupted DWARF expression for symbol "{var.name}" ({err}).') from None
    low = die.cu.get_top_DIE().attributes.get("DW_AT_low_pc")
    base = low.value if low is not None and low.form == "DW_FORM_addr" else 0
    out = ["multi-location:\n"]
    for entry in entries:
        if isinstance(entry, BaseAddressEntry):
            base = entry.base_address
            out.append(f"  Base address {base:#x}")
        elif isinstance(entry, LocationEntry):
            lo, hi = (entry.begin_offset, entry.end_offset) if entry.is_absolute else \
                (base + entry.begin_offset, base + entry.end_offset)
            where = describe(bytes(entry.loc_expr), _frame_base(scopes, var, lo), var.name)
            out.append(f"  Range {lo + o.bias:#x}-{hi + o.bias:#x}: {where}\n")
    return "".join(out)


def _frame_base(scopes: Scopes, var: Variable, link_pc: int) -> bytes | None:
    """The DW_AT_frame_base of the function the variable belongs to."""
    die: DIE | None = var.die
    while die is not None and die.tag not in ("DW_TAG_subprogram", "DW_TAG_compile_unit"):
        die = die.get_parent()
    if die is None or die.tag != "DW_TAG_subprogram":
        return None
    attr = die.attributes.get("DW_AT_frame_base")
    if attr is None:
        return None
    try:
        return location_expression(attr, die, scopes.dwarf, link_pc)
    except Exception:
        return None


# ---- info source -------------------------------------------------------------------------
def current_source(target: Target, frames: Frames) -> tuple[str, int] | None:
    """gdb's current source symtab as (file, a pc of its unit): the selected frame's
    once the program stopped, else the last file `list` showed; nothing before either."""
    prog = target.program
    if prog is None:
        return None
    if target.alive and target.stop is not None:
        try:
            f = frames.frame(target.selected_frame)
            loc = frames.frame_location(f)
        except Exception:
            loc = None
        if loc is not None:
            return loc.file, f.lookup_pc
    if target.listed is not None:
        file = target.listed[1]
        pc = _pc_in_file(prog, file)
        if pc is not None:
            return file, pc
    main = prog.main_location() if target in _DEFAULT_SOURCE else None
    pc = prog.lookup_symbol("main")
    return (main.file, pc) if main is not None and pc is not None else None


# Targets where a bare line number (`info line 23`) made gdb pick its default source
# file, main's (source.c select_source_symtab): from then on there is a current one.
_DEFAULT_SOURCE: weakref.WeakSet[Target] = weakref.WeakSet()


def establish_default_source(target: Target) -> None:
    _DEFAULT_SOURCE.add(target)


def has_current_source(target: Target) -> bool:
    """gdb has a current source file: a stop, a `list`, or a default picked."""
    return (target.alive and target.stop is not None) or target.listed is not None \
        or target in _DEFAULT_SOURCE


def _pc_in_file(prog: Program, file: str) -> int | None:
    main = prog.main_location()
    if main is not None and main.file == file:
        return prog.lookup_symbol("main")
    try:
        r = prog.resolve(f"{file}:1", None, refresh=False)
    except Exception:
        return None
    return r.addrs[0] if r.addrs else None


def info_source(target: Target, frames: Frames) -> str:
    cur = current_source(target, frames)
    if cur is None:
        return "No current source file."
    path, pc = cur
    prog = target.require_program()
    at = unit_at(prog, pc)
    if at is None:
        return "No current source file."
    unit = at[1]
    lines = [f"Current source file is {display_name(prog, path, pc)}"]
    if unit.comp_dir:
        lines.append(f"Compilation directory is {unit.comp_dir}")
    found = target.source_path(path)
    text = target.source_lines(path)
    if found is not None and text is not None:      # gdb says neither for a file it cannot open
        lines.append(f"Located in {os.path.normpath(found)}")
        lines.append(f"Contains {len(text)} lines.")
    lang = unit.top.get(AT_LANGUAGE)
    name = "c++" if lang in CPP_LANGS else "asm" if lang == _DW_LANG_ASM else "c" if lang in C_LANGS \
        else "unknown"
    lines.append(f"Source language is {name}.")
    if unit.producer:
        lines.append(f"Producer is {unit.producer}.")
    lines.append(f"Compiled with DWARF {unit.version} debugging format.")
    macros = any(a in unit.top for a in _AT_MACROS)
    lines.append("Includes preprocessor macro info." if macros
                 else "Does not include preprocessor macro info.")
    return "\n".join(lines)


def location_words(var: Variable, scopes: Scopes, o: ObjFile, link_pc: int) -> str:
    """`info address`'s words for where var lives ("a variable in $rax", "static storage
    at address 0x4010", "a complex DWARF expression: ..."), for `info scope` too."""
    return _where(var, scopes, o, link_pc)
