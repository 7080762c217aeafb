"""PLT stubs (`puts@plt`), named after the GOT slot their ``jmp *slot(%rip)`` goes
through, as BFD names them: the slot's relocation (JUMP_SLOT, GLOB_DAT or
IRELATIVE) says whose address it holds."""
from __future__ import annotations

import bisect
import struct
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .elf_format import (
    CORRUPT,
    R_X86_64_GLOB_DAT,
    R_X86_64_IRELATIVE,
    R_X86_64_JUMP_SLOT,
    RELA,
    SHT_DYNSYM,
    SHT_RELA,
    SHT_SYMTAB,
    SYM,
    Section,
    Symbol,
)

if TYPE_CHECKING:
    from .elf import ElfFile

# The stubs sorted by address, and their addresses.
_Stubs = tuple[list[Symbol], list[int]]


class PltStubs:
    def __init__(self, elf: ElfFile) -> None:
        self._elf = elf
        self._stubs: _Stubs | None = None

    def _load(self) -> _Stubs:
        if self._stubs is None:
            try:
                self._stubs = self._read()
            except CORRUPT as e:
                self._elf.warnings.append(f"warning: {self._elf.path}: PLT relocations are corrupt ({e}); ignored")
                self._stubs = ([], [])
        return self._stubs

    def stubs(self) -> list[Symbol]:
        return self._load()[0]

    def named(self, name: str) -> Symbol | None:
        return next((s for s in self._load()[0] if s.name == name), None)

    def name_at(self, addr: int) -> str | None:
        stubs, addrs = self._load()
        i = bisect.bisect_right(addrs, addr) - 1
        if i >= 0 and addr < stubs[i].addr + stubs[i].size:
            return stubs[i].name
        return None

    def _read(self) -> _Stubs:
        slots = self._got_slot_names()
        stubs: list[Symbol] = []
        for name in (".plt", ".plt.sec", ".plt.got"):
            sec = self._elf.section(name)
            if sec is None or not sec.size:
                continue
            step = sec.entsize or 16
            data = bytes(self._elf.section_bytes(sec))
            for off in range(0, len(data) - step + 1, step):
                slot = _jmp_slot(data[off:off + step], sec.addr + off)
                if slot in slots:
                    stubs.append(Symbol(slots[slot] + "@plt", sec.addr + off, step, "func"))
        stubs.sort(key=lambda s: s.addr)
        return stubs, [s.addr for s in stubs]

    def _got_slot_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        sections = self._elf.sections
        for sec in sections:
            if sec.type != SHT_RELA or sec.link >= len(sections):
                continue
            symtab = sections[sec.link]
            syms = list(self._raw_names(symtab)) if symtab.type in (SHT_SYMTAB, SHT_DYNSYM) else []
            data = self._elf.section_bytes(sec)
            for r_offset, r_info, r_addend in RELA.iter_unpack(data[:len(data) - len(data) % 24]):
                rtype, rsym = r_info & 0xFFFFFFFF, r_info >> 32
                if rtype in (R_X86_64_JUMP_SLOT, R_X86_64_GLOB_DAT) and 0 < rsym < len(syms):
                    names[r_offset] = syms[rsym]
                elif rtype == R_X86_64_IRELATIVE:
                    names.setdefault(r_offset, f"*ABS*+{r_addend:#x}")
        return names

    def _raw_names(self, symtab: Section) -> Iterator[str]:
        sections, mm = self._elf.sections, self._elf.mm
        strtab = sections[symtab.link] if symtab.link < len(sections) else None
        data = self._elf.section_bytes(symtab)
        for st_name, *_ in SYM.iter_unpack(data[:len(data) - len(data) % SYM.size]):
            if strtab is None or st_name >= strtab.size:
                yield ""
                continue
            start = strtab.offset + st_name
            end = mm.find(b"\0", start, strtab.offset + strtab.size)
            yield mm[start:end if end >= 0 else start].decode("utf-8", "replace")


def _jmp_slot(code: bytes, addr: int) -> int | None:
    i = 0
    while i < len(code) - 5:
        if code[i:i + 2] == b"\xff\x25":                     # jmp *disp32(%rip)
            disp: int = struct.unpack_from("<i", code, i + 2)[0]
            return addr + i + 6 + disp
        i += 1
    return None
