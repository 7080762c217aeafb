"""The breakpoint manager: logical breakpoints over physical INT3 sites.

A user ``Breakpoint`` (id, spec, condition, counts) owns 0..n addresses; every
address is one ``Site`` holding the original byte. Several breakpoints, user
and internal (temporary step-resume / finish / nexti ones, never shown as hits),
share one site and one INT3. Memory reads go through ``shadow`` so nobody
outside this module ever sees an 0xCC we planted.
"""
from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import PtraceError
from ..process.tracee import Memory

INT3 = b"\xcc"


@dataclass(slots=True)
class Site:
    addr: int
    orig: bytes                 # the byte the program had there
    owners: set[int] = field(default_factory=set)   # breakpoint ids (internal ones negative)
    inserted: bool = False


@dataclass(slots=True)
class Breakpoint:
    id: int
    addrs: list[int]
    spec: str = ""
    temporary: bool = False
    registered: bool = True     # False: internal (no user-visible id, never reported as a hit)
    enabled: bool = True
    condition: str | None = None
    check: Callable[[int], bool] | None = None   # compiled condition: check(tid) -> bool
    ignore_count: int = 0
    hit_count: int = 0
    pending: bool = False       # resolves when a library loads
    kind: str = "breakpoint"
    # Locations that own no site (never inserted, cost nothing at hits), keyed by gdb's
    # address of the location (breaks/locations.py): `disable N.M` (address -> the function
    # containing it, what gdb carries the state over by) and where the condition does
    # not parse (gdb's "N*").
    off: dict[int, str | None] = field(default_factory=dict)
    bad: set[int] = field(default_factory=set)


@dataclass(slots=True)
class Hit:
    """What handle_breakpoint found at pc-1."""
    addr: int
    breakpoints: list[Breakpoint]


class Manager:
    def __init__(self, mem: Memory) -> None:
        self.mem = mem
        self.sites: dict[int, Site] = {}
        self.bps: dict[int, Breakpoint] = {}
        self._next_id = 1
        self._next_internal = -1
        self._saved: Site | None = None

    # ---- setting and deleting ---------------------------------------------------
    def set_breakpoint(self, addrs: int | list[int], *, temporary: bool = False,
                       registered: bool = True, id: int | None = None, spec: str = "",
                       condition: str | None = None, check: Callable[[int], bool] | None = None,
                       enabled: bool = True,
                       bad: set[int] | None = None) -> Breakpoint:
        addrs = [addrs] if isinstance(addrs, int) else list(addrs)
        if registered:
            if id is None:
                id = self._next_id
            elif id in self.bps:
                raise PtraceError("set_breakpoint", None, errno.EEXIST,
                                  f"Breakpoint {id} already exists.")
            self._next_id = max(self._next_id, id + 1)
        else:
            id = self._next_internal
            self._next_internal -= 1
        bp = Breakpoint(id, [], spec, temporary, registered, enabled, condition, check)
        if bad:
            bp.bad = set(bad)
        self.bps[id] = bp
        try:
            for a in addrs:
                self._attach(bp, a)
        except BaseException:
            self._drop(bp)
            raise
        return bp

    def add_address(self, bp: Breakpoint, addr: int) -> None:
        self._attach(bp, addr)

    def _attach(self, bp: Breakpoint, addr: int) -> None:
        if addr in bp.off or addr in bp.bad:
            bp.addrs.append(addr)       # a disabled location: listed, never inserted
            return
        site = self.sites.get(addr)
        if site is None:
            site = Site(addr, self.mem.read(addr, 1))    # BadAddress for b *0
            self.sites[addr] = site
        site.owners.add(bp.id)
        bp.addrs.append(addr)
        if bp.enabled:
            self._insert(site)

    def delete_breakpoint(self, id: int) -> Breakpoint:
        bp = self.bps.get(id)
        if bp is None:
            raise PtraceError("delete_breakpoint", None, errno.ENODATA,
                              f"No breakpoint number {id}.")
        self._drop(bp)
        return bp

    def _drop(self, bp: Breakpoint) -> None:
        self.bps.pop(bp.id, None)
        for a in bp.addrs:
            site = self.sites.get(a)
            if site is not None:
                self._disown(site, bp.id)

    def _disown(self, site: Site, id: int) -> None:
        site.owners.discard(id)
        if not site.owners:
            self._remove(site)
            del self.sites[site.addr]
        elif not self._wanted(site):
            self._remove(site)

    def remove_address(self, bp: Breakpoint, addr: int) -> None:
        """One location less (a breakpoint re-resolved after a library load)."""
        if addr in bp.addrs:
            bp.addrs.remove(addr)
        site = self.sites.get(addr)
        if site is not None and addr not in bp.addrs:
            self._disown(site, bp.id)

    def sync_locations(self, bp: Breakpoint) -> None:
        """bp.off / bp.bad changed (disable N.M, a new condition): a location that is
        active again owns its site and is inserted, one no longer active lets go of it."""
        for a in bp.addrs:
            site = self.sites.get(a)
            if a in bp.off or a in bp.bad:
                if site is not None and bp.id in site.owners:
                    self._disown(site, bp.id)
                continue
            if site is None:
                site = self.sites[a] = Site(a, self.mem.read(a, 1))
            site.owners.add(bp.id)
            if self._wanted(site):
                self._insert(site)

    def forget_range(self, inside: Callable[[int], bool]) -> list[Breakpoint]:
        """Sites in unmapped memory (dlclose): drop them without writing a byte there.

        Returns the breakpoints that lost a location."""
        gone = [a for a in self.sites if inside(a)]
        touched: dict[int, Breakpoint] = {}
        for a in gone:
            site = self.sites.pop(a)
            if site is self._saved:
                self._saved = None
            for o in site.owners:
                bp = self.bps.get(o)
                if bp is not None and a in bp.addrs:
                    bp.addrs.remove(a)
                    touched[bp.id] = bp
        for bp in self.bps.values():          # disabled locations own no site
            if bp.off or bp.bad:
                lost = [a for a in bp.addrs if inside(a)]
                for a in lost:
                    bp.addrs.remove(a)
                    touched[bp.id] = bp
        return list(touched.values())

    def delete_internal(self) -> None:
        for bp in [b for b in self.bps.values() if not b.registered]:
            self._drop(bp)

    def enable(self, id: int, on: bool = True) -> Breakpoint:
        bp = self.get(id)
        bp.enabled = on
        for a in bp.addrs:
            site = self.sites.get(a)
            if site is None or id not in site.owners:
                continue                    # a disabled location (disable N.M)
            if self._wanted(site):
                self._insert(site)
            else:
                self._remove(site)
        return bp

    def get(self, id: int) -> Breakpoint:
        bp = self.bps.get(id)
        if bp is None or not bp.registered:
            raise PtraceError("breakpoint", None, errno.ENODATA, f"No breakpoint number {id}.")
        return bp

    def user_breakpoints(self) -> list[Breakpoint]:
        return sorted((b for b in self.bps.values() if b.registered), key=lambda b: b.id)

    # ---- insertion -------------------------------------------------------------
    def _wanted(self, site: Site) -> bool:
        return any(self.bps[o].enabled for o in site.owners if o in self.bps)

    def _insert(self, site: Site) -> None:
        if not site.inserted and site is not self._saved:
            self.mem.write(site.addr, INT3)
            site.inserted = True

    def _remove(self, site: Site) -> None:
        if site.inserted:
            try:
                self.mem.write(site.addr, site.orig)
            except Exception:
                pass            # the mapping is gone (dlclose, exit): nothing to restore
            site.inserted = False

    def insert_all(self) -> None:
        for site in self.sites.values():
            if self._wanted(site):
                self._insert(site)

    def remove_all(self) -> None:
        """Write back every original byte (detach, kill, exec): leave no INT3 behind."""
        for site in self.sites.values():
            self._remove(site)

    def forget_sites(self) -> None:
        """The address space is gone (exit/exec): keep logical breakpoints, drop sites."""
        for site in self.sites.values():
            site.inserted = False
        self._saved = None

    # ---- hits -------------------------------------------------------------------
    def site_at(self, addr: int) -> Site | None:
        return self.sites.get(addr)

    def handle_breakpoint(self, pc_after_trap: int) -> Hit | None:
        """A SIGTRAP with the pc one past an INT3 of ours: return what sits there.

        The caller rewinds the pc to ``hit.addr``. Temporary breakpoints are gone
        after this; the rest stay and are stepped over on the next resume.
        """
        site = self.sites.get(pc_after_trap - 1)
        if site is None or not site.inserted:
            return None
        owners = [self.bps[o] for o in sorted(site.owners, key=abs) if o in self.bps]
        return Hit(site.addr, [b for b in owners if b.enabled])

    def consume_temporary(self, bp: Breakpoint) -> None:
        if bp.temporary and bp.id in self.bps:
            self._drop(bp)

    # ---- stepping over one site ---------------------------------------------------
    def save_breakpoint(self, addr: int) -> Site | None:
        """Lift the INT3 at addr for one single step; restore_breakpoint puts it back."""
        if self._saved is not None:
            raise PtraceError("save_breakpoint", None, errno.EBUSY,
                              f"a breakpoint at {self._saved.addr:#x} is already lifted")
        site = self.sites.get(addr)
        if site is None or not site.inserted:
            return None
        self._remove(site)
        self._saved = site
        return site

    def restore_breakpoint(self) -> None:
        site, self._saved = self._saved, None
        if site is not None and site.addr in self.sites and self._wanted(site):
            self._insert(site)

    # ---- memory as the user sees it -------------------------------------------------
    def shadow(self, addr: int, data: bytes) -> bytes:
        """Replace planted INT3s in a raw read with the original bytes."""
        if not self.sites:
            return data
        end = addr + len(data)
        sites = self.sites
        if len(data) <= 64:          # a variable or an instruction: look up each byte
            hits = [sites[a] for a in range(addr, end) if a in sites and sites[a].inserted]
        else:
            hits = [s for s in sites.values() if s.inserted and addr <= s.addr < end]
        if not hits:
            return data
        buf = bytearray(data)
        for s in hits:
            buf[s.addr - addr] = s.orig[0]
        return bytes(buf)

    def write_through(self, addr: int, data: bytes) -> None:
        """A user write: update the saved original byte under any site it overlaps."""
        end = addr + len(data)
        buf = bytearray(data)
        for s in self.sites.values():
            if addr <= s.addr < end:
                s.orig = bytes([data[s.addr - addr]])
                if s.inserted:
                    buf[s.addr - addr] = INT3[0]
        self.mem.write(addr, bytes(buf))
