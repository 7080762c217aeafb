"""Minimal symbols in expressions: gdb's values for ELF symbols without debug info.

`print puts` is `{<text variable, no debug info>} 0x... <puts>`, `&environ` a
`(<data variable, no debug info> *)`; which symbol a name means is
program/minsyms.py's rule.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import BadAddress, ExpressionError, TdbgError
from ..program.minsyms import MinimalSymbol, lookup_minimal_symbol
from ..program.program import Program
from ..symbols.nodebug import NODEBUG_DATA, NODEBUG_IFUNC, NODEBUG_TEXT
from ..symbols.values import Reader, Symbolizer, Value

if TYPE_CHECKING:
    from ..symbols.scopes import Scopes
    from ..symbols.types import Type

__all__ = ["MinimalSymbol", "lookup_minimal_symbol", "minimal_symbol_value", "minimal_symbol_text"]


def minimal_symbol_value(prog: Program, name: str, read: Reader, scopes: Scopes | None = None,
                         cu_offset: int | None = None) -> Value | None:
    """The value gdb gives a minimal symbol in an expression: a function without
    debug info, or data of unknown type (usable only through & or a cast). An
    `extern` declaration in the DWARF (`extern char **environ;`) gives it its type."""
    ms = lookup_minimal_symbol(prog, name)
    if ms is None:
        return None
    if ms.kind == "data" and scopes is not None:
        declared = _declared_type(scopes, name, cu_offset)
        if declared is not None:
            return Value(declared, None, ms.addr, read)
    t = NODEBUG_DATA if ms.kind == "data" else NODEBUG_IFUNC if ms.kind == "ifunc" else NODEBUG_TEXT
    return Value(t, b"", ms.addr, read)


def _declared_type(scopes: Scopes, name: str, cu_offset: int | None) -> Type | None:
    """The type of a variable the DWARF only declares (scopes.py indexes declarations
    too, and lookup_global skips them), this unit's declaration first."""
    try:
        entries = scopes._indexes()[0].get(name, [])
        for cu, off, _external, defined in sorted(entries, key=lambda e: e[0] != cu_offset):
            die = scopes.die_at(cu, off)
            if not defined and die.tag == "DW_TAG_variable":
                return scopes.type_of(die)
    except TdbgError:
        return None
    return None


def minimal_symbol_text(v: Value, symbolize: Symbolizer) -> str | None:
    """print's text for a minimal symbol's function value or a pointer to it, which
    value_format.py would name by its (absent) parameters; None for other values."""
    t = v.type
    if t is NODEBUG_TEXT or t is NODEBUG_IFUNC:
        addr = v.address or 0
        return f"{{{t.name}}} {addr:#x}{_sym(addr, symbolize)}"
    if t.kind == "pointer" and t.target is not None and t.target in (NODEBUG_TEXT, NODEBUG_IFUNC):
        addr = v.as_int() & 0xFFFFFFFFFFFFFFFF
        return f"({t.target.name} *) {addr:#x}{_sym(addr, symbolize)}"
    return None


def _sym(addr: int, symbolize: Symbolizer) -> str:
    name = symbolize(addr)
    return f" <{name}>" if name else ""


def has_debug_symbols(prog: Program) -> bool:
    """gdb's have_full_symbols: without debug info anywhere, a name that is no ELF
    symbol either gets "No symbol table is loaded" (c-exp.y), not "No symbol"."""
    return any(o.debug is not None for o in prog.objfiles)


def missing_symbol(prog: Program, name: str) -> ExpressionError:
    if not has_debug_symbols(prog):
        return ExpressionError('No symbol table is loaded.  Use the "file" command.')
    return ExpressionError(f'No symbol "{name}" in current context.')


class FileEnv:
    """cexpr's environment before `run` in a program without debug info: the file's
    bytes, minimal symbols, the user's `$` values; no registers, no scopes."""

    def __init__(self, prog: Program, convenience: dict[str, Value], history: list[str]) -> None:
        self.prog = prog
        self.convenience = convenience
        self.history = history

    def lookup(self, name: str, scope: str | None = None) -> Value | None:
        return None

    def lookup_type(self, name: str) -> Type | None:
        return None

    def minimal_symbol(self, name: str) -> Value:
        v = minimal_symbol_value(self.prog, name, self.read)
        if v is None:
            raise missing_symbol(self.prog, name)
        return v

    def reg(self, name: str) -> int:
        raise ExpressionError("No registers.")

    def read(self, addr: int, n: int) -> bytes:
        o = self.prog.objfile_for(addr) or self.prog.main
        try:
            return o.elf.read_link_addr(addr - o.bias, n)
        except Exception:
            raise BadAddress(addr) from None

    def write(self, addr: int, data: bytes) -> None:
        raise ExpressionError("Cannot access memory at address " + hex(addr))

    def write_reg(self, name: str, value: int) -> None:
        raise ExpressionError("No registers.")

    def symbolize(self, addr: int) -> str | None:
        return self.prog.symbolize(addr)
