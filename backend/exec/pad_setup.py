"""The jump pads of fast breakpoints in a live process: mapped, translated, unmapped.

breaks/fast_sites.py plans the stubs; this module gives it what needs a process:
pad pages mapped by a `syscall` injected at the program's entry point (as
displaced.py does), the pcs of parked threads, and the controller's view of a
thread that stops inside a stub, so that nobody above ever sees a pad address:

- the stub's `int3` (a true condition) becomes a hit at the site itself: the
  registers are the site's already; the pc is set to site+1 and the trap goes the
  ordinary way (conditions checked again, counts, ignore counts);
- a fault in the condition's reads (a bad pointer) is rolled back to the site and
  becomes the same kind of hit: the debugger evaluates and reports the error;
- any other stop before the relocated instructions is rolled back to the site
  (the thread runs the site again later), and a parked thread among the
  relocated instructions is single-stepped out of the pad;
- a thread resuming from a stop at a jump site runs its stub's relocated copy.
"""
from __future__ import annotations

import signal
import struct
from collections.abc import Callable

from ..breaks.jump_pad import SLOTS, Stub
from ..breaks.manager import Manager
from ..errors import PtraceError, TdbgError
from ..inspect.log_compile import RING_BYTES
from ..process import ptrace
from ..process.inferior import Inferior, Thread
from ..process.ptrace import WaitStatus
from ..program.target import Target
from .control import Controller
from .ring_poller import RingPoller
from .stop import Stop

SIGTRAP, SIGSTOP = signal.SIGTRAP, signal.SIGSTOP
_FAULTS = (signal.SIGSEGV, signal.SIGBUS)
_TRAP_STATUS = (SIGTRAP << 8) | 0x7F
_MMAP, _MUNMAP = 9, 11
_TF = 0x100


def inject_syscall(inf: Inferior, tid: int, at: int, nr: int, *args: int,
                   owe: Callable[[Thread, int], object]) -> int | None:
    """Run one syscall in a parked thread with a `syscall` borrowed at `at`; its result,
    None when it did not run (the thread went away, or signals kept coming first).

    owe: how a signal that came first is kept for the thread (AllStop.owe_signal)."""
    th = inf.threads.get(tid)
    if th is None or th.running or th.pending is not None or th.exiting:
        return None
    saved = ptrace.UserRegs.from_buffer_copy(inf.regs(tid))
    code = inf.read(at, 2)
    regs = ptrace.UserRegs.from_buffer_copy(saved)
    regs.rax, regs.orig_rax, regs.rip = nr, (1 << 64) - 1, at
    for name, v in zip(("rdi", "rsi", "rdx", "r10", "r8", "r9"), args, strict=False):
        setattr(regs, name, v & ((1 << 64) - 1))
    inf.write(at, b"\x0f\x05")
    result = None
    try:
        inf.set_regs(tid, regs)
        for _ in range(8):
            ptrace.call(ptrace.SINGLESTEP, tid, 0, 0)
            st = ptrace.waitpid(tid)
            if st.stopped and not st.event and st.stop_sig == SIGTRAP:
                th.regs = None
                result = inf.regs(tid).rax
                break
            if not st.stopped or st.event:
                th.pending = st
                break
            # A signal stopped it before the syscall ran (the pc has not moved): our own
            # parking SIGSTOP is spent here, any other is owed; then try again.
            if st.stop_sig == SIGSTOP and th.expect_sigstop:
                th.expect_sigstop = False
            else:
                owe(th, st.stop_sig)
    finally:
        inf.write(at, code)
        if th.pending is None:
            inf.set_regs(tid, saved)
    return result


class PadHooks:
    """One traced process's pads, wired into its Controller (install)."""

    def __init__(self, target: Target, bps: Manager, ctl: Controller) -> None:
        self.target, self.bps, self.ctl, self.inf = target, bps, ctl, ctl.inf
        assert bps.fast is not None
        self.fast = bps.fast
        self.poller = RingPoller(self.fast, ctl.inf.pid)   # dprintf lines while the program runs
        self.fast.on_forget = self.poller.close

    # ---- the controller's resumes (Controller.cont) ------------------------------------
    def running(self) -> None:
        self.poller.start()

    def paused(self) -> None:
        self.poller.pause()

    @property
    def entry(self) -> int:
        """Where a `syscall` is borrowed: the program's entry point (a new one after exec)."""
        main = self.target.require_program().main
        return main.elf.entry + main.bias

    # ---- what fast_sites.py asks of the process ---------------------------------------
    def map_pad(self, near: int | None, size: int) -> int | None:
        # Below the code it serves, within rel32 reach; each further pad a little lower.
        hint = 0 if near is None else max(0x10000, (near & ~0xFFF) - (1 << 24) - len(self.fast.pads) * size)
        r = self._syscall(_MMAP, hint, size, 7, 0x22, -1, 0)
        if r is None or r >= (1 << 64) - 4096:
            return None
        return r

    def _syscall(self, nr: int, *args: int) -> int | None:
        """A syscall run in a parked thread, borrowing a `syscall` at the entry point."""
        return inject_syscall(self.inf, self._parked_tid(), self.entry, nr, *args,
                              owe=self.ctl.allstop.owe_signal)

    def _parked_tid(self) -> int:
        tid = self.target.tid
        th = self.inf.threads.get(tid)
        if th is None or th.running:
            tid = next((t.tid for t in self.inf.threads.values() if not t.running), tid)
        return tid

    def pcs(self) -> list[int] | None:
        out = []
        d = self.ctl.displaced
        for th in list(self.inf.threads.values()):
            if th.exiting:
                continue
            if th.running:
                return None
            try:
                pc = self.inf.regs(th.tid).rip
            except PtraceError:
                continue
            if d is not None and d.contains(pc):
                pc = d.original_pc(pc)
            out.append(pc)
        return out

    # ---- the controller's view -----------------------------------------------------------
    def decide(self, st: WaitStatus) -> WaitStatus | None:
        """A status, translated when its thread stopped inside a stub (None: swallow it)."""
        if not self.fast.stubs or st.gone or not st.stopped:
            return st
        if st.event:
            if st.event == ptrace.EVENT_EXIT:
                self.thread_exiting(st.tid)   # the last dprintf lines, while memory lasts
            return st
        th = self.inf.threads.get(st.tid)
        if th is None:
            return st
        pc = self.inf.regs(st.tid).rip
        stub = self.fast.stub_containing(pc)
        if stub is None:
            return st
        off = pc - stub.addr
        if st.stop_sig == SIGTRAP and off == stub.trap + 1:
            site = self.bps.sites.get(stub.site)
            if site is None or not site.inserted:
                self.inf.set_pc(st.tid, stub.site)     # the breakpoint went meanwhile
                return None
            self.inf.set_pc(st.tid, stub.site + 1)     # as if its INT3 had trapped
            return st
        depth = stub.depths.get(off)
        if depth is None:
            return st                                   # among the relocated instructions
        self._rollback(st.tid, stub, depth)
        if st.stop_sig in _FAULTS and off < stub.trap and stub.site in self.bps.sites:
            self.inf.set_pc(st.tid, stub.site + 1)     # the debugger decides (and reports)
            return WaitStatus(st.tid, _TRAP_STATUS)
        return st

    def _rollback(self, tid: int, stub: Stub, depth: int) -> None:
        regs = self.inf.regs(tid)
        sp = regs.rsp + depth
        for name, below in SLOTS.items():
            if depth >= below:
                setattr(regs, name, struct.unpack("<Q", self.inf.read(sp - below, 8))[0])
        regs.eflags &= ~_TF     # a stepped pushfq saw our forced TF (jump_pad.py _ENTER)
        regs.rsp, regs.rip = sp, stub.site
        self.inf.regs_changed(tid)

    def trap_site(self, pc: int) -> int | None:
        """The site whose stub trapped, for a thread stopped just past a stub's `int3`
        (allstop.py keeps such a hit as the site's own, the pc rewound to the site)."""
        stub = self.fast.stub_containing(pc)
        if stub is None or pc != stub.addr + stub.trap + 1:
            return None
        return stub.site

    def settle(self, skip: int | None = None) -> bool:
        """Parked threads inside a stub leave it; False when one could not."""
        ok = True
        for th in list(self.inf.threads.values()):
            if th.tid == skip or th.running or th.exiting:
                continue
            try:
                pc = self.inf.regs(th.tid).rip
            except PtraceError:
                continue
            stub = self.fast.stub_containing(pc)
            if stub is None:
                continue
            # A stop not reported yet (kept pending while the others were parked) is
            # decided later by `decide`: a trap at T+1 or a fault in the condition must
            # still be seen there. Any other pending signal is only a record by now.
            pending = th.pending
            if pc == stub.addr + stub.trap + 1 or (pending is not None and pending.stop_sig in _FAULTS):
                continue
            depth = stub.depths.get(pc - stub.addr)
            if depth is not None:
                self._rollback(th.tid, stub, depth)
            elif not self._step_out(th.tid):
                ok = False

        return ok

    def _step_out(self, tid: int) -> bool:
        inf = self.inf
        th = inf.threads[tid]
        for _ in range(64):
            inf.flush_regs(tid)
            ptrace.call(ptrace.SINGLESTEP, tid, 0, 0)
            st = ptrace.waitpid(tid)
            th.regs = None
            if st.stopped and not st.event and st.stop_sig != SIGTRAP:
                # A signal came first. Our own parking SIGSTOP is spent here; any other
                # is owed to the thread (delivered when it runs on); step again.
                if st.stop_sig == SIGSTOP and th.expect_sigstop:
                    th.expect_sigstop = False
                else:
                    self.ctl.allstop.owe_signal(th, st.stop_sig)
                continue
            if not st.stopped or st.event or st.stop_sig != SIGTRAP:
                if th.pending is None:
                    th.pending = st
                return False
            if not self.fast.in_pad(inf.regs(tid).rip):
                return True
        return False

    def after_stop(self, stop: Stop) -> None:
        if not self.inf.alive:
            return
        if self.fast.stubs:
            self.settle()           # a thread inside a dprintf's capture finishes its record
        self.fast.drain()
        self.bps.repromote()

    def thread_exiting(self, tid: int = 0) -> None:
        """A thread at PTRACE_EVENT_EXIT: the ring is drained while memory is there;
        when every thread is exiting, none will fill a slot it claimed (final)."""
        final = all(t.exiting or t.tid == tid for t in self.inf.threads.values())
        self.fast.drain(final=final)

    # ---- the end ----------------------------------------------------------------------------
    def unmap(self) -> None:
        """Detach: every jump is gone already (Manager.remove_all); threads leave the
        pads, then the pads are unmapped (left mapped when a thread could not leave)."""
        if not self.fast.pads or not self.inf.alive:
            return
        try:
            settled = self.settle()
            self.fast.drain(final=settled)    # every thread is out of the captures: all ready
            if settled:
                for pad in self.fast.pads:
                    self._syscall(_MUNMAP, pad.addr, pad.size)
                if self.fast.ring is not None:      # the dprintf ring, drained just above
                    self._syscall(_MUNMAP, self.fast.ring, RING_BYTES)
        except TdbgError:
            pass
        for th in self.inf.threads.values():
            try:
                self.inf.flush_regs(th.tid)
            except TdbgError:
                pass
        self.fast.forget()


def install(target: Target, bps: Manager, ctl: Controller) -> PadHooks | None:
    """Wire a new process's controller to the fast breakpoints (process_control.py)."""
    fast = bps.fast
    if fast is None:
        return None
    fast.forget()
    hooks = PadHooks(target, bps, ctl)
    fast.map_pad = hooks.map_pad
    fast.pcs = hooks.pcs
    ctl.pads = hooks                        # control.py translates and settles through it
    ctl.allstop.before_exit = hooks.thread_exiting
    ctl.allstop.trap_site = hooks.trap_site
    return hooks


def before_detach(ctl: Controller | None) -> None:
    """Detach (after Manager.remove_all): threads out of the pads, pads unmapped."""
    hooks = ctl.pads if ctl is not None else None
    if hooks is not None:
        hooks.unmap()
