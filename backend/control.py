"""Execution control: resume, wait, classify every stop, step over breakpoints.

The loops that repeat ptrace calls (continue past false conditions, stepi N,
step-over) run here on the tracer thread: one thread hop per user command.
All-stop: when one thread reports a stop every other thread is parked before
the stop is returned; a breakpoint hit that raced in on a parked thread is
cancelled (pc rewound) so it is hit again, never lost.
"""
from __future__ import annotations

import enum
import errno
import signal
from dataclasses import dataclass, field

from . import ptrace
from .breakpoints import Breakpoint, Hit, Manager
from .errors import ProcessGone, PtraceError, TdbgError
from .inferior import Inferior, Thread
from .ptrace import WaitStatus

SIGTRAP, SIGSTOP = signal.SIGTRAP, signal.SIGSTOP


class StopKind(enum.Enum):
    BREAKPOINT = "breakpoint"
    STEPPED = "stepped"
    SIGNAL = "signal"
    INTERRUPTED = "interrupted"
    TRAP = "trap"            # a SIGTRAP we did not cause
    EXITED = "exited"
    KILLED = "killed"
    EXEC = "exec"
    WATCHPOINT = "watchpoint"


@dataclass(slots=True)
class Stop:
    kind: StopKind
    tid: int
    pc: int = 0
    sig: int = 0
    code: int = 0                       # exit code
    hit: list[Breakpoint] = field(default_factory=list)   # breakpoints that said "stop"
    fault_addr: int | None = None
    si_code: int = 0
    error: str | None = None            # a condition that failed to evaluate

    @property
    def gone(self) -> bool:
        return self.kind in (StopKind.EXITED, StopKind.KILLED)


@dataclass(slots=True)
class SignalPolicy:
    stop: bool
    print: bool
    pass_: bool


def default_signal_table() -> dict[int, SignalPolicy]:
    """gdb's defaults: most signals stop, print and pass; a few are routine."""
    table = {s: SignalPolicy(True, True, True) for s in range(1, 65)}
    for s in (signal.SIGALRM, signal.SIGCHLD, signal.SIGWINCH, signal.SIGURG, signal.SIGPROF,
              signal.SIGIO, signal.SIGVTALRM, signal.SIGPWR if hasattr(signal, "SIGPWR") else 30):
        table[s] = SignalPolicy(False, False, True)
    for s in range(34, 65):                       # real-time signals: glibc uses 32/33 for threads
        table[s] = SignalPolicy(True, True, True)
    table[signal.SIGINT] = SignalPolicy(True, True, False)
    table[SIGTRAP] = SignalPolicy(True, True, False)
    return table


class Controller:
    def __init__(self, inferior: Inferior, bps: Manager) -> None:
        self.inf = inferior
        self.bps = bps
        self.signals = default_signal_table()
        self.interrupt_requested = False
        self.exit_code: int | None = None
        self._early: dict[int, WaitStatus] = {}    # stops of threads we have not met yet
        self.on_thread_change = None               # callback(tids) for ThreadsChanged
        self.on_condition_error = None

    # ---- helpers --------------------------------------------------------------------
    def pc(self, tid: int) -> int:
        return self.inf.regs(tid).rip

    def read(self, addr: int, n: int) -> bytes:
        return self.bps.shadow(addr, self.inf.read(addr, n))

    def interrupt(self) -> None:
        """Any thread: stop a running tracee (Ctrl-C)."""
        if not self.inf.alive:
            return
        self.interrupt_requested = True
        try:
            ptrace.tgkill(self.inf.pid, self.inf.pid, SIGSTOP)
        except OSError:
            pass

    # ---- waiting ------------------------------------------------------------------------
    def _wait(self, tid: int = -1) -> WaitStatus:
        """Next status of one of our threads; bookkeeping events handled here.

        Returns statuses that need a decision: a signal stop, or a process exit.
        """
        while True:
            if tid == -1 and self._early:
                st = None
            else:
                st = ptrace.waitpid(tid)
            if st is None:
                t = next(iter(self._early))
                if t in self.inf.threads:
                    st = self._early.pop(t)
                else:
                    st = ptrace.waitpid(-1)
            th = self.inf.threads.get(st.tid)
            if th is None:
                if st.tid == self.inf.pid and st.gone:     # leader, after we dropped it
                    return st
                if st.stopped:
                    self._early[st.tid] = st               # a new thread, its CLONE event is coming
                continue
            th.running = False
            th.regs = None
            if st.gone:
                if st.tid == self.inf.pid or len(self.inf.threads) == 1:
                    return st
                del self.inf.threads[st.tid]               # a thread ended; the process goes on
                self._threads_changed()
                if tid == st.tid:
                    raise ProcessGone(st.tid, "thread exited")
                continue
            ev = st.event
            if ev == ptrace.EVENT_CLONE:
                self._new_thread(ptrace.get_event_msg(st.tid))
                self.inf.resume(st.tid, 0, step=False) if tid == -1 else None
                if tid == -1:
                    continue
                return st                                  # the stepper re-steps
            if ev in (ptrace.EVENT_FORK, ptrace.EVENT_VFORK):
                self._drop_child(ptrace.get_event_msg(st.tid))
                if tid == -1:
                    self.inf.resume(st.tid)
                    continue
                return st
            if ev == ptrace.EVENT_EXIT:
                if st.tid == self.inf.pid:
                    self.exit_code = ptrace.get_event_msg(st.tid) >> 8
                # Still alive and readable here; let it finish.
                try:
                    self.inf.resume(st.tid)
                except PtraceError:
                    pass
                continue
            if st.stop_sig == SIGSTOP and th.expect_sigstop:
                th.expect_sigstop = False
                if tid == -1 and not self._parking:
                    self.inf.resume(st.tid)
                    continue
                # parking: this is the stop we asked for; stepping: the caller re-steps
                self.swallowed = True
                return st
            self.swallowed = False
            return st

    _parking = False
    swallowed = False          # the last status was a SIGSTOP we had sent ourselves

    def _new_thread(self, tid: int) -> None:
        if tid in self.inf.threads:
            return
        th = Thread(tid)
        self.inf.threads[tid] = th
        early = self._early.pop(tid, None)
        if early is not None:
            th.running = False              # already stopped with its initial SIGSTOP
            self.inf.resume(tid)
        else:
            th.running = True
            th.expect_sigstop = True        # the kernel's initial SIGSTOP is coming
        self._threads_changed()

    def _drop_child(self, child: int) -> None:
        """A forked child inherits every INT3: strip them from its copy, then let it go."""
        st = self._early.pop(child, None)
        if st is None:
            try:
                st = ptrace.waitpid(child)
            except ChildProcessError:
                return
        if st.gone:
            return
        try:
            with open(f"/proc/{child}/mem", "r+b", buffering=0) as mem:
                for site in self.bps.sites.values():
                    if site.inserted:
                        mem.seek(site.addr)
                        mem.write(site.orig)
        except OSError:
            pass
        try:
            ptrace.call(ptrace.DETACH, child, 0, 0)
        except PtraceError:
            pass

    def _threads_changed(self) -> None:
        if self.on_thread_change:
            self.on_thread_change(tuple(self.inf.threads))

    # ---- all-stop -------------------------------------------------------------------
    def stop_others(self, tid: int) -> None:
        """Park every running thread other than tid; cancel breakpoint hits that raced in."""
        running = [t for t in self.inf.threads.values() if t.running and t.tid != tid]
        if not running:
            return
        for th in running:
            try:
                self.inf.stop_thread(th.tid)
            except OSError:
                pass
        self._parking = True
        try:
            for th in running:
                while th.running and th.tid in self.inf.threads:
                    try:
                        st = self._wait(th.tid)
                    except (ProcessGone, ChildProcessError):
                        break
                    if st.gone:
                        return
                    if st.stop_sig == SIGSTOP:
                        break
                    if st.stop_sig == SIGTRAP and st.event == 0:
                        pc = self.inf.regs(th.tid).rip
                        if self.bps.handle_breakpoint(pc):
                            self.inf.set_pc(th.tid, pc - 1)   # hit again on resume
                    else:
                        th.pending_sig = st.stop_sig if st.event == 0 else 0
                    # th stays stopped, its SIGSTOP is still pending (expect_sigstop set)
                    break
        finally:
            self._parking = False

    def resume_all(self, skip: int | None = None) -> None:
        for th in list(self.inf.threads.values()):
            if th.running or th.tid == skip:
                continue
            sig, th.pending_sig = th.pending_sig, 0
            try:
                self.inf.resume(th.tid, sig)
            except PtraceError as e:
                if e.errno != errno.ESRCH:
                    raise

    # ---- single steps -----------------------------------------------------------------
    def _step_raw(self, tid: int) -> WaitStatus:
        """One hardware single-step of tid; other threads stay parked."""
        th = self.inf.threads[tid]
        sig, th.pending_sig = 0, th.pending_sig
        while True:
            self.inf.resume(tid, sig, step=True)
            sig = 0
            st = self._wait(tid)
            if st.stopped and st.stop_sig == SIGSTOP and self.swallowed:
                continue
            if st.gone or st.event == 0 or st.event == ptrace.EVENT_EXEC:
                return st
            # clone/fork during the step: the syscall completes on the next step

    def step_instruction(self, tid: int) -> Stop:
        """stepi: one instruction, stepping off a breakpoint under the pc if needed."""
        pc = self.pc(tid)
        lifted = self.bps.save_breakpoint(pc) if self.bps.site_at(pc) else None
        try:
            while True:
                st = self._step_raw(tid)
                if st.gone:
                    return self._gone(st)
                if st.event == ptrace.EVENT_EXEC:
                    return self._exec_stop(st)
                if st.stop_sig == SIGTRAP:
                    break
                policy = self.signals.get(st.stop_sig)
                if lifted is not None and policy and not policy.stop:
                    # Hold a routine signal until the instruction under the lifted
                    # breakpoint has run, so its handler cannot run through the gap.
                    self.inf.threads[tid].pending_sig = st.stop_sig
                    continue
                return self._signal_stop(tid, st)
        finally:
            if lifted is not None:
                self.bps.restore_breakpoint()
        new_pc = self.pc(tid)
        site = self.bps.site_at(new_pc)
        if site is not None and site.inserted:
            hit = self._evaluate_hit(tid, new_pc)
            if hit is not None:
                return hit
        return Stop(StopKind.STEPPED, tid, new_pc)

    def step_instructions(self, tid: int, n: int) -> Stop:
        stop = Stop(StopKind.STEPPED, tid, self.pc(tid))
        for _ in range(n):
            stop = self.step_instruction(tid)
            if stop.kind != StopKind.STEPPED or self.interrupt_requested:
                break
        if self.interrupt_requested and stop.kind == StopKind.STEPPED:
            self._consume_interrupt()
        return stop

    def _consume_interrupt(self) -> None:
        """The user interrupted, but we stopped anyway: swallow the SIGSTOP later."""
        if self.interrupt_requested:
            self.interrupt_requested = False
            leader = self.inf.threads.get(self.inf.pid)
            if leader is not None:
                leader.expect_sigstop = True

    # ---- continuing -----------------------------------------------------------------------
    def cont(self, tid: int) -> Stop:
        """Resume everything until a stop the user (or a stepping layer) must see."""
        while True:
            if self.pc(tid) in self.bps.sites:
                stop = self.step_instruction(tid)
                if stop.kind != StopKind.STEPPED:
                    return stop
            th = self.inf.threads.get(tid)
            sig = th.pending_sig if th else 0
            if th:
                th.pending_sig = 0
                self.inf.resume(tid, sig)
            self.resume_all()
            stop = self._wait_stop()
            if stop is not None:
                return stop
            tid = self._last_tid

    _last_tid = 0

    def _wait_stop(self) -> Stop | None:
        """Wait for one reportable stop; None means 'keep going' (false condition...)."""
        st = self._wait(-1)
        tid = self._last_tid = st.tid
        if st.gone:
            return self._gone(st)
        if st.event == ptrace.EVENT_EXEC:
            return self._exec_stop(st)
        self.stop_others(tid)
        if not self.inf.alive:
            return Stop(StopKind.EXITED, tid, code=self.exit_code or 0)
        sig = st.stop_sig
        if sig == SIGTRAP:
            pc = self.pc(tid)
            if self.bps.handle_breakpoint(pc) is not None:
                self.inf.set_pc(tid, pc - 1)
                hit = self._evaluate_hit(tid, pc - 1)
                return hit
            si = ptrace.get_siginfo(tid)
            if si.si_code == ptrace.TRAP_HWBKPT:
                return Stop(StopKind.WATCHPOINT, tid, pc, SIGTRAP, si_code=si.si_code)
            if si.si_code in (ptrace.SI_USER, ptrace.SI_TKILL):
                self.inf.threads[tid].pending_sig = SIGTRAP    # raise(SIGTRAP): the program's own
            self._consume_interrupt()
            return Stop(StopKind.TRAP, tid, pc, SIGTRAP, si_code=si.si_code)
        if sig == SIGSTOP and self.interrupt_requested:
            self.interrupt_requested = False
            return Stop(StopKind.INTERRUPTED, tid, self.pc(tid), SIGSTOP)
        policy = self.signals.get(sig, SignalPolicy(True, True, True))
        if policy.pass_:
            self.inf.threads[tid].pending_sig = sig
        if not policy.stop:
            return None
        return self._signal_stop(tid, st, held=True)

    def _signal_stop(self, tid: int, st: WaitStatus, held: bool = False) -> Stop:
        sig = st.stop_sig
        policy = self.signals.get(sig, SignalPolicy(True, True, True))
        if not held and policy.pass_:
            self.inf.threads[tid].pending_sig = sig
        fault = None
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL):
            try:
                fault = ptrace.get_siginfo(tid).si_addr
            except PtraceError:
                pass
        self._consume_interrupt()
        return Stop(StopKind.SIGNAL, tid, self.pc(tid), sig, fault_addr=fault)

    def _evaluate_hit(self, tid: int, addr: int) -> Stop | None:
        """Count the hit, check conditions and ignore counts; None = not for the user."""
        site = self.bps.site_at(addr)
        if site is None:
            return None
        stop_for: list[Breakpoint] = []
        error = None
        for bid in sorted(site.owners, key=lambda i: (i < 0, abs(i))):
            bp = self.bps.bps.get(bid)
            if bp is None or not bp.enabled:
                continue
            if bp.check is not None:
                try:
                    if not bp.check(tid):
                        continue
                except TdbgError as e:
                    error = f"Error in testing condition for breakpoint {bp.id}:\n{e}"
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
        self._consume_interrupt()
        for bp in stop_for:
            if bp.temporary:
                self.bps.consume_temporary(bp)
        return Stop(StopKind.BREAKPOINT, tid, addr, SIGTRAP, hit=stop_for, error=error)

    def _gone(self, st: WaitStatus) -> Stop:
        self.bps.forget_sites()
        self.inf.mark_dead()
        self.interrupt_requested = False
        if st.exited:
            return Stop(StopKind.EXITED, st.tid, code=st.exit_code)
        return Stop(StopKind.KILLED, st.tid, sig=st.term_sig)

    def _exec_stop(self, st: WaitStatus) -> Stop:
        """A new program image: old breakpoint sites are void; threads collapse to the leader."""
        self.bps.forget_sites()
        self.inf.threads = {self.inf.pid: self.inf.threads.get(st.tid) or Thread(self.inf.pid)}
        th = self.inf.threads[self.inf.pid]
        th.tid, th.running, th.regs = self.inf.pid, False, None
        self.inf.invalidate_maps()
        return Stop(StopKind.EXEC, self.inf.pid, self.pc(self.inf.pid))
