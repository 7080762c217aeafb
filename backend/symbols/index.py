"""Lazy DWARF index: units, functions, blocks, and the ``DebugInfo`` facade.

Nothing is parsed up front. A pc finds its unit through .debug_aranges, a file
name finds its line programs through the .debug_line headers alone, and a unit's
DIEs are walked (by our own minimal reader, skipping subtrees by DW_AT_sibling)
only when a question needs them. The full function-name index is built on first
use and cached on disk (cache.py); `break main` on a cold start is answered from
.symtab and the one unit it points into when that is provably complete.

Where answers must equal gdb 13's (break FUNC, break/info line FILE:LINE, pc ->
line), DebugInfo follows gdb's own algorithms, named after them in the methods
below (find_pc_sect_line, skip_prologue_sal, amd64_skip_prologue, the linespec
block filter), and tests/test_symbols_where.py checks them against gdb.
"""
from __future__ import annotations

import bisect
import os
import struct
from dataclasses import dataclass

from ..errors import CommandError, NoDebugInfo
from . import cache
from .lines import (FIXED_FORM_SIZE, LEB_FORMS, OFFSET_FORMS, CuLines, DwarfError,
                    FormContext, LineRow, Sect, Strings, decode_line_program, iter_line_headers,
                    addrx, parse_line_header, read_form)

TAG_SUBPROGRAM, TAG_INLINED, TAG_LEXICAL_BLOCK = 0x2E, 0x1D, 0x0B
TAG_VARIABLE, TAG_PARAMETER = 0x34, 0x05
SCOPE_TAGS = frozenset((0x39, 0x02, 0x13, 0x17, 0x1E))     # namespace, class, struct, union, module
SYMBOL_TAGS = frozenset((0x34, 0x0A, 0x16, 0x24, 0x13, 0x17, 0x04, 0x02, 0x2E, 0x08, 0x3A, 0x27))
AT_SIBLING, AT_LOCATION, AT_NAME, AT_LOW_PC, AT_HIGH_PC, AT_LANGUAGE = 0x01, 0x02, 0x03, 0x11, 0x12, 0x13
AT_STMT_LIST, AT_COMP_DIR, AT_PRODUCER, AT_INLINE, AT_ABSTRACT_ORIGIN = 0x10, 0x1B, 0x25, 0x20, 0x31
AT_DECLARATION, AT_SPECIFICATION, AT_DECL_FILE, AT_DECL_LINE, AT_RANGES = 0x3C, 0x47, 0x3A, 0x3B, 0x55
AT_CALL_FILE, AT_CALL_LINE, AT_ENTRY_PC, AT_LINKAGE_NAME = 0x58, 0x59, 0x52, 0x6E
AT_STR_OFFSETS_BASE, AT_ADDR_BASE, AT_RNGLISTS_BASE, AT_MIPS_LINKAGE = 0x72, 0x73, 0x74, 0x2007
REF_FORMS = frozenset((0x11, 0x12, 0x13, 0x14, 0x15))
LOCLIST_FORMS = frozenset((0x06, 0x07, 0x17, 0x22))
CPP_LANGS = frozenset((0x04, 0x1A, 0x21, 0x2B))
C_LANGS = frozenset((0x01, 0x02, 0x0C, 0x1D, 0x2C))        # C89, C, C99, C11, C17
ADDRESS_FORMS = frozenset((0x01, 0x1B, 0x29, 0x2A, 0x2B, 0x2C, 0x1F01))
HIGH_IS_OFFSET, RANGES_IS_INDEX = -1, -2     # pseudo attributes set by read_attrs
DIE_ERRORS = (DwarfError, IndexError, KeyError, ValueError, struct.error, RecursionError)
# What corrupt input can make the decoding code raise: caught at the public methods.
CORRUPT = DIE_ERRORS + (TypeError, AttributeError, OverflowError, UnicodeError)


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


class Abbrev:
    """One abbreviation, with a precomputed plan for skipping a DIE's attributes."""
    __slots__ = ("tag", "children", "attrs", "plan", "fixed", "sib_at", "fixed_hint")

    def __init__(self, tag: int, children: bool, attrs: list[tuple[int, int, int]]) -> None:
        self.tag, self.children, self.attrs = tag, children, attrs
        self.plan: tuple[int, ...] = ()
        self.fixed: int | None = None        # total size when every form has a fixed size
        self.sib_at: int | None = None       # byte offset of a ref4 DW_AT_sibling, if fixed
        self.fixed_hint = 0

    def compile(self, addr_size: int, offset_size: int) -> None:
        """Plan entries: n >= 0 skip n bytes; SKIP_LEB, SKIP_STR, SKIP_BLOCK*: variable."""
        plan: list[int] = []
        fixed = 0
        for attr, form, _ in self.attrs:
            if attr == AT_SIBLING and form == 0x13 and fixed is not None and self.sib_at is None:
                self.sib_at = fixed
            size = FIXED_FORM_SIZE.get(form)
            if size is None:
                size = addr_size if form == 0x01 else offset_size if form in OFFSET_FORMS else None
            if size is not None:
                if plan and plan[-1] >= 0:
                    plan[-1] += size
                else:
                    plan.append(size)
                fixed = fixed + size if fixed is not None else None
                continue
            fixed = None
            plan.append(SKIP_LEB if form in LEB_FORMS else SKIP_STR if form == 0x08
                        else SKIP_BLOCKS.get(form, SKIP_OTHER))
        self.plan, self.fixed = tuple(plan), fixed
        self.fixed_hint = sum(p for p in plan if p > 0)


SKIP_LEB, SKIP_STR, SKIP_OTHER = -1, -2, -9
SKIP_BLOCKS = {0x0A: -3, 0x03: -4, 0x04: -5, 0x09: -6, 0x18: -6}


def parse_abbrevs(s: Sect, off: int) -> dict[int, Abbrev]:
    table: dict[int, Abbrev] = {}
    buf, base, limit = s.buf, s.base, s.size
    pos = base + off

    def leb() -> int:                       # almost every value here fits in one byte
        nonlocal pos
        b = buf[pos]
        pos += 1
        if b < 0x80:
            return b
        v, o = s.uleb(pos - 1 - base)
        pos = base + o
        return v

    while True:
        if pos - base >= limit:
            raise DwarfError(f"abbreviation table at {off:#x} runs past the end of .debug_abbrev")
        code = leb()
        if code == 0:
            return table
        tag = leb()
        children = buf[pos]
        pos += 1
        attrs = []
        while True:
            attr, form = leb(), leb()
            if attr == 0 and form == 0:
                break
            implicit = 0
            if form == 0x21:
                implicit, o = s.sleb(pos - base)
                pos = base + o
            attrs.append((attr, form, implicit))
            if pos - base >= limit:
                raise DwarfError(f"abbreviation {code} at {off:#x} runs past the end of .debug_abbrev")
        table[code] = Abbrev(tag, bool(children), attrs)


class Unit:
    """One unit of .debug_info: its header, and its top DIE read on demand."""

    def __init__(self, dbg: "DebugInfo", offset: int) -> None:
        info = dbg.info
        length, osize, p = info.initial_length(offset)
        self.offset, self.end, self.dbg = offset, p + length, dbg
        if self.end > info.size:
            raise DwarfError(f"unit at .debug_info offset {offset:#x} claims {length:#x} bytes, past the end")
        self.version = info.u16(p)
        if not 2 <= self.version <= 5:
            raise DwarfError(f"wrong version {self.version} in compilation unit header at .debug_info offset {offset:#x}")
        if self.version >= 5:
            self.unit_type, addr_size = info.u8(p + 2), info.u8(p + 3)
            self.abbrev_offset = info.uint(p + 4, osize)
            self.die_offset = p + 4 + osize + (8 if self.unit_type in (2, 6) else 0)
            self.die_offset += 8 if self.unit_type in (4, 5) else 0
        else:
            self.unit_type = 1
            self.abbrev_offset = info.uint(p + 2, osize)
            addr_size = info.u8(p + 2 + osize)
            self.die_offset = p + 3 + osize
        if addr_size not in (4, 8):
            raise DwarfError(f"bad address size {addr_size} in unit at .debug_info offset {offset:#x}")
        self.ctx = FormContext(addr_size, osize, self.version, dbg.strings)
        self._abbrevs: dict[int, Abbrev] | None = None
        self._top: dict | None = None

    @property
    def abbrevs(self) -> dict[int, Abbrev]:
        if self._abbrevs is None:
            self._abbrevs = self.dbg.abbrev_table(self.abbrev_offset, self.ctx.addr_size,
                                                  self.ctx.offset_size)
        return self._abbrevs

    def abbrev(self, code: int, die: int) -> Abbrev:
        ab = self.abbrevs.get(code)
        if ab is None:
            raise DwarfError(f"could not find abbrev number {code} for the DIE at .debug_info offset "
                             f"{die:#x} (table at .debug_abbrev offset {self.abbrev_offset:#x})")
        return ab

    @property
    def top(self) -> dict:
        """Attributes of the unit DIE (name, comp_dir, stmt_list, ranges, producer ...)."""
        if self._top is None:
            self._top = {}
            code, off = self.dbg.info.uleb(self.die_offset)
            ab = self.abbrev(code, self.die_offset)
            self._top = read_attrs(self, off, ab)[0]
            ctx = self.ctx
            ctx.str_offsets_base = self._top.get(AT_STR_OFFSETS_BASE)
            ctx.addr_base = self._top.get(AT_ADDR_BASE)
            if ctx.str_offsets_base is not None or ctx.addr_base is not None:
                self._top = read_attrs(self, off, ab)[0]      # strx/addrx need the bases
        return self._top

    @property
    def name(self) -> str | None:
        v = self.top.get(AT_NAME)
        return v if isinstance(v, str) else None

    @property
    def comp_dir(self) -> str | None:
        v = self.top.get(AT_COMP_DIR)
        return v if isinstance(v, str) else None

    @property
    def producer(self) -> str:
        v = self.top.get(AT_PRODUCER)
        return v if isinstance(v, str) else ""

    def ranges(self) -> list[tuple[int, int]]:
        return self.dbg.die_ranges(self, self.top, cu_base=True)

    def has_attr_form(self, tags: frozenset, attr: int, forms: frozenset | None = None) -> bool:
        return any(ab.tag in tags and any(a == attr and (forms is None or f in forms)
                                          for a, f, _ in ab.attrs) for ab in self.abbrevs.values())

    @property
    def is_c(self) -> bool:
        return self.top.get(AT_LANGUAGE) in C_LANGS

    @property
    def locations_valid(self) -> bool:
        """gdb trusts gcc>=4.5 locations (no prologue skipping) once a CU has location lists."""
        return producer_gcc_version(self.producer) >= (4, 5) and self.has_attr_form(
            frozenset((TAG_VARIABLE, TAG_PARAMETER)), AT_LOCATION, LOCLIST_FORMS)


def producer_gcc_version(producer: str) -> tuple[int, int]:
    """(major, minor) of a GNU compiler producer string, (-1, -1) for anything else."""
    if not producer.startswith("GNU ") or producer.startswith(("GNU Go", "GNU Fortran 2")):
        return -1, -1
    for word in producer.split()[1:]:
        parts = word.split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return int(parts[0]), int(parts[1])
    return -1, -1


def read_attrs(unit: Unit, off: int, ab: Abbrev) -> tuple[dict, int]:
    """Decode every attribute of one DIE; references become section offsets."""
    s, ctx, out = unit.dbg.info, unit.ctx, {}
    buf, base = s.buf, s.base
    if off + ab.fixed_hint > s.size:
        raise DwarfError(f"DIE at {off:#x} runs past the end of .debug_info")
    for attr, form, implicit in ab.attrs:
        # The common forms inline (this runs for every function in the index scan).
        pos = base + off
        if form == 0x0E and ctx.offset_size == 4:
            val = ctx.strings.get(ctx.strings.debug_str, _U32(buf, pos)[0], "DW_FORM_strp")
            off += 4
        elif form == 0x13:
            val = _U32(buf, pos)[0] + unit.offset
            off += 4
        elif form == 0x0B:
            val = buf[pos]
            off += 1
        elif form == 0x05:
            val = buf[pos] | buf[pos + 1] << 8
            off += 2
        elif form == 0x21:
            val = implicit
        elif form == 0x19:
            val = True
        elif form == 0x01 and ctx.addr_size == 8:
            val = _U64(buf, pos)[0]
            off += 8
        elif form in (0x07, 0x06):
            val = (_U64 if form == 0x07 else _U32)(buf, pos)[0]
            off += 8 if form == 0x07 else 4
        else:
            val, off = read_form(s, off, form, ctx, implicit)
            if form in REF_FORMS:
                val += unit.offset
        if attr == AT_HIGH_PC and form not in ADDRESS_FORMS:
            out[HIGH_IS_OFFSET] = True          # DWARF 4+: high_pc is a length from low_pc
        elif attr == AT_RANGES and form == 0x23:
            out[RANGES_IS_INDEX] = True         # DW_FORM_rnglistx: index, not offset
        out[attr] = val
    if off > s.size:
        raise DwarfError(f"DIE attributes run past the end of .debug_info at {off:#x}")
    return out, off


_U32 = struct.Struct("<I").unpack_from
_U64 = struct.Struct("<Q").unpack_from


def skip_attrs(unit: Unit, off: int, ab: Abbrev) -> int:
    """Offset just past a DIE's attributes, without decoding them."""
    if ab.fixed is not None:
        return off + ab.fixed
    s = unit.dbg.info
    buf, base = s.buf, s.base
    pos = base + off
    for step in ab.plan:
        if step >= 0:
            pos += step
        elif step == SKIP_LEB:
            while buf[pos] & 0x80:
                pos += 1
            pos += 1
        elif step == SKIP_STR:
            pos = buf.find(b"\0", pos, base + s.size) + 1
            if pos == 0:
                raise DwarfError(f"unterminated string at {off:#x} in .debug_info")
        elif step == -6:
            n, o = s.uleb(pos - base)
            pos = base + o + n
        elif step in (-3, -4, -5):
            width = {-3: 1, -4: 2, -5: 4}[step]
            pos += width + int.from_bytes(buf[pos:pos + width], "little")
        else:
            return _skip_slow(unit, off, ab)
    return pos - base


def _skip_slow(unit: Unit, off: int, ab: Abbrev) -> int:
    s, ctx = unit.dbg.info, unit.ctx
    for _, form, implicit in ab.attrs:
        _, off = read_form(s, off, form, ctx, implicit)
    return off


def _sibling(unit: Unit, off: int, ab: Abbrev) -> int | None:
    """The DW_AT_sibling target of a DIE whose attributes start at off, when cheap to read."""
    if ab.sib_at is None:
        return None
    target = unit.offset + unit.dbg.info.u32(off + ab.sib_at)
    return target if off < target <= unit.end else None


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


def _scan_plan(abbrevs: dict[int, Abbrev], cpp: bool) -> dict[int, tuple]:
    """Per abbrev code: (action, fixed size or -1, sibling offset or -1, abbrev), so the
    scan loop decides what to do with a DIE from one tuple."""
    plan = {}
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


def scan_unit(dbg: "DebugInfo", unit: Unit) -> list[FuncRec]:
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


def _skip_children(unit: Unit, attrs: dict, off: int) -> int:
    sib = attrs.get(AT_SIBLING)
    if isinstance(sib, int) and sib > off:
        return sib
    depth, s, abbrevs = 1, unit.dbg.info, unit.abbrevs
    while depth:
        die = off
        code, off = s.uleb(off)
        if code == 0:
            depth -= 1
            continue
        ab = abbrevs.get(code) or unit.abbrev(code, die)
        if ab.children:
            target = _sibling(unit, off, ab)
            if target is not None:
                off = target
                continue
        off = skip_attrs(unit, off, ab)
        depth += ab.children
    return off


def _func_record(dbg: "DebugInfo", unit: Unit, die: int, tag: int, attrs: dict,
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


class Block:
    """A gdb block: a function, an inlined call, or a lexical block that owns symbols."""
    __slots__ = ("kind", "ranges", "lo", "hi", "children", "parent", "die", "origin",
                 "call_file", "call_line", "unit")

    def __init__(self, kind: str, ranges, die: int, unit: Unit, attrs: dict) -> None:
        self.kind, self.ranges, self.die, self.unit = kind, tuple(ranges), die, unit
        self.lo = min(lo for lo, _ in ranges) if ranges else 0
        self.hi = max(hi for _, hi in ranges) if ranges else 0
        self.children: list[Block] = []
        self.parent: Block | None = None
        origin = attrs.get(AT_ABSTRACT_ORIGIN)
        self.origin = origin if isinstance(origin, int) else None
        self.call_file, self.call_line = attrs.get(AT_CALL_FILE), attrs.get(AT_CALL_LINE)

    @property
    def entry(self) -> int:
        return self.ranges[0][0] if self.ranges else self.lo

    def contains(self, pc: int) -> bool:
        return any(lo <= pc < hi for lo, hi in self.ranges)

    def postorder(self) -> list["Block"]:
        out: list[Block] = []
        for c in self.children:
            out += c.postorder()
        out.append(self)
        return out


def build_blocks(dbg: "DebugInfo", unit: Unit, die: int) -> Block:
    """The block tree of the function whose DIE is at ``die``."""
    s = dbg.info
    code, off = s.uleb(die)
    ab = unit.abbrev(code, die)
    attrs, off = read_attrs(unit, off, ab)
    root = Block("func", dbg.die_ranges(unit, attrs), die, unit, attrs)
    if ab.children:
        _block_children(dbg, unit, off, root, 0)
    return root


def _block_children(dbg: "DebugInfo", unit: Unit, off: int, parent: Block, depth: int) -> tuple[int, bool]:
    if depth > 200:
        raise DwarfError(f"DIE nesting deeper than 200 levels at {off:#x}")
    s, abbrevs, has_syms = dbg.info, unit.abbrevs, False
    while True:
        die = off
        code, off = s.uleb(off)
        if code == 0:
            return off, has_syms
        ab = abbrevs.get(code) or unit.abbrev(code, die)
        tag = ab.tag
        if tag in (TAG_LEXICAL_BLOCK, TAG_INLINED, TAG_SUBPROGRAM):
            attrs, off = read_attrs(unit, off, ab)
            ranges = dbg.die_ranges(unit, attrs)
            if tag == TAG_LEXICAL_BLOCK and AT_LOW_PC not in attrs and AT_RANGES not in attrs:
                if ab.children:                      # no bounds: its children belong to the parent
                    off, syms = _block_children(dbg, unit, off, parent, depth + 1)
                    has_syms |= syms
                continue
            if not ranges:
                if ab.children:
                    off = _skip_children(unit, attrs, off)
                has_syms |= tag == TAG_SUBPROGRAM
                continue
            kind = {TAG_LEXICAL_BLOCK: "lex", TAG_INLINED: "inl", TAG_SUBPROGRAM: "func"}[tag]
            blk = Block(kind, ranges, die, unit, attrs)
            syms = False
            if ab.children:
                off, syms = _block_children(dbg, unit, off, blk, depth + 1)
            if kind == "lex" and not syms and blk.origin is not None:
                syms = dbg.origin_has_symbols(blk.origin)
            if kind != "lex" or syms:
                blk.parent = parent
                parent.children.append(blk)
            else:                                   # no symbols: not a block for gdb
                for c in blk.children:
                    c.parent = parent
                    parent.children.append(c)
            has_syms |= tag == TAG_SUBPROGRAM
            continue
        if tag in SYMBOL_TAGS:
            attrs, off = read_attrs(unit, off, ab)
            if AT_NAME in attrs or AT_ABSTRACT_ORIGIN in attrs or AT_SPECIFICATION in attrs \
                    or (tag == 0x04 and ab.children):
                has_syms = True
            if ab.children:
                off = _skip_children(unit, attrs, off)
            continue
        if ab.children:
            target = _sibling(unit, off, ab)
            if target is not None:
                off = target
                continue
        off = skip_attrs(unit, off, ab)
        if ab.children:
            off = _skip_children(unit, {}, off)


class CuFuncs:
    """The functions of one unit, with a sorted range index for pc lookups."""

    def __init__(self, unit: Unit, recs: list[FuncRec]) -> None:
        self.unit, self.recs = unit, recs
        spans = sorted((lo, hi, i) for i, r in enumerate(recs) if r.inlined_in is None
                       for lo, hi in r.ranges)
        self.starts = [lo for lo, _, _ in spans]
        self.spans = spans
        self.blocks: dict[int, Block] = {}
        self._map_mode: bool | None = None

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


def _guarded(default):
    """Public DebugInfo methods degrade on corrupt DWARF: one warning, a neutral answer."""
    def wrap(fn):
        def method(self, *args, **kw):
            try:
                return fn(self, *args, **kw)
            except CORRUPT as e:
                self.warn(f"corrupt DWARF ({type(e).__name__})", e)
                if isinstance(default, Exception):
                    raise type(default)(f"{default} {e}") from None
                return default(self, *args) if callable(default) else default
        method.__name__, method.__doc__, method.__wrapped__ = fn.__name__, fn.__doc__, fn
        return method
    return wrap


def _entry_location(self, func, *_):
    return (func.ranges[0][0] if func.ranges else func.low), func.file, func.line or 0


DEBUG_SECTIONS = (".debug_info", ".debug_abbrev", ".debug_line", ".debug_str", ".debug_line_str",
                  ".debug_aranges", ".debug_ranges", ".debug_rnglists", ".debug_addr",
                  ".debug_str_offsets")
# Where separate debug files are looked for (by build-id, then .gnu_debuglink), like
# gdb's debug-file-directory. Empty by default: tests compare with a gdb that has
# them switched off, and libc6-dbg would change what `step` enters (HARD-CASES).
DEBUG_FILE_DIRECTORIES: tuple[str, ...] = ()


class DebugInfo:
    """DWARF of one ELF file, answered lazily; see the module docstring."""

    def __init__(self, elf, sects: dict[str, Sect], warnings: list[str], use_cache: bool = True) -> None:
        self.elf, self.sects, self.warnings = elf, sects, warnings
        self.info = sects[".debug_info"]
        self.abbrev = sects.get(".debug_abbrev")
        self.line = sects.get(".debug_line")
        self.strings = Strings(sects.get(".debug_str"), sects.get(".debug_line_str"),
                               sects.get(".debug_str_offsets"), sects.get(".debug_addr"))
        self._dwarf = None
        self.debug_file = None          # the separate ElfFile the DWARF came from, if any
        self._units: dict[int, Unit] = {}
        self._unit_list: list[int] | None = None
        self._abbrev_tables: dict = {}      # offset -> raw table; (offset, sizes) -> compiled
        self._aranges: tuple[list[int], list[tuple[int, int, int]]] | None = None
        self._culines: dict[int, CuLines | None] = {}
        self._funcs: dict[int, CuFuncs | None] = {}
        self._names: dict[str, list[tuple[int, int]]] | None = None
        self._linedir: list[tuple[int, int, tuple[str, ...]]] | None = None
        self._unit_by_line: dict[int, int] | None = None
        self._cache = cache.IndexCache.for_elf(elf) if use_cache else cache.IndexCache(None)
        self._warned: set[str] = set()

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, elf, *, use_cache: bool = True, debug_dirs: tuple[str, ...] | None = None
             ) -> "DebugInfo | None":
        """The file's DWARF, or None without .debug_info; NoDebugInfo (one line) when it
        is there but unreadable (e.g. zstd-compressed). ``use_cache=False`` neither
        reads nor writes the on-disk index."""
        warnings: list[str] = []
        sects: dict[str, Sect] = {}
        holder = elf
        if not elf.has_dwarf():
            dirs = DEBUG_FILE_DIRECTORIES if debug_dirs is None else debug_dirs
            holder = elf.separate_debug_file(dirs) or elf
        for name in DEBUG_SECTIONS:
            try:
                found = holder.read_section(name)
            except ValueError as e:
                if f"warning: {e}" not in warnings:
                    warnings.append(f"warning: {e}")
                continue
            if found is not None:
                sects[name] = Sect(name, *found)
        if ".debug_info" not in sects or sects[".debug_info"].size == 0 or ".debug_abbrev" not in sects:
            if holder.has_dwarf():   # there is DWARF, but we cannot read it: say why, once
                why = warnings[0].removeprefix("warning: ") if warnings else ".debug_abbrev is missing"
                raise NoDebugInfo(f"{elf.path}: debug info unreadable: {why}")
            return None
        self = cls(elf, sects, warnings, use_cache)
        self.debug_file = holder if holder is not elf else None
        return self

    @property
    def dwarf(self):
        """pyelftools' DWARFInfo over the same file, built on first use."""
        if self._dwarf is None:
            holder = self.debug_file or self.elf
            try:
                self._dwarf = holder.elffile.get_dwarf_info(relocate_dwarf_sections=False)
            except Exception as e:            # pyelftools raises many kinds on bad input
                raise NoDebugInfo(f"{holder.path}: pyelftools cannot read the DWARF: {e}") from None
        return self._dwarf

    def warn(self, where: str, err: Exception) -> None:
        """Record one line per distinct problem (the same broken byte is met from many paths)."""
        key = str(err) or where
        if key not in self._warned:
            self._warned.add(key)
            self.warnings.append(f"warning: {where}: {err}" if str(err) else f"warning: {where}")

    # ------------------------------------------------------------------ units
    def raw_abbrev_table(self, off: int) -> dict[int, Abbrev]:
        t = self._abbrev_tables.get(off)
        if t is None:
            t = self._abbrev_tables[off] = parse_abbrevs(self.abbrev, off)
        return t

    def abbrev_table(self, off: int, addr_size: int = 8, offset_size: int = 4) -> dict[int, Abbrev]:
        """The table at off, with skip plans for units of these address/offset sizes."""
        key = (off, addr_size, offset_size)
        t = self._abbrev_tables.get(key)
        if t is None:
            raw = self.raw_abbrev_table(off)
            t = self._abbrev_tables[key] = {c: Abbrev(a.tag, a.children, a.attrs) for c, a in raw.items()}
            for ab in t.values():
                ab.compile(addr_size, offset_size)
        return t

    def unit(self, off: int) -> Unit:
        u = self._units.get(off)
        if u is None:
            u = self._units[off] = Unit(self, off)
        return u

    def unit_offsets(self) -> list[int]:
        """Offsets of every compile unit, by walking unit headers only."""
        if self._unit_list is None:
            offs, off = [], 0
            try:
                while off + 11 <= self.info.size:
                    u = self.unit(off)
                    if u.unit_type in (1, 3, 4):        # compile, partial, skeleton
                        offs.append(off)
                    off = u.end
            except DIE_ERRORS as e:
                self.warn(f"corrupt .debug_info at offset {off:#x}", e)
            self._unit_list = offs
        return self._unit_list

    def unit_containing(self, die: int) -> Unit | None:
        offs = self.unit_offsets()
        i = bisect.bisect_right(offs, die) - 1
        if i < 0:
            return None
        u = self.unit(offs[i])
        return u if die < u.end else None

    def die_ranges(self, unit: Unit, attrs: dict, cu_base: bool = False) -> list[tuple[int, int]]:
        """Address ranges of a DIE from low/high_pc or DW_AT_ranges; [] when it has no code."""
        low = attrs.get(AT_LOW_PC)
        if AT_RANGES in attrs:
            base = low if cu_base else unit.top.get(AT_LOW_PC)
            out = self._read_ranges(unit, attrs[AT_RANGES], base if isinstance(base, int) else 0,
                                    rnglistx=not cu_base and unit.version >= 5
                                    and bool(attrs.get(RANGES_IS_INDEX)))
        elif isinstance(low, int):
            high = attrs.get(AT_HIGH_PC)
            if not isinstance(high, int):
                return [(low, low + 1)] if low else []
            high = low + high if attrs.get(HIGH_IS_OFFSET) else high
            out = [(low, high)]
        else:
            return []
        return [(lo, hi) for lo, hi in out if lo < hi and lo != 0]

    def _read_ranges(self, unit: Unit, val: int, base: int, rnglistx: bool) -> list[tuple[int, int]]:
        asz, out = unit.ctx.addr_size, []
        if unit.version < 5:
            s = self.sects.get(".debug_ranges")
            if s is None:
                raise DwarfError("DW_AT_ranges without .debug_ranges")
            off, top = val, (1 << (8 * asz)) - 1
            while True:
                lo, hi = s.uint(off, asz), s.uint(off + asz, asz)
                off += 2 * asz
                if lo == 0 and hi == 0:
                    return out
                if lo == top:
                    base = hi
                else:
                    out.append((base + lo, base + hi))
        s = self.sects.get(".debug_rnglists")
        if s is None:
            raise DwarfError("DW_AT_ranges without .debug_rnglists")
        if rnglistx:
            rbase = unit.top.get(AT_RNGLISTS_BASE, 12)
            val = rbase + s.uint(rbase + val * unit.ctx.offset_size, unit.ctx.offset_size)
        off, ctx = val, unit.ctx
        while True:
            kind = s.u8(off)
            off += 1
            if kind == 0:
                return out
            if kind in (1, 2, 3):
                a, off = s.uleb(off)
                a = addrx(ctx, a)
                if kind == 1:
                    base = a
                elif kind == 2:
                    b, off = s.uleb(off)
                    out.append((a, addrx(ctx, b)))
                else:
                    n, off = s.uleb(off)
                    out.append((a, a + n))
            elif kind == 4:
                a, off = s.uleb(off)
                b, off = s.uleb(off)
                out.append((base + a, base + b))
            elif kind == 5:
                base, off = s.uint(off, asz), off + asz
            elif kind == 6:
                out.append((s.uint(off, asz), s.uint(off + asz, asz)))
                off += 2 * asz
            elif kind == 7:
                a = s.uint(off, asz)
                n, off = s.uleb(off + asz)
                out.append((a, a + n))
            else:
                raise DwarfError(f"unknown range list entry {kind} at .debug_rnglists offset {off - 1:#x}")

    def read_die(self, die: int) -> tuple[Unit, Abbrev, dict, int]:
        unit = self.unit_containing(die)
        if unit is None:
            raise DwarfError(f"DIE reference {die:#x} outside .debug_info")
        code, off = self.info.uleb(die)
        ab = unit.abbrev(code, die)
        attrs, off = read_attrs(unit, off, ab)
        return unit, ab, attrs, off

    def origin_has_symbols(self, die: int) -> bool:
        try:
            unit, ab, attrs, off = self.read_die(die)
            if not ab.children:
                return False
            holder = Block("lex", [], die, unit, {})
            return _block_children(self, unit, off, holder, 0)[1] or bool(holder.children)
        except DIE_ERRORS:
            return False

    # ------------------------------------------------------------------ pc -> unit
    def _arange_index(self) -> tuple[list[int], list[tuple[int, int, int]]]:
        if self._aranges is None:
            spans: list[tuple[int, int, int]] = []
            s = self.sects.get(".debug_aranges")
            if s is not None:
                try:
                    _read_aranges(s, spans, self.info.size)
                except DIE_ERRORS as e:
                    self.warn("corrupt .debug_aranges", e)
            missing = self.unit_offsets() if s is None else []
            for off in missing:                 # no aranges for this unit: ask its DIE
                try:
                    spans += [(lo, hi, off) for lo, hi in self.unit(off).ranges()]
                except DIE_ERRORS as e:
                    self.warn(f"unreadable compilation unit at .debug_info offset {off:#x}", e)
            spans.sort()
            self._aranges = ([lo for lo, _, _ in spans], spans)
        return self._aranges

    @_guarded(None)
    def cu_offset_for(self, pc: int) -> int | None:
        starts, spans = self._arange_index()
        i = bisect.bisect_right(starts, pc) - 1
        for k in range(i, max(i - 16, -1), -1):     # spans are disjoint but for odd producers
            lo, hi, off = spans[k]
            if pc < hi:
                return off
        return None

    # ------------------------------------------------------------------ line programs
    def _unit_lines(self, unit: Unit) -> CuLines | None:
        stmt = unit.top.get(AT_STMT_LIST)
        return self._lines_at(stmt, unit) if isinstance(stmt, int) else None

    def _lines_at(self, off: int, unit: Unit | None = None) -> CuLines | None:
        if off in self._culines:
            return self._culines[off]
        self._culines[off] = None
        if self.line is None:
            return None
        try:
            header = parse_line_header(self.line, off, self.strings,
                                       unit.comp_dir if unit is not None else None)
            if unit is None and header.version < 5:
                # DWARF 4 paths are relative to the unit's comp_dir; DWARF 5 headers say it.
                unit = self._unit_for_line(off)
                if unit is not None and unit.comp_dir:
                    header = parse_line_header(self.line, off, self.strings, unit.comp_dir)
            comp_dir = unit.comp_dir if unit is not None else None
            primary = None
            if unit is not None and unit.name:
                from .lines import _join
                primary = _join(comp_dir, unit.name)
            ranges = unit.ranges() if unit is not None else []
            lowpc = min((lo for lo, _ in ranges), default=1)
            cu_end = max((hi for _, hi in ranges), default=0)
            lines = decode_line_program(self.line, header, primary, cu_end, lowpc)
            if not cu_end:
                lines.cu_end = lines.highest or 0
            self._culines[off] = lines
        except DIE_ERRORS as e:
            self.warn(f"line table unreadable (.debug_line offset {off:#x})", e)
        return self._culines[off]

    def _unit_for_line(self, off: int) -> Unit | None:
        # Linkers keep units and line programs in the same order: try the k-th unit first.
        if self._unit_by_line is None and self._linedir is not None:
            k = next((i for i, (o, _, _) in enumerate(self._linedir) if o == off), None)
            units = self.unit_offsets()
            if k is not None and k < len(units):
                try:
                    if self.unit(units[k]).top.get(AT_STMT_LIST) == off:
                        return self.unit(units[k])
                except DIE_ERRORS:
                    pass
        if self._unit_by_line is None:
            self._unit_by_line = {}
            for uoff in self.unit_offsets():
                try:
                    stmt = self.unit(uoff).top.get(AT_STMT_LIST)
                except DIE_ERRORS as e:
                    self.warn(f"unreadable compilation unit at .debug_info offset {uoff:#x}", e)
                    continue
                if isinstance(stmt, int):
                    self._unit_by_line.setdefault(stmt, uoff)
        uoff = self._unit_by_line.get(off)
        return self.unit(uoff) if uoff is not None else None

    def _line_directory(self) -> list[tuple[int, int, tuple[str, ...]]]:
        """(offset, version, files) of every line program, from its header alone."""
        if self._linedir is None:
            cached = self._cache.load("lines")
            if cached is not None:
                self._linedir = cached
                return cached
            out = []
            if self.line is not None:
                for off, hdr in iter_line_headers(self.line, self.strings):
                    if isinstance(hdr, Exception):
                        self.warn(f"line table unreadable (.debug_line offset {off:#x})", hdr)
                        continue
                    files = hdr.files
                    if hdr.version < 5 and any(not f.startswith("/") for f in files):
                        unit = self._unit_for_line(off)
                        if unit is not None and unit.comp_dir:
                            files = parse_line_header(self.line, off, self.strings, unit.comp_dir).files
                    out.append((off, hdr.version, tuple(files)))
            self._linedir = out
            self._cache.store("lines", out)
        return self._linedir

    # ------------------------------------------------------------------ functions
    def _cu_funcs(self, cu_off: int) -> CuFuncs | None:
        if cu_off in self._funcs:
            return self._funcs[cu_off]
        self._funcs[cu_off] = None
        try:
            unit = self.unit(cu_off)
            recs = scan_unit(self, unit)
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
                unit, _, attrs, _ = self.read_die(target)
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

    def _decl_path(self, unit: Unit, rec: FuncRec) -> str | None:
        if rec.decl_file is None:
            return None
        if rec.origin is not None and not unit.offset <= rec.origin < unit.end:
            unit = self.unit_containing(rec.origin) or unit
        return self._file_name(unit, rec.decl_file)

    def _file_name(self, unit: Unit, index: int) -> str | None:
        lines = self._unit_lines(unit)
        return lines.header.file(index) if lines is not None else None

    def _info(self, cu_off: int, rec: FuncRec) -> FunctionInfo:
        unit = self.unit(cu_off)
        lo, hi = rec.ranges[0]                  # the entry range; .cold parts are in ranges
        return FunctionInfo(rec.name or "??", lo, hi, rec.ranges,
                            self._decl_path(unit, rec), rec.decl_line, cu_off, rec.die_offset,
                            rec.inlined_in is not None)

    def _containing(self, pc: int) -> tuple[CuFuncs, FuncRec] | None:
        cu = self.cu_offset_for(pc)
        funcs = self._cu_funcs(cu) if cu is not None else None
        rec = funcs.at(pc) if funcs is not None else None
        return (funcs, rec) if rec is not None else None

    @_guarded(None)
    def function_at(self, pc: int) -> FunctionInfo | None:
        found = self._containing(pc)
        return self._info(found[0].unit.offset, found[1]) if found else None

    def _name_index(self) -> dict[str, list[tuple[int, int]]]:
        if self._names is None:
            cached = self._cache.load("funcs")
            if cached is not None:
                for cu_off, recs in cached.items():
                    if cu_off not in self._funcs:
                        try:
                            self._funcs[cu_off] = CuFuncs(self.unit(cu_off), [FuncRec(*r) for r in recs])
                        except DIE_ERRORS:
                            self._funcs[cu_off] = None
            else:
                for off in self.unit_offsets():
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
        defs, inl = [], []
        for off, i in self._name_index().get(name, ()):
            rec = self._funcs[off].recs[i]
            (defs if rec.inlined_in is None else inl).append(self._info(off, rec))
        # An ELF alias (glibc's malloc is __libc_malloc in DWARF) names the function
        # that starts at its address, as gdb's minimal symbols do.
        starts = {f.ranges[0][0] for f in defs}
        extra = self.debug_file.symbols_named(name) if self.debug_file is not None else []
        for sym in self.elf.symbols_named(name) + extra:
            if sym.kind == "func" and sym.addr and sym.addr not in starts:
                found = self._containing(sym.addr)
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
        out = []
        for addr in sorted({sm.addr for sm in syms}):
            cu = self.cu_offset_for(addr)
            funcs = self._cu_funcs(cu) if cu is not None else None
            recs = [r for r in (funcs.recs if funcs else []) if r.low == addr and r.name == name]
            if not recs:
                return None
            out += [self._info(cu, r) for r in recs]
        return out

    def _any_inlined_code(self) -> bool:
        """Does any unit contain inlined code? (Only the abbreviation tables are read.)"""
        flag = self._cache.load("inlines")
        if flag is None:
            try:
                tables = {self.unit(off).abbrev_offset for off in self.unit_offsets()}
                flag = any(ab.tag == TAG_INLINED for t in tables
                           for ab in self.raw_abbrev_table(t).values())
            except DIE_ERRORS:
                flag = True
            self._cache.store("inlines", flag)
        return flag

    @_guarded([])
    def inlined_instances(self, name: str) -> list[tuple[int, str | None, int | None]]:
        """(entry pc, call file, call line) of every place ``name`` was inlined."""
        out = []
        for off, i in self._name_index().get(name, ()):
            rec = self._funcs[off].recs[i]
            if rec.inlined_in is not None:
                unit = self.unit(off)
                call = self._file_name(unit, rec.call_file) if rec.call_file is not None else None
                out.append((rec.ranges[0][0], call, rec.call_line))
        return sorted(out)

    @_guarded([])
    def all_function_names(self) -> list[str]:
        """Names ``break`` accepts: defined functions and functions only seen inlined."""
        return sorted(self._name_index())

    @_guarded([])
    def source_files(self) -> list[str]:
        """Primary files of all units, plus headers that define functions."""
        files = {fs[0] for _, v, fs in self._line_directory() if fs}
        self._name_index()
        for off, f in self._funcs.items():
            if f is not None:
                for r in f.recs:
                    if r.inlined_in is None and r.decl_file is not None:
                        path = self._decl_path(f.unit, r)
                        if path:
                            files.add(path)
        return sorted(files)

    # ------------------------------------------------------------------ blocks
    def _blocks(self, funcs: CuFuncs, rec: FuncRec) -> Block:
        root = funcs.blocks.get(rec.die_offset)
        if root is None:
            try:
                root = build_blocks(self, funcs.unit, rec.die_offset)
            except DIE_ERRORS as e:
                self.warn(f"unreadable DWARF for {rec.name} at .debug_info offset {rec.die_offset:#x}", e)
                root = Block("func", rec.ranges, rec.die_offset, funcs.unit, {})
            funcs.blocks[rec.die_offset] = root
        return root

    def _map_mode(self, funcs: CuFuncs) -> bool:
        """Does gdb look blocks up through an address map in this unit (any split ranges)?"""
        if funcs._map_mode is None:
            unit = funcs.unit
            split = len(unit.ranges()) > 1
            if not split and unit.has_attr_form(frozenset((TAG_SUBPROGRAM, TAG_LEXICAL_BLOCK, TAG_INLINED)),
                                                AT_RANGES):
                split = any(len(b.ranges) > 1 for r in funcs.recs if r.inlined_in is None
                            for b in self._blocks(funcs, r).postorder())
            funcs._map_mode = split
        return funcs._map_mode

    def _block_for_pc(self, pc: int):
        """gdb's block_for_pc: a Block, ("static", cu) outside functions, or None."""
        cu = self.cu_offset_for(pc)
        if cu is None:
            return None
        found = self._containing(pc)
        if found is None:
            return ("static", cu)
        funcs, rec = found
        root = self._blocks(funcs, rec)
        if self._map_mode(funcs):
            return _innermost(root, pc) or ("static", cu)
        # Without a map gdb binary-searches blocks sorted by start; among equal starts
        # the enclosing block sorts last and wins.
        order = sorted(root.postorder(), key=lambda b: b.lo)
        i = bisect.bisect_right([b.lo for b in order], pc) - 1
        while i >= 0:
            if order[i].hi > pc:
                return order[i]
            i -= 1
        return ("static", cu)

    @_guarded([])
    def inlined_chain(self, pc: int) -> list[tuple[str, str | None, int | None]]:
        found = self._containing(pc)
        if found is None:
            return []
        funcs, rec = found
        blk = _innermost(self._blocks(funcs, rec), pc)
        out = []
        while blk is not None:
            if blk.kind == "inl":
                name, _, _ = self._origin_decl(blk.origin)
                call = self._file_name(blk.unit, blk.call_file) if blk.call_file is not None else None
                out.append((name or "??", call, blk.call_line))
            blk = blk.parent
        return out

    def _origin_decl(self, die: int | None) -> tuple[str | None, str | None, int | None]:
        """(name, decl file, decl line) through an abstract-origin chain."""
        name = path = line = None
        for _ in range(8):
            if die is None:
                break
            try:
                unit, _, attrs, _ = self.read_die(die)
            except DIE_ERRORS:
                break
            name = name or (attrs.get(AT_NAME) if isinstance(attrs.get(AT_NAME), str) else None)
            if line is None and AT_DECL_LINE in attrs:
                line = attrs[AT_DECL_LINE]
                f = attrs.get(AT_DECL_FILE)
                path = self._file_name(unit, f) if f is not None else None
            nxt = attrs.get(AT_ABSTRACT_ORIGIN, attrs.get(AT_SPECIFICATION))
            die = nxt if isinstance(nxt, int) else None
        return name, path, line

    # ------------------------------------------------------------------ pc -> line
    def _sal(self, pc: int):
        cu = self.cu_offset_for(pc)
        if cu is None:
            return None
        try:
            lines = self._unit_lines(self.unit(cu))
        except DIE_ERRORS as e:
            self.warn(f"unreadable compilation unit at .debug_info offset {cu:#x}", e)
            return None
        return lines.find_pc_line(pc) if lines is not None else None

    @_guarded(None)
    def find_line(self, pc: int) -> LineRow | None:
        sal = self._sal(pc)
        return None if sal is None else LineRow(sal.pc, sal.file, sal.line, sal.column, sal.is_stmt)

    @_guarded(None)
    def line_range(self, pc: int) -> tuple[int, int] | None:
        sal = self._sal(pc)
        return None if sal is None else (sal.pc, sal.end)

    @_guarded([])
    def line_table(self, pc: int) -> list[LineRow]:
        """Every row of the line table of the unit containing pc, by address (for
        interleaving source with disassembly); end markers come as end_sequence rows."""
        cu = self.cu_offset_for(pc)
        lines = self._unit_lines(self.unit(cu)) if cu is not None else None
        return lines.rows() if lines is not None else []

    @_guarded(False)
    def is_statement_start(self, pc: int) -> bool:
        cu = self.cu_offset_for(pc)
        lines = self._unit_lines(self.unit(cu)) if cu is not None else None
        return lines is not None and lines.is_stmt_at(pc)

    # ------------------------------------------------------------------ where breakpoints land
    @_guarded(lambda self, func: _entry_location(self, func)[0])
    def breakpoint_address(self, func: FunctionInfo) -> int:
        return self.breakpoint_location(func)[0]

    @_guarded(_entry_location)
    def breakpoint_location(self, func: FunctionInfo) -> tuple[int, str | None, int]:
        """gdb's find_function_start_sal: (address, file, line) of ``break FUNC``."""
        entry = func.ranges[0][0] if func.ranges else func.low
        sal = self._sal(entry)
        try:
            valid = self.unit(func.cu_offset).locations_valid
        except DIE_ERRORS:
            valid = False
        if sal is not None and valid:
            return entry, sal.file, sal.line
        if sal is None or sal.pc < entry:
            return self._skip_prologue_sal(entry, None, 0)
        return self._skip_prologue_sal(sal.pc, sal.file, sal.line)

    def line_addresses(self, file: str, line: int) -> tuple[int, list[int]]:
        locs = self.line_locations(file, line)
        return locs[0][2], [a for a, _, _ in locs]

    @_guarded(CommandError('Cannot read the line table (corrupt DWARF):'))
    def line_locations(self, file: str, line: int) -> list[tuple[int, str, int]]:
        """gdb's ``break FILE:LINE``: [(address, file, line)] by address."""
        tables = self._match_symtabs(file)
        if not tables:
            raise CommandError(f"No source file named {file}.")

        def collect(ln: int):
            res, best = [], None
            for cl, sub in tables:
                pcs, b = cl.pcs_for_line(sub, ln)
                res += [(pc, cl.subfiles[sub].name) for pc in pcs]
                if not pcs and b and (best is None or b[0] < best[0]):
                    best = b
            return res, best

        found, best = collect(line)
        used = line
        if not found and best is not None:
            used = best[0]
            found, _ = collect(used)
        if not found:
            raise CommandError(f'No line {line} in file "{file}".')
        blocks = [self._block_for_pc(pc) for pc, _ in found]
        keep = [True] * len(found)
        for i, b in enumerate(blocks):
            if b is not None:
                for j in range(i + 1, len(found)):
                    if blocks[j] == b:               # gdb drops only the next one each time
                        keep[j] = False
                        break
        out = [self._skip_prologue_sal(pc, path, used) for (pc, path), k in zip(found, keep) if k]
        return sorted(set(out))

    @_guarded(CommandError('Cannot read the line table (corrupt DWARF):'))
    def info_line(self, file: str, line: int) -> list[tuple[str, int, int | None, int | None]]:
        """gdb's ``info line FILE:LINE``: (file, line, start, end) per matching source file;
        start == end when the line has no code (start is where the next code is), and
        start is None when the line is past the end of the file's code."""
        tables = self._match_symtabs(file)
        if not tables:
            raise CommandError(f"No source file named {file}.")
        out = []
        for cl, sub in tables:
            name = cl.subfiles[sub].name
            pc = self._find_line_pc(cl, sub, line)
            if pc is None:
                out.append((name, line, None, None))
                continue
            sal = self._sal(pc)
            if sal is None or sal.line != line:
                start = sal.pc if sal is not None else pc
                out.append((name, line, start, start))
            else:
                out.append((name, line, sal.pc, sal.end))
        return out

    def _find_line_pc(self, cl: CuLines, sub: int, line: int) -> int | None:
        """gdb's find_line_symtab + find_line_pc: exact line in this file's table, else in
        another unit's table for the same file, else the nearest later line."""
        best = cl.first_line_at_or_after(sub, line)
        if best is not None and best[0] == line:
            return best[1]
        name = cl.subfiles[sub].name
        for other, osub in self._match_symtabs(name):
            if other is cl and osub == sub:
                continue
            cand = other.first_line_at_or_after(osub, line)
            if cand is not None and cand[0] == line:
                return cand[1]
            if cand is not None and (best is None or cand[0] < best[0]):
                best = cand
        return best[1] if best is not None else None

    def _match_symtabs(self, file: str) -> list[tuple[CuLines, int]]:
        want = file.replace("\\", "/")
        out = []
        for off, _, files in self._line_directory():
            if any(_file_matches(f, want) for f in files):
                lines = self._lines_at(off)
                if lines is not None:
                    out += [(lines, i) for i, t in enumerate(lines.subfiles)
                            if _file_matches(t.name, want)]
        return out

    def _func_bounds(self, pc: int):
        """find_pc_partial_function: (entry, end, FuncRec or None, unit or None) or None."""
        found = self._containing(pc)
        if found is not None:
            funcs, rec = found
            return rec.ranges[0][0], rec.high, rec, funcs.unit
        ms = self.elf.symbol_at(pc)
        if ms is None or ms[0].kind != "func":
            return None
        return ms[0].addr, ms[0].addr + max(ms[0].size, 1), None, None

    def _skip_prologue_sal(self, sal_pc: int, sal_file: str | None, sal_line: int):
        """gdb's skip_prologue_sal: move a location at a function's start past its prologue."""
        bounds = self._func_bounds(sal_pc)
        if bounds is None:
            return sal_pc, sal_file, sal_line
        entry, fend, rec, unit = bounds
        force_skip = not (rec is not None and unit.locations_valid)
        start = None
        pc = entry
        for skip in (1, 0):
            pc = entry
            if skip:
                lt = self._prologue_end(entry)
                if lt is not None:
                    pc, start, force_skip = lt, self._sal(lt), True
                    break
                pc = self._amd64_skip_prologue(pc)
            start = self._sal(pc)
            if skip and start is not None and start.pc != pc and entry <= start.end < fend \
                    and (rec is not None or self._func_bounds(start.end) == bounds):
                pc = start.end
                start = self._sal(pc)
            if force_skip:
                break
        if not force_skip and rec is not None and start is None:
            pc = self._first_line_pc(pc, rec, unit)
            start = self._sal(pc)
        if sal_pc >= pc:
            return sal_pc, sal_file, sal_line
        file, line = (start.file, start.line) if start is not None else (None, 0)
        blk = self._block_for_pc(pc)
        outer_inline = None
        while isinstance(blk, Block):
            if blk.kind == "inl":
                outer_inline = blk
            elif blk.kind == "func":
                break
            blk = blk.parent
        if outer_inline is not None:
            _, dfile, dline = self._origin_decl(outer_inline.origin)
            if dline:
                file, line = dfile, dline
        return pc, file, line

    def _prologue_end(self, func_addr: int) -> int | None:
        """skip_prologue_using_linetable: the first prologue_end row inside the function."""
        bounds = self._func_bounds(func_addr)
        sal = self._sal(bounds[0]) if bounds else None
        if sal is None:
            return None
        cu = self.cu_offset_for(bounds[0])
        lines = self._unit_lines(self.unit(cu))
        return lines.prologue_end_in(sal.subfile, bounds[0], bounds[1]) if lines else None

    def _first_line_pc(self, pc: int, rec: FuncRec, unit: Unit) -> int:
        """skip_prologue_using_lineinfo: first row of the function in its declaring file."""
        lines = self._unit_lines(unit)
        path = self._decl_path(unit, rec)
        for t in (lines.subfiles if lines else []):
            if t.name == path:
                for p, ln in zip(t.pcs, t.lines):
                    if ln and rec.ranges[0][0] <= p < rec.high:
                        return p
        return pc

    def _amd64_skip_prologue(self, start_pc: int) -> int:
        """amd64_skip_prologue: past `push %rbp; mov %rsp,%rbp`, else not at all."""
        bounds = self._func_bounds(start_pc)
        if bounds is not None and bounds[3] is not None and \
                bounds[3].producer.lower().startswith(("clang", "flang", "intel")):
            post = self._skip_prologue_using_sal(bounds)
            if post:
                return max(start_pc, post)
        pc = self.elf.frame_setup_end(start_pc)
        return start_pc if pc is None else self._skip_xmm_prologue(pc, start_pc)

    def _skip_xmm_prologue(self, pc: int, start_pc: int) -> int:
        """gcc's varargs prologue (GCC PR debug/48827): `test %al,%al; je; movaps x8`."""
        first = self._sal(start_pc)
        cu = self.cu_offset_for(start_pc)
        producer = self.unit(cu).producer if cu is not None else ""
        if pc == start_pc or first is None or producer_gcc_version(producer) < (4, 6) \
                or first.pc != start_pc or pc >= first.end:
            return pc
        nxt = self._sal(first.end)
        if nxt is None or nxt.line != first.line:
            return pc
        buf = self.elf.read_code(nxt.pc - 4, 60).ljust(60, b"\0")
        if buf[0:2] != b"\x84\xc0" or buf[2] != 0x74:
            return pc
        off = 4
        for reg in range(8):
            if buf[off] != 0x0F or buf[off + 1] != 0x29 or buf[off + 2] & 0x3F != (reg << 3 | 5):
                return pc
            mod = buf[off + 2] & 0xC0
            if mod not in (0x40, 0x80):
                return pc
            off += 4 if mod == 0x40 else 7
        return nxt.end if off - 4 == buf[3] else pc

    def _skip_prologue_using_sal(self, bounds) -> int:
        """gdb's line-table prologue analysis, which it trusts for clang-built code."""
        entry, end = bounds[0], bounds[1]
        sal = self._sal(entry)
        if sal is None or not sal.line:
            return 0
        lines = self._unit_lines(bounds[3])
        t = lines.subfiles[sal.subfile]
        i = 0
        while i + 1 < len(t.pcs) and (t.pcs[i] != sal.pc or t.lines[i] == 0):
            i += 1
        if i + 1 < len(t.pcs) and t.lines[i + 1] and t.pcs[i + 1] == entry:
            return entry
        if sal.end >= end:
            return 0
        while sal.end < end:
            nxt = self._sal(sal.end)
            if nxt is None or not nxt.line or nxt.line >= sal.line or nxt.file != sal.file:
                break
            blk = self._block_for_pc(sal.end)
            while isinstance(blk, Block) and blk.kind == "lex":
                blk = blk.parent
            if isinstance(blk, Block) and blk.kind == "inl":
                break
            sal = nxt
        return sal.end if sal.end < end else sal.pc


def _innermost(root: Block, pc: int) -> Block | None:
    if not root.contains(pc):
        return None
    blk = root
    while True:
        nxt = next((c for c in blk.children if c.contains(pc)), None)
        if nxt is None:
            return blk
        blk = nxt


def _file_matches(path: str, want: str) -> bool:
    """gdb's compare_filenames_for_search: whole trailing path components."""
    if want.startswith("/"):
        return path == want or path == os.path.normpath(want)
    want = os.path.normpath(want)
    return path == want or path.endswith("/" + want)


def _read_aranges(s: Sect, spans: list, info_size: int) -> None:
    off = 0
    while off + 4 <= s.size:
        length, osize, p = s.initial_length(off)
        end = p + length
        if end > s.size or length < 8:
            raise DwarfError(f"bad set length {length:#x} at offset {off:#x}")
        cu_off = s.uint(p + 2, osize)
        asz, seg = s.u8(p + 2 + osize), s.u8(p + 3 + osize)
        if asz not in (4, 8) or cu_off >= info_size:
            raise DwarfError(f"bad address set header at offset {off:#x}")
        q = p + 4 + osize                     # tuples start aligned to 2*addr_size from the set
        q = off + ((q - off + 2 * asz - 1) // (2 * asz)) * (2 * asz)
        while q + 2 * asz <= end:
            lo, n = s.uint(q + seg, asz), s.uint(q + seg + asz, asz)
            q += 2 * asz + seg
            if lo == 0 and n == 0:
                break
            if n and lo:
                spans.append((lo, lo + n, cu_off))
        off = end


def _rec_tuple(r: FuncRec) -> tuple:
    return (r.name, r.low, r.high, r.ranges, r.decl_file, r.decl_line, r.die_offset, r.origin,
            r.inlined_in, r.call_file, r.call_line, r.linkage)
