"""C types: the `Type` model, C's built-in types, and derived pointer/array/function types.

Qualifiers (const, volatile, restrict, _Atomic) and typedefs are nodes of their
own, as in DWARF; `strip` peels them when the representation matters. C's
built-in types (`c_type`) exist without DWARF, for literals, casts and
registers. Struct members are read on first use (see dwarf_types.py, which
builds Types from DWARF DIEs), so self-referencing types cost nothing until
someone looks. type_names.py prints them as gdb does.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

QUALIFIERS = {"const": "const", "volatile": "volatile", "restrict": "restrict", "atomic": "_Atomic"}
AGGREGATES = ("struct", "union", "class")
_WRAPPERS = frozenset(("typedef", *QUALIFIERS))     # nodes whose size is their target's


@dataclass(eq=False, slots=True)
class Member:
    name: str | None          # None: an anonymous struct/union member
    type: Type
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
                 target: Type | None = None, *, signed: bool = False, is_char: bool = False,
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
        self._loader: Callable[[], list[Member]] | None = None   # builds members on first use
        self.flag_enum = False
        self.die_offset = die_offset
        self.bits: list[tuple[str, int]] = []   # flags registers: (name, bit)
        self.cplus = False              # from a C++ unit: no `struct` before its name

    # -- shape -------------------------------------------------------------
    @property
    def size(self) -> int:
        if self._size is not None:
            return self._size
        if self.kind in _WRAPPERS:
            return self.target.size if self.target is not None else 0
        if self.kind == "array":
            return (self.count or 0) * self.target.size if self.target is not None else 0
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

    def strip(self) -> Type:
        """The type without typedefs and qualifiers (gdb's check_typedef)."""
        t = self
        while t.kind == "typedef" or t.kind in QUALIFIERS:
            if t.target is None:
                return VOID
            t = t.target
        return t

    def quals(self) -> tuple[str, ...]:
        """Qualifiers on this type before the next non-qualifier node."""
        out: list[str] = []
        t = self
        while t.kind in QUALIFIERS:
            out.append(QUALIFIERS[t.kind])
            t = t.target if t.target is not None else VOID
        return tuple(out)

    def unqualified(self) -> Type:
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
        return f"<Type {self.kind} {self.name or '?'}>"   # gdb's spelling: type_names.py


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
    VOID) if t.name is not None}

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


def func_type(ret: Type | None, params: Sequence[Type] = (), *, prototyped: bool = True,
              varargs: bool = False) -> Type:
    t = Type("func", None, 1, ret)
    t.params, t.prototyped, t.varargs = list(params), prototyped, varargs
    return t
