"""gdb's types for minimal symbols: ELF symbols of code or data without debug info.

`print puts` in a libc without DWARF is `{<text variable, no debug info>} 0x... <puts>`;
`print environ` is an error until it is cast (`(char **)environ` reads the
memory as that type); `&environ` is `(<data variable, no debug info> *) 0x...`.
"""
from __future__ import annotations

from .types import Type

TEXT_NAME = "<text variable, no debug info>"
IFUNC_NAME = "<text gnu-indirect-function variable, no debug info>"
DATA_NAME = "<data variable, no debug info>"


def _text(name: str) -> Type:
    t = Type("func", name, 1)
    t.prototyped = False
    return t


NODEBUG_TEXT = _text(TEXT_NAME)
NODEBUG_IFUNC = _text(IFUNC_NAME)
# gdb's TYPE_CODE_ERROR: a value of it can only have its address taken or be cast.
NODEBUG_DATA = Type("error", DATA_NAME, 0)
NODEBUG_TYPES = (NODEBUG_TEXT, NODEBUG_IFUNC, NODEBUG_DATA)


def unknown_type(name: str) -> str:
    return f"'{name}' has unknown type; cast it to its declared type"


def nodebug_type_text(t: Type, ptype: bool) -> str | None:
    """`whatis`/`ptype` of a minimal symbol's value or of a pointer to one (type_names.py
    prints function types by their parameters, never by a name); None for other types."""
    depth = 0
    while t.kind == "pointer" and t.target is not None:
        t, depth = t.target, depth + 1
    if t not in NODEBUG_TYPES:
        return None
    if t is NODEBUG_DATA or not ptype:
        return t.name + (" " + "*" * depth if depth else "") if t.name else None
    return "<unknown return type> " + (f"({'*' * depth})" if depth else "") + "()"
