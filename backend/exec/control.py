"""Execution control: resume, wait, classify every stop, step over breakpoints.

The loops that repeat ptrace calls (continue past false conditions, stepi N,
step-over) run here on the tracer thread: one thread hop per user command.
All-stop bookkeeping (waiting, clone/fork/exec, parking threads) lives in
allstop.py; this module decides what each stop means for the user.
"""
from __future__ import annotations

import enum
import errno
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass, field

from ..breaks.manager import Breakpoint, Manager
from ..disasm.decode import decode, falls_through
from ..errors import PtraceError, TdbgError
from ..process import ptrace
from ..process.inferior import Inferior, Thread
from ..process.ptrace import WaitStatus
from .allstop import AllStop

SIGTRAP, SIGSTOP = signal.SIGTRAP, signal.SIGSTOP
_MAX_HELD = 50       # routine signals held back during one single-step before we give in


class _StepTrap:
    """What PTRACE_GETSIGINFO says after an ordinary single-step."""
    si_code = 2               # TRAP_TRACE
    si_addr = 0


_STEP_TRAP = _StepTrap()


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
    detail: object = None               # watchpoints: what triggered (see watchpoints.py)

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
    """Resume, single-step and classify every stop of one traced process (worker thread)."""

    def __init__(self, inferior: Inferior, bps: Manager) -> None:
        self.inf = inferior
        self.bps = bps
        self.allstop = AllStop(inferior, bps, self._gone, self._exec_stop)
        self._in_slot: set[int] = set()  # threads resumed into an out-of-line slot since the last stop
        self._trap_cache: dict[int, tuple[bool, int | None]] = {}
        self.signals = default_signal_table()
        self.interrupt_requested = False
        self.on_condition_error = None
        self._interrupt_tid = 0
        self._cont_tid: int | None = None       # the thread a stepping command resumed for

    # ---- helpers --------------------------------------------------------------------
    def pc(self, tid: int) -> int:
        return self.inf.regs(tid).rip

    def forget_code(self, inside: Callable[[int], bool] | None = None) -> None:
        """Code changed or was unmapped: drop decoded traps and out-of-line copies there
        (all of them when inside is None)."""
        self._trap_cache.clear()
        d = self.displaced
        if d is not None:
            for a in [a for a in d.slots if inside is None or inside(a)]:
                d.slots.pop(a)   # a stale copy; a fresh slot is made on next use

    def read(self, addr: int, n: int) -> bytes:
        return self.bps.shadow(addr, self.inf.read(addr, n))

    def interrupt(self) -> None:
        """Any thread: stop a running tracee (Ctrl-C)."""
        if not self.inf.alive:
            return
        live = [t.tid for t in list(self.inf.threads.values()) if not t.exiting]
        if not live:
            return
        self.interrupt_requested = True
        self._interrupt_tid = self.inf.pid if self.inf.pid in live else live[0]
        ptrace.tgkill(self.inf.pid, self._interrupt_tid, SIGSTOP)

    # ---- single steps -----------------------------------------------------------------
    def _step_raw(self, tid: int, held: list[int], resumed: bool = False) -> WaitStatus:
        """One hardware single-step of tid; other threads stay parked.

        Routine (nostop) signals arriving meanwhile go to ``held``: delivering
        one now would run its handler with the breakpoint under the pc lifted
        (HARD-CASES A6). They are delivered on the next resume.
        """
        th = self.inf.threads[tid]
        sig, arrivals = 0, 0
        while True:
            if resumed:
                resumed = False             # already stepping (see _quick_step)
            elif not self.allstop.resume(th, sig, step=True):
                return self._wait_focus_gone(tid)
            sig = 0
            st = self.allstop.wait(run=False, focus=tid)
            if st.gone or st.event in (ptrace.EVENT_EXEC, ptrace.EVENT_EXIT):
                return st
            if st.tid != tid:
                self.inf.threads[st.tid].pending = st
                continue
            policy = self.signals.get(st.stop_sig)
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
            st, th.pending = th.pending, None
            stop = self._decide(st)
            if stop is not None:
                return stop
        pc = self.pc(tid)
        quiet = not self._may_trap(pc)
        lifted = self.bps.save_breakpoint(pc) if self.bps.site_at(pc) else None
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
            return self._gone(st)
        if st.event == ptrace.EVENT_EXEC:
            return self._exec_stop(st)
        if st.tid != tid or st.event == ptrace.EVENT_EXIT:
            # The stepped thread is leaving (pthread_exit, exit_group): run what remains.
            th = self.inf.threads.get(tid)
            if th is not None and st.event == ptrace.EVENT_EXIT:
                self.allstop.let_die(th)
            return self.cont(None)
        if st.stop_sig != SIGTRAP:
            return self._signal_stop(tid, st)
        try:
            new_pc = self.pc(tid)
            if quiet and not self._site_inserted(new_pc - 1):
                si = _STEP_TRAP       # the instruction cannot trap by itself: this is our step
            else:
                si = ptrace.get_siginfo(tid)
        except PtraceError as e:
            if e.errno != errno.ESRCH:
                raise
            self.allstop.dying(self.inf.threads[tid])
            return self.cont(None)
        watch = self._watch_hit(tid, new_pc)
        if watch is not None:
            return watch
        if si.si_code == ptrace.SI_KERNEL and self._site_inserted(new_pc - 1):
            # Defensive: a trap right after one of our INT3s is that breakpoint, wherever from.
            self.inf.set_pc(tid, new_pc - 1)
            self.inf.threads[tid].step_over = True
            hit = self._evaluate_hit(tid, new_pc - 1, owner)
            return hit or Stop(StopKind.STEPPED, tid, new_pc - 1)
        if si.si_code not in (ptrace.TRAP_TRACE, ptrace.TRAP_BRKPT, ptrace.TRAP_HWBKPT, SIGTRAP):
            if si.si_code in (ptrace.SI_USER, ptrace.SI_TKILL):
                self.allstop.owe_signal(self.inf.threads[tid], SIGTRAP, reported=True)
            return Stop(StopKind.TRAP, tid, new_pc, SIGTRAP, si_code=si.si_code)
        if self._site_inserted(new_pc):
            hit = self._evaluate_hit(tid, new_pc, owner)
            if hit is not None:
                return hit
        return Stop(StopKind.STEPPED, tid, new_pc)

    _TRAPPING = ("int3", "int", "int1", "into", "syscall", "sysenter", "ud2", "ud0", "ud1", "hlt")

    def _may_trap(self, pc: int) -> bool:
        """Whether the instruction at pc can raise a SIGTRAP of its own (int3, a syscall
        that may be tgkill...), so that a trap after stepping it needs PTRACE_GETSIGINFO.
        Cached per pc; the cache is dropped when memory is written or the image changes."""
        return self._decoded(pc)[0]

    def _decoded(self, pc: int) -> tuple[bool, int | None]:
        """(may trap by itself, the next pc if it always falls through to pc+size),
        cached per pc; the cache is dropped when memory is written or the image changes."""
        cache = self._trap_cache
        hit = cache.get(pc)
        if hit is None:
            try:
                insn = next(decode(self.read(pc, 16), pc, 1), None)
            except TdbgError:
                return True, None
            if insn is None:
                hit = (True, None)
            else:
                hit = (insn[2] in self._TRAPPING,
                       pc + insn[1] if falls_through(insn[2], insn[3]) else None)
            if len(cache) > 65536:
                cache.clear()
            cache[pc] = hit
        return hit

    def _site_inserted(self, addr: int) -> bool:
        site = self.bps.site_at(addr)
        return site is not None and site.inserted

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
        sites, decoded, trap_cache = self.bps.sites, self._decoded, self._trap_cache
        # The raw ctypes entry and constants in locals: this loop is all there is to stepi.
        call, waitpid = ptrace._ptrace, os.waitpid
        STEP, PEEK, RIP, WALL = ptrace.SINGLESTEP, ptrace.PEEKUSER, ptrace.RIP_OFFSET, ptrace.WALL
        trapped = (SIGTRAP << 8) | 0x7F
        done, pc = 0, inf.regs(tid).rip
        while done < n and not self.interrupt_requested:
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
                    hit = self._evaluate_hit(tid, pc, tid)
                    if hit is not None:
                        return hit, done
                continue
            self.allstop.requeued.append(WaitStatus(wtid, status))
            return self.step_instruction(tid, resumed=True), done
        return (Stop(StopKind.STEPPED, tid, pc) if done else None), done

    def step_instructions(self, tid: int, n: int) -> Stop:
        stop = Stop(StopKind.STEPPED, tid, self.pc(tid))
        while n > 0:
            quick, done = self._quick_steps(tid, n)
            n -= done
            if quick is not None:
                stop = quick
                if stop.kind != StopKind.STEPPED or self.interrupt_requested:
                    break
            if n <= 0:
                break
            stop = self.step_instruction(tid)
            n -= 1
            if stop.kind != StopKind.STEPPED or self.interrupt_requested:
                break
        if self.interrupt_requested and stop.kind == StopKind.STEPPED:
            self._consume_interrupt()
        return stop

    def _consume_interrupt(self) -> None:
        """The user interrupted, but we stopped anyway: swallow the SIGSTOP later."""
        if self.interrupt_requested:
            self.interrupt_requested = False
            th = self.inf.threads.get(self._interrupt_tid)
            if th is not None:
                th.expect_sigstop = True

    # ---- continuing -----------------------------------------------------------------------
    def cont(self, tid: int | None) -> Stop:
        """Resume everything until a stop the user (or a stepping layer) must see."""
        if not self.inf.alive:
            return Stop(StopKind.EXITED, tid or 0, code=self.allstop.exit_code or 0)
        self.allstop.before_resume()
        selected = tid if tid in self.inf.threads else None
        self._cont_tid = selected
        while True:
            # Threads sitting on a breakpoint they already hit step off it alone first.
            for th in list(self.inf.threads.values()):
                if th.running or th.exiting or th.pending is not None:
                    continue
                if not (th.step_over or th.tid == selected):
                    continue
                th.step_over = False
                try:
                    at_site = self.pc(th.tid) in self.bps.sites
                except PtraceError:
                    self.allstop.dying(th)
                    continue
                if at_site and not self._resume_displaced(th.tid):
                    stop = self.step_instruction(th.tid, owner=self._cont_tid)
                    if stop.kind != StopKind.STEPPED:
                        return stop
            selected = None
            self.allstop.resume_all()
            stop = self._decide(self.allstop.wait(run=True))
            if stop is not None:
                return stop

    displaced = None           # displaced.Displaced: out-of-line copies of breakpointed insns
    on_signal_print = None     # callback(tid, sig): a signal that prints without stopping

    def _resume_displaced(self, tid: int) -> bool:
        """Leave a breakpoint through its out-of-line copy: no single-step stop at all."""
        pc = self.pc(tid)
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

    def _decide(self, st: WaitStatus) -> Stop | None:
        """Turn one decision status into a Stop, or None to keep going."""
        if st.gone:
            return self._gone(st)
        if st.event == ptrace.EVENT_EXEC:
            return self._exec_stop(st)
        th = self.inf.threads.get(st.tid)
        if th is None:
            return None
        sig = st.stop_sig
        interrupt = sig == SIGSTOP and self.interrupt_requested
        if sig != SIGTRAP and not interrupt:
            policy = self.signals.get(sig, SignalPolicy(True, True, True))
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
                return self._evaluate_hit(tid, pc - 1)
            si = ptrace.get_siginfo(tid)
            if si.si_code == ptrace.SI_KERNEL and self._site_inserted(pc - 1):
                self.inf.set_pc(tid, pc - 1)
                th.step_over = True
                return self._evaluate_hit(tid, pc - 1)
            watch = self._watch_hit(tid, pc)
            if watch is not None or si.si_code == ptrace.TRAP_HWBKPT:
                return watch                    # None: a disabled or deleted watchpoint
            if si.si_code in (ptrace.SI_USER, ptrace.SI_TKILL):
                self.allstop.owe_signal(th, SIGTRAP, reported=True)   # raise(SIGTRAP): the program's own (A7)
            self._consume_interrupt()
            return Stop(StopKind.TRAP, tid, pc, SIGTRAP, si_code=si.si_code)
        if sig == SIGSTOP and self.interrupt_requested:
            self.interrupt_requested = False
            return Stop(StopKind.INTERRUPTED, tid, self.pc(tid), SIGSTOP)
        policy = self.signals.get(sig, SignalPolicy(True, True, True))
        if policy.pass_:
            self.allstop.owe_signal(th, sig, reported=True)
        return self._signal_stop(tid, st, held=True)

    def _watch_hit(self, tid: int, pc: int) -> Stop | None:
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
        self._consume_interrupt()
        return Stop(StopKind.WATCHPOINT, tid, pc, SIGTRAP, hit=bps, si_code=ptrace.TRAP_HWBKPT,
                    detail=hits)

    def _signal_stop(self, tid: int, st: WaitStatus, held: bool = False) -> Stop:
        sig = st.stop_sig
        policy = self.signals.get(sig, SignalPolicy(True, True, True))
        if not held and policy.pass_:
            self.allstop.owe_signal(self.inf.threads[tid], sig, reported=True)
        fault = None
        if sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGFPE, signal.SIGILL):
            try:
                fault = ptrace.get_siginfo(tid).si_addr
            except PtraceError:
                pass
        self._consume_interrupt()
        return Stop(StopKind.SIGNAL, tid, self.pc(tid), sig, fault_addr=fault)

    def _evaluate_hit(self, tid: int, addr: int, owner: int | None = None) -> Stop | None:
        """Count the hit, check conditions and ignore counts; None = not for the user.

        Internal breakpoints (step-resume, finish, until) belong to the thread that
        a stepping command resumed (``owner``), as gdb's momentary breakpoints do.
        """
        site = self.bps.site_at(addr)
        if site is None:
            return None
        stop_for: list[Breakpoint] = []
        error = None
        owners = site.owners
        if len(owners) > 1:
            owners = sorted(owners, key=lambda i: (i < 0, abs(i)))
        for bid in owners:
            bp = self.bps.bps.get(bid)
            if bp is None or not bp.enabled:
                continue
            if not bp.registered and tid != (self._cont_tid if owner is None else owner) \
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
        self._consume_interrupt()
        self.inf.threads[tid].step_over = True     # reported here: resume steps off it
        for bp in stop_for:
            if bp.temporary:
                self.bps.consume_temporary(bp)
        return Stop(StopKind.BREAKPOINT, tid, addr, SIGTRAP, hit=stop_for, error=error)

    def _gone(self, st: WaitStatus) -> Stop:
        self.bps.forget_sites()
        self.inf.mark_dead()
        self.interrupt_requested = False
        self.allstop.early.clear()
        self.allstop.deferred.clear()
        if st.exited:
            return Stop(StopKind.EXITED, st.tid, code=st.exit_code)
        return Stop(StopKind.KILLED, st.tid, sig=st.term_sig)

    def _exec_stop(self, st: WaitStatus) -> Stop:
        """A new program image (E3): breakpoint sites are void; threads collapse to the leader.

        If a non-leader thread called exec it now has the leader's tid; every
        other thread is gone without a word.
        """
        self.displaced = None                  # the scratch page went with the old image
        self._trap_cache.clear()
        self.bps.forget_sites()
        pid = self.inf.pid
        old = self.inf.threads.get(pid)
        th = Thread(pid, old.num if old else 1)
        self.inf.threads = {pid: th}
        self.allstop.early.clear()
        self.inf.new_image()
        self.allstop.setup_thread(th)          # exec cleared the debug registers
        self.allstop.threads_changed()
        return Stop(StopKind.EXEC, pid, self.pc(pid))
