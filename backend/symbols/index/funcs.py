"""Functions in the DWARF index: the per-unit scan for subprograms, pc -> function,
and the name index behind `break NAME` and completion.

The scan (scan_unit) is the hot loop of the index build; the name index is built
once over every unit and kept in the on-disk cache (cache.py). FunctionIndex is a
part of DebugInfo (debug_info.py); it reads units through the DIE reader
(die_reader.py) and file names through the line tables (lines.py).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from ..cache import IndexCache
from ..dwarf.dies import (
    AT_ABSTRACT_ORIGIN,
    AT_CALL_FILE,
    AT_CALL_LINE,
    AT_DECL_FILE,
    AT_DECL_LINE,
    AT_DECLARATION,
    AT_LANGUAGE,
    AT_LINKAGE_NAME,
    AT_MIPS_LINKAGE,
    AT_NAME,
    AT_SPECIFICATION,
    CPP_LANGS,
    DIE_ERRORS,
    SCOPE_TAGS,
    TAG_INLINED,
    TAG_LEXICAL_BLOCK,
    TAG_SUBPROGRAM,
    Abbrev,
    Attrs,
    DieSource,
    Unit,
    _guarded,
    _skip_children,
    read_attrs,
    skip_attrs,
)
from ..dwarf.forms import _U32
from .die_reader import DieReader
from .lines import LineIndex

if TYPE_CHECKING:
    from ..elf import ElfFile
    from .blocks import Block


@dataclass(frozen=True, slots=True)
class FunctionInfo:
    name: str
    low: int
    high: int
    ranges: tuple[tuple[int, int], ...]
    file: str | None
    line: int | None
    cu_offset: int
    die_offset: int
    inlined: bool = False       # an inlined instance (DW_TAG_inlined_subroutine), not a definition


@dataclass(slots=True)
class FuncRec:
    """A function (or inlined instance) found by the index scan."""
    name: str | None
    low: int
    high: int
    ranges: tuple[tuple[int, int], ...]
    decl_file: int | None
    decl_line: int | None
    die_offset: int
    origin: int | None          # DW_AT_abstract_origin / DW_AT_specification target
    inlined_in: int | None      # die offset of the containing subprogram, for inlined instances
    call_file: int | None = None
    call_line: int | None = None
    linkage: str | None = None


ACT_LEAF, ACT_JUMP, ACT_WALK, ACT_FUNC, ACT_LEXICAL, ACT_SCOPE = range(6)
# (action, fixed size or -1, sibling offset or -1, abbrev) of one abbreviation code.
_Step: TypeAlias = tuple[int, int, int, Abbrev]
# A FuncRec's fields in order, as the on-disk cache keeps them (unpickled: unchecked).
_RecTuple: TypeAlias = tuple[Any, ...]


def _scan_plan(abbrevs: dict[int, Abbrev], cpp: bool) -> dict[int, _Step]:
    """Per abbrev code: (action, fixed size or -1, sibling offset or -1, abbrev), so the
    scan loop decides what to do with a DIE from one tuple."""
    plan: dict[int, _Step] = {}
    for code, ab in abbrevs.items():
        fixed = -1 if ab.fixed is None else ab.fixed
        sib = -1 if ab.sib_at is None else ab.sib_at
        if ab.tag in (TAG_SUBPROGRAM, TAG_INLINED):
            act = ACT_FUNC
        elif not ab.children:
            act = ACT_LEAF
        elif ab.tag == TAG_LEXICAL_BLOCK:
            act = ACT_LEXICAL
        elif cpp and ab.tag in SCOPE_TAGS:
            act = ACT_SCOPE
        else:
            act = ACT_JUMP if sib >= 0 else ACT_WALK
        plan[code] = (act, fixed, sib, ab)
    return plan


def scan_unit(dbg: DieSource, unit: Unit) -> list[FuncRec]:
    """Walk a unit's DIEs for subprograms (and inlined instances if it has any).

    Type subtrees are jumped over with DW_AT_sibling; in C units so are function
    bodies unless the unit contains inlined code, so the walk touches few DIEs.
    This is the hot loop of the index build, hence the inlined byte handling."""
    abbrevs = unit.abbrevs
    want_inlines = any(ab.tag == TAG_INLINED for ab in abbrevs.values())
    plan = _scan_plan(abbrevs, unit.top.get(AT_LANGUAGE) in CPP_LANGS)
    s = dbg.info
    buf, base, uoff, end = s.buf, s.base, unit.offset, unit.end
    out: list[FuncRec] = []
    code, off = s.uleb(unit.die_offset)
    off = skip_attrs(unit, off, unit.abbrev(code, unit.die_offset))
    stack: list[int | None] = [None]          # enclosing subprogram per depth (None outside)
    while off < end and stack:
        die = off
        code = buf[base + off]
        off += 1
        if code >= 0x80:
            code, off = s.uleb(die)
        if code == 0:
            stack.pop()
            continue
        entry = plan.get(code)
        if entry is None:
            unit.abbrev(code, die)                # raises the "could not find abbrev" error
            raise AssertionError(code)            # not reached: the plan has every abbrev
        act, fixed, sib, ab = entry
        if act == ACT_LEAF:
            off = off + fixed if fixed >= 0 else skip_attrs(unit, off, ab)
            continue
        if act == ACT_JUMP:
            target = uoff + _U32(buf, base + off + sib)[0]
            if off < target <= end:
                off = target
                continue
        elif act == ACT_FUNC:
            func = stack[-1]
            if ab.tag == TAG_INLINED and func is None:
                off = skip_attrs(unit, off, ab)
                if ab.children:
                    stack.append(None)
                continue
            attrs, off = read_attrs(unit, off, ab)
            rec = _func_record(dbg, unit, die, ab.tag, attrs, func)
            if rec is not None:
                out.append(rec)
            if ab.children:
                if want_inlines:
                    stack.append(die if ab.tag == TAG_SUBPROGRAM else func)
                else:
                    off = _skip_children(unit, attrs, off)
            continue
        elif act == ACT_LEXICAL and not (want_inlines and stack[-1] is not None) and sib >= 0:
            target = uoff + _U32(buf, base + off + sib)[0]
            if off < target <= end:
                off = target
                continue
        off = skip_attrs(unit, off, ab)
        stack.append(stack[-1])
    return out


def _func_record(dbg: DieSource, unit: Unit, die: int, tag: int, attrs: Attrs,
                 func: int | None) -> FuncRec | None:
    if attrs.get(AT_DECLARATION):
        return None
    ranges = dbg.die_ranges(unit, attrs)
    if not ranges:
        return None
    name = attrs.get(AT_NAME)
    name = name if isinstance(name, str) else None
    linkage = attrs.get(AT_LINKAGE_NAME) or attrs.get(AT_MIPS_LINKAGE)
    linkage = linkage if isinstance(linkage, str) else None
    if linkage is not None and unit.is_c:
        # gdb calls a C function by its DW_AT_linkage_name (an asm label, like glibc's
        # __GI_*) when it has one: then `break __GI_x` works and `break x` does not.
        name, linkage = linkage, None
    origin = attrs.get(AT_ABSTRACT_ORIGIN, attrs.get(AT_SPECIFICATION))
    low = ranges[0][0]
    high = max(h for _, h in ranges)
    return FuncRec(name, low, high, tuple(ranges), attrs.get(AT_DECL_FILE), attrs.get(AT_DECL_LINE),
                   die, origin if isinstance(origin, int) else None,
                   func if tag == TAG_INLINED else None,
                   attrs.get(AT_CALL_FILE), attrs.get(AT_CALL_LINE), linkage)


class CuFuncs:
    """The functions of one unit, with a sorted range index for pc lookups."""

    def __init__(self, unit: Unit, recs: list[FuncRec]) -> None:
        self.unit, self.recs = unit, recs
        spans = sorted((lo, hi, i) for i, r in enumerate(recs) if r.inlined_in is None
                       for lo, hi in r.ranges)
        self.starts = [lo for lo, _, _ in spans]
        self.spans = spans
        self.blocks: dict[int, Block] = {}      # function DIE -> its Block tree (blocks.py)
        self.uses_block_map: bool | None = None   # set by BlockIndex._map_mode (blocks.py)

    def at(self, pc: int) -> FuncRec | None:
        i = bisect.bisect_right(self.starts, pc) - 1
        while i >= 0:
            lo, hi, k = self.spans[i]
            if pc < hi:
                return self.recs[k]
            if i and self.spans[i - 1][1] <= lo:
                break
            i -= 1
        return None


class FunctionIndex:
    """The functions of one file's DWARF: pc -> function and the name index."""

    def __init__(self, reader: DieReader, lines: LineIndex, cache: IndexCache, elf: ElfFile,
                 debug_file: ElfFile | None) -> None:
        self.reader, self.lines, self._cache = reader, lines, cache
        self.elf, self.debug_file = elf, debug_file     # debug_file: where the DWARF came from
        self.warn = reader.warn
        self._funcs: dict[int, CuFuncs | None] = {}
        self._names: dict[str, list[tuple[int, int]]] | None = None

    def _cu_funcs(self, cu_off: int) -> CuFuncs | None:
        if cu_off in self._funcs:
            return self._funcs[cu_off]
        self._funcs[cu_off] = None
        try:
            unit = self.reader.unit(cu_off)
            recs = scan_unit(self.reader, unit)
            c_unit = unit.is_c
            for r in recs:
                if r.origin is not None:
                    self._resolve_origin(r, c_unit)
            self._funcs[cu_off] = CuFuncs(unit, recs)
        except DIE_ERRORS as e:
            self.warn(f"unreadable DWARF in compilation unit at .debug_info offset {cu_off:#x}", e)
        return self._funcs[cu_off]

    def _resolve_origin(self, r: FuncRec, c_unit: bool) -> None:
        """Fill name and declaration through DW_AT_abstract_origin/specification, the
        way gdb's dwarf2_attr follows them (in C a linkage name found there wins)."""
        target, hops, link, name = r.origin, 0, None, None
        while target is not None and hops < 8:
            hops += 1
            try:
                unit, _, attrs, _ = self.reader.read_die(target)
            except DIE_ERRORS:
                break
            if link is None:
                v = attrs.get(AT_LINKAGE_NAME) or attrs.get(AT_MIPS_LINKAGE)
                link = v if isinstance(v, str) else None
            if name is None and isinstance(attrs.get(AT_NAME), str):
                name = attrs[AT_NAME]
            if r.decl_line is None and AT_DECL_LINE in attrs:
                r.decl_line, r.decl_file = attrs[AT_DECL_LINE], attrs.get(AT_DECL_FILE)
                r.origin = target             # decl_file is relative to this DIE's unit
            nxt = attrs.get(AT_ABSTRACT_ORIGIN, attrs.get(AT_SPECIFICATION))
            target = nxt if isinstance(nxt, int) else None
        if c_unit and link is not None and r.linkage is None:
            r.name = link
        elif r.name is None:
            r.name = name
        if not c_unit and r.linkage is None:
            r.linkage = link

    def decl_path(self, unit: Unit, rec: FuncRec) -> str | None:
        """The file declaring rec (its decl_file may belong to its origin's unit)."""
        if rec.decl_file is None:
            return None
        if rec.origin is not None and not unit.offset <= rec.origin < unit.end:
            unit = self.reader.unit_containing(rec.origin) or unit
        return self.lines.file_name(unit, rec.decl_file)

    def _info(self, cu_off: int, rec: FuncRec) -> FunctionInfo:
        unit = self.reader.unit(cu_off)
        lo, hi = rec.ranges[0]                  # the entry range; .cold parts are in ranges
        return FunctionInfo(rec.name or "??", lo, hi, rec.ranges,
                            self.decl_path(unit, rec), rec.decl_line, cu_off, rec.die_offset,
                            rec.inlined_in is not None)

    def containing(self, pc: int) -> tuple[CuFuncs, FuncRec] | None:
        """The unit's functions and the (outermost) function whose ranges hold pc."""
        cu = self.reader.cu_offset_for(pc)
        funcs = self._cu_funcs(cu) if cu is not None else None
        rec = funcs.at(pc) if funcs is not None else None
        return (funcs, rec) if funcs is not None and rec is not None else None

    @_guarded(None)
    def function_at(self, pc: int) -> FunctionInfo | None:
        found = self.containing(pc)
        return self._info(found[0].unit.offset, found[1]) if found else None

    def _name_index(self) -> dict[str, list[tuple[int, int]]]:
        if self._names is None:
            cached: dict[int, list[_RecTuple]] | None = self._cache.load("funcs")
            if cached is not None:
                for cu_off, recs in cached.items():
                    if cu_off not in self._funcs:
                        try:
                            unit = self.reader.unit(cu_off)
                            self._funcs[cu_off] = CuFuncs(unit, [FuncRec(*r) for r in recs])
                        except DIE_ERRORS:
                            self._funcs[cu_off] = None
            else:
                for off in self.reader.unit_offsets():
                    self._cu_funcs(off)
                self._cache.store("funcs", {off: [_rec_tuple(r) for r in f.recs]
                                            for off, f in self._funcs.items() if f is not None})
            names: dict[str, list[tuple[int, int]]] = {}
            for off, f in self._funcs.items():
                if f is not None:
                    for i, r in enumerate(f.recs):
                        if r.name:
                            names.setdefault(r.name, []).append((off, i))
                            if r.linkage and r.linkage != r.name:
                                names.setdefault(r.linkage, []).append((off, i))
            self._names = names
        return self._names

    @_guarded([])
    def functions_named(self, name: str, inlined: bool = True) -> list[FunctionInfo]:
        """Every definition of ``name`` (static ones from every unit), then, unless
        ``inlined`` is false, every inlined instance: where gdb's ``break NAME`` goes."""
        if self._names is None:
            quick = self._functions_via_symtab(name)
            if quick is not None:
                return quick
        defs: list[FunctionInfo] = []
        inl: list[FunctionInfo] = []
        for off, i in self._name_index().get(name, ()):
            f = self._funcs[off]
            if f is None:                       # never: the name index holds found functions
                continue
            rec = f.recs[i]
            (defs if rec.inlined_in is None else inl).append(self._info(off, rec))
        # An ELF alias (glibc's malloc is __libc_malloc in DWARF) names the function
        # that starts at its address, as gdb's minimal symbols do.
        starts = {f.ranges[0][0] for f in defs}
        extra = self.debug_file.symbols_named(name) if self.debug_file is not None else []
        for sym in self.elf.symbols_named(name) + extra:
            if sym.kind == "func" and sym.addr and sym.addr not in starts:
                found = self.containing(sym.addr)
                if found is not None and found[1].ranges[0][0] == sym.addr:
                    defs.append(self._info(found[0].unit.offset, found[1]))
                    starts.add(sym.addr)
        key = (lambda f: f.ranges[0][0])
        return sorted(defs, key=key) + (sorted(inl, key=key) if inlined else [])

    def _functions_via_symtab(self, name: str) -> list[FunctionInfo] | None:
        """Answer a name lookup from .symtab and the few units its addresses fall in,
        when that is provably complete: no unit has inlined code and every symbol of
        that name has its DWARF function. Saves the full index scan for ``break main``."""
        if self._cache.has("funcs"):
            return None
        syms = [sm for sm in self.elf.symbols_named(name) if sm.kind == "func" and sm.addr]
        if not syms or self._any_inlined_code():
            return None
        out: list[FunctionInfo] = []
        for addr in sorted({sm.addr for sm in syms}):
            cu = self.reader.cu_offset_for(addr)
            funcs = self._cu_funcs(cu) if cu is not None else None
            recs = [r for r in (funcs.recs if funcs else []) if r.low == addr and r.name == name]
            if cu is None or not recs:
                return None
            out += [self._info(cu, r) for r in recs]
        return out

    def _any_inlined_code(self) -> bool:
        """Does any unit contain inlined code? (Only the abbreviation tables are read.)"""
        flag: bool | None = self._cache.load("inlines")
        if flag is None:
            reader = self.reader
            try:
                tables = {reader.unit(off).abbrev_offset for off in reader.unit_offsets()}
                flag = any(ab.tag == TAG_INLINED for t in tables
                           for ab in reader.raw_abbrev_table(t).values())
            except DIE_ERRORS:
                flag = True
            self._cache.store("inlines", flag)
        return flag

    @_guarded([])
    def inlined_instances(self, name: str) -> list[tuple[int, str | None, int | None]]:
        """(entry pc, call file, call line) of every place ``name`` was inlined."""
        out: list[tuple[int, str | None, int | None]] = []
        for off, i in self._name_index().get(name, ()):
            f = self._funcs[off]
            if f is None:                       # never: the name index holds found functions
                continue
            rec = f.recs[i]
            if rec.inlined_in is not None:
                unit = self.reader.unit(off)
                call = self.lines.file_name(unit, rec.call_file) if rec.call_file is not None else None
                out.append((rec.ranges[0][0], call, rec.call_line))
        return sorted(out)

    @_guarded([])
    def all_function_names(self) -> list[str]:
        """Names ``break`` accepts: defined functions and functions only seen inlined."""
        return sorted(self._name_index())

    @_guarded([])
    def source_files(self) -> list[str]:
        """Primary files of all units, plus headers that define functions."""
        files = {fs[0] for _, v, fs in self.lines.line_directory() if fs}
        self._name_index()
        for f in self._funcs.values():
            if f is not None:
                for r in f.recs:
                    if r.inlined_in is None and r.decl_file is not None:
                        path = self.decl_path(f.unit, r)
                        if path:
                            files.add(path)
        return sorted(files)


def _rec_tuple(r: FuncRec) -> _RecTuple:
    return (r.name, r.low, r.high, r.ranges, r.decl_file, r.decl_line, r.die_offset, r.origin,
            r.inlined_in, r.call_file, r.call_line, r.linkage)
