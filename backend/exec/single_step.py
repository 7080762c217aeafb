"""stepi: single-stepping one thread while the others stay parked.

A step off a breakpoint lifts its INT3 for that one instruction (off a breakpoint on
the program's own int3 it only moves the pc, gdb's permanent breakpoint); routine signals
that arrive meanwhile are held back; a trap after the step is told apart from
the program's own. ``step_instructions`` runs the quick loop (one SINGLESTEP,
one waitpid and at most one PEEKUSER per step) while nothing can surprise it, and
the general path otherwise. Apart from the continue path (control.py), which it
hands back to when the stepped thread is leaving.
"""
from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable

from ..breaks.manager import Manager
from ..errors import PtraceError, TdbgError
from ..process import ptrace
from ..process.inferior import Inferior
from ..process.ptrace import SigInfo, WaitStatus
from .allstop import AllStop
from .stop import Stop, StopKind
from .stop_reasons import StopReasons
from .trap_prediction import TrapPrediction

SIGTRAP = signal.SIGTRAP
_MAX_HELD = 50       # routine signals held back during one single-step before we give in


class _StepTrap:
    """What PTRACE_GETSIGINFO says after an ordinary single-step."""
    si_code = 2               # TRAP_TRACE
    si_addr = 0


_STEP_TRAP = _StepTrap()


class InstructionStepper:
    """Single steps of one traced process. The controller (control.py) passes in how it
    decides a status (``decide``), continues (``cont``) and ends (``gone``, ``exec_stop``)."""

    def __init__(self, inferior: Inferior, bps: Manager, allstop: AllStop, reasons: StopReasons,
                 traps: TrapPrediction, decide: Callable[[WaitStatus], Stop | None],
                 cont: Callable[[int | None], Stop], gone: Callable[[WaitStatus], Stop],
                 exec_stop: Callable[[WaitStatus], Stop]) -> None:
        self.inf = inferior
        self.bps = bps
        self.allstop = allstop
        self.reasons = reasons
        self.traps = traps
        self.decide = decide
        self.cont = cont
        self.gone = gone
        self.exec_stop = exec_stop

    def _step_raw(self, tid: int, held: list[int], resumed: bool = False) -> WaitStatus:
        """One hardware single-step of tid; other threads stay parked.

        Routine (nostop) signals arriving meanwhile go to ``held``: delivering
        one now would run its handler with the breakpoint under the pc lifted
        (docs/hard-cases.md A6). They are delivered on the next resume.
        """
        th = self.inf.threads[tid]
        sig, arrivals = 0, 0
        while True:
            if resumed:
                resumed = False             # already stepping (see _quick_steps)
            elif not self.allstop.resume(th, sig, step=True):
                return self._wait_focus_gone(tid)
            sig = 0
            st = self.allstop.wait(run=False, focus=tid)
            if st.gone or st.event in (ptrace.EVENT_EXEC, ptrace.EVENT_EXIT):
                return st
            if st.tid != tid:
                self.inf.threads[st.tid].pending = st
                continue
            policy = self.reasons.signals.get(st.stop_sig)
            if st.stop_sig != SIGTRAP and policy is not None and not policy.stop:
                arrivals += 1
                if arrivals > _MAX_HELD and policy.pass_:
                    sig = st.stop_sig        # the step is a syscall waiting for this very signal
                elif policy.pass_ and st.stop_sig not in held:
                    held.append(st.stop_sig)
                continue
            return st

    def _wait_focus_gone(self, tid: int) -> WaitStatus:
        while True:
            st = self.allstop.wait(run=False, focus=tid)
            if st.gone or st.event == ptrace.EVENT_EXEC:
                return st
            if st.tid == tid and st.event == ptrace.EVENT_EXIT:
                return st
            if st.tid in self.inf.threads:
                self.inf.threads[st.tid].pending = st

    def _release_held(self, tid: int, held: list[int]) -> None:
        th = self.inf.threads.get(tid)
        if th is None or not held:
            return
        for sig in held:
            self.allstop.owe_signal(th, sig)

    def step_instruction(self, tid: int, owner: int | None = None, resumed: bool = False) -> Stop:
        """stepi: one instruction, stepping off a breakpoint under the pc if needed.

        owner: the thread internal breakpoints count for (default: tid).
        """
        self.allstop.before_resume()
        tid = self.allstop.valid_tid(tid)
        owner = tid if owner is None else owner
        th = self.inf.threads[tid]
        if th.pending is not None:              # a stop it has not reported yet comes first
            pending, th.pending = th.pending, None
            stop = self.decide(pending)
            if stop is not None:
                return stop
        reasons = self.reasons
        pc = self.inf.regs(tid).rip
        hits = self.allstop.hits
        if hits and tid in hits:                # a kept breakpoint hit (allstop.py) comes first
            if hits.pop(tid) == pc and reasons.site_inserted(pc):
                stop = reasons.evaluate_hit(tid, pc, owner)
                if stop is not None:
                    return stop
        quiet = not self.traps.may_trap(pc)
        site = self.bps.site_at(pc)
        if site is not None and site.orig[:1] == b"\xcc" and not resumed:
            # A breakpoint on the program's own int3 (gdb's permanent breakpoint): stepping
            # off it is only moving the pc past it; the program never sees that trap.
            return self._past_int3(tid, pc + 1, owner)
        lifted = self.bps.save_breakpoint(pc) if site is not None else None
        held: list[int] = []
        try:
            st = self._step_raw(tid, held, resumed)
        finally:
            if lifted is not None:
                try:
                    self.bps.restore_breakpoint()
                except TdbgError:
                    pass                        # the address space is gone: the process ended
            if self.inf.alive:
                self._release_held(tid, held)
        if st.gone:
            return self.gone(st)
        if st.event == ptrace.EVENT_EXEC:
            return self.exec_stop(st)
        if st.tid != tid or st.event == ptrace.EVENT_EXIT:
            # The stepped thread is leaving (pthread_exit, exit_group): run what remains.
            leaving = self.inf.threads.get(tid)
            if leaving is not None and st.event == ptrace.EVENT_EXIT:
                self.allstop.let_die(leaving)
            return self.cont(None)
        if st.stop_sig != SIGTRAP:
            return reasons.signal_stop(tid, st)
        si: SigInfo | _StepTrap
        try:
            new_pc = self.inf.regs(tid).rip
            if quiet and not reasons.site_inserted(new_pc - 1):
                si = _STEP_TRAP       # the instruction cannot trap by itself: this is our step
            else:
                si = ptrace.get_siginfo(tid)
        except PtraceError as e:
            if e.errno != errno.ESRCH:
                raise
            self.allstop.dying(self.inf.threads[tid])
            return self.cont(None)
        watch = reasons.watch_hit(tid, new_pc)
        if watch is not None:
            return watch
        if si.si_code == ptrace.SI_KERNEL and reasons.site_inserted(new_pc - 1):
            # Defensive: a trap right after one of our INT3s is that breakpoint, wherever from.
            self.inf.set_pc(tid, new_pc - 1)
            self.inf.threads[tid].step_over = True
            hit = reasons.evaluate_hit(tid, new_pc - 1, owner)
            return hit or Stop(StopKind.STEPPED, tid, new_pc - 1)
        if si.si_code == ptrace.SI_KERNEL and self._own_int3(pc, new_pc):
            return self._past_int3(tid, new_pc, owner, moved=True)
        if si.si_code not in (ptrace.TRAP_TRACE, ptrace.TRAP_BRKPT, ptrace.TRAP_HWBKPT, SIGTRAP):
            if si.si_code in (ptrace.SI_USER, ptrace.SI_TKILL):
                self.allstop.owe_signal(self.inf.threads[tid], SIGTRAP, reported=True)
            return Stop(StopKind.TRAP, tid, new_pc, SIGTRAP, si_code=si.si_code)
        if reasons.site_inserted(new_pc):
            hit = reasons.evaluate_hit(tid, new_pc, owner)
            if hit is not None:
                return hit
        return Stop(StopKind.STEPPED, tid, new_pc)

    def _own_int3(self, pc: int, new_pc: int) -> bool:
        """The step ran an int3 of the program's own (`int3` or `int $3`): gdb takes any
        SIGTRAP while stepping for the step's own, so that trap is not reported."""
        size = new_pc - pc
        if size not in (1, 2):
            return False
        try:
            return self.traps.read(pc, size) in (b"\xcc", b"\xcd\x03")
        except TdbgError:
            return False

    def _past_int3(self, tid: int, new_pc: int, owner: int, moved: bool = False) -> Stop:
        if not moved:
            self.inf.set_pc(tid, new_pc)
        if self.reasons.site_inserted(new_pc):
            hit = self.reasons.evaluate_hit(tid, new_pc, owner)
            if hit is not None:
                return hit
        return Stop(StopKind.STEPPED, tid, new_pc)

    def _quick_steps(self, tid: int, n: int) -> tuple[Stop | None, int]:
        """stepi's common case: one SINGLESTEP, one waitpid and one PEEKUSER per step,
        while there is a single thread, no watchpoint, nothing pending, no breakpoint
        under the pc and an instruction that cannot trap by itself. Returns the last
        stop (None when nothing was stepped) and how many steps were done; anything
        unexpected that arrives is handed to the general path as if it had waited."""
        inf = self.inf
        th = inf.threads.get(tid)
        if len(inf.threads) != 1 or self.allstop.hw is not None or th is None:
            return None, 0
        if th.pending is not None or th.pending_sig or th.expect_sigstop or th.exiting \
                or th.fresh:
            return None, 0             # nothing below changes these but a stop we hand over
        if th.dirty:
            inf.flush_regs(tid)
        reasons = self.reasons
        sites, decoded, trap_cache = self.bps.sites, self.traps.decoded, self.traps.cache
        # The raw ctypes entry and constants in locals: this loop is all there is to stepi.
        call, waitpid = ptrace._ptrace, os.waitpid
        STEP, PEEK, RIP, WALL = ptrace.SINGLESTEP, ptrace.PEEKUSER, ptrace.RIP_OFFSET, ptrace.WALL
        trapped = (SIGTRAP << 8) | 0x7F
        done, pc = 0, inf.regs(tid).rip
        while done < n and not reasons.interrupt_requested:
            if pc in sites:
                break
            info = trap_cache.get(pc)
            if info is None:
                info = decoded(pc)
            if info[0]:
                break
            th.regs, th.running, th.stepping = None, True, True    # Inferior.resume(step)
            if call(STEP, tid, 0, 0) == -1:
                raise ptrace.last_error("PTRACE_SINGLESTEP", tid)
            wtid, status = waitpid(-1, WALL)
            done += 1
            if wtid == tid and status & 0xFFFF == trapped:        # plain step trap
                th.running = False
                # A plain step trap after straight-line code lands on the next
                # instruction; anything else (branches, rep, loads of ss) is read.
                pc = info[1] if info[1] is not None else call(PEEK, tid, RIP, 0)
                if pc == -1:                     # no user-space pc is -1
                    raise ptrace.last_error("PTRACE_PEEKUSER", tid)
                site = sites.get(pc)
                if site is not None and site.inserted:
                    hit = reasons.evaluate_hit(tid, pc, tid)
                    if hit is not None:
                        return hit, done
                continue
            self.allstop.requeued.append(WaitStatus(wtid, status))
            return self.step_instruction(tid, resumed=True), done
        return (Stop(StopKind.STEPPED, tid, pc) if done else None), done

    def step_instructions(self, tid: int, n: int) -> Stop:
        reasons = self.reasons
        stop = Stop(StopKind.STEPPED, tid, self.inf.regs(tid).rip)
        while n > 0:
            quick, done = self._quick_steps(tid, n)
            n -= done
            if quick is not None:
                stop = quick
                if stop.kind != StopKind.STEPPED or reasons.interrupt_requested:
                    break
            if n <= 0:
                break
            stop = self.step_instruction(tid)
            n -= 1
            if stop.kind != StopKind.STEPPED or reasons.interrupt_requested:
                break
        if reasons.interrupt_requested and stop.kind == StopKind.STEPPED:
            reasons.consume_interrupt()
        return stop
