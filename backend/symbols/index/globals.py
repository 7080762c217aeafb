"""The file-scope variables and named types of every unit, for `info variables` and
`info types` (inspect/symbol_search.py): one walk over each unit's top-level DIEs with
our own reader (die_reader.py), every subtree jumped over, so that a regex matching
nothing costs no type decoding at all."""
from __future__ import annotations

from dataclasses import dataclass

from ..cache import IndexCache
from ..dwarf.dies import (
    AT_DECL_FILE,
    AT_DECL_LINE,
    AT_DECLARATION,
    AT_LOCATION,
    AT_NAME,
    AT_SPECIFICATION,
    DIE_ERRORS,
    _sibling,
    _skip_children,
    read_attrs,
    skip_attrs,
)
from .die_reader import DieReader

TAG_VARIABLE, TAG_BASE, TAG_TYPEDEF = 0x34, 0x24, 0x16
TAG_STRUCT, TAG_UNION, TAG_ENUM, TAG_CLASS = 0x13, 0x17, 0x04, 0x02
_AT_EXTERNAL, _AT_CONST_VALUE, _AT_BYTE_SIZE = 0x3F, 0x1C, 0x0B
_WANTED = frozenset((TAG_VARIABLE, TAG_BASE, TAG_TYPEDEF, TAG_STRUCT, TAG_UNION, TAG_ENUM, TAG_CLASS))


@dataclass(frozen=True, slots=True)
class GlobalDie:
    tag: int
    name: str
    cu_offset: int
    die_offset: int
    external: bool
    defined: bool          # a variable with a location or a constant value
    complete: bool         # a type that is not a bare declaration (gdb skips those)
    decl_file: int | None  # an index into the line table of decl_unit
    decl_unit: int         # the unit whose line table decl_file indexes
    decl_line: int


def cached_globals(reader: DieReader, cache: IndexCache) -> list[GlobalDie]:
    """scan_globals, kept in the binary's on-disk index cache (cache.py) as plain tuples."""
    raw = cache.load("globals")
    if isinstance(raw, list):
        try:
            return [GlobalDie(*r) for r in raw]
        except TypeError:
            pass                                # another shape: scanned again below
    rows = scan_globals(reader)
    cache.store("globals", [(g.tag, g.name, g.cu_offset, g.die_offset, g.external, g.defined,
                             g.complete, g.decl_file, g.decl_unit, g.decl_line) for g in rows])
    return rows


def scan_globals(reader: DieReader) -> list[GlobalDie]:
    """Every top-level variable and named type of every unit, in file order."""
    out: list[GlobalDie] = []
    for cu in reader.unit_offsets():
        try:
            _scan_unit(reader, cu, out)
        except DIE_ERRORS as e:
            reader.warn(f"unreadable DWARF in compilation unit at .debug_info offset {cu:#x}", e)
    return out


def _scan_unit(reader: DieReader, cu: int, out: list[GlobalDie]) -> None:
    unit = reader.unit(cu)
    s = reader.info
    code, p = s.uleb(unit.die_offset)
    ab = unit.abbrev(code, unit.die_offset)
    p = skip_attrs(unit, p, ab)
    if not ab.children:
        return
    while p < unit.end:
        die = p
        code, p = s.uleb(p)
        if code == 0:
            return                              # the end of the unit DIE's children
        ab = unit.abbrev(code, die)
        if ab.tag not in _WANTED:
            if ab.children:
                target = _sibling(unit, p, ab)
                p = target if target is not None else _skip_children(unit, {}, skip_attrs(unit, p, ab))
            else:
                p = skip_attrs(unit, p, ab)
            continue
        attrs, p = read_attrs(unit, p, ab)
        if ab.children:
            p = _skip_children(unit, attrs, p)
        decl_unit = cu
        spec = attrs.get(AT_SPECIFICATION)
        if isinstance(spec, int) and AT_NAME not in attrs:
            # a definition of a variable declared earlier: name and scope are the declaration's
            owner, _, spec_attrs, _ = reader.read_die(spec)
            if AT_DECL_FILE not in attrs and AT_DECL_FILE in spec_attrs:
                decl_unit = owner.offset
            attrs = {**spec_attrs, **attrs}
            attrs.pop(AT_DECLARATION, None)
        name = attrs.get(AT_NAME)
        if not isinstance(name, str):
            continue
        decl_file = attrs.get(AT_DECL_FILE)
        line = attrs.get(AT_DECL_LINE)
        out.append(GlobalDie(
            ab.tag, name, cu, die, bool(attrs.get(_AT_EXTERNAL)),
            AT_LOCATION in attrs or _AT_CONST_VALUE in attrs,
            not attrs.get(AT_DECLARATION) or _AT_BYTE_SIZE in attrs,
            decl_file if isinstance(decl_file, int) else None, decl_unit,
            line if isinstance(line, int) else 0))
