"""The ELF file: validation with one-line errors, sections, segments and their bytes.

Headers are parsed by hand from an mmap so opening a big program costs
microseconds and no pyelftools import; the pyelftools ``ELFFile`` is built only
when someone asks for ``elffile``. All addresses are link-time addresses.
Symbol tables and PLT stubs (elf_symbols.py, plt.py), compressed and separate
debug sections (debug_sections.py) and prologue analysis (prologue.py) are
reached through ElfFile's methods.
"""
from __future__ import annotations

import mmap
import os
import stat
import struct
import zlib
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from ..errors import BadAddress, BadExecutable
from . import prologue
from .debug_sections import debug_file_candidates, section_contents
from .elf_format import (
    DF_1_PIE,
    DT_FLAGS_1,
    EHDR,
    MACHINES,
    PHDR,
    PT_DYNAMIC,
    PT_INTERP,
    PT_LOAD,
    PT_NOTE,
    SHDR,
    SHF_ALLOC,
    SHT_NOBITS,
    SHT_NOTE,
    Segment,
)
from .elf_format import Section as Section
from .elf_format import Symbol as Symbol
from .elf_symbols import SymbolTables

if TYPE_CHECKING:
    from elftools.elf.elffile import ELFFile


def _sniff(head: bytes) -> str:
    """Say what a non-ELF file looks like, for the error message."""
    kinds = [(b"\x1f\x8b", "gzip data"), (b"PK\x03\x04", "a zip archive"), (b"MZ", "a Windows/DOS executable"),
             (b"!<arch>\n", "an ar archive (static library)"), (b"\xca\xfe\xba\xbe", "a Java class or Mach-O"),
             (b"\xcf\xfa\xed\xfe", "a Mach-O executable"), (b"%PDF", "a PDF document"),
             (b"\x89PNG", "a PNG image"), (b"BZh", "bzip2 data"), (b"\xfd7zXZ", "xz data")]
    for magic, kind in kinds:
        if head.startswith(magic):
            return kind
    if not head:
        return "an empty file"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:             # not just a cut multi-byte char at the end
            return "binary data"
    return "text"


class ElfFile:
    """An opened x86-64 ELF file. Use ``ElfFile.open``; it is kept open (mmap) for reads."""

    def __init__(self, path: str, fileobj: IO[bytes], mm: mmap.mmap, size: int) -> None:
        self.path, self._f, self._mm, self.size = path, fileobj, mm, size
        self.warnings: list[str] = []          # problems that still let us go on
        self._elffile: ELFFile | None = None
        self._symtabs = SymbolTables(self)
        # Set from the headers by open().
        self.is_pie = False
        self.entry = 0
        self.segments: list[Segment] = []
        self.sections: list[Section] = []
        self._by_name: dict[str, Section] = {}
        self.interp: str | None = None
        self.build_id: str | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str, *, as_program: bool = True) -> ElfFile:
        shown = os.fspath(path)
        if not os.path.lexists(shown):
            raise BadExecutable(f"{shown}: No such file or directory.")
        if os.path.isdir(shown):
            raise BadExecutable(f"{shown}: Is a directory.")
        real = os.path.realpath(shown)
        try:
            mode = os.stat(real).st_mode
            # open() of a FIFO blocks until a writer comes, a device may never end: only a
            # regular file can be a program (gdb: "not in executable format")
            if stat.S_ISDIR(mode):
                raise BadExecutable(f"{shown}: Is a directory.")
            if not stat.S_ISREG(mode):
                raise BadExecutable(f"{shown}: not in executable format: not a regular file")
            f = open(real, "rb")
        except OSError as e:
            raise BadExecutable(f"{shown}: {e.strerror}.") from None
        try:
            size = os.fstat(f.fileno()).st_size
            head = f.read(256)
            if not head.startswith(b"\x7fELF"):
                raise BadExecutable(cls._not_elf_message(shown, head))
            mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except BadExecutable:
            f.close()
            raise
        except (OSError, ValueError) as e:
            f.close()
            raise BadExecutable(f"{shown}: cannot read: {e}") from None
        self = cls(real, f, mm, size)
        try:
            self._parse_headers(shown, as_program)
        except BadExecutable:
            self.close()
            raise
        except (struct.error, IndexError, ValueError, UnicodeDecodeError, OverflowError) as e:
            self.close()
            raise BadExecutable(f"{shown}: malformed ELF headers ({e})") from None
        return self

    @staticmethod
    def _not_elf_message(shown: str, head: bytes) -> str:
        if head.startswith(b"#!"):
            line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
            interp = line.split()[0] if line else "the interpreter"
            if interp == "/usr/bin/env" and len(line.split()) > 1:
                interp = line.split()[1]
            return (f"{shown}: is a script for {line or 'an interpreter'}, not an ELF program; "
                    f"debug the interpreter instead: tdbg {interp} {shown}")
        kind = _sniff(head)
        return f"{shown}: not in executable format: file is {kind}, not ELF"

    def _parse_headers(self, shown: str, as_program: bool) -> None:
        mm, size = self._mm, self.size
        if size < 64:
            raise BadExecutable(f"{shown}: truncated ELF: file ends inside the ELF header")
        ident = mm[:16]
        if ident[4] == 1:
            raise BadExecutable(f"{shown}: 32-bit ELF not supported (tdbg debugs x86-64 programs only)")
        if ident[4] != 2:
            raise BadExecutable(f"{shown}: corrupt ELF header (unknown class {ident[4]})")
        if ident[5] != 1:
            raise BadExecutable(f"{shown}: big-endian ELF not supported (tdbg debugs x86-64 only)")
        (_, e_type, e_machine, _, entry, phoff, shoff, _, _, phentsize, phnum,
         shentsize, shnum, shstrndx) = EHDR.unpack_from(mm, 0)
        if e_machine != 62:
            name = MACHINES.get(e_machine, f"machine {e_machine}")
            raise BadExecutable(f"{shown}: ELF for {name}, tdbg debugs x86-64 only")
        if e_type == 1:
            raise BadExecutable(f"{shown}: a relocatable object file (.o), not a program; link it first")
        if e_type == 4:
            raise BadExecutable(f"{shown}: a core dump, not a program")
        if e_type not in (2, 3):
            raise BadExecutable(f"{shown}: unknown ELF file type {e_type}")
        if phnum and (phentsize != PHDR.size or phoff + phnum * phentsize > size):
            raise BadExecutable(f"{shown}: truncated ELF: program headers past end of file")
        self.is_pie = e_type == 3
        self.entry = entry
        self.segments = _sane_segments([PHDR.unpack_from(mm, phoff + i * phentsize) for i in range(phnum)])
        # The kernel runs a file whose segments are whole even if its section headers
        # are garbage; then we go on without sections (symbols, DWARF) and say so.
        runnable = all(p[2] + p[5] <= size for p in self.segments if p[0] == PT_LOAD)
        if shnum and (shentsize != SHDR.size or shoff + shnum * shentsize > size):
            if not runnable:
                raise BadExecutable(f"{shown}: truncated ELF: section headers past end of file")
            self.warnings.append(f"warning: {shown}: section headers are corrupt; "
                                 "no symbols or debug info, assembly level only")
            shnum = 0
        raw = [SHDR.unpack_from(mm, shoff + i * shentsize) for i in range(shnum)]
        names = raw[shstrndx] if 0 < shstrndx < len(raw) else None
        for sh in raw:
            name = ""
            if names is not None and names[5] + names[4] <= size:
                end = mm.find(b"\0", names[4] + sh[0], names[4] + names[5])
                if end >= 0:
                    name = mm[names[4] + sh[0]:end].decode("utf-8", "replace")
            sec = Section(name, sh[1], sh[2], sh[3], sh[4], sh[5], sh[6], sh[7], sh[9])
            if sec.type != SHT_NOBITS and sec.size and sec.offset + sec.size > size:
                if not runnable:
                    raise BadExecutable(f"{shown}: truncated ELF: section {name or '?'} past end of file")
                self.warnings.append(f"warning: {shown}: section {name or '?'} lies past the end "
                                     "of the file; ignored")
                continue
            self.sections.append(sec)
        self._by_name = {s.name: s for s in reversed(self.sections)}
        if not runnable:
            raise BadExecutable(f"{shown}: truncated ELF: a loadable segment is past end of file")
        for p_type, _, p_offset, _, _, p_filesz, _, _ in self.segments:
            if p_type == PT_INTERP:
                self.interp = mm[p_offset:p_offset + p_filesz].split(b"\0")[0].decode("utf-8", "replace")
        self.build_id = self._find_build_id()
        if as_program and self.is_pie and self.interp is None and not self._has_pie_flag():
            raise BadExecutable(f"{shown}: this is a shared library, not a program "
                                "(load it from a program that uses it)")

    def _has_pie_flag(self) -> bool:
        for p_type, _, p_offset, _, _, p_filesz, _, _ in self.segments:
            if p_type == PT_DYNAMIC:
                for off in range(p_offset, p_offset + p_filesz - 15, 16):
                    tag, val = struct.unpack_from("<qQ", self._mm, off)
                    if tag == 0:
                        break
                    if tag == DT_FLAGS_1 and val & DF_1_PIE:
                        return True
        return False

    def _find_build_id(self) -> str | None:
        notes = [(s.offset, s.size) for s in self.sections if s.type == SHT_NOTE]
        notes += [(p[2], p[5]) for p in self.segments if p[0] == PT_NOTE]
        for off, size in notes:
            end = off + size
            while off + 12 <= end:
                namesz, descsz, ntype = struct.unpack_from("<III", self._mm, off)
                name_off = off + 12
                desc_off = name_off + (namesz + 3) // 4 * 4
                nxt = desc_off + (descsz + 3) // 4 * 4
                if nxt > end:
                    break
                if ntype == 3 and self._mm[name_off:name_off + namesz] == b"GNU\0":
                    build_id: str = self._mm[desc_off:desc_off + descsz].hex()
                    return build_id
                off = nxt
        return None

    def close(self) -> None:
        try:
            self._mm.close()
        except (BufferError, ValueError):
            pass                     # memoryviews of the map still live; the GC frees it later
        self._f.close()

    # ------------------------------------------------------------------ sections and bytes
    @property
    def elffile(self) -> ELFFile:
        """The pyelftools ELFFile over the same file, built on first use."""
        if self._elffile is None:
            from elftools.common.exceptions import ELFError
            from elftools.elf.elffile import ELFFile
            try:
                self._elffile = ELFFile(self._f)
            except (ELFError, struct.error, ValueError, IndexError, KeyError) as e:
                raise BadExecutable(f"{self.path}: pyelftools cannot read it: {e}") from None
        return self._elffile

    @property
    def mm(self) -> mmap.mmap:
        return self._mm

    def section(self, name: str) -> Section | None:
        return self._by_name.get(name)

    def section_bytes(self, sec: Section) -> memoryview:
        if sec.type == SHT_NOBITS:
            return memoryview(b"")
        return memoryview(self._mm)[sec.offset:sec.offset + sec.size]

    def read_section(self, name: str) -> tuple[mmap.mmap | bytes, int, int] | None:
        """(buffer, start, size) of a section's contents, decompressed when SHF_COMPRESSED
        or a legacy .zdebug_* section; None when absent or empty. ValueError (one line)
        when the contents cannot be had, e.g. zstd without the zstandard module."""
        sec, legacy = self.section(name), False
        if sec is None and name.startswith(".debug_"):
            sec, legacy = self.section(".z" + name[1:]), True
        if sec is None or sec.type == SHT_NOBITS or sec.size == 0:
            return None
        return section_contents(self._mm, self.size, sec, name, legacy)

    def separate_debug_file(self, dirs: Sequence[str]) -> ElfFile | None:
        """The file holding this one's DWARF (objcopy --only-keep-debug), found by
        build-id under each of dirs, then by .gnu_debuglink (checked by CRC)."""
        link = self.section(".gnu_debuglink")
        debuglink = bytes(self.section_bytes(link)) if link is not None and link.size > 4 else None
        for path, crc in debug_file_candidates(self.path, self.build_id, debuglink, dirs):
            if os.path.realpath(path) == self.path or not os.path.isfile(path):
                continue
            try:
                if crc is not None:
                    with open(path, "rb") as f:
                        if zlib.crc32(f.read()) != crc:
                            continue
                found = ElfFile.open(path, as_program=False)
            except (OSError, BadExecutable):
                continue
            if found.has_dwarf():
                return found
            found.close()
        return None

    def frame_setup_end(self, addr: int) -> int | None:
        """The address after the frame-pointer setup of the function at addr, or None
        when its code does not set one up (see prologue.py)."""
        return prologue.frame_setup_end(self.read_code(addr, 32), addr)

    def section_name_at(self, addr: int) -> str | None:
        for s in self.sections:
            if s.flags & SHF_ALLOC and s.size and s.addr <= addr < s.addr + s.size \
                    and not (s.type == SHT_NOBITS and s.name.startswith(".tbss")):
                return s.name
        return None

    def load_segments(self) -> list[tuple[int, int, int]]:
        return [(p[3], p[6], p[2]) for p in self.segments if p[0] == PT_LOAD]

    def read_link_addr(self, addr: int, n: int) -> bytes:
        """File bytes at a link-time address; zero-filled where the segment is bss."""
        for p_type, _, p_offset, p_vaddr, _, p_filesz, p_memsz, _ in self.segments:
            if p_type == PT_LOAD and p_vaddr <= addr and addr + n <= p_vaddr + p_memsz:
                rel = addr - p_vaddr
                data = self._mm[p_offset + rel:p_offset + min(p_filesz, rel + n)] if rel < p_filesz else b""
                return bytes(data) + bytes(n - len(data))
        raise BadAddress(addr)

    def read_code(self, addr: int, n: int) -> bytes:
        """Up to n file bytes at addr, fewer at the end of its segment, b"" outside any."""
        for p_type, _, p_offset, p_vaddr, _, p_filesz, _, _ in self.segments:
            if p_type == PT_LOAD and p_vaddr <= addr < p_vaddr + p_filesz:
                rel = addr - p_vaddr
                return bytes(self._mm[p_offset + rel:p_offset + min(p_filesz, rel + n)])
        return b""

    def text_range(self) -> tuple[int, int]:
        s = self.section(".text")
        if s is not None:
            return s.addr, s.addr + s.size
        execs = [(p[3], p[3] + p[6]) for p in self.segments if p[0] == PT_LOAD and p[1] & 1]
        return (min(a for a, _ in execs), max(b for _, b in execs)) if execs else (0, 0)

    def has_dwarf(self) -> bool:
        s = self.section(".debug_info") or self.section(".zdebug_info")
        return s is not None and s.size > 0 and s.type != SHT_NOBITS

    # ------------------------------------------------------------------ symbols (elf_symbols.py, plt.py)
    def symbol(self, name: str) -> Symbol | None:
        """A defined symbol by name (.symtab before .dynsym, functions first).

        ``foo@plt`` names the PLT stub; a name only defined in a shared library
        resolves to its stub here, like gdb's ``break puts`` before ``run``."""
        return self._symtabs.symbol(name)

    def symbols_named(self, name: str) -> list[Symbol]:
        """Every defined symbol called ``name`` (several for static functions of different files)."""
        return self._symtabs.symbols_named(name)

    def symbols_matching(self, prefix: str) -> list[str]:
        return self._symtabs.symbols_matching(prefix)

    def symbol_at(self, addr: int) -> tuple[Symbol, int] | None:
        """The function or object containing addr, and the offset into it."""
        return self._symtabs.symbol_at(addr)

    def plt_name(self, addr: int) -> str | None:
        """``puts@plt`` when addr is in that PLT stub."""
        return self._symtabs.plt_name(addr)


def _sane_segments(segs: list[Segment]) -> list[Segment]:
    """A non-PT_LOAD segment (PT_DYNAMIC, PT_NOTE, PT_TLS ...) describes bytes inside the
    loaded image; a damaged size is clamped to the image's span, so that reading it from
    the tracee (breaks/solib.py reads PT_DYNAMIC) never asks for gigabytes."""
    loads = [p for p in segs if p[0] == PT_LOAD]
    span = (max(p[3] + p[6] for p in loads) - min(p[3] for p in loads)) if loads else 0
    return [p if p[0] == PT_LOAD or (p[5] <= span and p[6] <= span)
            else (*p[:5], min(p[5], span), min(p[6], span), p[7]) for p in segs]
