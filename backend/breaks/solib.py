"""Shared libraries as the dynamic linker announces them (docs/hard-cases.md E8).

glibc's ld.so keeps a ``struct r_debug`` (found through DT_DEBUG in the
program's dynamic section, or ld.so's own ``_r_debug``) whose ``r_map`` lists
the loaded objects, and calls ``_dl_debug_state`` (``r_brk``) around every
change: RT_ADD / RT_DELETE before it, RT_CONSISTENT after. Debian's glibc has
no SDT probes, so like gdb we keep an internal breakpoint there ("shlib
events"). It never stops the program: its condition reads ``r_state``, and at
RT_CONSISTENT diffs the list. New objects join the Program and breakpoints are
re-resolved (a pending one finds its library, ``break puts`` moves from the PLT
stub to libc); sites in unloaded objects are dropped without writing a byte
into memory that is no longer mapped.
"""
from __future__ import annotations

import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass

from .. import events as ev
from ..errors import TdbgError
from ..program.program import ObjFile
from ..program.target import Target
from .locations import relocate as relocate_locations
from .manager import Breakpoint, Manager

_R_DEBUG = struct.Struct("<i4xQQi4xQ")      # r_version, r_map, r_brk, r_state, r_ldbase
_LINK_MAP = struct.Struct("<QQQQ")          # l_addr, l_name, l_ld, l_next
_DYN = struct.Struct("<qQ")
RT_CONSISTENT = 0
DT_DEBUG = 21
PT_DYNAMIC = 2
_MAX_OBJECTS = 4096                         # a corrupt (cyclic) list ends here


LinkKey = tuple[int, ...]      # (link_map address, l_addr, l_name pointer)


@dataclass(slots=True)
class Library:
    name: str           # l_name, as gdb shows it ("./libplug.so", "/lib/x86_64-linux-gnu/libc.so.6")
    obj: ObjFile
    key: LinkKey = ()   # () until the list is read


def _nothing() -> None:
    pass


def _ignore_range(inside: Callable[[int], bool]) -> None:
    pass


class SharedLibraries:
    def __init__(self, target: Target, bps: Manager) -> None:
        self.target = target
        self.bps = bps
        # Wired by backend/debugger.py: repaint breakpoint lists; forget cached copies of
        # code in a range that was unmapped (the controller's trap cache and out-of-line slots).
        self.on_breakpoints_changed: Callable[[], None] = _nothing
        self.on_code_unmapped: Callable[[Callable[[int], bool]], None] = _ignore_range
        self.libs: list[Library] = []
        self.pending_mode = "auto"          # set breakpoint pending on|off|auto
        self.events = 0                     # linker notifications seen (tests, bench)
        self.unloaded: set[int] = set()     # breakpoints left without locations by a dlclose
        self.unresolved: set[int] = set()   # pending since set: never had a location yet
        self._r_debug = 0
        self._event_bp: Breakpoint | None = None
        self._skipped: set[LinkKey] = set()    # entries with no file (the vDSO): not looked at again
        self._files: dict[tuple[str, int], str] = {}   # (l_name, l_addr) -> the file it was

    # ---- a new address space (run, attach, exec) ------------------------------------------
    def start(self) -> None:
        prog = self.target.require_program()
        old = self._event_bp
        if old is not None and old.id in self.bps.bps:
            self.bps.delete_breakpoint(old.id)
        self._event_bp, self.libs, self._r_debug = None, [], 0
        self._skipped, self._files = set(), {}
        interp = self._interpreter()
        interp_name = prog.main.elf.interp or ""     # set whenever there is an interpreter
        if interp is not None:
            interp.display_path = interp_name
        home = interp or prog.main            # a static program carries its own linker bits
        brk = version = 0
        try:
            self._r_debug = self._dt_debug() or _symbol(home, "_r_debug")
            if self._r_debug:
                version, _, brk, _, _ = self._read_r_debug()
        except (TdbgError, OSError, struct.error):
            version = 0
        if version:
            self.update()                       # attached: everything is loaded, in list order
        else:
            brk = 0                             # just exec'd: only ld.so is there, listed first
            if interp is not None:
                self.libs.append(Library(interp_name, interp))
        brk = brk or _symbol(home, "_dl_debug_state")
        if not brk:
            return
        try:
            bp = self.bps.set_breakpoint(brk, registered=False, check=self._on_event)
        except TdbgError:
            return
        bp.kind = "shlib events"
        self._event_bp = bp

    def read_list(self) -> None:
        """A core file (exec/core_target.py): the linker's list as it was at the dump, read
        once from memory; nothing runs, so no event breakpoint."""
        prog = self.target.require_program()
        self._event_bp, self.libs, self._r_debug = None, [], 0
        self._skipped, self._files = set(), {}
        interp = self._interpreter()
        if interp is not None:
            interp.display_path = prog.main.elf.interp or ""
        try:
            self._r_debug = self._dt_debug() or (_symbol(interp, "_r_debug") if interp else 0)
            self.update()
        except (TdbgError, OSError, struct.error, ValueError):
            pass
        if not self.libs:       # no readable link map: the ELF files the core maps (NT_FILE)
            self.libs = [Library(o.display_path, o) for o in prog.objfiles if o is not prog.main]

    def _interpreter(self) -> ObjFile | None:
        prog = self.target.require_program()
        interp = prog.main.elf.interp
        if not interp:
            return None
        real = os.path.realpath(interp)
        return next((o for o in prog.objfiles if o.path == real), None)

    def _dt_debug(self) -> int:
        """r_debug's address from the program's DT_DEBUG (0 before ld.so has set it)."""
        main, inf = self.target.require_program().main, self.target.require_inferior()
        for p in main.elf.segments:
            if p[0] == PT_DYNAMIC:
                data = inf.read_partial(p[3] + main.bias, p[6])
                tag: int
                val: int
                for off in range(0, len(data) - 15, 16):
                    tag, val = _DYN.unpack_from(data, off)
                    if tag == DT_DEBUG:
                        return val
                    if tag == 0:
                        break
        return 0

    def _read_r_debug(self) -> tuple[int, ...]:
        return _R_DEBUG.unpack(self.target.require_inferior().read(self._r_debug, _R_DEBUG.size))

    # ---- the linker's notification ------------------------------------------------------
    def _on_event(self, tid: int) -> bool:
        """The breakpoint's condition: process the event, never stop for it."""
        self.events += 1
        try:
            self.update()
            self._return(tid)
        except (TdbgError, OSError, struct.error, ValueError):
            pass                   # a half-written list: the next RT_CONSISTENT reads it again
        return False

    def _return(self, tid: int) -> None:
        """glibc's _dl_debug_state is a bare `ret`, which cannot run out of line: do it
        here, so a continued thread needs no single-step to leave the breakpoint (a
        dlopen loop costs one stop per notification, not two). Never while the user
        single-steps (stepi must stop on the instruction), when another breakpoint shares
        the address (`break _dl_debug_state` must stop there), nor onto a breakpoint."""
        bp, inf = self._event_bp, self.target.require_inferior()
        th = inf.threads.get(tid)
        site = self.bps.sites.get(bp.addrs[0]) if bp is not None and bp.addrs else None
        if th is None or th.stepping or site is None or site.orig != b"\xc3" \
                or len(site.owners) > 1:
            return
        regs = inf.regs(tid)
        if regs.rip != site.addr:
            return
        ret = int.from_bytes(inf.read(regs.rsp, 8), "little")
        if ret in self.bps.sites:
            return
        regs.rsp += 8
        regs.rip = ret
        inf.regs_changed(tid)                 # written back with the resume

    def update(self) -> None:
        if not self._r_debug:
            self._r_debug = self._dt_debug()
            if not self._r_debug:
                return
        _, r_map, _, state, _ = self._read_r_debug()
        if state != RT_CONSISTENT:
            return
        entries = self._read_list(r_map)
        keys = {e[0] for e in entries}
        removed = [lib for lib in self.libs if lib.key and lib.key not in keys]
        known = {lib.key for lib in self.libs}
        added = []
        for key, name in entries:
            if key in known or key in self._skipped:
                continue
            seed = next((lib for lib in self.libs if not lib.key and lib.name == name), None)
            if seed is not None:            # ld.so, known since exec: now we know its entry
                seed.key = key
                continue
            lib = self._load(key, name)
            if lib is not None:
                added.append(lib)
            else:
                self._skipped.add(key)
        if removed:
            self._unload(removed)
        if added:
            self.libs.extend(added)
            self._reresolve()
        if removed or added:
            self.target.publish(ev.LibrariesChanged(tuple((l.name, l.obj.bias) for l in self.libs)))

    def _read_list(self, r_map: int) -> list[tuple[LinkKey, str]]:
        """(key, name) of every object but the program itself, in the linker's order."""
        inf = self.target.require_inferior()
        names = {lib.key: lib.name for lib in self.libs if lib.key}
        skipped = self._skipped
        out: list[tuple[LinkKey, str]] = []
        lm, first = r_map, True
        while lm and len(out) < _MAX_OBJECTS:
            l_addr, l_name, _, l_next = _LINK_MAP.unpack(inf.read(lm, _LINK_MAP.size))
            key = (lm, l_addr, l_name)
            if not first and key not in skipped:
                name = names.get(key)
                if name is None and l_name:
                    name = inf.read_partial(l_name, 4096).split(b"\0", 1)[0].decode("utf-8", "replace")
                if name:
                    out.append((key, name))
            first, lm = False, l_next
        return out

    def _load(self, key: LinkKey, name: str) -> Library | None:
        path = self._file_of(name, key[1])
        prog = self.target.require_program()
        obj = prog.open_object(path) if path else None
        if obj is None:
            return None                    # the vDSO, or a file gone from the disk
        obj.rebias(key[1])
        obj.display_path = name
        if obj not in prog.objfiles:
            prog.objfiles.append(obj)
        return Library(name, obj, key)

    def _file_of(self, name: str, l_addr: int) -> str | None:
        """The file behind l_name: relative names are the program's, not ours. A library
        loaded again by the same name at the same address is the same file."""
        real = self._files.get((name, l_addr))
        if real is not None:
            return real
        inf = self.target.require_inferior()
        path = name if name.startswith("/") else None
        if path is None:
            path = next((r.path for r in inf.maps() if r.start == l_addr and r.path.startswith("/")),
                        None) or os.path.join(f"/proc/{inf.pid}/cwd", name)
        real = os.path.realpath(path)
        if not os.path.isfile(real):
            return None
        self._files[(name, l_addr)] = real
        return real

    def _unload(self, removed: list[Library]) -> None:
        prog = self.target.require_program()
        changed = False
        for lib in removed:
            self.libs.remove(lib)
            if lib.obj in prog.objfiles:
                prog.objfiles.remove(lib.obj)
            inside = lib.obj.contains
            touched = self.bps.forget_range(inside)
            self.on_code_unmapped(inside)
            users = [bp for bp in touched if bp.registered]
            for bp in users:
                self.unresolved.discard(bp.id)
                bp.pending = not bp.addrs
                if bp.pending:
                    self.unloaded.add(bp.id)
            if users:
                changed = True
                self.target.publish(ev.Message("warning: Temporarily disabling breakpoints for unloaded "
                                       f'shared library "{lib.name}"', "warning"))
        if changed:
            self.on_breakpoints_changed()

    def _reresolve(self) -> None:
        """Every user breakpoint against the objects now loaded (gdb's breakpoint_re_set)."""
        prog = self.target.require_program()
        changed = False
        for bp in self.bps.user_breakpoints():
            if bp.kind != "breakpoint" or not bp.spec or bp.spec.lstrip().startswith("*"):
                continue
            try:
                new = set(prog.resolve(bp.spec, refresh=False).addrs)
            except TdbgError:
                continue
            old = set(bp.addrs)
            if new == old:
                continue
            changed = True
            relocate_locations(self.target, bp, new)     # states carried over, as by gdb's re-set
            for a in old - new:
                self.bps.remove_address(bp, a)
            for a in sorted(new - old):
                try:
                    self.bps.add_address(bp, a)
                except TdbgError as e:
                    self.target.publish(ev.Message(f"Warning: cannot insert breakpoint {bp.id} at {a:#x}: {e}",
                                           "warning"))
            bp.addrs.sort()
            self.bps.sync_locations(bp)        # a kept location whose state was carried over
            bp.pending = not bp.addrs
            if bp.addrs:
                self.unloaded.discard(bp.id)
                self.unresolved.discard(bp.id)
        if changed:
            self.on_breakpoints_changed()

    # ---- info sharedlibrary -------------------------------------------------------------------
    def table(self, regex: str = "") -> str:
        libs = self.libs if self.target.alive else []
        if regex:
            try:
                pat = re.compile(regex)
            except re.error as e:
                raise TdbgError(f"Invalid regexp: {e}") from None
            libs = [l for l in libs if pat.search(l.name)]
            if not libs and self.target.alive and self.libs:
                return "No shared libraries matched."
        if not libs:
            return "No shared libraries loaded at this time."
        rows = ["From                To                  Syms Read   Shared Object Library"]
        bare = False
        for lib in libs:
            lo, hi = lib.obj.elf.text_range()
            # a separate debug file counts (debug-file-directory), as in gdb
            syms = "Yes" if lib.obj.elf.has_dwarf() or lib.obj.debug is not None else "Yes (*)"
            bare = bare or syms != "Yes"
            rows.append(f"{lo + lib.obj.bias:#018x}  {hi + lib.obj.bias:#018x}  {syms:<12}{lib.name}")
        if bare:
            rows.append("(*): Shared library is missing debugging information.")
        return "\n".join(rows)


def _symbol(obj: ObjFile, name: str) -> int:
    s = obj.elf.symbol(name)
    return s.addr + obj.bias if s is not None and s.addr else 0
