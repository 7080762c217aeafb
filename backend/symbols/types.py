"""C types from DWARF DIEs, and their names as gdb prints them.

`TypeTable.from_die` turns a type DIE into a `Type`, once per DIE offset; struct
members are read on first use, so self-referencing types (`struct node *next`)
and big programs cost nothing until someone looks. Qualifiers (const, volatile,
restrict, _Atomic) and typedefs are nodes of their own, as in DWARF; `strip`
peels them when the representation matters. C's built-in types (`c_type`) exist
without DWARF, for literals, casts and registers.

`type_name` and `ptype_text` follow gdb 13's C type printer (c-typeprint.c):
canonical base names (`unsigned long`, not DWARF's `long unsigned int`), `int *
const`, `char (*)[4]`, `int (*)(int, int)`, struct bodies one level deep.
"""
from __future__ import annotations

from dataclasses import dataclass

QUALIFIERS = {"const": "const", "volatile": "volatile", "restrict": "restrict", "atomic": "_Atomic"}
AGGREGATES = ("struct", "union", "class")

# gcc's DWARF base type names -> the spelling gdb prints.
_CANONICAL = {
    "long int": "long", "long unsigned int": "unsigned long", "short int": "short",
    "short unsigned int": "unsigned short", "long long int": "long long",
    "long long unsigned int": "unsigned long long", "__int128 unsigned": "unsigned __int128",
    "char unsigned": "unsigned char", "char signed": "signed char",
}


@dataclass(eq=False, slots=True)
class Member:
    name: str | None          # None: an anonymous struct/union member
    type: "Type"
    offset: int               # bytes from the start of the aggregate
    bitpos: int = 0           # bitfields: bit offset from `offset` (little-endian)
    bitsize: int = 0          # 0: not a bitfield
    access: str | None = None # C++: "public" | "protected" | "private"


class Type:
    """One C type. `kind` is one of: void int bool float complex pointer ref rvref
    array struct union class enum typedef const volatile restrict atomic func flags."""

    __slots__ = ("kind", "name", "_size", "target", "signed", "is_char", "nottext",
                 "count", "enumerators", "params", "varargs", "prototyped",
                 "declaration", "_members", "_loader", "flag_enum", "die_offset", "bits",
                 "cplus")

    def __init__(self, kind: str, name: str | None = None, size: int | None = None,
                 target: "Type | None" = None, *, signed: bool = False, is_char: bool = False,
                 count: int | None = None, die_offset: int | None = None) -> None:
        self.kind = kind
        self.name = name
        self._size = size
        self.target = target
        self.signed = signed
        self.is_char = is_char
        self.nottext = False            # 1-byte ints that are data, not text (gdb's int8_t)
        self.count = count              # arrays: element count; None = flexible / unknown
        self.enumerators: list[tuple[str, int]] = []
        self.params: list[Type] = []
        self.varargs = False
        self.prototyped = True
        self.declaration = False        # an incomplete struct/union/enum
        self._members: list[Member] | None = None
        self._loader = None             # builds members on first use
        self.flag_enum = False
        self.die_offset = die_offset
        self.bits: list[tuple[str, int]] = []   # flags registers: (name, bit)
        self.cplus = False              # from a C++ unit: no `struct` before its name

    # -- shape -------------------------------------------------------------
    @property
    def size(self) -> int:
        if self._size is not None:
            return self._size
        if self.kind in ("typedef",) + tuple(QUALIFIERS):
            return self.target.size if self.target is not None else 0
        if self.kind == "array":
            return (self.count or 0) * self.target.size
        if self.kind in ("pointer", "ref", "rvref"):
            return 8
        if self.kind == "func":
            return 1                    # gdb: sizeof a function is 1
        return 0

    @size.setter
    def size(self, value: int) -> None:
        self._size = value

    @property
    def members(self) -> list[Member]:
        if self._members is None:
            loader, self._loader = self._loader, None
            self._members = []
            if loader is not None:
                self._members = loader()
        return self._members

    @members.setter
    def members(self, value: list[Member]) -> None:
        self._members = value

    def strip(self) -> "Type":
        """The type without typedefs and qualifiers (gdb's check_typedef)."""
        t = self
        while t.kind == "typedef" or t.kind in QUALIFIERS:
            if t.target is None:
                return VOID
            t = t.target
        return t

    def quals(self) -> tuple[str, ...]:
        """Qualifiers on this type before the next non-qualifier node."""
        out, t = [], self
        while t.kind in QUALIFIERS:
            out.append(QUALIFIERS[t.kind])
            t = t.target if t.target is not None else VOID
        return tuple(out)

    def unqualified(self) -> "Type":
        t = self
        while t.kind in QUALIFIERS:
            t = t.target if t.target is not None else VOID
        return t

    @property
    def is_integral(self) -> bool:
        return self.strip().kind in ("int", "bool", "enum", "flags")

    @property
    def is_arithmetic(self) -> bool:
        return self.strip().kind in ("int", "bool", "enum", "float", "flags")

    @property
    def is_scalar(self) -> bool:
        return self.strip().kind in ("int", "bool", "enum", "float", "pointer", "flags")

    @property
    def is_unsigned(self) -> bool:
        t = self.strip()
        if t.kind == "enum":
            return not any(v < 0 for _, v in t.enumerators)
        return t.kind in ("pointer", "bool") or (t.kind in ("int", "flags") and not t.signed)

    def member(self, name: str) -> tuple[int, Member] | None:
        """Find a member, looking into anonymous struct/union members; returns
        (byte offset from this type's start, member)."""
        for m in self.strip().members:
            if m.name == name:
                return m.offset, m
            if m.name is None and m.type.strip().kind in AGGREGATES:
                found = m.type.member(name)
                if found is not None:
                    return m.offset + found[0], found[1]
        return None

    def __repr__(self) -> str:
        return f"<Type {type_name(self)}>"


# -- C built-in types ---------------------------------------------------------

VOID = Type("void", "void", 1)


def _int(name: str, size: int, signed: bool, is_char: bool = False) -> Type:
    return Type("int", name, size, signed=signed, is_char=is_char)


_BUILTINS: dict[str, Type] = {t.name: t for t in (
    _int("char", 1, True, True), _int("signed char", 1, True, True),
    _int("unsigned char", 1, False, True), _int("short", 2, True),
    _int("unsigned short", 2, False), _int("int", 4, True), _int("unsigned int", 4, False),
    _int("long", 8, True), _int("unsigned long", 8, False), _int("long long", 8, True),
    _int("unsigned long long", 8, False), _int("__int128", 16, True),
    _int("unsigned __int128", 16, False), Type("bool", "_Bool", 1),
    Type("float", "float", 4), Type("float", "double", 8), Type("float", "long double", 16),
    VOID)}

# Other spellings of the same types: C lets the words come in any order.
_WORDS = {"signed", "unsigned", "char", "short", "int", "long", "float", "double",
          "_Bool", "void", "__int128"}


def c_type(name: str) -> Type | None:
    """A C built-in type from its spelling ("unsigned long int", "long double")."""
    words = name.split()
    if not words or any(w not in _WORDS for w in words):
        return None
    if words == ["_Bool"] or words == ["void"] or words == ["float"] or words == ["double"]:
        return _BUILTINS["_Bool" if words == ["_Bool"] else words[0]]
    longs = words.count("long")
    if "double" in words:
        return _BUILTINS["long double"] if longs == 1 and len(words) == 2 else None
    unsigned = "unsigned" in words
    if "char" in words:
        base = "unsigned char" if unsigned else "signed char" if "signed" in words else "char"
        return _BUILTINS[base] if len(words) <= 2 else None
    if "__int128" in words:
        return _BUILTINS["unsigned __int128" if unsigned else "__int128"]
    base = "short" if "short" in words else "long long" if longs == 2 else "long" if longs else "int"
    return _BUILTINS[("unsigned " if unsigned else "") + base]


_derived: dict[tuple[str, int, int | None], Type] = {}


def pointer_to(t: Type) -> Type:
    key = ("pointer", id(t), None)
    if key not in _derived:
        _derived[key] = Type("pointer", None, 8, t)
    return _derived[key]


def array_of(t: Type, count: int | None) -> Type:
    key = ("array", id(t), count)
    if key not in _derived:
        _derived[key] = Type("array", None, None, t, count=count)
    return _derived[key]


def func_type(ret: Type | None, params: list[Type] = (), *, prototyped: bool = True,
              varargs: bool = False) -> Type:
    t = Type("func", None, 1, ret)
    t.params, t.prototyped, t.varargs = list(params), prototyped, varargs
    return t


# -- from DWARF -----------------------------------------------------------------

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


def attr_int(die, name: str, default=None):
    a = die.attributes.get(name)
    return default if a is None else a.value


def die_name(die) -> str | None:
    a = die.attributes.get("DW_AT_name")
    if a is None:
        return None
    v = a.value
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def ref_die(die, attr_name: str):
    """The DIE an attribute of reference class points at (same CU or not)."""
    a = die.attributes.get(attr_name)
    if a is None:
        return None
    if a.form in ("DW_FORM_ref_addr", "DW_FORM_GNU_ref_alt"):
        return die.dwarfinfo.get_DIE_from_refaddr(a.value)
    return die.cu.get_DIE_from_refaddr(a.value + die.cu.cu_offset)


class TypeTable:
    """Types of one DWARFInfo, built on demand and cached by DIE offset."""

    def __init__(self, dwarfinfo) -> None:
        self.dwarf = dwarfinfo
        self._cache: dict[int, Type] = {}
        self._langs: dict[int, int] = {}

    def from_die(self, die) -> Type:
        t = self._cache.get(die.offset)
        if t is None:
            t = self._build(die)
        return t

    def type_of(self, die) -> Type:
        """The type a DIE's DW_AT_type names; void when it names none."""
        target = ref_die(die, "DW_AT_type")
        return VOID if target is None else self.from_die(target)

    def _build(self, die) -> Type:
        kind = _TAG_KIND.get(die.tag)
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

    def _is_cplus(self, cu) -> bool:
        lang = self._langs.get(cu.cu_offset)
        if lang is None:
            lang = attr_int(cu.get_top_DIE(), "DW_AT_language", 0)
            self._langs[cu.cu_offset] = lang
        return lang in _CPLUS_LANGS

    def _fill_enum(self, t: Type, die) -> None:
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

    def _fill_array(self, t: Type, die) -> None:
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

    def _members_of(self, die) -> list[Member]:
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


def _member_offset(die) -> int:
    a = die.attributes.get("DW_AT_data_member_location")
    if a is None:
        return 0
    if isinstance(a.value, int):
        return a.value
    # DWARF 2 style: an expression, in practice DW_OP_plus_uconst N (or constu N).
    data = bytes(a.value)
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


# -- names, as gdb prints them -------------------------------------------------

def type_name(t: Type, varname: str = "") -> str:
    """`struct node *`, `int [10]`, `char (*)[4]`, `int (*)(int)`; with `varname`,
    a declaration (`int (*op)(int, int)`)."""
    return _print(t, varname, show=-1, level=0)


def ptype_text(t: Type) -> str:
    """gdb's `ptype`: typedefs at the top resolved, struct/union/enum bodies shown."""
    return _print(t, "", show=1, level=0)


def whatis_text(t: Type, named: bool = False) -> str:
    """gdb's `whatis`: the type's name; for a typedef name typed by the user
    (`whatis point_t`), what it stands for, one level down."""
    return type_name(t.target if named and t.kind == "typedef" and t.target else t)


def _print(t: Type, varname: str, show: int, level: int) -> str:
    if show > 0:
        # ptype resolves typedefs at the top, keeping qualifiers written on them.
        quals = t.quals()
        t = t.unqualified()
        while t.kind == "typedef" and t.target is not None:
            t = t.target
        for q in reversed(quals):
            t = _qualified(t, q)
    base = _base_text(t, show, level)
    core = t.unqualified()
    need_space = bool(varname) or (
        (show > 0 or core.name is None) and core.kind in ("pointer", "func", "array", "ref", "rvref"))
    prefix = _prefix(t, False, bool(varname))
    suffix = _suffix(t, False)
    return base + (" " if need_space else "") + prefix + varname + suffix


_qual_cache: dict[tuple[int, str], Type] = {}


def _qualified(t: Type, q: str) -> Type:
    kind = next(k for k, v in QUALIFIERS.items() if v == q)
    key = (id(t), kind)
    if key not in _qual_cache:
        _qual_cache[key] = Type(kind, None, None, t)
    return _qual_cache[key]


def _modifiers(t: Type) -> str:
    return "".join(q + " " for q in t.quals())


def _base_text(t: Type, show: int, level: int) -> str:
    mods = _modifiers(t)
    t = t.unqualified()
    if show <= 0 and t.name is not None and t.kind not in ("pointer", "array", "func"):
        tag = t.kind + " " if t.kind in ("struct", "union", "enum", "class") and not t.cplus else ""
        return mods + tag + t.name
    if t.kind in ("pointer", "array", "func", "ref", "rvref"):
        # Qualifiers of a pointer print after its star (`int * const`), not here.
        return _base_text(t.target or VOID, show, level)
    if t.kind in AGGREGATES:
        return mods + _aggregate_text(t, show, level)
    if t.kind == "enum":
        out = mods + "enum "
        if t.name is not None:
            out += t.name + (" " if show > 0 else "")
        if show < 0:
            return out + ("{...}" if t.name is None else "")
        parts, last = [], 0
        for name, value in t.enumerators:
            parts.append(name if value == last else f"{name} = {value}")
            last = value + 1
        return out + "{" + ", ".join(parts) + "}"
    if t.kind == "typedef":
        return mods + (t.name or _base_text(t.target or VOID, show, level))
    return mods + (t.name or "?")


def _aggregate_text(t: Type, show: int, level: int) -> str:
    out = t.kind + " "
    if t.name is not None:
        out += t.name + (" " if show > 0 else "")
    if show < 0:
        return out + ("{...}" if t.name is None else "")
    if show == 0 and t.name is not None:
        return out.rstrip()
    lines = [out + "{"]
    members = t.members
    if not members:
        note = "<incomplete type>" if t.declaration else "<no data fields>"
        lines.append(" " * (level + 4) + note)
    # C++ classes show access labels, each time the access changes (gdb's rule).
    default = "private" if t.kind == "class" else "public"
    labels = t.cplus and any((m.access or default) != "public" for m in members) or \
        t.cplus and t.kind == "class"
    section = None
    for m in members:
        access = m.access or default
        if labels and access != section:
            lines.append(" " * (level + 2) + access + ":")
            section = access
        decl = _print(m.type, m.name or "", show - 1, level + 4)
        if m.bitsize:
            decl += f" : {m.bitsize}"
        lines.append(" " * (level + 4) + decl + ";")
    lines.append(" " * level + "}")
    return "\n".join(lines)


def _prefix(t: Type, passed_ptr: bool, need_post_space: bool) -> str:
    quals = t.quals()
    t = t.unqualified()
    if t.name is not None and t.kind not in ("pointer", "array", "func"):
        return ""
    if t.kind in ("pointer", "ref", "rvref"):
        sym = {"pointer": "*", "ref": "&", "rvref": "&&"}[t.kind]
        out = _prefix(t.target or VOID, True, True) + sym
        if quals:
            out += " " + " ".join(quals) + (" " if need_post_space else "")
        return out
    if t.kind in ("array", "func"):
        return _prefix(t.target or VOID, False, False) + ("(" if passed_ptr else "")
    return ""


def _suffix(t: Type, passed_ptr: bool) -> str:
    t = t.unqualified()
    if t.name is not None and t.kind not in ("pointer", "array", "func"):
        return ""
    if t.kind == "array":
        dim = "" if t.count is None else str(t.count)
        return (")" if passed_ptr else "") + f"[{dim}]" + _suffix(t.target, False)
    if t.kind in ("pointer", "ref", "rvref"):
        return _suffix(t.target or VOID, True)
    if t.kind == "func":
        return (")" if passed_ptr else "") + _args_text(t) + _suffix(t.target or VOID, passed_ptr)
    return ""


def _args_text(t: Type) -> str:
    parts = [_print(p, "", 0, 0) for p in t.params]
    if parts and t.varargs:
        parts.append("...")
    elif not parts and t.prototyped:
        parts.append("void")
    return "(" + ", ".join(parts) + ")"
