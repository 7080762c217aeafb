"""Execution control: resume, wait and decide what every stop means for the user.

The loops that repeat ptrace calls (continue past false conditions, step-over)
run here on the tracer thread: one thread hop per user command. The Controller
is the hub of one traced process: all-stop bookkeeping (waiting, clone/fork/exec,
parking threads) is allstop.py's, single steps single_step.py's, the Stop built
for a trap or signal stop_reasons.py's; this module continues, steps off
breakpoints (out of line when displaced.py can) and classifies each status. Breakpoint
hits of several threads met at one stop are reported in turn, one per stop (the kept
ones in allstop.py); under `set scheduler-locking` only the selected thread is resumed
(schedlock.py says when).
"""
from __future__ import annotations

import errno
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..breaks.manager import Manager
from ..errors import PtraceError, TdbgError
from ..process import ptrace
from ..process.inferior import Inferior, Thread
from ..process.ptrace import WaitStatus
from .allstop import AllStop
from .displaced import Displaced
from .signal_policy import UNKNOWN_SIGNAL, PolicyLookup
from .single_step import InstructionStepper
from .stop import Stop, StopKind
from .stop_reasons import StopReasons
from .trap_prediction import TrapPrediction

if TYPE_CHECKING:
    from .catch_stops import CatchStops
    from .pad_setup import PadHooks as Pads

SIGTRAP, SIGSTOP = signal.SIGTRAP, signal.SIGSTOP


def _never() -> bool:
    return False


class Controller:
    """Resume, single-step and classify every stop of one traced process (worker thread)."""

    displaced: Displaced | None = None       # out-of-line copies of breakpointed insns
    catch: CatchStops | None = None          # catchpoint stops (process_control.py sets it)
    on_signal_print: Callable[[int, int], object] | None = None   # a signal that prints, no stop

    def __init__(self, inferior: Inferior, bps: Manager) -> None:
        self.inf = inferior
        self.bps = bps
        self.allstop = AllStop(inferior, bps, self._gone, self._exec_stop)
        self.reasons = StopReasons(inferior, bps, self.allstop)
        # Asked on every breakpoint hit: bound once, so a hit costs what it did in one class.
        self._site_inserted = self.reasons.site_inserted
        self._evaluate_hit = self.reasons.evaluate_hit
        self.traps = TrapPrediction(self.read)
        self.stepper = InstructionStepper(inferior, bps, self.allstop, self.reasons, self.traps,
                                          self._decide, self.cont, self._gone, self._exec_stop)
        self._in_slot: set[int] = set()  # threads resumed into an out-of-line slot since the last stop
        # Whether the resume now starting runs the selected thread alone (schedlock.py).
        self.locked: Callable[[], bool] = _never
        # Fast breakpoints' jump pads in this process (pad_setup.py), None without any:
        # statuses inside a pad are translated before they are decided, and settled after.
        self.pads: Pads | None = None

    @property
    def signals(self) -> PolicyLookup:
        """The `handle` table every signal is decided by (signals.py installs gdb's)."""
        return self.reasons.signals

    @signals.setter
    def signals(self, table: PolicyLookup) -> None:
        self.reasons.signals = table

    # ---- helpers --------------------------------------------------------------------
    def pc(self, tid: int) -> int:
        return self.inf.regs(tid).rip

    def forget_code(self, inside: Callable[[int], bool] | None = None) -> None:
        """Code changed or was unmapped: drop decoded traps and out-of-line copies there
        (all of them when inside is None)."""
        self.traps.clear()
        d = self.displaced
        if d is not None:
            for a in [a for a in d.slots if inside is None or inside(a)]:
                d.slots.pop(a)   # a stale copy; a fresh slot is made on next use

    def read(self, addr: int, n: int) -> bytes:
        return self.bps.shadow(addr, self.inf.read(addr, n))

    def interrupt(self) -> None:
        """Any thread: stop a running tracee (Ctrl-C)."""
        self.reasons.interrupt()

    # ---- single steps (single_step.py) ---------------------------------------------------
    def step_instruction(self, tid: int, owner: int | None = None, resumed: bool = False) -> Stop:
        """stepi: one instruction, stepping off a breakpoint under the pc if needed.

        owner: the thread internal breakpoints count for (default: tid).
        """
        return self.stepper.step_instruction(tid, owner, resumed)

    def step_instructions(self, tid: int, n: int) -> Stop:
        return self.stepper.step_instructions(tid, n)

    # ---- continuing -----------------------------------------------------------------------
    def cont(self, tid: int | None) -> Stop:
        """Resume everything until a stop the user (or a stepping layer) must see."""
        if not self.inf.alive:
            return Stop(StopKind.EXITED, tid or 0, code=self.allstop.exit_code or 0)
        self.allstop.before_resume()
        selected = tid if tid in self.inf.threads else None
        self.reasons.cont_tid = selected
        # `set scheduler-locking` (schedlock.py): only the selected thread runs.
        only = selected if selected is not None and self.locked() else None
        self.allstop.only = only
        pads = self.pads
        if pads is not None:
            pads.running()              # the dprintf ring is read while the program runs
        try:
            stop = self._cont(selected, only)
        finally:
            self.allstop.only = None
            if pads is not None:
                pads.paused()
        if stop.kind == StopKind.BREAKPOINT:
            self.allstop.reported(stop.tid)
        if self.pads is not None:       # kept hits are reported without a new decision
            self.pads.after_stop(stop)
        return stop

    def _cont(self, selected: int | None, only: int | None) -> Stop:
        while True:
            if self.allstop.hits:       # hits kept from the last stop come before running
                stop = self._pending_hit(only)
                if stop is not None:
                    return stop
            # Threads sitting on a breakpoint they already hit step off it alone first.
            for th in list(self.inf.threads.values()):
                if th.running or th.exiting or th.pending is not None:
                    continue
                if not (th.step_over or th.tid == selected) or (only is not None and th.tid != only):
                    continue
                th.step_over = False
                try:
                    at_site = self.pc(th.tid) in self.bps.sites
                except PtraceError:
                    self.allstop.dying(th)
                    continue
                # A step can land on another breakpoint (`call f` with a breakpoint at f) whose
                # hit it already counted and let go (ignore count, false condition): step off
                # that one too, or resuming would run its INT3 and count the hit twice.
                while at_site and not self._resume_displaced(th.tid):
                    stepped = self.stepper.step_instruction(th.tid, owner=self.reasons.cont_tid)
                    if stepped.kind != StopKind.STEPPED:
                        return stepped
                    at_site = self.pc(th.tid) in self.bps.sites
            selected = None
            self.allstop.resume_all()
            stop = self._decide(self.allstop.wait(run=True))
            if stop is not None:
                return stop

    def _resume_displaced(self, tid: int) -> bool:
        """Leave a breakpoint through its out-of-line copy: no single-step stop at all."""
        pc = self.pc(tid)
        if self.pads is not None and not self.allstop.in_vfork:
            slot = self.bps.resume_slot(pc)       # a jump site: its stub's relocated copy
            if slot is not None:
                self.inf.set_pc(tid, slot)
                return True
        site = self.bps.sites.get(pc)
        if self.displaced is None or site is None or not site.inserted or self.allstop.in_vfork:
            return False            # a vfork child shares our memory: keep to the plain step
        d = self.displaced
        try:
            slot = d.cached_slot(pc)
            if slot is None:
                slot = d.slot_for(tid, pc, self.read(pc, 16))
        except TdbgError:          # a zombie leader: no address space to read; step instead
            return False
        if d.stolen is not None:   # our injected step saw someone else's status: decide it
            self.allstop.requeued.append(d.stolen)
            d.stolen = None
        if d.owed_signal:
            self.allstop.owe_signal(self.inf.threads[tid], d.owed_signal)
            d.owed_signal = 0
        if slot is None:
            return False
        self.inf.set_pc(tid, slot)
        self._in_slot.add(tid)
        return True

    def _undisplace(self) -> None:
        """Parked threads inside a slot are put back at the program's own pc. Only a
        thread we jumped into a slot since the last stop can be in one."""
        d = self.displaced
        if d is None or d.page is None or not self._in_slot:
            return
        tids, self._in_slot = self._in_slot, set()
        for tid in tids:
            th = self.inf.threads.get(tid)
            if th is None or th.running or th.exiting:
                if th is not None and th.running:
                    self._in_slot.add(tid)     # not parked yet: look again at the next stop
                continue
            pc = self.inf.regs(th.tid).rip
            if d.contains(pc):
                orig = d.original_pc(pc)
                self.inf.set_pc(th.tid, orig)
                if orig in self.bps.sites:
                    th.step_over = True        # it had not run the instruction yet

    # ---- deciding ---------------------------------------------------------------------------
    def _decide(self, st: WaitStatus) -> Stop | None:
        """Turn one decision status into a Stop, or None to keep going."""
        pads = self.pads
        if pads is None:
            return self._decide_status(st)
        translated = pads.decide(st)              # a stop inside a pad, as the site's
        if translated is None:
            return None
        stop = self._decide_status(translated)
        if stop is not None:
            pads.after_stop(stop)
        return stop

    def _decide_status(self, st: WaitStatus) -> Stop | None:
        if st.gone:
            return self._gone(st)
        if st.event == ptrace.EVENT_EXEC:
            return self._exec_stop(st)
        th = self.inf.threads.get(st.tid)
        if th is None:
            return None
        sig = st.stop_sig
        if self.catch is not None and (st.event or sig != SIGTRAP):   # never a breakpoint hit
            caught = self.catch.decide(th, st)      # catchpoints, fork events (catch_stops.py)
            if caught is not None:
                return caught[0]
        interrupt = sig == SIGSTOP and self.reasons.interrupt_requested
        if sig != SIGTRAP and not interrupt:
            policy = self.reasons.signals.get(sig) or UNKNOWN_SIGNAL
            if not policy.stop:
                # Routine signal: straight back to its thread; nobody else was stopped.
                if policy.print and self.on_signal_print is not None:
                    self.on_signal_print(st.tid, sig)      # handle SIG nostop print
                if policy.pass_:
                    self.allstop.owe_signal(th, sig)
                return None
        override = self.allstop.stop_others(st.tid)
        if override is not None:
            return self._decide(override)
        if th.exiting or st.tid not in self.inf.threads:
            return None                         # killed while we parked the others
        try:
            self._undisplace()
            return self._classify(th, st)
        except PtraceError as e:
            if e.errno != errno.ESRCH:
                raise
            self.allstop.dying(th)
            return None

    def _classify(self, th: Thread, st: WaitStatus) -> Stop | None:
        tid, sig = th.tid, st.stop_sig
        if sig == SIGTRAP:
            pc = self.pc(tid)
            if not th.stepping and self._site_inserted(pc - 1):
                # Continued (not stepped) and just past our INT3: our breakpoint, no
                # PTRACE_GETSIGINFO needed on the hot path.
                self.inf.set_pc(tid, pc - 1)
                th.step_over = True
                if self.allstop.hits:
                    return self._fair_hit(th, pc - 1)
                return self._evaluate_hit(tid, pc - 1)
            si = ptrace.get_siginfo(tid)
            if si.si_code == ptrace.SI_KERNEL and self._site_inserted(pc - 1):
                self.inf.set_pc(tid, pc - 1)
                th.step_over = True
                if self.allstop.hits:
                    return self._fair_hit(th, pc - 1)
                return self._evaluate_hit(tid, pc - 1)
            watch = self.reasons.watch_hit(tid, pc)
            if watch is not None or si.si_code == ptrace.TRAP_HWBKPT:
                return watch                    # None: a disabled or deleted watchpoint
            if si.si_code in (ptrace.SI_USER, ptrace.SI_TKILL):
                self.allstop.owe_signal(th, SIGTRAP, reported=True)   # raise(SIGTRAP): the program's own (A7)
            self.reasons.consume_interrupt()
            return Stop(StopKind.TRAP, tid, pc, SIGTRAP, si_code=si.si_code)
        if sig == SIGSTOP and self.reasons.interrupt_requested:
            self.reasons.interrupt_requested = False
            return Stop(StopKind.INTERRUPTED, tid, self.pc(tid), SIGSTOP)
        policy = self.reasons.signals.get(sig) or UNKNOWN_SIGNAL
        if policy.pass_:
            self.allstop.owe_signal(th, sig, reported=True)
        return self.reasons.signal_stop(tid, st, held=True)

    # ---- breakpoint hits of several threads at one stop ----------------------------------
    def _fair_hit(self, th: Thread, addr: int) -> Stop | None:
        """Other threads' hits raced in while parking them: this one joins them and
        the thread whose turn it is is reported (allstop.py)."""
        th.step_over = False
        self.allstop.hits[th.tid] = addr
        return self._pending_hit()

    def _pending_hit(self, only: int | None = None) -> Stop | None:
        """Report kept hits in turn until one stops; the rest stay kept. A hit whose
        thread moved or whose breakpoint went is dropped: that thread just goes on.
        only: under scheduler-locking, the one thread whose hit may be reported."""
        allstop, threads = self.allstop, self.inf.threads
        while allstop.hits:
            if only is not None:
                if only not in allstop.hits:
                    return None
                tid, addr = only, allstop.hits.pop(only)
            else:
                tid, addr = allstop.take_hit()
            th = threads.get(tid)
            if th is None or th.running or th.exiting or th.pending is not None:
                continue
            try:
                if self.pc(tid) != addr or not self._site_inserted(addr):
                    continue
                stop = self._evaluate_hit(tid, addr)
            except PtraceError as e:
                if e.errno != errno.ESRCH:
                    raise
                self.allstop.dying(th)
                continue
            if stop is not None:
                return stop
            th.step_over = True          # not for the user: it steps off on resume
        return None

    # ---- the end of a process or of its image ------------------------------------------------
    def _gone(self, st: WaitStatus) -> Stop:
        self.bps.forget_sites()
        self.inf.mark_dead()
        self.reasons.interrupt_requested = False
        self.allstop.early.clear()
        self.allstop.deferred.clear()
        self.allstop.hits.clear()
        if st.exited:
            return Stop(StopKind.EXITED, st.tid, code=st.exit_code)
        return Stop(StopKind.KILLED, st.tid, sig=st.term_sig)

    def _exec_stop(self, st: WaitStatus) -> Stop:
        """A new program image (E3): breakpoint sites are void; threads collapse to the leader.

        If a non-leader thread called exec it now has the leader's tid; every
        other thread is gone without a word.
        """
        self.displaced = None                  # the scratch page went with the old image
        self.traps.clear()
        self.bps.forget_sites()
        pid = self.inf.pid
        old = self.inf.threads.get(pid)
        th = Thread(pid, old.num if old else 1)
        self.inf.threads = {pid: th}
        self.allstop.early.clear()
        self.allstop.hits.clear()
        self.inf.new_image()
        self.allstop.setup_thread(th)          # exec cleared the debug registers
        self.allstop.threads_changed()
        return Stop(StopKind.EXEC, pid, self.pc(pid))
