"""Stops for catchpoints (breaks/catchpoints.py): syscall entries and returns, forks,
vforks, execs and signals, counted and conditioned like breakpoint hits.

The controller (control.py) hands over every status that is not a plain SIGTRAP
while this exists; breakpoint hits never come here. A caught event becomes a
breakpoint Stop whose hit is the catchpoint, with gdb's words for it ("call to
syscall write", "forked process 1234") left for the stop report
(thread_events.py). Worker thread only.
"""
from __future__ import annotations

import signal

from ..breaks.catchpoints import Catchpoints
from ..breaks.manager import Breakpoint, Manager
from ..errors import TdbgError
from ..process import ptrace
from ..process.inferior import Inferior, Thread
from ..process.ptrace import WaitStatus
from ..process.syscalls import NAMES
from .allstop import AllStop
from .forks import Forks
from .signal_policy import UNKNOWN_SIGNAL
from .stop import Stop, StopKind
from .stop_reasons import StopReasons

SIGTRAP, SIGSTOP = signal.SIGTRAP, signal.SIGSTOP
SYSCALL_TRAP = SIGTRAP | 0x80            # PTRACE_O_TRACESYSGOOD's syscall stops


class CatchStops:
    def __init__(self, inferior: Inferior, bps: Manager, allstop: AllStop, reasons: StopReasons,
                 catchpoints: Catchpoints, forks: Forks, heads: dict[int, str]) -> None:
        self.inf = inferior
        self.bps = bps
        self.allstop = allstop
        self.reasons = reasons
        self.catchpoints = catchpoints
        self.forks = forks
        self.heads = heads                   # bp id -> words of the stop (thread_events.py)

    def decide(self, th: Thread, st: WaitStatus) -> tuple[Stop | None] | None:
        """None: not a catchpoint's business. (stop,): report it; (None,): keep going."""
        if st.event in (ptrace.EVENT_FORK, ptrace.EVENT_VFORK):
            return (self._fork(th, st),)
        if st.stop_sig == SYSCALL_TRAP:
            return (self._syscall(th),)
        sig = st.stop_sig
        if st.event or sig == SIGTRAP or (sig == SIGSTOP and self.reasons.interrupt_requested):
            return None
        catching = self.catchpoints.matching_signal(sig)
        if not catching:
            return None                       # the signal's own policy decides (`handle`)
        hit = self._count(catching, th.tid)
        policy = self.reasons.signals.get(sig) or UNKNOWN_SIGNAL
        if policy.pass_:
            self.allstop.owe_signal(th, sig, reported=bool(hit))
        if not hit:
            return (None,)                    # a catchpoint explains it (gdb): no "received"
        name = ptrace.signal_name(sig)
        return (self._stop(th, hit, f"signal {name}"),)

    # ---- each kind -----------------------------------------------------------------------
    def _syscall(self, th: Thread) -> Stop | None:
        entering = ptrace.syscall_entering(th.tid)
        nr = self.inf.regs(th.tid).orig_rax
        hit = self._count(self.catchpoints.matching_syscall(nr), th.tid)
        if not hit:
            return None
        name = NAMES.get(nr, str(nr))
        return self._stop(th, hit, f"{'call to' if entering else 'returned from'} syscall {name}")

    def _fork(self, th: Thread, st: WaitStatus) -> Stop | None:
        vfork = st.event == ptrace.EVENT_VFORK
        child = ptrace.get_event_msg(th.tid)
        hit = self._count(self.catchpoints.active("vfork" if vfork else "fork"), th.tid)
        if not hit:
            self.forks.follow_pending()       # the condition said no: follow it now
            return None                       # (the controller resumes th)
        self._remember(hit, str(child))
        return self._stop(th, hit, f"{'vforked' if vfork else 'forked'} process {child}")

    def exec_stop(self, tid: int, path: str) -> Stop | None:
        """After an exec (process_control.py): a `catch exec` stop, or None."""
        th = self.inf.threads.get(tid)
        if th is None:
            return None
        hit = self._count(self.catchpoints.active("exec"), tid)
        if not hit:
            return None
        self._remember(hit, path)
        return self._stop(th, hit, f"exec'd {path}")

    def _remember(self, hit: list[Breakpoint], what: str) -> None:
        """`info breakpoints` names the last child or program (gdb: "fork, process N")."""
        for bp in hit:
            c = self.catchpoints.get(bp.id)
            if c is not None:
                c.last = what

    # ---- shared ---------------------------------------------------------------------------
    def _count(self, bps: list[Breakpoint], tid: int) -> list[Breakpoint]:
        """Conditions, hit and ignore counts, as for a breakpoint (stop_reasons.py)."""
        out = []
        for bp in bps:
            if bp.check is not None:
                try:
                    if not bp.check(tid):
                        continue
                except TdbgError:
                    pass                      # gdb stops when the condition cannot be tested
            bp.hit_count += 1
            if bp.ignore_count > 0:
                bp.ignore_count -= 1
                continue
            out.append(bp)
        return out

    def _stop(self, th: Thread, hit: list[Breakpoint], head: str) -> Stop | None:
        override = self.allstop.stop_others(th.tid)
        if override is not None:
            self.allstop.deferred.append(override)    # an exit or exec overtook us: it first
            return None
        if th.exiting or th.tid not in self.inf.threads:
            return None
        self.reasons.consume_interrupt()
        self.heads[hit[0].id] = head
        for bp in hit:
            if bp.temporary:
                self.bps.consume_temporary(bp)
        return Stop(StopKind.BREAKPOINT, th.tid, self.inf.regs(th.tid).rip, SIGTRAP, hit=hit)
