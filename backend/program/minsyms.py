"""Minimal symbols: names from ELF symbol tables, where no debug info describes them.

gdb's rule (lookup_minimal_symbol): the first object file, in load order, that
defines the name wins; a PLT stub (`puts@plt`, gdb's solib trampoline) only when
no object defines it: `print puts` shows the stub before `run` and libc's puts
after. `print`, `x`, `info address` and `break *puts` on such a name all mean this
one address, so each should resolve it here (inspect/minsyms.py gives its value).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import TdbgError

if TYPE_CHECKING:
    from .program import ObjFile, Program


@dataclass(frozen=True, slots=True)
class MinimalSymbol:
    name: str            # as the table spells it ("puts", "puts@plt")
    addr: int            # runtime address
    kind: str            # "text" | "ifunc" | "data"
    objfile: ObjFile

    @property
    def is_text(self) -> bool:
        return self.kind != "data"


def lookup_minimal_symbol(prog: Program, name: str) -> MinimalSymbol | None:
    """The minimal symbol `name` means now (see the module docstring); None if none."""
    if not name:
        return None
    found = _lookup(prog, name)
    if (found is None or found.name.endswith("@plt")) and prog.maps_provider is not None:
        # Libraries are met lazily by address (program.py): one not met yet may define it.
        try:
            if prog.relocate(prog.maps_provider()):
                found = _lookup(prog, name)
        except (OSError, TdbgError):
            pass
    return found


def _lookup(prog: Program, name: str) -> MinimalSymbol | None:
    stub: MinimalSymbol | None = None
    for o in prog.objfiles:
        tables = o.elf._symtabs        # ElfFile's SymbolTables: definitions without stubs
        if name.endswith("@plt"):
            s = o.elf.symbol(name)
            if s is not None and s.addr:
                return MinimalSymbol(s.name, s.addr + o.bias, "text", o)
            continue
        s = tables.definition(name)
        if s is not None and s.addr:
            kind = "data" if s.kind != "func" else "ifunc" if tables.is_ifunc(s.addr) else "text"
            return MinimalSymbol(s.name, s.addr + o.bias, kind, o)
        if stub is None:
            p = o.elf.symbol(name + "@plt")
            if p is not None and p.addr:
                stub = MinimalSymbol(p.name, p.addr + o.bias, "text", o)
    return stub
