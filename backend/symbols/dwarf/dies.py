"""The minimal DIE reader under the lazy DWARF index: abbreviations, unit headers,
and decoding or skipping a DIE's attributes.

The index walks many thousands of DIEs to find functions, so skipping is planned
once per abbreviation (Abbrev.compile) and the common forms are decoded inline in
read_attrs. Also here: the DWARF constants the index modules share, the errors
corrupt input can raise, and `_guarded`, which turns them into one warning.
"""
from __future__ import annotations

import functools
import struct
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeAlias, TypeVar, cast

from .forms import (
    _U32,
    _U64,
    FIXED_FORM_SIZE,
    LEB_FORMS,
    OFFSET_FORMS,
    DwarfError,
    FormContext,
    FormValue,
    Sect,
    Strings,
    read_form,
)

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

# A DIE's attributes by DW_AT code (plus the pseudo attributes above). Values are
# whatever the attribute's form decodes to, so readers check the type where a
# corrupt form could matter and let CORRUPT catch the rest.
Attrs: TypeAlias = dict[int, Any]


class DieSource(Protocol):
    """What a Unit and the DIE walks need from the reader that owns them (index/die_reader.py)."""
    info: Sect
    strings: Strings

    def abbrev_table(self, off: int, addr_size: int = 8, offset_size: int = 4) -> dict[int, Abbrev]: ...
    def die_ranges(self, unit: Unit, attrs: Attrs, cu_base: bool = False) -> list[tuple[int, int]]: ...


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
        fixed: int | None = 0
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
        attrs: list[tuple[int, int, int]] = []
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

    def __init__(self, dbg: DieSource, offset: int) -> None:
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
        self._top: Attrs | None = None

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
    def top(self) -> Attrs:
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

    def has_attr_form(self, tags: frozenset[int], attr: int, forms: frozenset[int] | None = None) -> bool:
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


def read_attrs(unit: Unit, off: int, ab: Abbrev) -> tuple[Attrs, int]:
    """Decode every attribute of one DIE; references become section offsets."""
    s, ctx = unit.dbg.info, unit.ctx
    out: Attrs = {}
    val: FormValue
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
            if form in REF_FORMS:                   # ref1/2/8/udata: always numbers
                val = cast(int, val) + unit.offset
        if attr == AT_HIGH_PC and form not in ADDRESS_FORMS:
            out[HIGH_IS_OFFSET] = True          # DWARF 4+: high_pc is a length from low_pc
        elif attr == AT_RANGES and form == 0x23:
            out[RANGES_IS_INDEX] = True         # DW_FORM_rnglistx: index, not offset
        out[attr] = val
    if off > s.size:
        raise DwarfError(f"DIE attributes run past the end of .debug_info at {off:#x}")
    return out, off


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


def _skip_children(unit: Unit, attrs: Attrs, off: int) -> int:
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


class Warns(Protocol):
    """What `_guarded` methods need from their object: somewhere to report."""

    def warn(self, where: str, err: Exception) -> None: ...


_W = TypeVar("_W", bound=Warns)
_P = ParamSpec("_P")
_R = TypeVar("_R")
_Method: TypeAlias = Callable[Concatenate[_W, _P], _R]


def _guarded(default: object) -> Callable[[_Method[_W, _P, _R]], _Method[_W, _P, _R]]:
    """Public methods of the index degrade on corrupt DWARF: one warning, a neutral answer.

    ``default`` is that answer; an exception instance is raised instead (with the
    error appended), and a callable is called with the method's positional arguments."""
    def wrap(fn: _Method[_W, _P, _R]) -> _Method[_W, _P, _R]:
        def method(self: _W, /, *args: _P.args, **kw: _P.kwargs) -> _R:
            try:
                return fn(self, *args, **kw)
            except CORRUPT as e:
                self.warn(f"corrupt DWARF ({type(e).__name__})", e)
                if isinstance(default, Exception):
                    raise type(default)(f"{default} {e}") from None
                return cast(_R, default(self, *args) if callable(default) else default)
        return functools.update_wrapper(method, fn, assigned=("__name__", "__doc__"), updated=())
    return wrap
