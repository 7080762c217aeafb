"""The ELF file: validation with one-line errors, symbols, sections, PLT stubs.

Headers are parsed by hand from an mmap so opening a big program costs
microseconds and no pyelftools import; the pyelftools ``ELFFile`` is built only
when someone asks for ``elffile``. All addresses are link-time addresses.
"""
from __future__ import annotations

import bisect
import mmap
import os
import struct
import zlib
from dataclasses import dataclass

from ..errors import BadAddress, BadExecutable

MACHINES = {
    2: "SPARC", 3: "i386", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64", 22: "S/390",
    40: "ARM", 42: "SuperH", 43: "SPARC v9", 50: "IA-64", 62: "x86-64", 183: "AArch64",
    243: "RISC-V", 247: "BPF", 258: "LoongArch",
}
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
SHT_SYMTAB, SHT_NOTE, SHT_NOBITS, SHT_DYNSYM, SHF_ALLOC = 2, 7, 8, 11, 2
DT_FLAGS_1, DF_1_PIE = 0x6FFFFFFB, 0x08000000
R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT, R_X86_64_IRELATIVE = 6, 7, 37
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_PHDR = struct.Struct("<IIQQQQQQ")
_SYM = struct.Struct("<IBBHQQ")
_RELA = struct.Struct("<QQq")
_CORRUPT = (struct.error, IndexError, ValueError, OverflowError, UnicodeError)
SHF_COMPRESSED, ELFCOMPRESS_ZLIB, ELFCOMPRESS_ZSTD = 0x800, 1, 2
MAX_INFLATE = 64            # a compressed section may not expand beyond 64x the file size


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

    def __init__(self, path: str, fileobj, mm, size: int) -> None:
        self.path, self._f, self._mm, self.size = path, fileobj, mm, size
        self.warnings: list[str] = []          # problems that still let us go on
        self._elffile = None
        self._symbols: tuple | None = None
        self._plt: tuple | None = None

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str, *, as_program: bool = True) -> "ElfFile":
        shown = os.fspath(path)
        if not os.path.lexists(shown):
            raise BadExecutable(f"{shown}: No such file or directory.")
        if os.path.isdir(shown):
            raise BadExecutable(f"{shown}: Is a directory.")
        real = os.path.realpath(shown)
        try:
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
         shentsize, shnum, shstrndx) = _EHDR.unpack_from(mm, 0)
        if e_machine != 62:
            name = MACHINES.get(e_machine, f"machine {e_machine}")
            raise BadExecutable(f"{shown}: ELF for {name}, tdbg debugs x86-64 only")
        if e_type == 1:
            raise BadExecutable(f"{shown}: a relocatable object file (.o), not a program; link it first")
        if e_type == 4:
            raise BadExecutable(f"{shown}: a core dump, not a program")
        if e_type not in (2, 3):
            raise BadExecutable(f"{shown}: unknown ELF file type {e_type}")
        if phnum and (phentsize != _PHDR.size or phoff + phnum * phentsize > size):
            raise BadExecutable(f"{shown}: truncated ELF: program headers past end of file")
        self.is_pie = e_type == 3
        self.entry = entry
        self.segments = [_PHDR.unpack_from(mm, phoff + i * phentsize) for i in range(phnum)]
        # The kernel runs a file whose segments are whole even if its section headers
        # are garbage; then we go on without sections (symbols, DWARF) and say so.
        runnable = all(p[2] + p[5] <= size for p in self.segments if p[0] == PT_LOAD)
        self.sections: list[Section] = []
        if shnum and (shentsize != _SHDR.size or shoff + shnum * shentsize > size):
            if not runnable:
                raise BadExecutable(f"{shown}: truncated ELF: section headers past end of file")
            self.warnings.append(f"warning: {shown}: section headers are corrupt; "
                                 "no symbols or debug info, assembly level only")
            shnum = 0
        raw = [_SHDR.unpack_from(mm, shoff + i * shentsize) for i in range(shnum)]
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
        self.interp = None
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
                    return self._mm[desc_off:desc_off + descsz].hex()
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
    def elffile(self):
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
    def mm(self):
        return self._mm

    def section(self, name: str) -> Section | None:
        return self._by_name.get(name)

    def section_bytes(self, sec: Section) -> memoryview:
        if sec.type == SHT_NOBITS:
            return memoryview(b"")
        return memoryview(self._mm)[sec.offset:sec.offset + sec.size]

    def read_section(self, name: str) -> tuple[object, int, int] | None:
        """(buffer, start, size) of a section's contents, decompressed when SHF_COMPRESSED
        or a legacy .zdebug_* section; None when absent or empty. ValueError (one line)
        when the contents cannot be had, e.g. zstd without the zstandard module."""
        sec, legacy = self.section(name), False
        if sec is None and name.startswith(".debug_"):
            sec, legacy = self.section(".z" + name[1:]), True
        if sec is None or sec.type == SHT_NOBITS or sec.size == 0:
            return None
        mm, limit = self._mm, max(self.size, 1 << 20) * MAX_INFLATE
        if legacy and mm[sec.offset:sec.offset + 4] == b"ZLIB":
            kind, want, start = ELFCOMPRESS_ZLIB, int.from_bytes(mm[sec.offset + 4:sec.offset + 12], "big"), 12
        elif not legacy and sec.flags & SHF_COMPRESSED:
            kind, _, want, _ = struct.unpack_from("<IIQQ", mm, sec.offset)
            start = 24
        else:
            return mm, sec.offset, sec.size
        raw = mm[sec.offset + start:sec.offset + sec.size]
        if want > limit:
            raise ValueError(f"compressed section {name} claims {want} bytes; ignored")
        if kind == ELFCOMPRESS_ZSTD:
            data = _unzstd(raw, want)
        elif kind == ELFCOMPRESS_ZLIB:
            try:
                data = zlib.decompressobj().decompress(raw, want + 1)
            except zlib.error as e:
                raise ValueError(f"compressed section {name} is corrupt ({e}); ignored") from None
        else:
            raise ValueError(f"{name} is compressed with unknown method {kind}; ignored")
        if len(data) != want:
            raise ValueError(f"compressed section {name} expanded to {len(data)} bytes, "
                             f"header says {want}; ignored")
        return data, 0, len(data)

    def separate_debug_file(self, dirs) -> "ElfFile | None":
        """The file holding this one's DWARF (objcopy --only-keep-debug), found by
        build-id under each of dirs, then by .gnu_debuglink (checked by CRC)."""
        cands: list[tuple[str, int | None]] = []
        if self.build_id and len(self.build_id) > 2:
            cands += [(os.path.join(d, ".build-id", self.build_id[:2], self.build_id[2:] + ".debug"), None)
                      for d in dirs]
        link = self.section(".gnu_debuglink")
        if link is not None and link.size > 4:
            raw = bytes(self.section_bytes(link))
            name = raw.split(b"\0", 1)[0].decode("utf-8", "replace")
            crc = int.from_bytes(raw[-4:], "little")
            here = os.path.dirname(self.path)
            if name and "/" not in name:
                cands += [(os.path.join(p, name), crc) for p in
                          (here, os.path.join(here, ".debug"), *(d + here for d in dirs))]
        for path, crc in cands:
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
        """gdb's amd64_analyze_prologue: the address after `[endbr64] push %rbp;
        mov %rsp,%rbp` (past an optional stack-realigning preamble) at addr, or None
        when the code there does not set up a frame pointer."""
        code = self.read_code(addr, 32).ljust(32, b"\0")
        pc = _stack_align_end(code)
        if code[pc:pc + 4] == b"\xf3\x0f\x1e\xfa":
            pc += 4
        if code[pc:pc + 1] != b"\x55" or code[pc + 1:pc + 4] not in (b"\x48\x89\xe5", b"\x48\x8b\xec"):
            return None
        return addr + pc + 4

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

    # ------------------------------------------------------------------ symbols
    def _load_symbols(self) -> tuple:
        if self._symbols is None:
            try:
                self._symbols = self._read_all_symbols()
            except _CORRUPT as e:
                self.warnings.append(f"warning: {self.path}: symbol table is corrupt ({e}); ignored")
                self._symbols = ({}, [], [])
        return self._symbols

    def _read_all_symbols(self) -> tuple:
        by_name: dict[str, list[Symbol]] = {}
        located: list[Symbol] = []
        for kind_sec in (SHT_SYMTAB, SHT_DYNSYM):
            for sec in self.sections:
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

    def _read_symtab(self, sec: Section):
        if sec.link >= len(self.sections) or sec.entsize not in (0, _SYM.size):
            return
        strtab = self.sections[sec.link]
        mm, soff, send = self._mm, strtab.offset, strtab.offset + strtab.size
        data = self.section_bytes(sec)
        data = data[:len(data) - len(data) % _SYM.size]
        for st_name, st_info, _, st_shndx, st_value, st_size in _SYM.iter_unpack(data):
            typ = st_info & 0xF
            if st_shndx == 0 or typ in (3, 4) or soff + st_name >= send:    # undefined, SECTION, FILE
                continue
            end = mm.find(b"\0", soff + st_name, send)
            name = mm[soff + st_name:end if end >= 0 else send].decode("utf-8", "replace")
            if not name:
                continue
            kind = "func" if typ in (2, 10) else "object" if typ in (1, 5, 6) else "other"
            yield Symbol(name, st_value, st_size, kind)

    def symbol(self, name: str) -> Symbol | None:
        """A defined symbol by name (.symtab before .dynsym, functions first).

        ``foo@plt`` names the PLT stub; a name only defined in a shared library
        resolves to its stub here, like gdb's ``break puts`` before ``run``."""
        if name.endswith("@plt"):
            return next((s for s in self._plt_stubs()[0] if s.name == name), None)
        cands = self._load_symbols()[0].get(name, [])
        funcs = [s for s in cands if s.kind == "func"]
        if funcs or cands:
            return (funcs or cands)[0]
        return next((s for s in self._plt_stubs()[0] if s.name == name + "@plt"), None)

    def symbols_named(self, name: str) -> list[Symbol]:
        """Every defined symbol called ``name`` (several for static functions of different files).

        Looks the name up in the string tables first, so it stays cheap on a program
        with a hundred thousand symbols when the full table was never needed."""
        if self._symbols is not None:
            return [s for s in self._symbols[0].get(name, []) if s.name == name]
        try:
            return self._scan_symbols_named(name)
        except _CORRUPT:
            return [s for s in self._load_symbols()[0].get(name, []) if s.name == name]

    def _scan_symbols_named(self, name: str) -> list[Symbol]:
        want = name.encode() + b"\0"
        out = []
        for kind_sec in (SHT_SYMTAB, SHT_DYNSYM):
            for sec in self.sections:
                if sec.type != kind_sec or sec.link >= len(self.sections):
                    continue
                strtab = self.sections[sec.link]
                lo, hi = strtab.offset, strtab.offset + strtab.size
                offs, pos = set(), self._mm.find(want, lo, hi)
                while pos >= 0:                  # tails count: linkers share string suffixes
                    offs.add(pos - lo)
                    pos = self._mm.find(want, pos + 1, hi)
                if not offs:
                    continue
                data = self.section_bytes(sec)
                for st_name, st_info, _, st_shndx, st_value, st_size in \
                        _SYM.iter_unpack(data[:len(data) - len(data) % _SYM.size]):
                    if st_name in offs and st_shndx and st_info & 0xF not in (3, 4):
                        typ = st_info & 0xF
                        kind = "func" if typ in (2, 10) else "object" if typ in (1, 5, 6) else "other"
                        out.append(Symbol(name, st_value, st_size, kind))
        return out

    def symbols_matching(self, prefix: str) -> list[str]:
        names = {n for n in self._load_symbols()[0] if n.startswith(prefix) and "@" not in n}
        names.update(s.name for s in self._plt_stubs()[0] if s.name.startswith(prefix))
        return sorted(names)

    def symbol_at(self, addr: int) -> tuple[Symbol, int] | None:
        """The function or object containing addr, and the offset into it."""
        stub = self.plt_name(addr)
        if stub is not None:
            s = self.symbol(stub)
            return (s, addr - s.addr) if s else None
        _, uniq, addrs = self._load_symbols()
        i = bisect.bisect_right(addrs, addr) - 1
        if i < 0:
            return None
        s = uniq[i]
        if s.size and addr >= s.addr + s.size:
            return None
        if not s.size and self.section_name_at(s.addr) != self.section_name_at(addr):
            return None
        return s, addr - s.addr

    # ------------------------------------------------------------------ PLT
    def _plt_stubs(self) -> tuple:
        """PLT stubs named after the GOT slot their ``jmp *slot(%rip)`` goes through (as BFD does)."""
        if self._plt is None:
            try:
                self._plt = self._read_plt()
            except _CORRUPT as e:
                self.warnings.append(f"warning: {self.path}: PLT relocations are corrupt ({e}); ignored")
                self._plt = ([], [])
        return self._plt

    def _read_plt(self) -> tuple:
        slots = self._got_slot_names()
        stubs: list[Symbol] = []
        for name in (".plt", ".plt.sec", ".plt.got"):
            sec = self.section(name)
            if sec is None or not sec.size:
                continue
            step = sec.entsize or 16
            data = bytes(self.section_bytes(sec))
            for off in range(0, len(data) - step + 1, step):
                slot = self._jmp_slot(data[off:off + step], sec.addr + off)
                if slot in slots:
                    stubs.append(Symbol(slots[slot] + "@plt", sec.addr + off, step, "func"))
        stubs.sort(key=lambda s: s.addr)
        return stubs, [s.addr for s in stubs]

    @staticmethod
    def _jmp_slot(code: bytes, addr: int) -> int | None:
        i = 0
        while i < len(code) - 5:
            if code[i:i + 2] == b"\xff\x25":                     # jmp *disp32(%rip)
                disp = struct.unpack_from("<i", code, i + 2)[0]
                return addr + i + 6 + disp
            i += 1
        return None

    def _got_slot_names(self) -> dict[int, str]:
        names: dict[int, str] = {}
        for sec in self.sections:
            if sec.type != 4 or sec.link >= len(self.sections):        # SHT_RELA
                continue
            symtab = self.sections[sec.link]
            syms = list(self._raw_names(symtab)) if symtab.type in (SHT_SYMTAB, SHT_DYNSYM) else []
            data = self.section_bytes(sec)
            for r_offset, r_info, r_addend in _RELA.iter_unpack(data[:len(data) - len(data) % 24]):
                rtype, rsym = r_info & 0xFFFFFFFF, r_info >> 32
                if rtype in (R_X86_64_JUMP_SLOT, R_X86_64_GLOB_DAT) and 0 < rsym < len(syms):
                    names[r_offset] = syms[rsym]
                elif rtype == R_X86_64_IRELATIVE:
                    names.setdefault(r_offset, f"*ABS*+{r_addend:#x}")
        return names

    def _raw_names(self, symtab: Section):
        strtab = self.sections[symtab.link] if symtab.link < len(self.sections) else None
        data = self.section_bytes(symtab)
        for st_name, *_ in _SYM.iter_unpack(data[:len(data) - len(data) % _SYM.size]):
            if strtab is None or st_name >= strtab.size:
                yield ""
                continue
            start = strtab.offset + st_name
            end = self._mm.find(b"\0", start, strtab.offset + strtab.size)
            yield self._mm[start:end if end >= 0 else start].decode("utf-8", "replace")

    def plt_name(self, addr: int) -> str | None:
        stubs, addrs = self._plt_stubs()
        i = bisect.bisect_right(addrs, addr) - 1
        if i >= 0 and addr < stubs[i].addr + stubs[i].size:
            return stubs[i].name
        return None


def _stack_align_end(code: bytes) -> int:
    """amd64_analyze_stack_align: length of a stack-realigning preamble, or 0."""
    try:
        if code[0] & 0xFB == 0x48 and code[1] == 0x8D and code[3] == 0x24 and code[4] == 0x08:
            if code[2] & 0xC7 != 0x44:                     # leaq 8(%rsp), %reg
                return 0
            reg = ((code[2] >> 3) & 7) + (8 if code[0] == 0x4C else 0)
            off = 5
        else:
            reg, off = 0, 0                                # pushq %reg; leaq 16(%rsp), %reg
            if code[0] & 0xF6 == 0x40 and code[1] & 0xF8 == 0x50:
                reg, off = (8 if code[0] & 1 else 0), 1
            elif code[0] & 0xF8 != 0x50:
                return 0
            reg += code[off] & 7
            off += 1
            if code[off] & 0xFB != 0x48 or code[off + 1] != 0x8D or code[off + 3] != 0x24 \
                    or code[off + 4] != 0x10 or code[off + 2] & 0xC7 != 0x44:
                return 0
            if ((code[off + 2] >> 3) & 7) + (8 if code[off] == 0x4C else 0) != reg:
                return 0
            off += 5
        if reg in (4, 5) or code[off] != 0x48 or code[off + 2] != 0xE4 or code[off + 1] not in (0x81, 0x83):
            return 0
        off += 7 if code[off + 1] == 0x81 else 4
        r = 0                                              # pushq -8(%reg)
        if code[off] == 0xFF:
            off += 1
        elif code[off] & 0xF6 == 0x40 and code[off + 1] == 0xFF:
            r, off = (8 if code[off] & 1 else 0), off + 2
        else:
            return 0
        if code[off + 1] != 0xF8 or code[off] & 0xF8 != 0x70 or r + (code[off] & 7) != reg:
            return 0
        return off + 2
    except IndexError:
        return 0


def _unzstd(raw: bytes, want: int) -> bytes:
    try:
        import zstandard                                     # optional dependency
    except ImportError:
        raise ValueError("debug sections are compressed with zstd, which this Python cannot read; "
                         "rebuild with -gz=zlib or pip install zstandard") from None
    try:
        return zstandard.ZstdDecompressor().decompress(raw, max_output_size=want)
    except zstandard.ZstdError as e:
        raise ValueError(f"zstd-compressed debug section is corrupt ({e}); ignored") from None
