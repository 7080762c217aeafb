"""gdb's printf: the `"format",args` of `dprintf` (and `printf`), checked and formatted.

`parse` splits and checks the text as gdb does when the command is given (its error
messages); `format_values` renders the values read at a hit: C conversions with flags,
width, precision and length modifiers, %s read from the program's memory.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..errors import CommandError
from ..symbols.floats import unpack_float
from ..symbols.values import Value

_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", '"': '"', "a": "\a", "b": "\b", "f": "\f",
            "r": "\r", "v": "\v", "e": "\x1b", "'": "'"}
_SPEC = re.compile(r"%([-+ #0]*)(\d+|\*)?(?:\.(\d+|\*))?(hh|h|ll|l|L|q|j|z|t)?([diouxXcsfFeEgGaAp%])")


@dataclass(frozen=True)
class Printf:
    fmt: str                   # the format as typed, between the quotes
    text: str                  # escapes decoded
    args: tuple[str, ...]

    def shown(self) -> str:
        """`info breakpoints`'s line: printf "FMT",ARGS."""
        return "printf \"" + self.fmt + "\"" + "".join("," + a for a in self.args)


def _split_args(rest: str) -> list[str]:
    out, depth, cur, quote = [], 0, "", ""
    for ch in rest:
        if quote:
            cur += ch
            if ch == quote and not cur.endswith("\\" + quote):
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def parse(text: str, strict: bool = False) -> Printf:
    """`"format",arg,...` as gdb's parse_format_string and printf_command check it;
    strict: each conversion too, as gdb's format_pieces does (check_conversions)."""
    text = text.strip()
    if not text:
        raise CommandError("Format string required")
    if not text.startswith('"'):
        raise CommandError("Bad format string, missing '\"'.")
    i, raw, decoded = 1, "", ""
    while i < len(text) and text[i] != '"':
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text):
                break
            nxt = text[i + 1]
            if nxt not in _ESCAPES:
                raise CommandError(f"Unrecognized escape character \\{nxt} in format string.")
            raw += ch + nxt
            decoded += _ESCAPES[nxt]
            i += 2
            continue
        raw += ch
        decoded += ch
        i += 1
    if strict:
        check_conversions(decoded)
    if i >= len(text):
        # gdb 13's printf ends this one with a period
        raise CommandError("Bad format string, non-terminated '\"'" + ("." if strict else ""))
    rest = text[i + 1:].strip()
    if rest and not rest.startswith(","):
        raise CommandError("Invalid argument syntax")
    args = _split_args(rest[1:]) if rest else []
    wanted = sum(1 for m in _SPEC.finditer(decoded) if m.group(5) != "%")
    if wanted != len(args):
        raise CommandError("Wrong number of arguments for specified format-string")
    return Printf(raw, decoded, tuple(args))


def check_conversions(text: str) -> None:
    """gdb's format_pieces checks of a decoded format: C89 conversions, length
    modifiers h, l, ll, L, z, and the flags each conversion accepts."""
    i = 0
    while i < len(text):
        if text[i] != "%":
            i += 1
            continue
        i += 1
        if text[i:i + 1] == "%":
            i += 1
            continue
        flags = ""
        while i < len(text) and text[i] in "0-+ #":
            flags += text[i]
            i += 1
        while i < len(text) and text[i].isdigit():
            i += 1
        prec = text[i:i + 1] == "."
        if prec:
            i += 1
            while i < len(text) and text[i].isdigit():
                i += 1
        length = ""
        for mod in ("ll", "l", "h", "L", "z"):
            if text.startswith(mod, i):
                length = mod
                i += len(mod)
                break
        conv = text[i:i + 1]
        if conv == "*":
            raise CommandError("`*' not supported for precision or width in printf")
        if conv == "n":
            raise CommandError("Format specifier `n' not supported in printf")
        if not conv:
            raise CommandError("Incomplete format specifier at end of format string")
        if not _conversion_ok(conv, flags, prec, length):
            raise CommandError(f"Inappropriate modifiers to format specifier '{conv}' in printf")
        i += 1


def _conversion_ok(conv: str, flags: str, prec: bool, length: str) -> bool:
    """format_pieces' `bad` cases; an unknown letter is an error of its own."""
    if conv in "uoxXdi":
        return not ((conv == "u" and "#" in flags) or (conv in "uoxX" and set(flags) & set(" +"))
                    or length == "L")
    if conv == "c":
        return length in ("", "l", "z") and not prec and not set(flags) & set("0 +")
    if conv == "p":
        return length in ("", "z") and not prec and not set(flags) & set("#0 +")
    if conv == "s":
        return length in ("", "l", "z") and not set(flags) & set("0 +")
    if conv in "efgEG":
        return length in ("", "L", "z")
    raise CommandError(f"Unrecognized format specifier '{conv}' in printf")


def conversions(text: str) -> list[str]:
    """The conversion letters of a decoded format, in order (breaks/fast_sites.py)."""
    return [m.group(5) for m in _SPEC.finditer(text)]


def format_values(p: Printf, values: Sequence[Value | int], read_string: Callable[[int], bytes]) -> str:
    """The text printed for one hit; a plain int is a value the jump pad captured, already
    widened from its C type to 64 bits."""
    it: Iterator[Value | int] = iter(values)
    out: list[str] = []
    pos = 0
    for m in _SPEC.finditer(p.text):
        out.append(p.text[pos:m.start()])
        pos = m.end()
        flags, width, prec, _length, conv = m.groups()
        if conv == "%":
            out.append("%")
            continue
        v = next(it)
        spec = "%" + flags + (width or "") + (f".{prec}" if prec is not None else "")
        if isinstance(v, int):
            n = v
        elif conv in "fFeEgGaAs":
            n = 0
        else:
            n = v.as_int()
        if conv == "s" and not isinstance(v, int):
            t = v.type.strip()
            if t.kind == "array":
                s = v.data.split(b"\0")[0].decode("utf-8", "replace")
            else:               # gdb's value_as_address: an integer is an address too
                s = read_string(v.as_int() & ((1 << 64) - 1)).decode("utf-8", "replace")
            out.append((spec + "s") % s)
        elif conv in "fFeEgGaA" and not isinstance(v, int):
            x = float(_float_of(v))
            out.append((spec + (conv if conv not in "aA" else "e")) % x)
        elif conv == "c":
            out.append((spec + "c") % chr(n & 0xFF))
        elif conv == "p":
            out.append((spec.replace("#", "") + "s") % _pointer(n))
        elif conv in "fFeEgGaAs":
            raise CommandError("Value can't be converted to integer.")
        else:
            if conv in "uxXo":
                bits = 64 if _length in ("l", "ll", "q", "j", "z", "t") else 32
                n &= (1 << bits) - 1
            elif _length not in ("l", "ll", "q", "j", "z", "t"):
                n = (n & 0xFFFFFFFF) - ((n & 0x80000000) << 1)
            else:
                n &= (1 << 64) - 1
                n = n - (1 << 64) if n >> 63 else n
            text = (spec + ("d" if conv in "iu" else conv)) % n
            out.append(_c_octal(text, width) if conv == "o" and "#" in flags else text)
    out.append(p.text[pos:])
    return "".join(out)


def _float_of(v: Value) -> float | Fraction:
    """gdb's printf_floating: a value that is not a float has its bytes read as the
    float type of its size, when there is one (4 or 8 bytes)."""
    t = v.type.strip()
    if t.kind != "float" and t.size in (4, 8):
        return unpack_float(v.data, t.size)
    return v.as_float()


def _pointer(n: int) -> str:
    """glibc's %p: (nil) for a null pointer."""
    n &= (1 << 64) - 1
    return hex(n) if n else "(nil)"


def _c_octal(text: str, width: str | None) -> str:
    """Python's %#o writes 0o17 where C writes 017."""
    body = text.strip().replace("0o", "0", 1)
    body = "0" if body == "00" else body
    w = int(width) if width and width.isdigit() else 0
    return body.rjust(w) if text[:1] == " " else body.ljust(w) if text[-1:] == " " else body


_LONG = ("l", "ll", "q", "j", "z", "t")


def int_formatter(p: Printf) -> Callable[[list[int]], str]:
    """format_values for captured integers only (dprintf's ring: thousands per drain),
    built once per format: one Python %-format and a converter per argument."""
    parts: list[str] = []
    convs: list[Callable[[int], object]] = []
    pos = 0
    for m in _SPEC.finditer(p.text):
        parts.append(p.text[pos:m.start()].replace("%", "%%"))
        pos = m.end()
        flags, width, prec, length, conv = m.groups()
        if conv == "%":
            parts.append("%%")
            continue
        spec = "%" + flags + (width or "") + (f".{prec}" if prec is not None else "")
        bits = 64 if length in _LONG else 32
        mask, top = (1 << bits) - 1, 1 << (bits - 1)
        if conv in "di":
            convs.append(_signed(mask, top))
            parts.append(spec + "d")
        elif conv in "uxXo":
            convs.append(_unsigned(mask))
            parts.append(spec + ("d" if conv == "u" else conv))
        elif conv == "c":
            convs.append(lambda n: chr(n & 0xFF))
            parts.append(spec + "c")
        elif conv == "p":
            convs.append(_pointer)
            parts.append(spec.replace("#", "") + "s")
        else:
            raise CommandError(f"%{conv} needs the debugger")
    parts.append(p.text[pos:].replace("%", "%%"))
    fmt = "".join(parts)
    return lambda words: fmt % tuple(c(w) for c, w in zip(convs, words, strict=False))


def _signed(mask: int, top: int) -> Callable[[int], object]:
    return lambda n: ((n & mask) ^ top) - top


def _unsigned(mask: int) -> Callable[[int], object]:
    return lambda n: n & mask
