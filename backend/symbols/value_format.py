"""A value's text as gdb 13 prints it.

`format_value` reproduces gdb's `print` (top=True: pointers get a `(type *)`
prefix) and `info locals` (top=False). The string and array rules (repeat
blocks, 200-element limit, UTF-8 decoding, octal escapes) follow gdb's value printer.
A scalar that touches an unavailable byte prints `<optimized out>`, as in gdb.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from ..errors import BadAddress, TdbgError
from .floats import format_float
from .small_floats import format_small_float, is_small_float
from .type_names import type_name
from .types import AGGREGATES, VOID, Type
from .values import MAX_VALUE_SIZE, Reader, Symbolizer, Value

PRINT_MAX = 200            # gdb's `print elements`
REPEAT_THRESHOLD = 10      # gdb's `print repeats`


@dataclass(slots=True)
class PrintOptions:
    """gdb's `set print` switches that change a value's text. One for the process, as
    disasm/decode.py's flavor is: every caller of format_value (print, info locals,
    display, watchpoint reports) follows it without passing it along; the ptrace
    worker (backend/api/settings.py) is the only writer."""
    pretty: bool = False        # `set print pretty`: one member a line, indented


OPTIONS = PrintOptions()

_EFLAGS_BITS = [("CF", 0), ("PF", 2), ("AF", 4), ("ZF", 6), ("SF", 7), ("TF", 8),
                ("IF", 9), ("DF", 10), ("OF", 11), ("NT", 14), ("RF", 16), ("VM", 17),
                ("AC", 18), ("VIF", 19), ("VIP", 20), ("ID", 21)]


def flags_text(n: int, bits: Sequence[tuple[str, int]] | None = None) -> str:
    """gdb's flags type printed: "[ PF ZF IF ]" (bits: (name, bit); eflags' by default)."""
    return "[ " + "".join(f"{name} " for name, bit in (bits or _EFLAGS_BITS) if n >> bit & 1) + "]"


def format_value(value: Value, reader: Reader | None = None, symbolize: Symbolizer | None = None,
                 *, top: bool = True, fmt: str | None = None, pretty: bool | None = None) -> str:
    """The text gdb prints for `value`: after `$1 = ` (top=True) or after `name = `
    in `info locals` (top=False); fmt: print's /x, /d ... letter, applied to every
    scalar inside (`p/x a_struct`); pretty: `set print pretty` unless given (frame
    lines are never pretty)."""
    return Formatter(reader, symbolize, fmt=fmt, pretty=pretty).format(value, top)


class Formatter:
    def __init__(self, reader: Reader | None = None, symbolize: Symbolizer | None = None,
                 print_max: int = PRINT_MAX, repeats: int = REPEAT_THRESHOLD,
                 fmt: str | None = None, pretty: bool | None = None) -> None:
        self.reader = reader
        self.pretty = OPTIONS.pretty if pretty is None else pretty
        self.symbolize: Symbolizer = symbolize or (lambda addr: None)
        self.print_max = print_max
        self.repeats = repeats
        self.fmt = fmt

    def format(self, v: Value, top: bool = True) -> str:
        try:
            if v.error is not None:
                return _error_text(v.error)
            if v.entirely_optimized_out():
                return "<optimized out>"
            prefix = ""
            t = v.type.strip()
            if top and t.kind in ("pointer", "ref", "rvref") and not _is_char_pointer(v.type) \
                    and not self.fmt:
                prefix = f"({type_name(v.type)}) "
            return prefix + self._value(v)
        except TdbgError as e:
            return f"<error: {e}>"

    def _value(self, v: Value, depth: int = 0) -> str:
        """depth: how deep v sits in the top value (members and elements are one deeper),
        for `set print pretty`'s indentation."""
        t = v.type.strip()
        kind = t.kind
        if v.error is not None:
            return _error_text(v.error)
        if v.lazy and kind in AGGREGATES + ("array",) and t.size > MAX_VALUE_SIZE:
            return f"<error: value requires {t.size} bytes, which is more than max-value-size>"
        if kind in AGGREGATES:
            return self._aggregate(v, t, depth)
        if kind == "array":
            return self._array(v, t, depth)
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
        if self.fmt and kind in ("int", "bool", "enum", "pointer", "float", "flags"):
            return self._scalar_as(v, t, data)
        if kind == "int":
            n = int.from_bytes(data[:t.size], "little", signed=t.signed)
            if _textual(v.type):
                return f"{n} {char_literal(data[0])}"
            return str(n)
        if kind == "bool":
            n = int.from_bytes(data[:t.size], "little")
            return {0: "false", 1: "true"}.get(n, str(n))
        if kind == "float":
            if t.size == 2 and is_small_float(t.name):         # a vector register's lane
                return format_small_float(int.from_bytes(data[:2], "little"), t.name or "")
            return format_float(data, t.size)
        if kind == "complex":
            half = t.size // 2
            return f"{format_float(data[:half], half)} + {format_float(data[half:], half)}i"
        if kind == "enum":
            return _enum_text(t, v.as_int())
        if kind == "flags":
            return flags_text(int.from_bytes(data[:t.size], "little"), t.bits)
        if kind == "pointer":
            return self._pointer(v, t, int.from_bytes(data[:8], "little"))
        if kind in ("ref", "rvref"):
            addr = int.from_bytes(data[:8], "little")
            target = Value(t.target or VOID, None, addr, self._reader(v))
            return f"@{addr:#x}: {self.format(target, top=False)}"
        return data.hex()

    def _scalar_as(self, v: Value, t: Type, data: bytes) -> str:
        """print/FMT of one scalar (gdb's print_scalar_formatted)."""
        size = t.size or 8
        if t.kind == "float":
            # gdb 13 shows a float's bits (`p/x 1.5` is 0x3ff8000000000000), the x87's 10
            n = int.from_bytes(data[:min(size, 10)], "little", signed=True)
        else:
            n = int.from_bytes(data[:size], "little", signed=t.signed)
        bits = 8 * size
        u = n & ((1 << bits) - 1)
        fmt = self.fmt
        if fmt == "x":
            return hex(u)
        if fmt == "z":
            return "0x" + format(u, f"0{2 * size}x")
        if fmt == "d":
            return str(u - (1 << bits) if u >> (bits - 1) else u)
        if fmt == "u":
            return str(u)
        if fmt == "o":
            return f"0{u:o}" if u else "0"
        if fmt == "t":
            return f"{u:b}"
        if fmt == "c":
            c = u & 0xFF
            return f"{c - 256 if c > 127 and t.signed else c} {char_literal(c)}"
        if fmt == "a":
            return f"{u:#x}{self._sym(u)}"
        raise TdbgError(f'Undefined output format "{fmt}".')

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
        shown: list[_CharGroup] = []
        count = 0
        for g in groups:
            if count >= self.print_max:
                break
            shown.append(g)
            count += g[2]
        finished = len(shown) == len(groups)
        out: list[str] = []
        state = "start"
        for kind, payload, reps in shown:
            if kind == "incomplete":
                if state == "single":
                    out.append('"')
                if state != "start":
                    out.append(", ")
                out.append("<incomplete sequence " + _escape(None, cast(bytes, payload), '"') + ">")
                state = "finish"
                break
            if isinstance(payload, str):                 # kind "ok": a decoded character
                text = _escape(payload, payload.encode(), '"')
            else:                                        # kind "invalid": one byte
                text = _escape(None, payload, '"')
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

    def _array(self, v: Value, t: Type, depth: int = 0) -> str:
        elem = t.target or VOID
        if not t.count or elem.size == 0:
            # Unknown length (flexible array member): gdb shows where it starts.
            return self._pointer(v, t, v.address or 0) if v.address is not None else "{}"
        try:
            data = v.data
        except BadAddress as e:
            return f"<error: {e}>"
        if _textual(elem) and not v.is_optimized_out() and not self.fmt:
            return self.string(data[:t.count])
        size, n = elem.size, t.count
        parts: list[str] = []
        printed, i = 0, 0
        mask = v.unavailable
        while i < n and printed < self.print_max:
            chunk = data[i * size:(i + 1) * size]
            mchunk = mask[i * size:(i + 1) * size] if mask else None
            j = i + 1
            while j < n and data[j * size:(j + 1) * size] == chunk and (
                    not mask or mask[j * size:(j + 1) * size] == mchunk):
                j += 1
            text = self._value(v.sub(elem, i * size), depth + 1)
            if j - i > self.repeats:
                parts.append(f"{text} <repeats {j - i} times>")
                printed += self.repeats
                i = j
            else:
                parts.append(text)
                printed += 1
                i += 1
        return "{" + ", ".join(parts) + ("..." if i < n else "") + "}"

    def _aggregate(self, v: Value, t: Type, depth: int = 0) -> str:
        if t.declaration and not t.members:
            return "<incomplete type>"
        if not t.members:
            return "{<No data fields>}"
        if v.entirely_optimized_out():
            return "<optimized out>"
        try:
            _ = v.data           # read it all now: a bad address shows once, not per member
        except BadAddress as e:
            return f"<error: {e}>"
        parts: list[str] = []
        for m in t.members:
            text = self._value(v.member_value(m, m.offset), depth + 1)
            parts.append(text if m.name is None else f"{m.name} = {text}")
        if self.pretty:
            # gdb's cp_print_value_fields: a member a line, 2 spaces a level deeper
            inner = "\n" + "  " * (depth + 1)
            return "{" + inner + ("," + inner).join(parts) + "\n" + "  " * depth + "}"
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
    names: list[str] = []
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


# (kind, payload, repeats): ("ok", the character, n), ("invalid", one byte, n) or
# ("incomplete", the bytes, 1).
_CharGroup = tuple[str, str | bytes, int]


def _char_groups(raw: bytes) -> list[_CharGroup]:
    """Decode UTF-8 one character at a time the way gdb's wchar_iterator does:
    ("ok", char, reps), ("invalid", byte, reps) or ("incomplete", bytes, 1);
    equal neighbours merged into repeat counts."""
    items: list[tuple[str, str | bytes]] = []
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
    groups: list[_CharGroup] = []
    for kind, payload in items:
        if groups and kind != "incomplete" and groups[-1][0] == kind and groups[-1][1] == payload:
            groups[-1] = (kind, payload, groups[-1][2] + 1)
        else:
            groups.append((kind, payload, 1))
    return groups
