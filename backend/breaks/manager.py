"""The breakpoint manager: logical breakpoints over physical INT3 sites.

A user ``Breakpoint`` (id, spec, condition, counts) owns 0..n addresses; every
address is one ``Site`` holding the original byte. Several breakpoints, user
and internal (temporary step-resume / finish / nexti ones, never shown as hits),
share one site and one INT3. Memory reads go through ``shadow`` so nobody
outside this module ever sees an 0xCC we planted.

A site whose owners allow it is a 5-byte jump to a compiled condition instead
(fast_sites.py, jump_pad.py): ``orig`` then holds every byte the jump covers, the
jump is written only while no parked thread is inside those bytes (otherwise the
site is an INT3 for now, ``demoted``, and ``repromote`` tries again at a stop),
and shadow reads hide the whole jump.
"""
from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import PtraceError
from ..process.tracee import Memory

if TYPE_CHECKING:
    from .fast_sites import FastSites
    from .jump_pad import Stub

INT3 = b"\xcc"


@dataclass(slots=True)
class Site:
    addr: int
    orig: bytes                 # the byte the program had there
    owners: set[int] = field(default_factory=set)   # breakpoint ids (internal ones negative)
    inserted: bool = False
    stub: Stub | None = None    # inserted as a jump to this stub (fast_sites.py)
    demoted: bool = False       # would be a jump, is an INT3 until no thread is inside


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
        self.fast: FastSites | None = None      # debugger.py sets it
        self._jumps: dict[int, Site] = {}       # sites inserted as jumps

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
            self._unjump_over(addr)
            site = Site(addr, self.mem.read(addr, 1))    # BadAddress for b *0
            self.sites[addr] = site
        site.owners.add(bp.id)
        bp.addrs.append(addr)
        if bp.enabled:
            self._refresh(site)

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
        else:
            self._refresh(site)

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
                self._unjump_over(a)
                site = self.sites[a] = Site(a, self.mem.read(a, 1))
            site.owners.add(bp.id)
            if self._wanted(site):
                self._refresh(site)

    def forget_range(self, inside: Callable[[int], bool]) -> list[Breakpoint]:
        """Sites in unmapped memory (dlclose): drop them without writing a byte there.

        Returns the breakpoints that lost a location."""
        gone = [a for a in self.sites if inside(a)]
        touched: dict[int, Breakpoint] = {}
        for a in gone:
            site = self.sites.pop(a)
            self._jumps.pop(a, None)
            if self.fast is not None:
                self.fast.unloaded_at(a)
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
                self._refresh(site)
            else:
                self._remove(site)
        # a site shared with bp may change mode; bp owns sites only at its own addresses
        # (not every site: `disable` of 10,000 breakpoints would be quadratic)
        for a in dict.fromkeys(bp.addrs):
            site = self.sites.get(a)
            if site is not None and id in site.owners and site.inserted:
                self._refresh(site)
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
            stub = self._want_stub(site)
            if stub is not None:
                if self.fast is not None and self.fast.safe_to_jump(site.addr, len(stub.cover.orig)):
                    site.orig = stub.cover.orig
                    self.mem.write(site.addr, stub.jump)
                    site.stub, site.demoted, site.inserted = stub, False, True
                    self._jumps[site.addr] = site
                    return
                site.demoted = True
            self.mem.write(site.addr, INT3)
            site.inserted = True

    def _remove(self, site: Site) -> None:
        if site.inserted:
            try:
                self.mem.write(site.addr, site.orig)
            except Exception:
                pass            # the mapping is gone (dlclose, exit): nothing to restore
            site.inserted = False
            site.stub = None
            self._jumps.pop(site.addr, None)

    def _want_stub(self, site: Site) -> Stub | None:
        fast = self.fast
        if fast is None:
            return None
        conds: list[str] | None = []
        live = [b for b in (self.bps.get(o) for o in site.owners) if b is not None and b.enabled]
        if any(b.kind == "dprintf" for b in live):
            if len(live) != 1:
                fast.why[site.addr] = "a dprintf shares the address with another breakpoint"
                return None
            return fast.log_stub_for(site.addr, live[0].id, live[0].condition,
                                     lambda: [a for a in self.sites if a != site.addr])
        for o in sorted(site.owners, key=abs):
            bp = self.bps.get(o)
            if bp is None or not bp.enabled:
                continue
            if not bp.registered or bp.kind != "breakpoint" or not bp.condition or conds is None:
                conds = None
                continue
            conds.append(bp.condition)
        if conds == []:
            return None
        return fast.stub_for(site.addr, conds, lambda: [a for a in self.sites if a != site.addr])

    def _refresh(self, site: Site) -> None:
        """Owners or conditions changed: the site may change between INT3 and jump."""
        if site.inserted and self.fast is not None:
            self._remove(site)
        self._insert(site)

    def _unjump_over(self, addr: int) -> None:
        """A new site inside a jump's bytes: that site becomes an INT3 first."""
        for s in self._live_jumps():
            if s.addr < addr < s.addr + len(s.orig):
                self._remove(s)
                self._insert(s)      # plans again: the new site refuses the jump

    def _live_jumps(self) -> list[Site]:
        """Jump sites still in this address space (process_control.py clears `sites`
        wholesale when a process ends)."""
        if not self._jumps:
            return []
        live = [s for a, s in self._jumps.items() if self.sites.get(a) is s and s.inserted]
        if len(live) != len(self._jumps):
            self._jumps = {s.addr: s for s in live}
        return live

    def refresh_all(self) -> None:
        """Fast conditions switched on or off: every inserted site takes its new form."""
        for s in list(self.sites.values()):
            if s.inserted:
                self._refresh(s)

    def repromote(self) -> None:
        """At a stop: sites that were INT3s while a thread was inside take their jump."""
        for s in list(self.sites.values()):
            if s.demoted and s.inserted and s is not self._saved:
                self._remove(s)
                self._insert(s)

    def resume_slot(self, pc: int) -> int | None:
        """Where a thread stopped at a jump site resumes: its stub's copy of the covered
        instructions (the displaced copy of one instruction would return inside the jump)."""
        site = self._jumps.get(pc)
        if site is None or site.stub is None or self.sites.get(pc) is not site or not site.inserted:
            return None
        return site.stub.addr + site.stub.resume

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
            site.stub = None
            site.demoted = False
        self._saved = None
        self._jumps.clear()
        if self.fast is not None:
            self.fast.forget()

    # ---- hits -------------------------------------------------------------------
    def strip_copy(self, pid: int) -> None:
        """A forked process's copy of memory carries our INT3s and jumps: put the program's
        own bytes back in it before it is let go (it may be gone already: nothing to do)."""
        try:
            with open(f"/proc/{pid}/mem", "r+b", buffering=0) as mem:
                for site in self.sites.values():
                    if site.inserted:
                        mem.seek(site.addr)
                        mem.write(site.orig)
        except OSError:
            pass

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
        for s in self._live_jumps():
            if s.addr < end and addr < s.addr + len(s.orig):
                for i, b in enumerate(s.orig):
                    if addr <= s.addr + i < end:
                        buf[s.addr + i - addr] = b
        return bytes(buf)

    def write_through(self, addr: int, data: bytes) -> None:
        """A user write: update the saved original byte under any site it overlaps."""
        end = addr + len(data)
        jumps = [s for s in self._live_jumps() if s.addr < end and addr < s.addr + len(s.orig)]
        for s in jumps:                 # its relocated copy is stale: plan it again after
            self._remove(s)
            if self.fast is not None:
                self.fast.drop_cached(s.addr)
        buf = bytearray(data)
        for s in self.sites.values():
            if s.addr < end and addr < s.addr + len(s.orig):
                orig = bytearray(s.orig)
                for i in range(len(orig)):
                    if addr <= s.addr + i < end:
                        orig[i] = data[s.addr + i - addr]
                s.orig = bytes(orig)
                if s.inserted and addr <= s.addr:
                    buf[s.addr - addr] = INT3[0]
        self.mem.write(addr, bytes(buf))
        for s in jumps:
            if self._wanted(s):
                s.orig = s.orig[:1]
                self._insert(s)
