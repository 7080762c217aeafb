"""Fast conditional breakpoints: which sites take a jump to a compiled condition, and why not.

The Manager (manager.py) asks ``stub_for`` each time it inserts a site. A site
whose every enabled owner is one user breakpoint with a condition that compiles
(inspect/cond_compile.py), whose instructions can be covered by a 5-byte jump
(jump_pad.py), gets a stub written into a pad page mapped in the tracee
(exec/pad_setup.py maps it: ``map_pad``). Anything else stays an INT3 and the
reason is kept in ``why`` for `info fast-conditions`. Stubs are written once and
never reused: a thread parked inside an old one still finds its code.
"""
from __future__ import annotations

import bisect
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import TdbgError
from ..inspect.cond_compile import Compiled, NotFast, compile_condition, either
from ..inspect.log_compile import RING_BYTES, compile_logpoint
from ..process.tracee import Memory
from ..program.target import Target
from .jump_pad import JMP_LEN, NoJump, Stub, build_stub, plan_cover
from .log_ring import LogRing

if TYPE_CHECKING:
    from .manager import Manager

PAD_SIZE = 1 << 16
_LOG_CONVERSIONS = set("diouxXcp%")


@dataclass
class Pad:
    addr: int
    size: int
    used: int = 0


class FastSites:
    def __init__(self, target: Target, mem: Memory, shadow: Callable[[int, bytes], bytes]) -> None:
        self.target = target
        self.mem = mem
        self._shadow = shadow
        self.enabled = True
        # Set by exec/pad_setup.py for a live process: map `size` RWX bytes within
        # rel32 reach of an address (None: could not), and the parked threads' pcs
        # (None while some thread runs).
        self.map_pad: Callable[[int | None, int], int | None] | None = None
        self.pcs: Callable[[], list[int] | None] | None = None
        self.pads: list[Pad] = []
        self.stubs: list[Stub] = []            # sorted by address
        self._starts: list[int] = []
        self._cache: dict[tuple[int, tuple[str, ...]], Stub] = {}
        self._failed: dict[tuple[int, tuple[str, ...]], str] = {}
        self.why: dict[int, str] = {}
        # Sites whose library was dlclose'd: a jump written into the library loaded there
        # again was seen never to fire (tests/test_solib.py), so those stay INT3s.
        self._unloaded: set[int] = set()
        # dprintf: breakpoint id -> (format as typed, its parser); records are printed by
        # `on_records` (dprintf.py) when the ring is drained, with the lines the debugger
        # printed itself meanwhile (`after_ring`) in their place.
        self.logs: dict[int, str] = {}
        self.parse_log: Callable[[str], tuple[list[str], tuple[str, ...]]] | None = None
        self.on_records: Callable[[list[tuple[int, Sequence[int]] | str]], None] | None = None
        self._deferred: list[tuple[int, str]] = []        # (ring ticket it follows, line)
        self.ring: int | None = None
        self._log: LogRing | None = None
        # One reader of the ring at a time: the worker (stops, exits, a dprintf's own hit)
        # or exec/ring_poller.py's thread; records are printed under it too, in order.
        self.lock = threading.RLock()
        self.on_forget: Callable[[], None] | None = None     # the poller lets go of the process

    def forget(self) -> None:
        """The address space is gone (exit, exec, a new process)."""
        with self.lock:
            self.ring = None
            self._log = None
            lines: list[tuple[int, Sequence[int]] | str] = [text for _, text in self._deferred]
            self._deferred.clear()
            if lines and self.on_records is not None:
                self.on_records(lines)      # late (their ring records died with it), not lost
        if self.on_forget is not None:
            self.on_forget()
        self.pads.clear()
        self.stubs.clear()
        self._starts.clear()
        self._cache.clear()
        self._failed.clear()
        self._unloaded.clear()

    def unloaded_at(self, site: int) -> None:
        self.drop_cached(site)
        self._unloaded.add(site)

    def drop_cached(self, site: int) -> None:
        """The program's code at the site changed (a user write): plan it afresh."""
        for k in [k for k in self._cache if k[0] == site]:
            del self._cache[k]
        for k in [k for k in self._failed if k[0] == site]:
            del self._failed[k]

    # ---- planning ----------------------------------------------------------------------
    def stub_for(self, site: int, conditions: list[str] | None,
                 other_sites: Callable[[], list[int]]) -> Stub | None:
        """The stub for a site whose owners' conditions are `conditions` (None: an owner
        that is internal or unconditional); None with ``why[site]`` set otherwise."""
        why = self._refuse(conditions)
        if why is None and site in self._unloaded:
            why = "its library was unloaded and loaded again"
        if why is not None:
            self.why[site] = why
            return None
        assert conditions is not None
        key = tuple(conditions)
        return self._planned(site, key, other_sites, lambda others: self._build(site, key, others))

    def log_stub_for(self, site: int, ident: int, condition: str | None,
                     other_sites: Callable[[], list[int]]) -> Stub | None:
        """A dprintf's stub: its arguments captured into the ring, no stop."""
        text = self.logs.get(ident)
        key = ("dprintf", str(ident), text or "", condition or "")
        why = self._refuse([key[2]]) or (None if text is not None and self.parse_log else "no format")
        if why is None:
            try:
                convs, args = self.parse_log(text)     # type: ignore[misc,arg-type]
                bad = [c for c in convs if c not in _LOG_CONVERSIONS]
                if bad:
                    why = f"%{bad[0]} needs the debugger"
            except TdbgError as e:
                why = str(e)
        if why is not None:
            self.why[site] = why
            return None

        def build(others: list[int]) -> Stub:
            cond = compile_logpoint(self.target, condition, args, site, self._ring(), ident)
            stub = self._place(site, key, cond, others)
            # From the claim on, a stopped thread is stepped out, never rolled back
            # (inspect/log_compile.py): the stub's own depths after it go too.
            start = stub.code.find(cond.code)
            assert start >= 0
            for off in [o for o in stub.depths if o >= start + cond.window]:
                del stub.depths[off]
            return stub
        return self._planned(site, key, other_sites, build)

    def _planned(self, site: int, key: tuple[str, ...], other_sites: Callable[[], list[int]],
                 build: Callable[[list[int]], Stub]) -> Stub | None:
        """A site's stub: the cached one while still whole, else `build(others)`; None
        with ``why[site]`` set when it cannot be had (refused before: not tried again)."""
        if self._failed_before(site, key):
            return None
        try:
            others = other_sites()
            stub = self._cached(site, key, others)
            if stub is None:
                stub = build(others)
        except (NotFast, NoJump) as e:
            self._fail(site, key, str(e))
            return None
        except TdbgError as e:
            self.why[site] = f"cannot prepare: {e}"
            return None
        except Exception as e:      # never let a compiler gap cost the breakpoint itself
            self.why[site] = f"not compiled: {type(e).__name__}: {e}"
            return None
        self.why.pop(site, None)
        return stub

    def _failed_before(self, site: int, key: tuple[str, ...]) -> bool:
        """Planned and refused before (each step off an INT3 asks again): the reason stands."""
        failed = self._failed.get((site, key))
        if failed is not None:
            self.why[site] = failed
        return failed is not None

    def _cached(self, site: int, key: tuple[str, ...], others: list[int]) -> Stub | None:
        """The stub planned before, unless another site now lands inside the bytes it covers."""
        stub = self._cache.get((site, key))
        if stub is None or any(stub.site < a < stub.site + len(stub.cover.orig) for a in others):
            return None
        return stub

    def _fail(self, site: int, key: tuple[str, ...], why: str) -> None:
        self.why[site] = why
        if not why.startswith("another breakpoint"):     # that one may go away
            self._failed[(site, key)] = why

    def _ring(self) -> int:
        if self.ring is None:
            if self.map_pad is None:
                raise NoJump("no process")
            ring = self.map_pad(None, RING_BYTES)     # anywhere: reached by absolute address
            if ring is None:
                raise NoJump("could not map the dprintf ring")
            with self.lock:
                self.ring, self._log = ring, LogRing(ring)
        return self.ring

    def drain(self, final: bool = False, mem: Memory | None = None) -> None:
        """Print what logpoints captured since the last drain and free their slots (at
        stops, exits and a full ring's hit on the worker; every few ms from
        exec/ring_poller.py, with its own `mem`). final: no thread of the program can
        run again, so a slot claimed and never filled is passed over (log_ring.py)."""
        with self.lock:
            log = self._log
            if log is None or self.on_records is None:
                return
            try:
                start, records = log.take(mem or self.mem, final)
            except TdbgError:
                return
            items: list[tuple[int, Sequence[int]] | str] = []
            waiting = self._deferred
            while waiting and waiting[0][0] <= log.tail:
                ticket = waiting[0][0]          # its line comes before this ticket's record
                items.extend(records[:max(ticket - start, 0)])
                records = records[max(ticket - start, 0):]
                start = max(ticket, start)
                items.append(waiting.pop(0)[1])
            items.extend(records)
            if items:
                self.on_records(items)

    def after_ring(self, text: str) -> bool:
        """A dprintf line the debugger printed itself (a capture the full ring had no
        room for, a format the pad cannot print), just after a drain: when records
        claimed before it are still in the ring (a writer between its claim and its
        ready word holds the ones after it back), it waits for them, so that each
        thread's lines keep their order. False: nothing to wait for, print it now."""
        with self.lock:
            log = self._log
            if log is None:
                return False
            try:
                head = log.head(self.mem)
            except TdbgError:
                return False
            if head <= log.tail and not self._deferred:
                return False
            self._deferred.append((head, text))
            return True

    def _refuse(self, conditions: list[str] | None) -> str | None:
        if not self.enabled:
            return "fast conditions are off"
        if conditions is None:
            return "an unconditional or internal breakpoint shares the address"
        if self.map_pad is None:
            return "no process"
        return None

    def _build(self, site: int, key: tuple[str, ...], other_sites: list[int]) -> Stub:
        cond = either([compile_condition(self.target, c, site) for c in key])
        return self._place(site, key, cond, other_sites)

    def _place(self, site: int, key: tuple[str, ...], cond: Compiled, other_sites: list[int]) -> Stub:
        prog = self.target.require_program()
        func = prog.function_range(site)
        lines: list[int] = []
        o = prog.objfile_for(site)
        if o is not None and o.debug is not None and func is not None:
            lines = [r.address + o.bias for r in o.debug.line_table(site - o.bias)
                     if func[0] <= r.address + o.bias < func[1]]
        cover = plan_cover(site, self.read, func, lines, other_sites)
        need = len(cond.code) + 128 + sum(len(i[1]) for i in cover.insns)
        pad = self._pad_near(site, need)
        start = pad.addr + pad.used
        stub = build_stub(cover, cond, start, key)
        self.mem.write(start, stub.code)
        pad.used += (len(stub.code) + 15) & ~15
        i = bisect.bisect(self._starts, stub.addr)
        self._starts.insert(i, stub.addr)
        self.stubs.insert(i, stub)
        self._cache[(site, key)] = stub
        return stub

    def _pad_near(self, site: int, need: int) -> Pad:
        for pad in self.pads:
            if pad.used + need <= pad.size and abs(pad.addr - site) < (1 << 31) - PAD_SIZE:
                return pad
        if self.map_pad is None:
            raise NoJump("no process")
        addr = self.map_pad(site, PAD_SIZE)
        if addr is None:
            raise NoJump("could not map a jump pad near the site")
        if abs(addr - site) >= (1 << 31) - PAD_SIZE:
            raise NoJump("the jump pad is out of jump range")
        pad = Pad(addr, PAD_SIZE)
        self.pads.append(pad)
        return pad

    def read(self, addr: int, n: int) -> bytes:
        return self._shadow(addr, self.mem.read(addr, n))

    # ---- threads and the pads ------------------------------------------------------------
    def safe_to_jump(self, site: int, length: int) -> bool:
        """No parked thread strictly inside the covered bytes, and none running."""
        pcs = self.pcs() if self.pcs is not None else None
        if pcs is None:
            return False
        return not any(site < pc < site + length for pc in pcs)

    def stub_containing(self, pc: int) -> Stub | None:
        i = bisect.bisect(self._starts, pc) - 1
        if i >= 0 and self.stubs[i].addr <= pc < self.stubs[i].end:
            return self.stubs[i]
        return None

    def in_pad(self, pc: int) -> bool:
        return any(p.addr <= pc < p.addr + p.size for p in self.pads)


__all__ = ["FastSites", "JMP_LEN", "Stub"]


def table_text(manager: Manager) -> str:
    """`info fast-conditions`: each conditional breakpoint location, fast or why not."""
    fast = manager.fast
    if fast is None:
        return "Fast conditions are not available."
    rows = []
    for bp in manager.user_breakpoints():
        if not bp.condition and bp.kind != "dprintf":
            continue
        for a in bp.addrs:
            site = manager.sites.get(a)
            if site is None:
                why = "location disabled"
            elif site.stub is not None:
                why = ""
            elif site.demoted:
                why = "a thread is inside the jump's bytes (tried again at the next stop)"
            else:
                why = fast.why.get(a, "not inserted")
            rows.append(f"{bp.id:<7} 0x{a:016x} {'yes' if not why else 'no':<5} {why}".rstrip())
        if not bp.addrs:
            rows.append(f"{bp.id:<7} {'<pending>':<18} {'no':<5} no process")
    head = [] if fast.enabled else ["Fast conditions are off."]
    if not rows:
        return "\n".join(head + ["No conditional breakpoints or dprintfs."])
    return "\n".join(head + [f"{'Num':<7} {'Address':<18} {'Fast':<5} Why not", *rows])
