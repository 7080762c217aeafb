"""Why a thread stopped, in the user's terms: the Stop built for a trap or a signal.

Breakpoint hits (owners, conditions, ignore counts, temporary breakpoints),
watchpoint hits, signal stops, and the user's Ctrl-C that any stop reported
answers. Both the continue path (control.py) and the single-step path
(single_step.py) end here, so a hit counts the same whichever way it came.
"""
from __future__ import annotations

import signal

from ..breaks.manager import Breakpoint, Manager
from ..errors import PtraceError, TdbgError
from ..process import ptrace
from ..process.inferior import Inferior
from ..process.ptrace import WaitStatus
from .allstop import AllStop
from .signal_policy import UNKNOWN_SIGNAL, PolicyLookup, default_signal_table
from .stop import Stop, StopKind

SIGTRAP, SIGSTOP = signal.SIGTRAP, signal.SIGSTOP
_FAULTS = (signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL)


class StopReasons:
    def __init__(self, inferior: Inferior, bps: Manager, allstop: AllStop) -> None:
        self.inf = inferior
        self.bps = bps
        self.allstop = allstop
        self.signals: PolicyLookup = default_signal_table()
        self.interrupt_requested = False
        self.interrupt_tid = 0
        self.cont_tid: int | None = None        # the thread a stepping command resumed for

    # ---- the user's Ctrl-C -------------------------------------------------------------
    def interrupt(self) -> None:
        """Any thread: stop a running tracee (Ctrl-C)."""
        if not self.inf.alive:
            return
        live = [t.tid for t in list(self.inf.threads.values()) if not t.exiting]
        if not live:
            return
        self.interrupt_requested = True
        self.interrupt_tid = self.inf.pid if self.inf.pid in live else live[0]
        ptrace.tgkill(self.inf.pid, self.interrupt_tid, SIGSTOP)

    def consume_interrupt(self) -> None:
        """The user interrupted, but we stopped anyway: swallow the SIGSTOP later."""
        if self.interrupt_requested:
            self.interrupt_requested = False
            th = self.inf.threads.get(self.interrupt_tid)
            if th is not None:
                th.expect_sigstop = True

    # ---- traps ----------------------------------------------------------------------------
    def site_inserted(self, addr: int) -> bool:
        site = self.bps.site_at(addr)
        return site is not None and site.inserted

    def evaluate_hit(self, tid: int, addr: int, owner: int | None = None) -> Stop | None:
        """Count the hit, check conditions and ignore counts; None = not for the user.

        Internal breakpoints (step-resume, finish, until) belong to the thread that
        a stepping command resumed (``owner``), as gdb's momentary breakpoints do.
        """
        site = self.bps.site_at(addr)
        if site is None:
            return None
        stop_for: list[Breakpoint] = []
        error = None
        owners: set[int] | list[int] = site.owners
        if len(owners) > 1:
            owners = sorted(owners, key=lambda i: (i < 0, abs(i)))
        for bid in owners:
            bp = self.bps.bps.get(bid)
            if bp is None or not bp.enabled:
                continue
            if not bp.registered and tid != (self.cont_tid if owner is None else owner) \
                    and bp.kind == "breakpoint":    # not "shlib events": any thread may dlopen
                continue
            if bp.check is not None:
                try:
                    if not bp.check(tid):
                        continue
                except TdbgError as e:
                    error = f"Error in testing breakpoint condition:\n{e}"    # gdb 13's words
                    stop_for.append(bp)
                    if bp.registered:
                        bp.hit_count += 1
                    continue
            if bp.registered:
                bp.hit_count += 1
                if bp.ignore_count > 0:
                    bp.ignore_count -= 1
                    continue
            stop_for.append(bp)
        if not stop_for:
            return None
        self.consume_interrupt()
        self.inf.threads[tid].step_over = True     # reported here: resume steps off it
        for bp in stop_for:
            if bp.temporary:
                self.bps.consume_temporary(bp)
        return Stop(StopKind.BREAKPOINT, tid, addr, SIGTRAP, hit=stop_for, error=error)

    def watch_hit(self, tid: int, pc: int) -> Stop | None:
        hw = self.allstop.hw
        if hw is None:
            return None
        hits = hw.triggered(tid, self.inf.read)
        if not hits:
            return None
        bps = [w.bp for w in hits if w.bp.enabled and w.bp.id in self.bps.bps]
        if not bps:
            return None
        for bp in bps:
            bp.hit_count += 1
        self.consume_interrupt()
        return Stop(StopKind.WATCHPOINT, tid, pc, SIGTRAP, hit=bps, si_code=ptrace.TRAP_HWBKPT,
                    detail=hits)

    # ---- signals --------------------------------------------------------------------------
    def signal_stop(self, tid: int, st: WaitStatus, held: bool = False) -> Stop:
        sig = st.stop_sig
        policy = self.signals.get(sig) or UNKNOWN_SIGNAL
        if not held and policy.pass_:
            self.allstop.owe_signal(self.inf.threads[tid], sig, reported=True)
        fault = None
        if sig in _FAULTS:
            try:
                fault = ptrace.get_siginfo(tid).si_addr
            except PtraceError:
                pass
        self.consume_interrupt()
        return Stop(StopKind.SIGNAL, tid, self.inf.regs(tid).rip, sig, fault_addr=fault)
