"""The x86-64 ELF on-disk layout that elf.py and its helpers read: constants,
header and table record formats, and the section and symbol records."""
from __future__ import annotations

import struct
from dataclasses import dataclass

MACHINES = {
    2: "SPARC", 3: "i386", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 22: "S/390",
    40: "ARM", 42: "SuperH", 43: "SPARC v9", 50: "IA-64", 62: "x86-64", 183: "AArch64",
    243: "RISC-V", 247: "BPF", 258: "LoongArch",
}
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
SHT_SYMTAB, SHT_RELA, SHT_NOTE, SHT_NOBITS, SHT_DYNSYM, SHF_ALLOC = 2, 4, 7, 8, 11, 2
DT_FLAGS_1, DF_1_PIE = 0x6FFFFFFB, 0x08000000
R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT, R_X86_64_IRELATIVE = 6, 7, 37
SHF_COMPRESSED, ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD = 0x800, 1, 2
EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
SHDR = struct.Struct("<IIQQQQIIQQ")
PHDR = struct.Struct("<IIQQQQQQ")
SYM = struct.Struct("<IBBHQQ")
RELA = struct.Struct("<QQq")
# What reading a corrupt table raises; such tables are ignored with a warning.
CORRUPT = (struct.error, IndexError, ValueError, OverflowError, UnicodeError)

# One program header: p_type, p_flags, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align.
Segment = tuple[int, int, int, int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Symbol:
    name: str
    addr: int
    size: int
    kind: str          # "func" | "object" | "other"


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    entsize: int

