"""An ELF file's symbol tables (.symtab, then .dynsym): by name, by prefix, and by address.

The tables are read whole on first need, except that one name can be looked up
straight in the string tables (`symbols_named`), which keeps `break NAME` cheap
in a program with a hundred thousand symbols. Names of PLT stubs (`puts@plt`)
come from plt.py.
"""
from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .elf_format import CORRUPT, SHT_DYNSYM, SHT_SYMTAB, SYM, Section, Symbol
from .plt import PltStubs

if TYPE_CHECKING:
    from .elf import ElfFile

# name -> symbols (also under the name without @VERSION); symbols sorted by address,
# one per address; their addresses.
_Tables = tuple[dict[str, list[Symbol]], list[Symbol], list[int]]


class SymbolTables:
    def __init__(self, elf: ElfFile) -> None:
        self._elf = elf
        self._plt = PltStubs(elf)
        self._tables: _Tables | None = None
        self._ifuncs: set[int] = set()      # STT_GNU_IFUNC addresses (gdb names their type apart)

    def _load(self) -> _Tables:
        if self._tables is None:
            try:
                self._tables = self._read_all()
            except CORRUPT as e:
                self._elf.warnings.append(f"warning: {self._elf.path}: symbol table is corrupt ({e}); ignored")
                self._tables = ({}, [], [])
        return self._tables

    def _read_all(self) -> _Tables:
        by_name: dict[str, list[Symbol]] = {}
        located: list[Symbol] = []
        for kind_sec in (SHT_SYMTAB, SHT_DYNSYM):
            for sec in self._elf.sections:
                if sec.type == kind_sec:
                    for sym in self._read_symtab(sec):
                        by_name.setdefault(sym.name, []).append(sym)
                        base = sym.name.split("@", 1)[0]
                        if base != sym.name:
                            by_name.setdefault(base, []).append(sym)
                        if sym.kind != "other":
                            located.append(sym)
        # At one address prefer functions, then global-looking names, then, as gdb
        # does (it keeps the last of the name-sorted msymbols at an address), the
        # greatest name: libc's raise/gsignal alias shows as "raise".
        located.sort(key=lambda s: s.name, reverse=True)
        located.sort(key=lambda s: (s.addr, s.kind != "func", s.name.startswith("_")))
        uniq: list[Symbol] = []
        for s in located:
            if not uniq or uniq[-1].addr != s.addr:
                uniq.append(s)
        return by_name, uniq, [s.addr for s in uniq]

    def _read_symtab(self, sec: Section) -> Iterator[Symbol]:
        sections = self._elf.sections
        if sec.link >= len(sections) or sec.entsize not in (0, SYM.size):
            return
        strtab = sections[sec.link]
        mm, soff, send = self._elf.mm, strtab.offset, strtab.offset + strtab.size
        data = self._elf.section_bytes(sec)
        data = data[:len(data) - len(data) % SYM.size]
        for st_name, st_info, _, st_shndx, st_value, st_size in SYM.iter_unpack(data):
            typ = st_info & 0xF
            if st_shndx == 0 or typ in (3, 4) or soff + st_name >= send:    # undefined, SECTION, FILE
                continue
            end = mm.find(b"\0", soff + st_name, send)
            name = mm[soff + st_name:end if end >= 0 else send].decode("utf-8", "replace")
            if not name:
                continue
            kind = "func" if typ in (2, 10) else "object" if typ in (1, 5, 6) else "other"
            if typ == 10:
                self._ifuncs.add(st_value)
            yield Symbol(name, st_value, st_size, kind)

    def symbol(self, name: str) -> Symbol | None:
        """A defined symbol by name (.symtab before .dynsym, functions first).

        ``foo@plt`` names the PLT stub; a name only defined in a shared library
        resolves to its stub here, like gdb's ``break puts`` before ``run``."""
        if name.endswith("@plt"):
            return self._plt.named(name)
        cands = self._load()[0].get(name, [])
        funcs = [s for s in cands if s.kind == "func"]
        if funcs or cands:
            return (funcs or cands)[0]
        return self._plt.named(name + "@plt")

    def definition(self, name: str) -> Symbol | None:
        """A symbol this file defines by that name (functions first), never a PLT stub:
        gdb's minimal symbol lookup prefers a library's definition to the stub."""
        cands = self._load()[0].get(name, [])
        return next((s for s in cands if s.kind == "func"), cands[0] if cands else None)

    def is_ifunc(self, addr: int) -> bool:
        """Whether a symbol at link-time addr is a GNU indirect function (strlen in libc)."""
        self._load()
        return addr in self._ifuncs

    def symbols_named(self, name: str) -> list[Symbol]:
        """Every defined symbol called ``name`` (several for static functions of different files).

        Looks the name up in the string tables first, so it stays cheap on a program
        with a hundred thousand symbols when the full table was never needed."""
        if self._tables is not None:
            return [s for s in self._tables[0].get(name, []) if s.name == name]
        try:
            return self._scan_symbols_named(name)
        except CORRUPT:
            return [s for s in self._load()[0].get(name, []) if s.name == name]

    def _scan_symbols_named(self, name: str) -> list[Symbol]:
        want = name.encode() + b"\0"
        out = []
        mm, sections = self._elf.mm, self._elf.sections
        for kind_sec in (SHT_SYMTAB, SHT_DYNSYM):
            for sec in sections:
                if sec.type != kind_sec or sec.link >= len(sections):
                    continue
                strtab = sections[sec.link]
                lo, hi = strtab.offset, strtab.offset + strtab.size
                offs, pos = set(), mm.find(want, lo, hi)
                while pos >= 0:                  # tails count: linkers share string suffixes
                    offs.add(pos - lo)
                    pos = mm.find(want, pos + 1, hi)
                if not offs:
                    continue
                data = self._elf.section_bytes(sec)
                for st_name, st_info, _, st_shndx, st_value, st_size in \
                        SYM.iter_unpack(data[:len(data) - len(data) % SYM.size]):
                    if st_name in offs and st_shndx and st_info & 0xF not in (3, 4):
                        typ = st_info & 0xF
                        kind = "func" if typ in (2, 10) else "object" if typ in (1, 5, 6) else "other"
                        out.append(Symbol(name, st_value, st_size, kind))
        return out

    def symbols_matching(self, prefix: str) -> list[str]:
        names = {n for n in self._load()[0] if n.startswith(prefix) and "@" not in n}
        names.update(s.name for s in self._plt.stubs() if s.name.startswith(prefix))
        return sorted(names)

    def symbol_at(self, addr: int) -> tuple[Symbol, int] | None:
        """The function or object containing addr, and the offset into it."""
        stub = self._plt.name_at(addr)
        if stub is not None:
            s = self.symbol(stub)
            return (s, addr - s.addr) if s else None
        _, uniq, addrs = self._load()
        i = bisect.bisect_right(addrs, addr) - 1
        if i < 0:
            return None
        s = uniq[i]
        if s.size and addr >= s.addr + s.size:
            return None
        if not s.size and self._elf.section_name_at(s.addr) != self._elf.section_name_at(addr):
            return None
        return s, addr - s.addr

    def plt_name(self, addr: int) -> str | None:
        return self._plt.name_at(addr)
