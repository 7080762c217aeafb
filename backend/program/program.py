"""The program's loaded objects: the executable, ld.so, libc, dlopen'ed libraries.

Symbols and DWARF keep link-time addresses; an ObjFile adds its load bias at
the edge. Before the program runs the executable's bias is 0, so
addresses read like gdb's before `run`.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import CommandError, NoDebugInfo, NotFound, TdbgError
from ..events import SourceLocation
from ..process.inferior import Region
from ..symbols.elf import ElfFile
from ..symbols.scopes import Scopes

if TYPE_CHECKING:                  # both are imported on first use (big programs load lazily)
    from ..symbols.dwarf.cfi import ObjectCFI
    from ..symbols.index.debug_info import DebugInfo

PAGE = 0x1000


class ObjFile:
    def __init__(self, elf: ElfFile, bias: int = 0) -> None:
        self.elf = elf
        self.path = elf.path
        self.display_path = elf.path    # what gdb shows: the dynamic linker's name (solib.py)
        self.bias = bias
        self._debug: DebugInfo | None = None
        self._debug_loaded = False
        self._cfi: ObjectCFI | None = None
        self._scopes: Scopes | None = None
        self.warnings: list[str] = []
        self._bp_memo: dict[str, list[int]] = {}
        segs = elf.load_segments()
        self._lo = min((v for v, _, _ in segs), default=0)
        self._hi = max((v + m for v, m, _ in segs), default=0)

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    def contains(self, addr: int) -> bool:
        return self._lo <= addr - self.bias < self._hi

    @property
    def debug(self) -> DebugInfo | None:
        """DebugInfo or None; loaded on first use (big programs index lazily)."""
        if not self._debug_loaded:
            self._debug_loaded = True
            from ..symbols.index.debug_info import DebugInfo
            try:
                self._debug = DebugInfo.load(self.elf)    # debug-file-directory now
            except TdbgError as e:
                self.warnings.append(str(e))
                self._debug = None
            if self._debug is not None:
                self.warnings.extend(self._debug.warnings)
        return self._debug

    @property
    def scopes(self) -> Scopes:
        """The DWARF scope reader of this object (made once; needs debug info)."""
        if self._scopes is None:
            self._scopes = Scopes(self.require_debug().dwarf)
        return self._scopes

    def require_debug(self) -> DebugInfo:
        """The debug info, for code that already checked `debug` (NoDebugInfo without it)."""
        debug = self.debug
        if debug is None:
            raise NoDebugInfo(f"{self.name} has no debugging information")
        return debug

    def function_breakpoints(self, name: str) -> list[int]:
        """Link-time `break NAME` addresses in this object (memoized: a library loaded
        again re-resolves its pending breakpoints without redoing prologue analysis)."""
        found = self._bp_memo.get(name)
        if found is None and self.debug is not None:
            found = self._bp_memo[name] = [self.debug.breakpoint_address(f)
                                           for f in self.debug.functions_named(name)]
        return found or []

    @property
    def cfi(self) -> ObjectCFI:
        if self._cfi is None:
            from ..symbols.dwarf.cfi import ObjectCFI
            self._cfi = ObjectCFI(self.elf.elffile, self.bias)
        return self._cfi

    def rebias(self, bias: int) -> None:
        if bias != self.bias:
            self.bias = bias
            self._cfi = None
            for cache in ("_scope_cache", "_name_plans"):   # keyed by runtime pc
                self.__dict__.pop(cache, None)


@dataclass(frozen=True, slots=True)
class Resolved:
    addrs: list[int]          # runtime addresses
    line: int | None = None   # the line actually used (a line without code moves down)
    file: str | None = None
    note: str = ""


class Program:
    def __init__(self, path: str) -> None:
        self.main = ObjFile(ElfFile.open(path))
        self.objfiles: list[ObjFile] = [self.main]
        self._failed: set[str] = set()
        self._opened: dict[str, ObjFile] = {}   # by real path: a library loaded again is not re-read
        # Libraries appear after launch (ld.so maps libc, dlopen): an address no
        # object covers makes us re-read the memory map, at most once per change.
        self.maps_provider: Callable[[], list[Region]] | None = None
        self._maps_seen: int | None = None

    @property
    def path(self) -> str:
        return self.main.path

    # ---- relocation ---------------------------------------------------------------
    def relocate(self, regions: list[Region]) -> bool:
        """Match /proc/PID/maps to objects; returns True when the set changed."""
        first: dict[str, Region] = {}
        for r in regions:
            if r.path.startswith("/") and r.path not in first:
                first[r.path] = r
        changed = False
        main_real = os.path.realpath(self.main.path)
        keep = [self.main]
        for path, r in first.items():
            real = os.path.realpath(path)
            if real == main_real:
                self.main.rebias(self._bias(self.main, r))
                continue
            existing = next((o for o in self.objfiles if o.path == real), None)
            if existing is not None:
                existing.rebias(self._bias(existing, r))
                keep.append(existing)
                continue
            obj = self.open_object(real)
            if obj is None:
                continue
            obj.rebias(self._bias(obj, r))
            keep.append(obj)
            changed = True
        if len(keep) != len(self.objfiles):
            changed = True
        self.objfiles = keep
        return changed

    def open_object(self, real: str) -> ObjFile | None:
        """The ObjFile of a library file (cached by real path), or None if it is no ELF."""
        obj = self._opened.get(real)
        if obj is not None or real in self._failed:
            return obj
        if not _looks_like_elf(real):
            self._failed.add(real)
            return None
        try:
            obj = self._opened[real] = ObjFile(ElfFile.open(real, as_program=False))
        except TdbgError:
            self._failed.add(real)
        return obj

    @staticmethod
    def _bias(obj: ObjFile, first_region: Region) -> int:
        if not obj.elf.is_pie and obj.elf.elffile.header.e_type == "ET_EXEC":
            return 0
        segs = obj.elf.load_segments()
        seg = next((s for s in segs if s[2] // PAGE * PAGE == first_region.offset), segs[0])
        return first_region.start - seg[0] // PAGE * PAGE

    def unrelocate(self) -> None:
        """The process is gone: its libraries go; the executable keeps the addresses of
        the last run, as gdb does (breakpoints, `info line` and `&x` still show them)."""
        self.maps_provider = None
        self.objfiles = [self.main]

    # ---- lookups ------------------------------------------------------------------------
    def objfile_for(self, addr: int) -> ObjFile | None:
        for o in self.objfiles:
            if o.contains(addr):
                return o
        if self.maps_provider is not None:
            regions = self.maps_provider()
            if id(regions) != self._maps_seen:
                self._maps_seen = id(regions)
                self.relocate(regions)
                for o in self.objfiles:
                    if o.contains(addr):
                        return o
        return None

    def symbolize(self, addr: int) -> str | None:
        """'main+4', 'puts@plt', or None."""
        o = self.objfile_for(addr)
        if o is None:
            return None
        link = addr - o.bias
        plt = o.elf.plt_name(link)
        if plt:
            return plt
        found = o.elf.symbol_at(link)
        if found is None:
            return None
        sym, off = found
        if not sym.size and sym.kind != "func":
            # gdb's build_address_symbolic: a zero-sized data symbol names nothing
            sec = o.elf.section(o.elf.section_name_at(sym.addr) or "")
            if sec is None or not sec.flags & 4:          # not SHF_EXECINSTR
                return None
        return f"{sym.name}+{off}" if off else sym.name

    def function_name(self, addr: int) -> str | None:
        o = self.objfile_for(addr)
        if o is None:
            return None
        link = addr - o.bias
        if o.debug is not None:
            f = o.debug.function_at(link)
            if f is not None:
                return f.name
        plt = o.elf.plt_name(link)
        if plt:
            return plt
        found = o.elf.symbol_at(link)
        return found[0].name if found else None

    def location(self, addr: int) -> SourceLocation | None:
        o = self.objfile_for(addr)
        if o is None or o.debug is None:
            return None
        link = addr - o.bias
        row = o.debug.find_line(link)
        if row is None:
            return None
        f = o.debug.function_at(link)
        return SourceLocation(row.file, row.line, row.column, f.name if f else None)

    def line_start(self, addr: int) -> bool:
        o = self.objfile_for(addr)
        return bool(o and o.debug and o.debug.is_statement_start(addr - o.bias))

    def line_range(self, addr: int) -> tuple[int, int] | None:
        o = self.objfile_for(addr)
        if o is None or o.debug is None:
            return None
        r = o.debug.line_range(addr - o.bias)
        return None if r is None else (r[0] + o.bias, r[1] + o.bias)

    def function_range(self, addr: int) -> tuple[int, int] | None:
        o = self.objfile_for(addr)
        if o is None:
            return None
        link = addr - o.bias
        if o.debug is not None:
            f = o.debug.function_at(link)
            if f is not None:
                return f.low + o.bias, f.high + o.bias
        found = o.elf.symbol_at(link)
        if found and found[0].size:
            return found[0].addr + o.bias, found[0].addr + found[0].size + o.bias
        return None

    def has_line_info(self, addr: int) -> bool:
        return self.location(addr) is not None

    def lookup_symbol(self, name: str) -> int | None:
        for o in self.objfiles:
            s = o.elf.symbol(name)
            if s is not None and s.addr:
                return s.addr + o.bias
        return None

    # ---- location specs (break/until/advance/list) -------------------------------------
    def resolve(self, spec: str, current_file: str | None = None,
                evaluate: Callable[[str], int] | None = None, refresh: bool = True) -> Resolved:
        spec = spec.strip()
        if not spec:
            raise CommandError("Argument required (location).")
        if spec.startswith("*"):
            return Resolved([self.address_of(spec[1:], evaluate)])
        if self.maps_provider is not None and refresh:
            # Objects are met lazily by address: a library's functions (`break lib_fn`
            # after `run`) must be found in it, not as the executable's PLT stub.
            try:
                self.relocate(self.maps_provider())
            except (OSError, TdbgError):
                pass
        if ":" in spec:
            file, _, rest = spec.rpartition(":")
            if rest.strip().isdigit():
                return self._resolve_line(file.strip(), int(rest))
            return self._resolve_function(rest.strip())
        if spec.isdigit():
            if current_file is None:
                loc = self.main_location()
                if loc is None:
                    raise CommandError("No symbol table is loaded.  Use the \"file\" command.")
                current_file = loc.file
            return self._resolve_line(current_file, int(spec))
        return self._resolve_function(spec)

    def _resolve_line(self, file: str, line: int) -> Resolved:
        for o in self.objfiles:
            if o.debug is None:
                continue
            try:
                actual, addrs = o.debug.line_addresses(file, line)
            except CommandError:
                continue
            note = f"line {line} has no code; using line {actual}" if actual != line else ""
            return Resolved([a + o.bias for a in addrs], actual, file, note)
        if self.main.debug is None:
            raise CommandError("No symbol table is loaded.  Use the \"file\" command.")
        # let the main objfile raise its precise message
        try:
            self.main.debug.line_addresses(file, line)
        except CommandError as e:
            if str(e).startswith("No source file named"):
                raise NotFound(str(e)) from None      # a library may bring it (solib.py)
            raise
        raise NotFound(f"No source file named {file}.")

    def _resolve_function(self, name: str) -> Resolved:
        base, plus, off = name.partition("+")
        offset = 0
        if plus:
            from ..numbers import parse_int
            offset = parse_int(off)
        if not plus:
            # Every object defining it (a static function in the program and in a
            # library): one location each, like gdb's linespec.
            addrs: set[int] = set()
            for o in self.objfiles:
                addrs.update(a + o.bias for a in o.function_breakpoints(base))
            if addrs:
                return Resolved(sorted(addrs))
        stub = None
        for o in self.objfiles:
            s = o.elf.symbol(base)
            if s is not None and s.kind == "func" and s.addr:
                addr = s.addr + o.bias + offset
                if not plus:
                    addr = self._skip_prologue_nodebug(o, s.addr) + o.bias
                if not s.name.endswith("@plt") or base.endswith("@plt"):
                    return Resolved([addr])
                stub = stub or addr       # a library's own definition beats the PLT stub
        if stub is not None:
            return Resolved([stub])
        raise NotFound(f'Function "{base}" not defined.')

    @staticmethod
    def _skip_prologue_nodebug(o: ObjFile, addr: int) -> int:
        """Without DWARF gdb skips `endbr64; push %rbp; mov %rsp,%rbp` (and sub rsp)."""
        try:
            code = o.elf.read_link_addr(addr, 16)
        except Exception:
            return addr
        pos = 0
        for pat in (b"\xf3\x0f\x1e\xfa", b"\x55", b"\x48\x89\xe5"):
            if code[pos:pos + len(pat)] == pat:
                pos += len(pat)
            else:
                break
        return addr + (pos if pos >= 5 else 0)

    _SYM_OFF = re.compile(r"^\s*([A-Za-z_.$][\w.$@]*)\s*(?:([+-])\s*(0[xX][0-9a-fA-F]+|\d+))?\s*$")

    def address_of(self, text: str, evaluate: Callable[[str], int] | None = None) -> int:
        """`*EXPR` of a location: a number, SYM, SYM+OFF, else a C expression."""
        try:
            return int(text.strip(), 0)
        except ValueError:
            pass
        m = self._SYM_OFF.match(text)
        if m:
            addr = self.lookup_symbol(m.group(1))
            if addr is not None:
                off = int(m.group(3), 0) if m.group(3) else 0
                return addr - off if m.group(2) == "-" else addr + off
        if evaluate is None:
            raise CommandError(f'No symbol "{text.strip()}" in current context.')
        return evaluate(text)

    def main_location(self) -> SourceLocation | None:
        if self.main.debug is None:
            return None
        funcs = self.main.debug.functions_named("main")
        if not funcs:
            return None
        f = funcs[0]
        addr = self.main.debug.breakpoint_address(f)
        row = self.main.debug.find_line(addr)
        if row is None:
            return SourceLocation(f.file or "", f.line or 1, 0, "main")
        return SourceLocation(row.file, row.line, row.column, "main")


def _looks_like_elf(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False
