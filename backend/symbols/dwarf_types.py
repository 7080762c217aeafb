"""C types from DWARF DIEs (types.py holds the model they become).

`TypeTable.from_die` turns a type DIE into a `Type`, once per DIE offset; struct
members are read on first use, so self-referencing types (`struct node *next`)
and big programs cost nothing until someone looks. DWARF's base type names are
respelled the way gdb prints them (`unsigned long`, not `long unsigned int`).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dwarf_guard import guarded
from .types import VOID, Member, Type

if TYPE_CHECKING:
    from elftools.dwarf.compileunit import CompileUnit
    from elftools.dwarf.die import DIE
    from elftools.dwarf.dwarfinfo import DWARFInfo
    from elftools.dwarf.typeunit import TypeUnit

# gcc's DWARF base type names -> the spelling gdb prints.
_CANONICAL = {
    "long int": "long", "long unsigned int": "unsigned long", "short int": "short",
    "short unsigned int": "unsigned short", "long long int": "long long",
    "long long unsigned int": "unsigned long long", "__int128 unsigned": "unsigned __int128",
    "char unsigned": "unsigned char", "char signed": "signed char",
}

_TAG_KIND = {
    "DW_TAG_pointer_type": "pointer", "DW_TAG_reference_type": "ref",
    "DW_TAG_rvalue_reference_type": "rvref", "DW_TAG_const_type": "const",
    "DW_TAG_volatile_type": "volatile", "DW_TAG_restrict_type": "restrict",
    "DW_TAG_atomic_type": "atomic", "DW_TAG_typedef": "typedef",
    "DW_TAG_structure_type": "struct", "DW_TAG_union_type": "union",
    "DW_TAG_class_type": "class", "DW_TAG_enumeration_type": "enum",
    "DW_TAG_subroutine_type": "func", "DW_TAG_subprogram": "func",
    "DW_TAG_array_type": "array", "DW_TAG_base_type": "base",
    "DW_TAG_unspecified_type": "void",
}


def attr_int(die: DIE, name: str, default: Any = None) -> Any:
    """An attribute's value, or `default` without it. Any: pyelftools decodes the
    value by form (int, bool, bytes, a list for blocks); callers check what they need."""
    a = die.attributes.get(name)
    return default if a is None else a.value


def die_name(die: DIE) -> str | None:
    a = die.attributes.get("DW_AT_name")
    if a is None:
        return None
    v: str | bytes = a.value
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


@guarded
def ref_die(die: DIE, attr_name: str) -> DIE | None:
    """The DIE an attribute of reference class points at (same CU or not)."""
    a = die.attributes.get(attr_name)
    if a is None:
        return None
    if a.form in ("DW_FORM_ref_addr", "DW_FORM_GNU_ref_alt"):
        return die.dwarfinfo.get_DIE_from_refaddr(a.value)
    return die.cu.get_DIE_from_refaddr(a.value + die.cu.cu_offset)


class TypeTable:
    """Types of one DWARFInfo, built on demand and cached by DIE offset."""

    def __init__(self, dwarfinfo: DWARFInfo) -> None:
        self.dwarf = dwarfinfo
        self._cache: dict[int, Type] = {}
        self._langs: dict[int, int] = {}

    @guarded
    def from_die(self, die: DIE) -> Type:
        t = self._cache.get(die.offset)
        if t is None:
            t = self._build(die)
        return t

    @guarded
    def type_of(self, die: DIE) -> Type:
        """The type a DIE's DW_AT_type names; void when it names none."""
        target = ref_die(die, "DW_AT_type")
        return VOID if target is None else self.from_die(target)

    def _build(self, die: DIE) -> Type:
        kind = _TAG_KIND.get(die.tag) if isinstance(die.tag, str) else None
        name = die_name(die)
        size = attr_int(die, "DW_AT_byte_size")
        if kind is None:
            raise ValueError(f"not a type DIE: {die.tag}")
        if kind == "base":
            t = _base(name or "?", size or 0, attr_int(die, "DW_AT_encoding", 5))
            t.die_offset = die.offset
            self._cache[die.offset] = t
            return t
        if kind == "void":
            t = Type("void", name or "void", 1, die_offset=die.offset)
            self._cache[die.offset] = t
            return t
        # A subprogram's name is the function's, not its type's.
        t = Type(kind, None if kind == "func" else name, size, die_offset=die.offset)
        # Register before following references: types may refer to themselves.
        self._cache[die.offset] = t
        t.declaration = bool(attr_int(die, "DW_AT_declaration", False))
        t.cplus = self._is_cplus(die.cu)
        if kind in ("pointer", "ref", "rvref", "typedef", "const", "volatile",
                    "restrict", "atomic", "enum"):
            target = ref_die(die, "DW_AT_type")
            t.target = None if target is None else self.from_die(target)
            if kind == "pointer" and t.target is None:
                t.target = VOID
            if kind == "enum":
                self._fill_enum(t, die)
        elif kind == "func":
            target = ref_die(die, "DW_AT_type")
            t.target = VOID if target is None else self.from_die(target)
            t.prototyped = bool(attr_int(die, "DW_AT_prototyped", False))
            for child in die.iter_children():
                if child.tag == "DW_TAG_formal_parameter":
                    t.params.append(self.type_of(child))
                elif child.tag == "DW_TAG_unspecified_parameters":
                    t.varargs = True
            t.size = 1
        elif kind == "array":
            self._fill_array(t, die)
        else:
            t._loader = lambda: self._members_of(die)
        return t

    def _is_cplus(self, cu: CompileUnit | TypeUnit) -> bool:
        lang = self._langs.get(cu.cu_offset)
        if lang is None:
            lang = attr_int(cu.get_top_DIE(), "DW_AT_language", 0)
            self._langs[cu.cu_offset] = lang
        return lang in _CPLUS_LANGS

    def _fill_enum(self, t: Type, die: DIE) -> None:
        for child in die.iter_children():
            if child.tag == "DW_TAG_enumerator":
                t.enumerators.append((die_name(child) or "?", attr_int(child, "DW_AT_const_value", 0)))
        if t.target is not None and t._size is None:
            t.size = t.target.size
        if t._size is None:
            t.size = 4
        signed = t.target.strip().signed if t.target is not None else any(v < 0 for _, v in t.enumerators)
        # Enumerators are stored unsigned by some producers (DW_FORM_data4 of -3).
        bits = 8 * t.size
        t.enumerators = [(n, v - (1 << bits) if signed and v >= 1 << (bits - 1) else v)
                         for n, v in t.enumerators]
        # gdb's "flag enum": every enumerator zero or a single bit; values then print
        # as (A | B | unknown: 0x8).
        t.flag_enum = all(v >= 0 and bin(v).count("1") <= 1 for _, v in t.enumerators)

    def _fill_array(self, t: Type, die: DIE) -> None:
        element = self.type_of(die)
        dims: list[int | None] = []
        for child in die.iter_children():
            if child.tag not in ("DW_TAG_subrange_type", "DW_TAG_enumeration_type"):
                continue
            count = attr_int(child, "DW_AT_count")
            upper = child.attributes.get("DW_AT_upper_bound")
            lower = attr_int(child, "DW_AT_lower_bound", 0)
            if count is None and upper is not None and upper.form not in (
                    "DW_FORM_exprloc", "DW_FORM_block1", "DW_FORM_ref4", "DW_FORM_sec_offset",
                    "DW_FORM_loclistx"):
                count = upper.value - (lower if isinstance(lower, int) else 0) + 1
            if not isinstance(count, int) or count < 0:
                count = None                      # flexible, or a VLA bound: unknown here
            dims.append(count)
        if not dims:
            dims = [None]
        # int a[2][3] is one DIE with two subranges; model it as C does: an array of
        # 2 arrays of 3 ints, so indexing and printing recurse naturally.
        inner = element
        for count in reversed(dims[1:]):
            inner = Type("array", None, None, inner, count=count)
        t.target, t.count = inner, dims[0]

    @guarded
    def _members_of(self, die: DIE) -> list[Member]:
        members: list[Member] = []
        is_union = die.tag == "DW_TAG_union_type"
        for child in die.iter_children():
            if child.tag != "DW_TAG_member" or attr_int(child, "DW_AT_external", False) \
                    and attr_int(child, "DW_AT_declaration", False):
                continue                          # C++ static members have no storage here
            mtype = self.type_of(child)
            offset = 0 if is_union else _member_offset(child)
            bitsize = attr_int(child, "DW_AT_bit_size", 0)
            bitpos = 0
            if bitsize:
                data_bit = attr_int(child, "DW_AT_data_bit_offset")
                if data_bit is not None:          # DWARF 4+: from the aggregate's start
                    offset, bitpos = 0, data_bit
                else:                             # DWARF 2/3: big-endian style bit_offset
                    storage = attr_int(child, "DW_AT_byte_size") or mtype.size
                    bit_offset = attr_int(child, "DW_AT_bit_offset", 0)
                    bitpos = storage * 8 - bit_offset - bitsize
                offset, bitpos = offset + bitpos // 8, bitpos % 8
            access = _ACCESS.get(attr_int(child, "DW_AT_accessibility", 0))
            members.append(Member(die_name(child), mtype, offset, bitpos, bitsize, access))
        return members


_CPLUS_LANGS = {0x04, 0x1A, 0x21, 0x2B}          # DW_LANG_C_plus_plus, _03, _11, _14
_ACCESS = {1: "public", 2: "protected", 3: "private"}


def _member_offset(die: DIE) -> int:
    a = die.attributes.get("DW_AT_data_member_location")
    if a is None:
        return 0
    value = a.value
    if isinstance(value, int):
        return value
    # DWARF 2 style: an expression, in practice DW_OP_plus_uconst N (or constu N).
    data = bytes(value)
    if data and data[0] in (0x23, 0x10):
        from .dwarf.expr import read_uleb
        return read_uleb(data, 1)[0]
    return 0


def _base(name: str, size: int, encoding: int) -> Type:
    name = _CANONICAL.get(name, name)
    if encoding == 0x02:                                         # boolean
        return Type("bool", name, size)
    if encoding in (0x04, 0x0F, 0x0E):                          # float, decimal float
        return Type("float", name, size)
    if encoding == 0x03:                                         # complex float
        t = Type("complex", name, size)
        t.target = Type("float", {8: "float", 16: "double", 32: "long double"}.get(size, name),
                        size // 2)
        return t
    signed = encoding in (0x05, 0x06, 0x0D)                      # signed, signed char, signed_fixed
    is_char = encoding in (0x06, 0x08, 0x10)                     # (un)signed char, UTF
    return Type("int", name, size, signed=signed, is_char=is_char)
