"""Typed values: where they live, their parts, and their text as gdb 13 prints it.

A `Value` is a type plus either bytes or a memory address read lazily through a
reader (`read(addr, n) -> bytes`, raising BadAddress), so a tree view can hold a
big array or a linked list and fetch only the parts it shows. Values assembled
from DWARF location pieces (registers, implicit values, optimized-out gaps) keep
a per-byte "unavailable" mask; formatting prints `<optimized out>` for any
scalar that touches an unavailable byte, as gdb does.

`format_value` reproduces gdb's `print` (top=True: pointers get a `(type *)`
prefix) and `info locals` (top=False). The string and array rules (repeat
blocks, 200-element limit, UTF-8 decoding, octal escapes) follow valprint.c.
"""
from __future__ import annotations

import struct
from fractions import Fraction
from typing import Callable

from ..errors import BadAddress, ExpressionError, TdbgError
from .types import AGGREGATES, VOID, Type, pointer_to, type_name

Reader = Callable[[int, int], bytes]
Symbolizer = Callable[[int], "str | None"]

PRINT_MAX = 200            # gdb's `print elements`
REPEAT_THRESHOLD = 10      # gdb's `print repeats`
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
    def optimized_out(cls, t: Type) -> "Value":
        return cls(t, bytes(t.size), unavailable=b"\1" * t.size)

    @classmethod
    def from_int(cls, t: Type, n: int) -> "Value":
        size = t.size
        return cls(t, (n & ((1 << (8 * size)) - 1)).to_bytes(size, "little"))

    @classmethod
    def from_float(cls, t: Type, x: float | Fraction) -> "Value":
        return cls(t, pack_float(x, t.strip().size))

    @property
    def data(self) -> bytes:
        if self._data is None:
            if self.error is not None:
                raise ExpressionError(self.error)
            if self.address is None:
                raise ExpressionError("value has no contents")
            self._data = bytes(self.reader(self.address, self.type.size))
        return self._data

    def fetch(self) -> "Value":
        """Read a lazy value now, so memory errors surface here (gdb reads the
        value it is about to print)."""
        if self.error is not None:
            if self.error.startswith("<"):
                return self                      # a marker such as <not saved> prints as is
            raise ExpressionError(self.error)
        if self._data is None:
            _check_size(self.type)
            self.data
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
            return int(unpack_float(self.data, t.size))
        if self.is_optimized_out():
            raise ExpressionError("value has been optimized out")
        signed = t.kind in ("int", "flags") and t.signed or t.kind == "enum" and not t.is_unsigned
        return int.from_bytes(self.data[:t.size], "little", signed=signed)

    def as_float(self) -> float | Fraction:
        t = self.type.strip()
        if t.kind == "float":
            if self.is_optimized_out():
                raise ExpressionError("value has been optimized out")
            return unpack_float(self.data, t.size)
        return self.as_int()

    # -- parts -----------------------------------------------------------------
    def sub(self, t: Type, offset: int) -> "Value":
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

    def member_value(self, m, offset: int) -> "Value":
        """Member `m` (types.Member) found at byte `offset` from this value's start."""
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

    def member(self, name: str) -> "Value":
        found = self.type.member(name)
        if found is None:
            raise ExpressionError(f"There is no member named {name}.")
        return self.member_value(found[1], found[0])

    def element(self, i: int, reader: Reader | None = None) -> "Value":
        """Element `i` of an array value (no bounds check, like C and gdb)."""
        elem = self.type.strip().target
        off = i * elem.size
        if self._data is None or not (0 <= off and off + elem.size <= len(self._data)):
            if self.address is None:
                raise ExpressionError("no such vector element")
            return Value(elem, None, self.address + off, reader or self.reader)
        return self.sub(elem, off)

    def deref(self, reader: Reader | None = None) -> "Value":
        t = self.type.strip()
        target = t.target if t.target is not None else VOID
        if target.strip().kind == "void":
            raise ExpressionError("Attempt to take contents of a non-pointer value.")
        return Value(target, None, self.as_int(), reader or self.reader)

    def address_of(self) -> "Value":
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

def value_from_pieces(t: Type, pieces, ctx, reader: Reader | None = None) -> Value:
    """A Value for an object whose location expression gave `pieces` (expr.Piece).
    `ctx` is the expr.ExprContext of the frame (registers)."""
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
    data, mask = bytes(data[:size].ljust(size, b"\0")), bytes(mask[:size].ljust(size, b"\1"))
    return Value(t, data, None, reader, unavailable=mask if any(mask) else None, reg=reg)


# -- floats ------------------------------------------------------------------------

def unpack_float(data: bytes, size: int) -> float | Fraction:
    if size == 4:
        return struct.unpack("<f", data[:4])[0]
    if size == 8:
        return struct.unpack("<d", data[:8])[0]
    return _x87_value(data)


def _x87_value(data: bytes) -> float | Fraction:
    """The 80-bit x87 extended value as an exact Fraction (or inf/nan as float)."""
    mant = int.from_bytes(data[:8], "little")
    se = int.from_bytes(data[8:10], "little")
    sign, exp = -1 if se & 0x8000 else 1, se & 0x7FFF
    if exp == 0x7FFF:
        return sign * float("inf") if mant << 1 & (1 << 64) - 1 == 0 else float("nan")
    if exp == 0:
        exp = 1                                    # denormal: same scale as the smallest normal
    return sign * Fraction(mant) * Fraction(2) ** (exp - 16383 - 63)


def pack_float(x: float | Fraction, size: int) -> bytes:
    if size == 4:
        return struct.pack("<f", float(x))
    if size == 8:
        return struct.pack("<d", float(x))
    return _x87_bytes(x).ljust(size, b"\0")


def _x87_bytes(x) -> bytes:
    if isinstance(x, float) and (x != x or x in (float("inf"), float("-inf"))):
        sign = 0x8000 if x < 0 or (x != x and str(x).startswith("-")) else 0
        mant = 1 << 63 | (1 << 62 if x != x else 0)
        return mant.to_bytes(8, "little") + (sign | 0x7FFF).to_bytes(2, "little")
    f = Fraction(x)
    negative_zero = isinstance(x, float) and x == 0 and str(x)[0] == "-"
    sign = 0x8000 if f < 0 or negative_zero else 0
    f = abs(f)
    if f == 0:
        return bytes(8) + sign.to_bytes(2, "little")
    e = f.numerator.bit_length() - f.denominator.bit_length()
    while f >= Fraction(2) ** (e + 1):
        e += 1
    while f < Fraction(2) ** e:
        e -= 1
    mant = round(f / Fraction(2) ** (e - 63))
    if mant >> 64:
        mant, e = mant >> 1, e + 1
    return mant.to_bytes(8, "little") + (sign | (e + 16383)).to_bytes(2, "little")


def format_float(data: bytes, size: int) -> str:
    """gdb's %g with enough digits to round-trip: 9 for float, 17 for double,
    21 for the x87 long double."""
    if size == 4:
        bits, mbits, ebits = int.from_bytes(data[:4], "little"), 23, 8
    elif size == 8:
        bits, mbits, ebits = int.from_bytes(data[:8], "little"), 52, 11
    else:
        bits, mbits, ebits = int.from_bytes(data[:10], "little"), 64, 15
    sign = "-" if bits >> (mbits + ebits) & 1 else ""
    mantissa = bits & ((1 << mbits) - 1)
    if (bits >> mbits) & ((1 << ebits) - 1) == (1 << ebits) - 1:
        if size > 8:
            mantissa &= (1 << 63) - 1
        if mantissa == 0:
            return sign + "inf"
        return f"{sign}nan({bits & ((1 << mbits) - 1):#x})"
    if size == 4:
        return "%.9g" % struct.unpack("<f", data[:4])[0]
    if size == 8:
        return "%.17g" % struct.unpack("<d", data[:8])[0]
    return sign + format_g(abs(_x87_value(data)), 21)          # keeps -0's sign


def format_g(x: Fraction, prec: int) -> str:
    """C's %.{prec}g of an exact rational, rounding half to even like glibc."""
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    x = abs(x)
    e = len(str(x.numerator)) - len(str(x.denominator))
    while x >= Fraction(10) ** (e + 1):
        e += 1
    while x < Fraction(10) ** e:
        e -= 1
    digits = round(x * Fraction(10) ** (prec - 1 - e))
    if digits >= 10 ** prec:
        digits, e = round(x * Fraction(10) ** (prec - 2 - e)), e + 1
    text = str(digits)
    if -4 <= e < prec:
        if e >= 0:
            whole, frac = text[:e + 1], text[e + 1:]
        else:
            whole, frac = "0", "0" * (-e - 1) + text
        frac = frac.rstrip("0")
        return sign + whole + ("." + frac if frac else "")
    frac = text[1:].rstrip("0")
    return f"{sign}{text[0]}{'.' + frac if frac else ''}e{'-' if e < 0 else '+'}{abs(e):02d}"


# -- formatting ---------------------------------------------------------------------

_EFLAGS_BITS = [("CF", 0), ("PF", 2), ("AF", 4), ("ZF", 6), ("SF", 7), ("TF", 8),
                ("IF", 9), ("DF", 10), ("OF", 11), ("NT", 14), ("RF", 16), ("VM", 17),
                ("AC", 18), ("VIF", 19), ("VIP", 20), ("ID", 21)]


def format_value(value: Value, reader: Reader | None = None, symbolize: Symbolizer | None = None,
                 *, top: bool = True) -> str:
    """The text gdb prints for `value`: after `$1 = ` (top=True) or after `name = `
    in `info locals` (top=False)."""
    return Formatter(reader, symbolize).format(value, top)


class Formatter:
    def __init__(self, reader: Reader | None = None, symbolize: Symbolizer | None = None,
                 print_max: int = PRINT_MAX, repeats: int = REPEAT_THRESHOLD) -> None:
        self.reader = reader
        self.symbolize = symbolize or (lambda addr: None)
        self.print_max = print_max
        self.repeats = repeats

    def format(self, v: Value, top: bool = True) -> str:
        try:
            if v.error is not None:
                return _error_text(v.error)
            if v.entirely_optimized_out():
                return "<optimized out>"
            prefix = ""
            t = v.type.strip()
            if top and t.kind in ("pointer", "ref", "rvref") and not _is_char_pointer(v.type):
                prefix = f"({type_name(v.type)}) "
            return prefix + self._value(v)
        except TdbgError as e:
            return f"<error: {e}>"

    def _value(self, v: Value) -> str:
        t = v.type.strip()
        kind = t.kind
        if v.error is not None:
            return _error_text(v.error)
        if v.lazy and kind in AGGREGATES + ("array",) and t.size > MAX_VALUE_SIZE:
            return f"<error: value requires {t.size} bytes, which is more than max-value-size>"
        if kind in AGGREGATES:
            return self._aggregate(v, t)
        if kind == "array":
            return self._array(v, t)
        if kind == "void":
            return "void"
        if kind == "func":
            sym = self._sym(v.address) if v.address is not None else ""
            return f"{{{type_name(v.type)}}} {v.address or 0:#x}{sym}"
        try:
            data = v.data
        except BadAddress as e:
            return f"<error: {e}>"
        if v.is_optimized_out(0, t.size):
            return "<optimized out>"
        if kind == "int":
            n = int.from_bytes(data[:t.size], "little", signed=t.signed)
            if _textual(v.type):
                return f"{n} {char_literal(data[0])}"
            return str(n)
        if kind == "bool":
            n = int.from_bytes(data[:t.size], "little")
            return {0: "false", 1: "true"}.get(n, str(n))
        if kind == "float":
            return format_float(data, t.size)
        if kind == "complex":
            half = t.size // 2
            return f"{format_float(data[:half], half)} + {format_float(data[half:], half)}i"
        if kind == "enum":
            return _enum_text(t, v.as_int())
        if kind == "flags":
            n = int.from_bytes(data[:t.size], "little")
            return "[ " + "".join(f"{name} " for name, bit in (t.bits or _EFLAGS_BITS)
                                  if n >> bit & 1) + "]"
        if kind == "pointer":
            return self._pointer(v, t, int.from_bytes(data[:8], "little"))
        if kind in ("ref", "rvref"):
            addr = int.from_bytes(data[:8], "little")
            target = Value(t.target, None, addr, self._reader(v))
            return f"@{addr:#x}: {self.format(target, top=False)}"
        return data.hex()

    def _reader(self, v: Value) -> Reader:
        return self.reader or v.reader

    def _sym(self, addr: int) -> str:
        name = self.symbolize(addr)
        return f" <{name}>" if name else ""

    def _pointer(self, v: Value, t: Type, addr: int) -> str:
        target = t.target if t.target is not None else VOID
        text = f"{addr:#x}{self._sym(addr)}"
        if target.strip().kind == "func":
            return text
        if _textual(target) and addr != 0:
            return text + " " + self.c_string(addr, self._reader(v))
        return text

    def c_string(self, addr: int, read: Reader) -> str:
        """gdb's val_print_string for a char pointer: up to `print elements`
        chars or the NUL, then `...` if the string goes on."""
        buf, err_addr = bytearray(), None
        pos = addr
        while len(buf) < self.print_max:
            want = min(self.print_max - len(buf), 64, 4096 - pos % 4096)
            try:
                chunk = read(pos, want)
            except TdbgError:
                err_addr = pos
                break
            nul = chunk.find(0)
            if nul >= 0:
                buf += chunk[:nul + 1]
                break
            buf += chunk
            pos += want
        found_nul = bool(buf) and buf[-1] == 0
        force = False
        if err_addr is None and not found_nul:
            try:
                force = read(addr + len(buf), 1) != b"\0"
            except TdbgError:
                force = False
        out = ""
        if err_addr is None or buf:
            out = self.string(bytes(buf), force)
        if err_addr is not None:
            out += f"<error: Cannot access memory at address {err_addr:#x}>"
        return out

    def string(self, raw: bytes, force_ellipsis: bool = False) -> str:
        """gdb's generic_printstr for 1-byte characters (quote `"`)."""
        if not force_ellipsis and raw and raw[-1] == 0:
            raw = raw[:-1]
        if not raw:
            return '""'
        groups = _char_groups(raw)
        shown, count = [], 0
        for g in groups:
            if count >= self.print_max:
                break
            shown.append(g)
            count += g[2]
        finished = len(shown) == len(groups)
        out, state = [], "start"
        for kind, payload, reps in shown:
            if kind == "incomplete":
                if state == "single":
                    out.append('"')
                if state != "start":
                    out.append(", ")
                out.append("<incomplete sequence " + _escape(None, payload, '"') + ">")
                state = "finish"
                break
            text = _escape(payload if kind == "ok" else None, payload if kind != "ok" else
                           payload.encode(), '"')
            if reps > self.repeats:
                if state == "single":
                    out.append('"')
                if state != "start":
                    out.append(", ")
                out.append(f"'{text}' <repeats {reps} times>")
                state = "repeat"
            else:
                if state != "single":
                    if state != "start":
                        out.append(", ")
                    out.append('"')
                out.append(text * reps)
                state = "single"
        if state == "single":
            out.append('"')
        if force_ellipsis or not finished:
            out.append("...")
        return "".join(out)

    def _array(self, v: Value, t: Type) -> str:
        elem = t.target
        if not t.count or elem.size == 0:
            # Unknown length (flexible array member): gdb shows where it starts.
            return self._pointer(v, t, v.address or 0) if v.address is not None else "{}"
        try:
            data = v.data
        except BadAddress as e:
            return f"<error: {e}>"
        if _textual(elem) and not v.is_optimized_out():
            return self.string(data[:t.count])
        size, n = elem.size, t.count
        parts, printed, i = [], 0, 0
        mask = v.unavailable
        while i < n and printed < self.print_max:
            chunk = data[i * size:(i + 1) * size]
            mchunk = mask[i * size:(i + 1) * size] if mask else None
            j = i + 1
            while j < n and data[j * size:(j + 1) * size] == chunk and (
                    not mask or mask[j * size:(j + 1) * size] == mchunk):
                j += 1
            text = self._value(v.sub(elem, i * size))
            if j - i > self.repeats:
                parts.append(f"{text} <repeats {j - i} times>")
                printed += self.repeats
                i = j
            else:
                parts.append(text)
                printed += 1
                i += 1
        return "{" + ", ".join(parts) + ("..." if i < n else "") + "}"

    def _aggregate(self, v: Value, t: Type) -> str:
        if t.declaration and not t.members:
            return "<incomplete type>"
        if not t.members:
            return "{<No data fields>}"
        if v.entirely_optimized_out():
            return "<optimized out>"
        try:
            v.data
        except BadAddress as e:
            return f"<error: {e}>"
        parts = []
        for m in t.members:
            text = self._value(v.member_value(m, m.offset))
            parts.append(text if m.name is None else f"{m.name} = {text}")
        return "{" + ", ".join(parts) + "}"


def _error_text(error: str) -> str:
    # "<not saved>" (a register the frame lost) is a marker, not a message.
    return error if error.startswith("<") else f"<error: {error}>"


def _is_char_pointer(t: Type) -> bool:
    """gdb omits the `(type)` prefix only for unnamed pointers to plain `char`."""
    t = t.unqualified()
    if t.kind != "pointer" or t.name is not None or t.target is None:
        return False
    return t.target.unqualified().name == "char"


def _textual(t: Type) -> bool:
    """gdb's c_textual_element_type: one-byte integers are characters."""
    s = t.strip()
    return s.kind == "int" and s.size == 1 and not s.nottext


def _enum_text(t: Type, n: int) -> str:
    for name, value in t.enumerators:
        if value == n:
            return name
    if not t.flag_enum:
        return str(n)
    names = []
    for name, value in t.enumerators:
        if n & value:
            names.append(name)
            n &= ~value
    if n:
        names.append(f"unknown: {n:#x}")
    return "(" + " | ".join(names) + ")" if names else "0"


_SIMPLE_ESCAPES = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}


def _printable(ch: str) -> bool:
    if ch.isprintable():
        return True
    import unicodedata
    return unicodedata.category(ch) == "Zs"


def _escape(ch: str | None, raw: bytes, quote: str) -> str:
    """gdb's print_wchar: C escapes, octal for what is not printable."""
    if ch is not None and len(ch) == 1 and ord(ch) in _SIMPLE_ESCAPES:
        return _SIMPLE_ESCAPES[ord(ch)]
    if ch is not None and _printable(ch):
        return "\\" + ch if ch in (quote, "\\") else ch
    return "".join(f"\\{b:03o}" for b in raw)


def char_literal(byte: int) -> str:
    """`'A'`, `'\\n'`, `'\\377'`: one char as gdb quotes it."""
    ch = chr(byte) if byte < 0x80 else None
    return "'" + _escape(ch, bytes([byte]), "'") + "'"


def _char_groups(raw: bytes) -> list[tuple[str, object, int]]:
    """Decode UTF-8 one character at a time the way gdb's wchar_iterator does:
    ("ok", char, reps), ("invalid", byte, reps) or ("incomplete", bytes, 1);
    equal neighbours merged into repeat counts."""
    items: list[tuple[str, object]] = []
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        need = 1 if b < 0x80 else 2 if 0xC2 <= b < 0xE0 else 3 if 0xE0 <= b < 0xF0 else \
            4 if 0xF0 <= b < 0xF5 else 0
        if need == 0:
            items.append(("invalid", bytes([b])))
            i += 1
            continue
        if i + need > n:
            if all(0x80 <= c < 0xC0 for c in raw[i + 1:]):
                items.append(("incomplete", raw[i:]))
                break
            items.append(("invalid", bytes([b])))
            i += 1
            continue
        try:
            items.append(("ok", raw[i:i + need].decode("utf-8")))
            i += need
        except UnicodeDecodeError:
            items.append(("invalid", bytes([b])))
            i += 1
    groups: list[tuple[str, object, int]] = []
    for kind, payload in items:
        if groups and kind != "incomplete" and groups[-1][0] == kind and groups[-1][1] == payload:
            groups[-1] = (kind, payload, groups[-1][2] + 1)
        else:
            groups.append((kind, payload, 1))
    return groups


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
