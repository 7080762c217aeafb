"""gdb's printf: the `"format",args` of `dprintf` (and `printf`), checked and formatted.

`parse` splits and checks the text as gdb does when the command is given (its error
messages); `format_values` renders the values read at a hit: C conversions with flags,
width, precision and length modifiers, %s read from the program's memory.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ..errors import CommandError
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


def parse(text: str) -> Printf:
    """`"format",arg,...` as gdb's parse_format_string and printf_command check it."""
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
    if i >= len(text):
        raise CommandError("Bad format string, non-terminated '\"'")
    rest = text[i + 1:].strip()
    if rest and not rest.startswith(","):
        raise CommandError("Invalid argument syntax")
    args = _split_args(rest[1:]) if rest else []
    wanted = sum(1 for m in _SPEC.finditer(decoded) if m.group(5) != "%")
    if wanted != len(args):
        raise CommandError("Wrong number of arguments for specified format-string")
    return Printf(raw, decoded, tuple(args))


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
            if t.kind == "pointer":
                s = read_string(v.as_int()).decode("utf-8", "replace")
            elif t.kind == "array":
                s = v.data.split(b"\0")[0].decode("utf-8", "replace")
            else:
                raise CommandError("Value can't be converted to integer.")
            out.append((spec + "s") % s)
        elif conv in "fFeEgGaA" and not isinstance(v, int):
            x = float(v.as_float())
            out.append((spec + (conv if conv not in "aA" else "e")) % x)
        elif conv == "c":
            out.append((spec + "c") % chr(n & 0xFF))
        elif conv == "p":
            out.append((spec.replace("#", "") + "s") % hex(n & ((1 << 64) - 1)))
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
            out.append((spec + ("d" if conv in "iu" else conv)) % n)
    out.append(p.text[pos:])
    return "".join(out)


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
            convs.append(lambda n: hex(n & ((1 << 64) - 1)))
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
