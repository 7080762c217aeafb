"""Real stopped-process states for tests, frozen with gdb's ``gcore``.

gdb stops the program where the commands say (a breakpoint, a signal), writes a
core file, and the test reads registers and memory from it: no ptrace code of ours
is involved, so unwinder and expression tests can run without a live tracee and
compare with gdb's own answers about that very state (``capture_with``).
"""
from __future__ import annotations

import hashlib
import mmap
import struct
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from elftools.elf.elffile import ELFFile

from tdbg.backend.errors import BadAddress

USER_REGS = ("r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax "
             "rip cs eflags rsp ss fs_base gs_base ds es fs gs").split()
NT_PRSTATUS = 1
NT_FILE = 0x46494C45
# struct elf_prstatus on x86-64: siginfo (12) + cursig (2) + pad (2) + sigpend (8)
# + sighold (8) + pid/ppid/pgrp/sid (16) + 4 timevals (64) = 112, then pr_reg.
PR_REG_OFFSET = 112
GDB_SETUP = ("set debug-file-directory /nonexistent", "set pagination off",
             "set width 0", "set confirm off")

_cache: dict[tuple, tuple[CoreState, str]] = {}


@dataclass
class CoreState:
    binary: Path
    core: Path
    regs: dict[str, int]
    mappings: list[tuple[int, int, int, str]]
    _segments: list[tuple[int, int, int]] = field(default_factory=list, repr=False)
    _files: dict[str, mmap.mmap] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, binary: Path, core: Path) -> CoreState:
        regs: dict[str, int] = {}
        mappings: list[tuple[int, int, int, str]] = []
        segments: list[tuple[int, int, int]] = []
        with open(core, "rb") as f:
            elf = ELFFile(f)
            for seg in elf.iter_segments():
                if seg["p_type"] == "PT_LOAD" and seg["p_filesz"]:
                    segments.append((seg["p_vaddr"], seg["p_filesz"], seg["p_offset"]))
                if seg["p_type"] != "PT_NOTE":
                    continue
                for note in seg.iter_notes():
                    raw = note["n_descdata"]
                    if isinstance(raw, str):
                        raw = raw.encode("latin-1")
                    if note["n_type"] in ("NT_PRSTATUS", NT_PRSTATUS) and not regs:
                        # The first NT_PRSTATUS is the thread gdb had selected.
                        vals = struct.unpack_from("<27Q", raw, PR_REG_OFFSET)
                        regs = dict(zip(USER_REGS, vals, strict=True))
                    elif note["n_type"] in ("NT_FILE", NT_FILE):
                        mappings = _parse_nt_file(note)
        return cls(Path(binary), Path(core), regs, mappings, segments)

    def read(self, addr: int, n: int) -> bytes:
        out = bytearray()
        while len(out) < n:
            chunk = self._read_some(addr + len(out), n - len(out))
            if not chunk:
                raise BadAddress(addr + len(out))
            out += chunk
        return bytes(out)

    def _read_some(self, addr: int, n: int) -> bytes:
        for vaddr, filesz, off in self._segments:
            if vaddr <= addr < vaddr + filesz:
                take = min(n, vaddr + filesz - addr)
                pos = off + addr - vaddr
                return self._file(str(self.core))[pos:pos + take]
        # Read-only file-backed pages (text, rodata) are usually not dumped.
        for start, end, offset, path in self.mappings:
            if start <= addr < end:
                data = self._file(path)
                pos = offset + addr - start
                take = min(n, end - addr)
                chunk = data[pos:pos + take]
                # Past the file's end a mapping reads as zeros (bss tail of a page).
                return chunk + bytes(take - len(chunk)) if chunk or pos >= len(data) else b""
        return b""

    def _file(self, path: str) -> bytes:
        if path not in self._files:
            with open(path, "rb") as f:
                # mmap: unwinding reads many small pieces of big files (libc, the core).
                self._files[path] = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return self._files[path]

    def bias_of(self, path_substring: str) -> int:
        """Load bias of a mapped object: where its offset-0 mapping landed minus that
        segment's page-rounded link-time address."""
        for start, _end, offset, path in self.mappings:
            if path_substring in path:
                with open(path, "rb") as f:
                    for seg in ELFFile(f).iter_segments():
                        if seg["p_type"] != "PT_LOAD":
                            continue
                        # Mappings are page-granular whatever p_align says.
                        if seg["p_offset"] & ~0xFFF == offset:
                            return start - (seg["p_vaddr"] & ~0xFFF)
                raise KeyError(f"{path}: no PT_LOAD at file offset {offset:#x}")
        raise KeyError(path_substring)

    def objects(self) -> list[str]:
        """Mapped ELF objects, each path once, in address order."""
        seen: list[str] = []
        for _s, _e, _o, path in sorted(self.mappings):
            if path not in seen and Path(path).exists():
                seen.append(path)
        return seen

    @classmethod
    def capture(cls, binary: Path, *gdb_commands: str, tmpdir: Path) -> CoreState:
        return cls.capture_with(binary, gdb_commands, tmpdir, oracle_cmds=())[0]

    @classmethod
    def capture_with(cls, binary: Path, cmds, tmpdir: Path,
                     oracle_cmds=("bt", "info frame")) -> tuple[CoreState, str]:
        key = (str(binary), tuple(cmds), tuple(oracle_cmds))
        if key in _cache:
            return _cache[key]
        tag = hashlib.sha1(repr(key).encode()).hexdigest()[:12]
        core = Path(tmpdir) / f"core-{tag}"
        marker = "@@tdbg-oracle@@"
        argv = ["gdb", "-nx", "-batch"]
        for c in (*GDB_SETUP, *cmds, f"gcore {core}", f"echo {marker}\\n", *oracle_cmds):
            argv += ["-ex", c]
        argv += [str(binary)]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if not core.exists():
            raise RuntimeError(f"gcore failed:\n{proc.stdout}\n{proc.stderr}")
        oracle = proc.stdout.split(marker + "\n", 1)[-1]
        result = (cls.load(Path(binary), core), oracle)
        _cache[key] = result
        return result


def _parse_nt_file(note) -> list[tuple[int, int, int, str]]:
    desc = note["n_desc"]
    # pyelftools decodes NT_FILE; offsets there are in pages of page_size.
    page = desc["page_size"]
    return [(m["vm_start"], m["vm_end"], m["page_offset"] * page, name.decode()
             if isinstance(name, bytes) else name)
            for m, name in zip(desc["Elf_Nt_File_Entry"], desc["filename"], strict=True)]


# -- test helpers over a CoreState: our unwinder and DWARF, wired by hand --------

def unwinder_for(cs: CoreState, skip: tuple[str, ...] = ()):
    """An Unwinder over every mapped ELF object, each with its own load bias.
    Objects whose path contains a string in `skip` get no CFI (as if stripped)."""
    from tdbg.backend.symbols.dwarf.cfi import ObjectCFI
    from tdbg.backend.symbols.frames import Unwinder

    spans = []
    for path in cs.objects():
        if any(s in path for s in skip):
            continue
        ranges = [(s, e) for s, e, _o, p in cs.mappings if p == path]
        with open(path, "rb") as f:
            cfi = ObjectCFI(ELFFile(f), cs.bias_of(path))
        spans.append((min(s for s, _ in ranges), max(e for _, e in ranges), cfi))

    def cfi_for_pc(pc: int):
        for start, end, cfi in spans:
            if start <= pc < end:
                return cfi
        return None

    return Unwinder(cfi_for_pc, cs.read)


class ProgramDwarf:
    """The program's DWARF through pyelftools: function at a pc, its variables."""

    def __init__(self, binary: Path) -> None:
        self._file = open(binary, "rb")
        self.elf = ELFFile(self._file)
        self.dwarf = self.elf.get_dwarf_info()
        self.functions: list[tuple[int, int, object]] = []
        ranges = self.dwarf.range_lists()
        for cu in self.dwarf.iter_CUs():
            for die in cu.get_top_DIE().iter_children():
                if die.tag != "DW_TAG_subprogram":
                    continue
                a = die.attributes
                if "DW_AT_low_pc" in a and "DW_AT_high_pc" in a:
                    lo = a["DW_AT_low_pc"].value
                    hi = a["DW_AT_high_pc"].value
                    if a["DW_AT_high_pc"].form != "DW_FORM_addr":
                        hi += lo
                    self.functions.append((lo, hi, die))
                elif "DW_AT_ranges" in a:
                    for r in ranges.get_range_list_at_offset(a["DW_AT_ranges"].value, cu=cu):
                        if hasattr(r, "begin_offset"):
                            self.functions.append((r.begin_offset, r.end_offset, die))

    def function_at(self, pc_link: int):
        for lo, hi, die in self.functions:
            if lo <= pc_link < hi:
                return die
        return None

    @staticmethod
    def name(die) -> str:
        return die.attributes["DW_AT_name"].value.decode()

    def variables(self, func, pc_link: int):
        """Parameters and locals visible at pc, innermost blocks first (gdb's order)."""
        out: list = []

        def walk(die) -> None:
            params = [c for c in die.iter_children() if c.tag == "DW_TAG_formal_parameter"]
            local = [c for c in die.iter_children() if c.tag == "DW_TAG_variable"]
            for c in die.iter_children():
                if c.tag == "DW_TAG_lexical_block" and self._covers(c, pc_link):
                    walk(c)
            out.extend(local)
            out.extend(params)

        walk(func)
        return out

    def _covers(self, die, pc_link: int) -> bool:
        a = die.attributes
        if "DW_AT_low_pc" in a and "DW_AT_high_pc" in a:
            lo, hi = a["DW_AT_low_pc"].value, a["DW_AT_high_pc"].value
            if a["DW_AT_high_pc"].form != "DW_FORM_addr":
                hi += lo
            return lo <= pc_link < hi
        if "DW_AT_ranges" in a:
            rl = self.dwarf.range_lists().get_range_list_at_offset(a["DW_AT_ranges"].value,
                                                                   cu=die.cu)
            return any(getattr(r, "begin_offset", 1) <= pc_link < getattr(r, "end_offset", 0)
                       for r in rl)
        return False

    def int_type(self, die) -> tuple[int, bool] | None:
        """(byte size, signed) when the DIE's type is an integer, else None."""
        t = die
        for _ in range(16):
            if "DW_AT_type" not in t.attributes:
                return None
            t = t.get_DIE_from_attribute("DW_AT_type")
            if t.tag == "DW_TAG_base_type":
                enc = t.attributes["DW_AT_encoding"].value
                if enc in (5, 6, 7, 8):        # signed, signed_char, unsigned, unsigned_char
                    return t.attributes["DW_AT_byte_size"].value, enc in (5, 6)
                return None
            if t.tag not in ("DW_TAG_typedef", "DW_TAG_const_type", "DW_TAG_volatile_type"):
                return None
        return None

    def close(self) -> None:
        self._file.close()
