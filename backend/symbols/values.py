"""Typed values: where they live and their parts.

A `Value` is a type plus either bytes or a memory address read lazily through a
reader (`read(addr, n) -> bytes`, raising BadAddress), so a tree view can hold a
big array or a linked list and fetch only the parts it shows. Values assembled
from DWARF location pieces (registers, implicit values, optimized-out gaps) keep
a per-byte "unavailable" mask. value_format.py gives their text as gdb prints
it; floats.py reads and writes their floating-point bytes.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from ..errors import BadAddress, ExpressionError, TdbgError
from .floats import pack_float, unpack_float
from .small_floats import is_small_float, pack_small_float, small_float_value

# format_float and format_g moved to floats.py; still importable from here.
from .type_names import type_name
from .types import AGGREGATES, VOID, Member, Type, pointer_to

if TYPE_CHECKING:
    from .dwarf.expr import ExprContext, Piece


Reader = Callable[[int, int], bytes]
Symbolizer = Callable[[int], "str | None"]

MAX_VALUE_SIZE = 65536     # gdb's `max-value-size`: bigger values stay lazy


def no_reader(addr: int, n: int) -> bytes:
    raise BadAddress(addr)


class Value:
    __slots__ = ("type", "_data", "address", "reader", "unavailable", "reg", "reg_offset",
                 "bitpos", "bitsize", "error")

    def __init__(self, type: Type, data: bytes | None = None, address: int | None = None,
                 reader: Reader | None = None, *, unavailable: bytes | None = None,
                 reg: str | None = None, reg_offset: int = 0, bitpos: int = 0,
                 bitsize: int = 0, error: str | None = None) -> None:
        self.type = type
        self._data = data
        self.address = address          # set: an lvalue in memory
        self.reader = reader or no_reader
        self.unavailable = unavailable  # per byte: nonzero = optimized out
        self.reg = reg                  # set: an lvalue in this register
        self.reg_offset = reg_offset
        self.bitpos = bitpos            # bitfields: position in the bytes at `address`
        self.bitsize = bitsize
        self.error = error              # the value could not be located at all

    @classmethod
    def optimized_out(cls, t: Type) -> Value:
        return cls(t, bytes(t.size), unavailable=b"\1" * t.size)

    @classmethod
    def from_int(cls, t: Type, n: int) -> Value:
        size = t.size
        return cls(t, (n & ((1 << (8 * size)) - 1)).to_bytes(size, "little"))

    @classmethod
    def from_float(cls, t: Type, x: float | Fraction) -> Value:
        s = t.strip()
        if s.size == 2 and is_small_float(s.name):               # a vector register's lane
            return cls(t, pack_small_float(float(x), s.name or "").to_bytes(2, "little"))
        return cls(t, pack_float(x, s.size))

    @property
    def data(self) -> bytes:
        if self._data is None:
            if self.error is not None:
                raise ExpressionError(self.error)
            if self.address is None:
                raise ExpressionError("value has no contents")
            self._data = bytes(self.reader(self.address, self.type.size))
        return self._data

    def fetch(self) -> Value:
        """Read a lazy value now, so memory errors surface here (gdb reads the
        value it is about to print)."""
        if self.error is not None:
            if self.error.startswith("<"):
                return self                      # a marker such as <not saved> prints as is
            raise ExpressionError(self.error)
        if self._data is None:
            _check_size(self.type)
            _ = self.data
        return self

    @property
    def lazy(self) -> bool:
        return self._data is None

    def is_optimized_out(self, start: int = 0, size: int | None = None) -> bool:
        if self.unavailable is None:
            return False
        end = len(self.unavailable) if size is None else start + size
        return any(self.unavailable[start:end])

    def entirely_optimized_out(self) -> bool:
        return self.unavailable is not None and all(self.unavailable)

    # -- scalars -------------------------------------------------------------
    def as_int(self) -> int:
        t = self.type.strip()
        if t.kind == "float":
            return int(self.as_float())
        if self.is_optimized_out():
            raise ExpressionError("value has been optimized out")
        signed = t.kind in ("int", "flags") and t.signed or t.kind == "enum" and not t.is_unsigned
        return int.from_bytes(self.data[:t.size], "little", signed=signed)

    def as_float(self) -> float | Fraction:
        t = self.type.strip()
        if t.kind == "float":
            if self.is_optimized_out():
                raise ExpressionError("value has been optimized out")
            if t.size == 2 and is_small_float(t.name):         # a vector register's lane
                return small_float_value(int.from_bytes(self.data[:2], "little"), t.name or "")
            return unpack_float(self.data, t.size)
        return self.as_int()

    # -- parts -----------------------------------------------------------------
    def sub(self, t: Type, offset: int) -> Value:
        """The part of this value of type `t` at byte `offset` (member, element)."""
        size = t.size
        mask = None if self.unavailable is None else self.unavailable[offset:offset + size]
        reg = self.reg
        if self._data is None and self.address is not None:
            return Value(t, None, self.address + offset, self.reader, unavailable=mask)
        data = self.data[offset:offset + size]
        if len(data) < size:
            raise ExpressionError("value is too small for its part")
        addr = None if self.address is None else self.address + offset
        return Value(t, data, addr, self.reader, unavailable=mask, reg=reg,
                     reg_offset=self.reg_offset + offset)

    def member_value(self, m: Member, offset: int) -> Value:
        """Member `m` found at byte `offset` from this value's start."""
        if not m.bitsize:
            return self.sub(m.type, offset)
        nbytes = (m.bitpos + m.bitsize + 7) // 8
        raw = self.sub(_bytes_type(nbytes), offset)
        bits = (int.from_bytes(raw.data, "little") >> m.bitpos) & ((1 << m.bitsize) - 1)
        t = m.type.strip()
        if t.kind in ("int", "enum") and not t.is_unsigned and bits >> (m.bitsize - 1):
            bits -= 1 << m.bitsize
        v = Value.from_int(m.type, bits)
        v.address, v.reader, v.bitpos, v.bitsize = raw.address, self.reader, m.bitpos, m.bitsize
        if raw.is_optimized_out():
            v.unavailable = b"\1" * m.type.size
        return v

    def member(self, name: str) -> Value:
        found = self.type.member(name)
        if found is None:
            raise ExpressionError(f"There is no member named {name}.")
        return self.member_value(found[1], found[0])

    def element(self, i: int, reader: Reader | None = None) -> Value:
        """Element `i` of an array value (no bounds check, like C and gdb)."""
        elem = self.type.strip().target
        if elem is None:
            raise ExpressionError("not an array")
        off = i * elem.size
        if self._data is None or not (0 <= off and off + elem.size <= len(self._data)):
            if self.address is None:
                raise ExpressionError("no such vector element")
            return Value(elem, None, self.address + off, reader or self.reader)
        return self.sub(elem, off)

    def deref(self, reader: Reader | None = None) -> Value:
        t = self.type.strip()
        target = t.target if t.target is not None else VOID
        if target.strip().kind == "void":
            raise ExpressionError("Attempt to take contents of a non-pointer value.")
        return Value(target, None, self.as_int(), reader or self.reader)

    def address_of(self) -> Value:
        if self.bitsize:
            raise ExpressionError("Attempt to take address of value not located in memory.")
        if self.address is None:
            raise ExpressionError("Attempt to take address of value not located in memory.")
        return Value.from_int(pointer_to(self.type), self.address)

    def __repr__(self) -> str:
        where = f" @{self.address:#x}" if self.address is not None else ""
        return f"<Value {type_name(self.type)}{where}>"


def _check_size(t: Type) -> None:
    if t.size > MAX_VALUE_SIZE:
        raise ExpressionError(f"value requires {t.size} bytes, which is more than max-value-size")


_raw_types: dict[int, Type] = {}


def _bytes_type(n: int) -> Type:
    if n not in _raw_types:
        _raw_types[n] = Type("int", None, n)
    return _raw_types[n]


# -- building values from DWARF location pieces ----------------------------------

def value_from_pieces(t: Type, pieces: Sequence[Piece], ctx: ExprContext,
                      reader: Reader | None = None) -> Value:
    """A Value for an object whose location expression gave `pieces`; `ctx` is the
    frame's (registers)."""
    from .dwarf.expr import Unavailable
    reader = reader or ctx.read
    size = t.size
    if len(pieces) == 1 and pieces[0].kind == "memory":
        return Value(t, None, pieces[0].addr, reader)
    data, mask = bytearray(), bytearray()
    reg = None
    for p in pieces:
        n = p.size if p.size is not None else size - len(data)
        chunk, missing = b"", False
        try:
            if p.kind == "memory":
                chunk = reader(p.addr, n)
            elif p.kind == "register":
                width = 16 if p.reg.startswith(("xmm", "st")) else 8
                chunk = (ctx.reg(p.reg) & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
                reg = p.reg if len(pieces) == 1 else None
            elif p.kind == "value":
                chunk = (p.value & ((1 << 64) - 1)).to_bytes(8, "little")
            elif p.kind == "implicit":
                chunk = p.data
            else:
                missing = True
        except (Unavailable, TdbgError):
            missing = True
        chunk = chunk[:n].ljust(n, b"\0")
        data += chunk
        mask += (b"\1" if missing else b"\0") * n
    whole, unavailable = bytes(data[:size].ljust(size, b"\0")), bytes(mask[:size].ljust(size, b"\1"))
    return Value(t, whole, None, reader, unavailable=unavailable if any(unavailable) else None, reg=reg)


# -- children for a lazy tree view ---------------------------------------------------

def children(value: Value, start: int = 0, count: int = 100) -> list[tuple[str, Value]]:
    """What a tree view shows under a value: members, array elements [start,
    start+count), or the pointee of a pointer ("*")."""
    t = value.type.strip()
    if value.error is not None or value.entirely_optimized_out():
        return []
    if t.kind in AGGREGATES:
        return [(m.name or "<anonymous>", value.member_value(m, m.offset)) for m in t.members]
    if t.kind == "array":
        end = t.count if t.count is not None else start + count
        return [(f"[{i}]", value.element(i)) for i in range(start, min(end, start + count))]
    if t.kind == "pointer" and has_children(value):
        return [("*", value.deref())]
    return []


def has_children(value: Value) -> bool:
    t = value.type.strip()
    if t.kind in AGGREGATES:
        return bool(t.members)
    if t.kind == "array":
        return t.count is None or t.count > 0
    if t.kind == "pointer":
        target = (t.target or VOID).strip()
        if target.kind in ("void", "func"):
            return False
        try:
            return value.as_int() != 0
        except TdbgError:
            return False
    return False
