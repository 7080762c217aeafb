"""gdb's `info functions`, `info variables` and `info types` (symtab.c
global_symbol_searcher::search and symtab_symbol_info), worded as gdb 13 words them.

Names are matched before anything is decoded: functions through the DWARF function
index (symbols/index/funcs.py, kept on disk), variables and types through one walk
over the units' top-level DIEs (symbols/index/globals.py); a DIE's type is read
(through symbols/scopes.py) only for a name the regex picked. ELF-only symbols come after,
as gdb's "Non-debugging symbols" (its minimal symbols: each object's .symtab and
.dynsym, and PLT stubs, by address).
"""
from __future__ import annotations

import os
import re
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CommandError
from ..symbols.dwarf.dies import AT_LANGUAGE, CPP_LANGS
from ..symbols.dwarf_types import _CANONICAL
from ..symbols.elf_format import SHT_DYNSYM, SHT_SYMTAB, SYM
from ..symbols.index.globals import (
    TAG_BASE,
    TAG_CLASS,
    TAG_ENUM,
    TAG_STRUCT,
    TAG_TYPEDEF,
    TAG_UNION,
    TAG_VARIABLE,
    GlobalDie,
    cached_globals,
)
from ..symbols.type_names import type_name
from .file_names import display_name

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..program.program import ObjFile, Program
    from ..symbols.index.debug_info import DebugInfo
    from ..symbols.types import Type

_SHF_WRITE, _SHF_ALLOC, _SHF_EXEC = 0x1, 0x2, 0x4
_KINDS = {"functions": "function", "variables": "variable", "types": "type"}
_TAG_WORDS = {TAG_STRUCT: "struct", TAG_UNION: "union", TAG_ENUM: "enum", TAG_CLASS: "class"}


@dataclass(frozen=True, slots=True)
class Found:
    """One debug symbol: its file (gdb's symtab name), block (0 global, 1 static),
    name as sorted, line (0: none) and declaration text."""
    file: str
    block: int
    name: str
    line: int
    text: str


def parse_options(arg: str, kind: str) -> tuple[bool, bool, str | None, str | None]:
    """gdb's `-q`, `-n` and `-t TYPEREGEX` (not for types) and `--`: (quiet, no minimal
    symbols, regex, type regex)."""
    quiet = exclude = False
    tregex = None
    words = arg.strip()
    while words.startswith("-"):
        word, _, rest = words.partition(" ")
        if word == "--":
            words = rest.strip()
            break
        if word == "-q":
            quiet = True
        elif word == "-n" and kind != "types":
            exclude = True
        elif word == "-t" and kind != "types":
            tregex, _, rest = rest.strip().partition(" ")
            if not tregex:
                raise CommandError("-t requires an argument")
        else:
            break                           # gdb reads an unknown dash word as the regex
        words = rest.strip()
    return quiet, exclude, words or None, tregex


def compile_regex(text: str) -> re.Pattern[str]:
    """A POSIX basic regular expression (gdb compiles with regcomp, no REG_EXTENDED) as
    a Python one: `\\(`, `\\|`, `\\+` ... are the operators, bare ( | + ? { } are literal."""
    out: list[str] = []
    i, n, depth = 0, len(text), 0
    while i < n:
        c = text[i]
        if c == "\\":
            if i + 1 >= n:
                raise CommandError("Invalid regexp: Trailing backslash")
            nxt = text[i + 1]
            if nxt == "(":
                depth += 1
            elif nxt == ")":
                if depth == 0:
                    raise CommandError("Invalid regexp: Unmatched ( or \\(")
                depth -= 1
            out.append(nxt if nxt in "()|+?{}" else "\\" + nxt)
            i += 2
            continue
        if c == "[":
            end = _bracket_end(text, i)
            if end < 0:
                raise CommandError("Invalid regexp: Unmatched [ or [^")
            body = text[i + 1:end].replace("\\", "\\\\")
            if body.startswith("^"):
                body = "^" + body[1:].replace("[", "\\[")
            else:
                body = body.replace("[", "\\[")
            out.append("[" + body + "]")
            i = end + 1
            continue
        if c == "*" and (not out or out[-1] in ("^", "(")):
            out.append("\\*")                # a leading star is literal in a BRE
        else:
            out.append(re.escape(c) if c in "()|+?{}" else c)
        i += 1
    if depth:
        raise CommandError("Invalid regexp: Unmatched ( or \\(")
    try:
        return re.compile("".join(out))
    except re.error:
        raise CommandError("Invalid regexp: Invalid regular expression") from None


def _bracket_end(text: str, start: int) -> int:
    """Where the bracket expression opened at start closes (-1: never)."""
    i = start + 1
    if i < len(text) and text[i] == "^":
        i += 1
    if i < len(text) and text[i] == "]":
        i += 1                              # a leading ] is a member
    while i < len(text):
        if text[i] == "[" and i + 1 < len(text) and text[i + 1] in ".:=":
            close = text.find(text[i + 1] + "]", i + 2)
            if close < 0:
                return -1
            i = close + 2
            continue
        if text[i] == "]":
            return i
        i += 1
    return -1


def search(prog: Program | None, kind: str, pattern: re.Pattern[str] | None, exclude: bool = False,
           types: re.Pattern[str] | None = None) -> tuple[list[Found], list[tuple[int, str]]]:
    """gdb's global_symbol_searcher::search: the debug symbols sorted by file, block and
    name, then the minimal symbols (address, name) no debug symbol describes."""
    found: list[Found] = []
    minsyms: list[tuple[int, str]] = []
    if prog is not None:
        for o in prog.objfiles:
            if o.debug is not None:
                found += _debug_symbols(prog, o, kind, pattern, types)
        if not exclude and kind != "types" and types is None:
            for o in prog.objfiles:
                minsyms += _minimal_symbols(o, kind, pattern)
    return sorted(set(found), key=lambda f: (f.file.encode(), f.block, f.name.encode())), minsyms


def search_text(prog: Program | None, kind: str, arg: str) -> str:
    """The whole answer of `info functions|variables|types [-q] [-n] [REGEX]`."""
    quiet, exclude, regex, tregex = parse_options(arg, kind)
    pattern = compile_regex(regex) if regex is not None else None
    types = compile_regex(tregex) if tregex is not None else None
    found, minsyms = search(prog, kind, pattern, exclude, types)
    out: list[str] = []
    if not quiet:
        what = _KINDS[kind]
        if regex is not None:
            typed = f' with type matching regular expression "{tregex}"' if tregex else ""
            out.append(f'All {what}s matching regular expression "{regex}"{typed}:')
        else:
            out.append(f'All defined {what}s with type matching regular expression "{tregex}" :'
                       if tregex else f"All defined {what}s:")
    last = None
    for f in found:
        if f.file != last:
            out += ["", f"File {f.file}:"]
            last = f.file
        out.append(f"{f.line}:\t{f.text}" if f.line else f"\t{f.text}")
    if minsyms:
        out += ["", "Non-debugging symbols:"]
        out += [f"{addr:#018x}  {name}" for addr, name in minsyms]
    return "\n".join(out)


# ---- debug symbols -------------------------------------------------------------------------
def _debug_symbols(prog: Program, o: ObjFile, kind: str, pattern: re.Pattern[str] | None,
                   types: re.Pattern[str] | None) -> list[Found]:
    def wanted(name: str) -> bool:
        return pattern is None or pattern.search(name) is not None

    def typed(t: Type) -> bool:          # gdb's treg_matches_sym_type_name
        return types is None or types.search(type_name(t)) is not None
    if kind == "functions":
        return _functions(prog, o, wanted, typed)
    debug = o.debug
    assert debug is not None
    rows = _globals(o)
    out: list[Found] = []
    seen: set[tuple[int | None, int, int, str]] = set()
    for g in rows:
        if kind == "variables":
            if g.tag != TAG_VARIABLE or not g.defined or not wanted(g.name):
                continue
            name = g.name
        else:
            if g.tag == TAG_VARIABLE or not g.complete:
                continue
            name = _CANONICAL.get(g.name, g.name) if g.tag == TAG_BASE else g.name
            if not wanted(name):
                continue
        block = 0 if g.external else 1
        # one entry per file, block and name (gdb's sort then unique): a header's type
        # seen by every unit is decoded once
        key = (g.decl_file, g.decl_unit if g.decl_file is not None else g.cu_offset, block, name)
        if key in seen:
            continue
        seen.add(key)
        scopes = o.scopes
        die = scopes.die_at(g.cu_offset, g.die_offset)
        if kind == "variables":
            t = scopes.type_of(die)
            if "DW_AT_const_value" in die.attributes and t.strip().kind == "enum" or not typed(t):
                continue
            text = type_name(t, name) + ";"
            text = text if g.external else "static " + text
        else:
            t = scopes.types.from_die(die)
            if g.tag == TAG_BASE:
                text = type_name(t)
            elif g.tag == TAG_TYPEDEF:
                # c_print_typedef: the type through every typedef (check_typedef), printed
                # alone, then the name
                target = t.target
                while target is not None and target.kind == "typedef":
                    target = target.target
                text = f"typedef {type_name(target) if target is not None else 'void'} {name};"
            elif debug.dies.unit(g.cu_offset).top.get(AT_LANGUAGE) in CPP_LANGS:
                text = f"{name};"                   # C++ names a class without its keyword
            else:
                text = f"{_TAG_WORDS[g.tag]} {name};"
        path = None
        if g.decl_file is not None:
            path = debug.lines.file_name(debug.dies.unit(g.decl_unit), g.decl_file)
        out.append(Found(file_name(prog, o, g.cu_offset, path, None), block if kind == "variables" else 1,
                         name, g.decl_line, text))
    return out


def _globals(o: ObjFile) -> list[GlobalDie]:
    """The objfile's top-level variables and types, scanned once and kept with the DWARF
    index's on-disk cache (symbols/index/globals.py)."""
    debug = o.debug
    assert debug is not None
    if debug not in _GLOBALS:
        rows = cached_globals(debug.dies, debug._cache)
        _GLOBALS[debug] = (rows, {g.name for g in rows if g.tag == TAG_VARIABLE})
    return _GLOBALS[debug][0]


# per DWARF: its top-level variables and types, and the names of its variables
_GLOBALS: weakref.WeakKeyDictionary[DebugInfo, tuple[list[GlobalDie], set[str]]] = \
    weakref.WeakKeyDictionary()


def _functions(prog: Program, o: ObjFile, wanted: Callable[[str], bool],
               typed: Callable[[Type], bool]) -> list[Found]:
    debug = o.debug
    assert debug is not None
    funcs = debug.funcs
    out: list[Found] = []
    for name, places in funcs._name_index().items():
        if not wanted(name):
            continue
        for cu, i in places:
            cf = funcs._funcs.get(cu)
            if cf is None:
                continue
            rec = cf.recs[i]
            if rec.inlined_in is not None or rec.name != name:
                continue
            scopes = o.scopes
            die = scopes.die_at(cu, rec.die_offset)
            t = scopes.types.from_die(die)
            if not typed(t):
                continue
            external = _attr(die, "DW_AT_external")
            text = type_name(t, name) + ";"
            path = funcs.decl_path(cf.unit, rec)
            file = file_name(prog, o, cu, path, rec.low)
            out.append(Found(file, 0 if external else 1, name, rec.decl_line or 0,
                             text if external else "static " + text))
    return out


def _attr(die: object, name: str) -> bool:
    """An attribute of the DIE or of the DIE its DW_AT_specification/abstract_origin names."""
    seen = 0
    while die is not None and seen < 4:
        attrs = getattr(die, "attributes", {})
        if name in attrs:
            return bool(attrs[name].value)
        ref = attrs.get("DW_AT_specification") or attrs.get("DW_AT_abstract_origin")
        die = die.get_DIE_from_attribute(ref.name) if ref is not None else None  # type: ignore[attr-defined]
        seen += 1
    return False


def file_name(prog: Program, o: ObjFile, cu: int, path: str | None, link_pc: int | None) -> str:
    """gdb's symtab name of the symbol's file (its unit's primary file without
    DW_AT_decl_file), found through a pc of its unit (inspect/file_names.py)."""
    debug = o.debug
    assert debug is not None
    unit = debug.dies.unit(cu)
    if link_pc is None:
        lines = debug.lines.unit_lines(unit)
        link_pc = lines.lowest if lines is not None else None
    if path is None:
        name = unit.name or "??"
        if unit.comp_dir and not os.path.isabs(name):
            path = os.path.normpath(os.path.join(unit.comp_dir, name))
        else:
            return name
    return display_name(prog, path, link_pc + o.bias) if link_pc is not None else path


# ---- minimal symbols ----------------------------------------------------------------------
def _minimal_symbols(o: ObjFile, kind: str, pattern: re.Pattern[str] | None) -> list[tuple[int, str]]:
    """The object's ELF symbols of the kind (gdb's is_suitable_msymbol) that match and
    that no debug symbol describes, by address then name as gdb's table is sorted."""
    elf = o.elf
    rows: set[tuple[int, str]] = set()
    code = kind == "functions"
    for sym_name, addr, is_code, local in _elf_symbols(o):
        if is_code != code:
            continue
        if local and not code:
            sym_name = re.sub(r"\.\d+$", "", sym_name)     # gcc's `calls.0`: gdb shows `calls`
        if pattern is not None and pattern.search(sym_name) is None:
            continue
        rows.add((addr, sym_name))
    if code:
        for stub in elf.symbols_matching(""):
            if stub.endswith("@plt") and (pattern is None or pattern.search(stub)):
                s = elf.symbol(stub)
                if s is not None:
                    rows.add((s.addr, stub))
    out = []
    for addr, name in sorted(rows, key=lambda r: (r[0], r[1].encode())):
        if _described(o, name, addr, code):
            continue
        out.append((addr + o.bias, name))
    return out


def _described(o: ObjFile, name: str, addr: int, code: bool) -> bool:
    """gdb leaves out a minimal symbol whose function has a unit (find_pc_compunit_symtab)
    or whose name a global or static debug symbol has."""
    if o.debug is None:
        return False
    if code:
        return o.debug.cu_offset_for(addr) is not None or name in o.debug.funcs._name_index()
    # a declaration counts: gdb keeps `extern int x;` as a symbol (LOC_UNRESOLVED)
    _globals(o)
    return name in _GLOBALS[o.debug][1]


def _elf_symbols(o: ObjFile) -> list[tuple[str, int, bool, bool]]:
    """(name, link address, in code, local) of every defined symbol of .symtab and .dynsym
    that gdb keeps as a minimal symbol."""
    cache: dict[str, list[tuple[str, int, bool, bool]]] = o.__dict__.setdefault("_msym_rows", {})
    if "rows" in cache:
        return cache["rows"]
    elf = o.elf
    sections = elf.sections
    out: list[tuple[str, int, bool, bool]] = []
    for kind_sec in (SHT_SYMTAB, SHT_DYNSYM):
        for sec in sections:
            if sec.type != kind_sec or sec.link >= len(sections):
                continue
            strtab = sections[sec.link]
            mm, lo, hi = elf.mm, strtab.offset, strtab.offset + strtab.size
            data = elf.section_bytes(sec)
            for st_name, st_info, _, shndx, value, _size in SYM.iter_unpack(data[:len(data) - len(data) % SYM.size]):
                typ, bind = st_info & 0xF, st_info >> 4
                if not shndx or typ in (3, 4) or lo + st_name >= hi:
                    continue
                end = mm.find(b"\0", lo + st_name, hi)
                name = mm[lo + st_name:end if end >= 0 else hi].decode("utf-8", "replace")
                if not name or name.startswith("$"):
                    continue
                if shndx < len(sections):      # not SHN_ABS: libc's version names are
                    flags = sections[shndx].flags
                    if not flags & _SHF_ALLOC:
                        continue
                    is_code = bool(flags & _SHF_EXEC)
                else:
                    continue
                if typ == 2 or typ == 10:
                    is_code = True
                out.append((name, value, is_code, bind == 0))
    cache["rows"] = out
    return out
