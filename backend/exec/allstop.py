"""All-stop thread tracking under the controller: waiting, bookkeeping, parking.

Every wait is ``waitpid(-1, __WALL)``: waiting for one tid can deadlock (a
zombie leader is reported only after every other thread is reaped; exit_group
and exec leave threads in PTRACE_EVENT_EXIT stops that only we can release).
``_wait`` absorbs the bookkeeping stops (clone, fork, vfork, thread exits, our
own SIGSTOPs, group-stops) and returns only what needs a decision. When a
thread stops for the user every other thread is parked with SIGSTOP
(``stop_others``); any stop that raced in on a parked thread is kept pending on
its thread and decided before anything is resumed again. A breakpoint hit's pc is
rewound at once (docs/hard-cases.md A3) and the hit kept in ``hits``: the controller
reports the hits of several threads in turn (least recently chosen first, where gdb
picks at random), each later one without running again, or drops it when its
breakpoint went meanwhile (the thread then runs the original instruction, as gdb
discards such pending events). Cancelling them instead starves a thread: it
would hit again at every resume and lose every race to the thread just reported.
"""
from __future__ import annotations

import errno
import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING, overload

from ..breaks.manager import Manager
from ..errors import PtraceError
from ..process import ptrace
from ..process.inferior import Inferior, Thread
from ..process.ptrace import WaitStatus

if TYPE_CHECKING:
    from ..breaks.watchpoints import HwSlots
    from .forks import Forks

SIGTRAP, SIGSTOP = signal.SIGTRAP, signal.SIGSTOP
_STOP_SIGNALS = (signal.SIGSTOP, signal.SIGTSTP, signal.SIGTTIN, signal.SIGTTOU)


class AllStop:
    """Thread bookkeeping of one traced process (all-stop); the Controller (control.py)
    holds one and builds stops on top."""

    def __init__(self, inferior: Inferior, bps: Manager, on_gone: Callable[[WaitStatus], object],
                 on_exec: Callable[[WaitStatus], object]) -> None:
        self.inf = inferior
        # The controller (control.py) turns these statuses into stops when a detach meets them.
        self.on_gone = on_gone
        self.on_exec = on_exec
        self.bps = bps
        self.exit_code: int | None = None
        self.on_thread_change: Callable[[tuple[int, ...]], object] | None = None   # ThreadsChanged
        self.on_thread_start: Callable[[Thread], object] | None = None   # at a new thread's first stop
        self.early: dict[int, WaitStatus] = {}    # first stops of threads/children we have not met yet
        self.deferred: list[WaitStatus] = []      # exit/exec seen while doing something else
        self.requeued: list[WaitStatus] = []      # statuses waited for outside _wait, to decide again
        self.in_vfork = False
        self.forks: Forks | None = None          # follow-fork-mode, detach-on-fork (forks.py)
        self.hits: dict[int, int] = {}           # tid -> breakpoint address hit, pc rewound
        self._turns: dict[int, int] = {}         # tid -> when its hit was last chosen
        self._turn = 0
        self.only: int | None = None             # scheduler-locking: the one thread resumed
        # Called as a thread exits, while its memory is still there (pad_setup.py drains the
        # dprintf ring then).
        self.before_exit: Callable[[], object] | None = None
        # A trap's pc inside a jump pad -> the site it stands for (pad_setup.py); such a
        # trap is kept as that site's hit like an INT3's.
        self.trap_site: Callable[[int], int | None] | None = None
        inferior.before_detach = self._prepare_detach

    def pc(self, tid: int) -> int:
        return self.inf.regs(tid).rip

    @property
    def hw(self) -> HwSlots | None:
        """The hardware watchpoint slots of our breakpoint table, if any are in use."""
        from ..breaks.watchpoints import slots_of
        hw = slots_of(self.bps)
        return hw if hw is not None and hw.in_use() else None

    def resume(self, th: Thread, sig: int = 0, step: bool = False) -> bool:
        """Resume one thread; False when it is already on its way out (ESRCH)."""
        th.step_over = False
        try:
            self.inf.resume(th.tid, sig, step=step)
            return True
        except PtraceError as e:
            if e.errno != errno.ESRCH:
                raise
            self.dying(th)
            return False

    def dying(self, th: Thread) -> None:
        """ptrace said ESRCH for a thread we thought stopped: SIGKILL woke it (exit_group)."""
        th.running = True
        th.exiting = True
        th.regs = None

    # ---- waiting ------------------------------------------------------------------------
    def _raw_wait(self) -> WaitStatus:
        if self.requeued:
            return self.requeued.pop(0)
        try:
            return ptrace.waitpid(-1)
        except ChildProcessError:
            # Nothing left to wait for: the process went while we were not looking.
            return WaitStatus(self.inf.pid, (self.exit_code or 0) << 8)

    @overload
    def wait(self, run: bool, focus: int | None = None, until: None = None) -> WaitStatus: ...

    @overload
    def wait(self, run: bool, focus: int | None = None,
             until: Callable[[], bool] | None = None) -> WaitStatus | None: ...

    def wait(self, run: bool, focus: int | None = None,
             until: Callable[[], bool] | None = None) -> WaitStatus | None:
        """Next status that needs a decision; bookkeeping stops are handled here.

        run: threads that stopped only for bookkeeping are resumed (continuing);
        otherwise they stay parked, except ``focus`` (the thread being single-
        stepped) which is stepped again. Returns signal stops, EXEC events, the
        process's end, and for ``focus`` its own EVENT_EXIT or exit; None as
        soon as ``until()`` holds.
        """
        while True:
            if until is not None and until():
                return None
            if self.deferred:
                return self.deferred.pop(0)
            if run:
                st = self._take_pending()
                if st is not None:
                    return st
            st = self._raw_wait()
            th = self.inf.threads.get(st.tid)
            if th is None:
                if st.gone and st.tid == self.inf.pid:
                    return st
                if st.stopped:
                    self.early[st.tid] = st       # a new thread or child: its event is coming
                continue
            th.running = False
            th.regs = None
            if st.gone:
                if st.tid == self.inf.pid:
                    return st
                self._drop_thread(st.tid)
                if st.tid == focus:
                    return st
                continue
            ev = st.event
            if ev == ptrace.EVENT_EXIT:
                if st.tid == self.inf.pid:
                    self.exit_code = ptrace.get_event_msg(st.tid) >> 8
                if st.tid == focus:
                    return st
                self.let_die(th)
                continue
            if ev == ptrace.EVENT_EXEC:
                return st
            if ev == ptrace.EVENT_CLONE:
                new = ptrace.get_event_msg(st.tid)
                if os.path.exists(f"/proc/{self.inf.pid}/task/{new}"):
                    self._new_thread(new, run)
                else:
                    self._drop_child(new)     # clone() without CLONE_THREAD: a new process
            elif ev in (ptrace.EVENT_FORK, ptrace.EVENT_VFORK):
                if self._fork_event(th, st, run):
                    return st                 # a fork catchpoint's stop (catch_stops.py)
            elif ev == ptrace.EVENT_VFORK_DONE:
                self._vfork_done(run)
            elif ev == 0:
                sig = st.stop_sig
                if sig == SIGSTOP and th.expect_sigstop:
                    th.expect_sigstop = False
                    if th.fresh:
                        self.setup_thread(th)
                elif not (sig in _STOP_SIGNALS and self._group_stop(st.tid)):
                    return st
            self._carry_on(th, run, focus)

    def _carry_on(self, th: Thread, run: bool, focus: int | None) -> None:
        """A thread stopped for bookkeeping only: let it go on with what it was doing."""
        if th.running or th.tid not in self.inf.threads:
            return
        if run:
            sig, th.pending_sig = th.pending_sig, 0
            self.resume(th, sig)
        elif th.tid == focus:
            self.resume(th, 0, step=True)

    def let_die(self, th: Thread) -> None:
        th.exiting = True
        if self.before_exit is not None:
            self.before_exit()
        self.resume(th)

    @staticmethod
    def _group_stop(tid: int) -> bool:
        """A group-stop (kill -STOP from outside) has no siginfo (ptrace(2))."""
        try:
            ptrace.get_siginfo(tid)
            return False
        except PtraceError as e:
            return e.errno == errno.EINVAL

    def _take_pending(self) -> WaitStatus | None:
        only = self.only
        for th in self.inf.threads.values():
            if th.pending is not None and (only is None or th.tid == only):
                st, th.pending = th.pending, None
                return st
        return None

    def _new_thread(self, tid: int, run: bool) -> None:
        th = self.inf.add_thread(tid)
        early = self.early.pop(tid, None)
        if early is not None:               # its first SIGSTOP came before the CLONE event
            th.running = False
            self.setup_thread(th)
            if run:
                self.resume(th)
        else:
            th.running = th.expect_sigstop = th.fresh = True
        self.threads_changed()

    def setup_thread(self, th: Thread) -> None:
        """Debug registers are per thread and not inherited by clone (docs/hard-cases.md D4)."""
        th.fresh = False
        hw = self.hw
        if hw is not None:
            hw.apply(th.tid)
        if self.on_thread_start is not None:
            self.on_thread_start(th)          # thread_events.py: gdb's [New Thread ...]

    def _drop_thread(self, tid: int) -> None:
        self.inf.threads.pop(tid, None)
        self.hits.pop(tid, None)
        self._turns.pop(tid, None)
        self.threads_changed()

    def _first_stop_of(self, child: int) -> WaitStatus | None:
        st = self.early.pop(child, None)
        if st is None:
            try:
                st = ptrace.waitpid(child)     # a new process: its own first stop, not a thread's
            except ChildProcessError:
                return None
        return None if st.gone else st

    def _fork_event(self, th: Thread, st: WaitStatus, run: bool) -> bool:
        """FORK or VFORK: forks.py follows it; True when a catchpoint wants the stop."""
        if self.forks is not None:
            return self.forks.event(th, st, run)
        child = ptrace.get_event_msg(st.tid)
        if st.event == ptrace.EVENT_VFORK:
            self._vfork_start(th, child)
        else:
            self._drop_child(child)
        return False

    def _drop_child(self, child: int, seen: bool = False) -> None:
        """A forked child inherits every INT3: strip them from its copy, then let it go (E1).
        seen: its first stop was already waited for."""
        if not seen and self._first_stop_of(child) is None:
            return
        self.bps.strip_copy(child)
        try:
            ptrace.call(ptrace.DETACH, child, 0, 0)
        except PtraceError:
            pass

    def _vfork_start(self, th: Thread, child: int, seen: bool = False) -> None:
        """A vfork child runs in our memory until it execs or exits (docs/hard-cases.md E2).

        Its INT3s are ours, so lift them all until VFORK_DONE, with every other
        thread parked so none runs through a missing breakpoint; the parent
        itself sleeps in vfork meanwhile.
        """
        override = self.stop_others(th.tid)
        if override is not None:
            self.deferred.append(override)
        self.bps.remove_all()
        self.in_vfork = True
        if seen or self._first_stop_of(child) is not None:
            try:
                ptrace.call(ptrace.DETACH, child, 0, 0)
            except PtraceError:
                pass

    def _vfork_done(self, run: bool) -> None:
        if self.in_vfork:
            self.in_vfork = False
            self.bps.insert_all()
            if run:
                self.resume_all()

    def threads_changed(self) -> None:
        if self.on_thread_change:
            self.on_thread_change(tuple(self.inf.threads))

    # ---- all-stop -------------------------------------------------------------------
    def stop_others(self, tid: int) -> WaitStatus | None:
        """Park every running thread but tid; keep what raced in pending (hits in ``hits``).

        Returns an exit or exec status that overtook the parking, else None.
        """
        pid = self.inf.pid

        def unparked() -> list[Thread]:
            # A dying thread (past EVENT_EXIT) is reaped within moments: wait for it too,
            # so the stop shows exactly the threads that exist. Not the leader: a zombie
            # leader is reported only after every other thread is gone.
            return [t for t in self.inf.threads.values()
                    if t.running and t.tid != tid and not (t.exiting and t.tid == pid)]
        running = unparked()
        if not running:
            return None             # the usual single-threaded hit: nothing to park
        for th in running:
            if not th.expect_sigstop and not th.exiting:
                ptrace.tgkill(self.inf.pid, th.tid, SIGSTOP)
                th.expect_sigstop = True
        while True:
            st = self.wait(run=False, until=lambda: not unparked())
            if st is None:
                return None
            if st.gone or st.event == ptrace.EVENT_EXEC:
                return st
            th = self.inf.threads[st.tid]
            try:
                if not self._cancel_hit(th, st):
                    th.pending = st          # decided (and reported) before anything resumes
            except PtraceError as e:
                if e.errno != errno.ESRCH:
                    raise
                self.dying(th)

    def take_hit(self) -> tuple[int, int]:
        """The pending hit of the thread reported least recently: (tid, address)."""
        turns = self._turns
        tid = min(self.hits, key=lambda t: turns.get(t, -1))
        return tid, self.hits.pop(tid)

    def reported(self, tid: int) -> None:
        """A breakpoint stop of tid goes to the user: its next kept hit waits its turn."""
        self._turn += 1
        self._turns[tid] = self._turn

    def _cancel_hit(self, th: Thread, st: WaitStatus) -> bool:
        """A parked thread's breakpoint trap: rewind it and keep the hit pending (A3)."""
        if st.stop_sig != SIGTRAP:
            return False
        pc = self.pc(th.tid)
        addr = pc - 1
        if self.trap_site is not None:
            addr = self.trap_site(pc) or addr
        site = self.bps.site_at(addr)
        if site is None or not site.inserted:
            return False
        if ptrace.get_siginfo(th.tid).si_code != ptrace.SI_KERNEL:
            return False
        self.inf.set_pc(th.tid, addr)
        self.hits[th.tid] = addr
        return True

    def resume_all(self) -> None:
        only, hits = self.only, self.hits
        for th in list(self.inf.threads.values()):
            if th.running or th.pending is not None or th.tid in hits:
                continue
            if only is not None and th.tid != only:
                continue
            sig, th.pending_sig = th.pending_sig, 0
            self.resume(th, sig)

    def valid_tid(self, tid: int | None) -> int:
        """The selected thread, or the leader when it is gone (exec, exit)."""
        if tid in self.inf.threads:
            return tid
        live = [t for t in self.inf.threads.values() if not t.exiting]
        if self.inf.pid in self.inf.threads and not self.inf.threads[self.inf.pid].exiting:
            return self.inf.pid
        return live[0].tid if live else self.inf.pid

    def before_resume(self) -> None:
        from ..breaks.watchpoints import slots_of
        hw = slots_of(self.bps)
        if hw is not None:
            hw.sync(self.inf)

    # ---- detach ---------------------------------------------------------------------------
    def _prepare_detach(self) -> None:
        """Before PTRACE_DETACH (INT3s already written back, A10).

        A SIGSTOP we sent and a thread has not taken yet would stop the whole
        process after we leave: let each such thread run until it takes it.
        Stops kept pending become signals delivered at detach.
        """
        for th in self.inf.threads.values():
            self._pending_to_signal(th)
        for _ in range(100):
            def owing() -> list[Thread]:
                return [t for t in self.inf.threads.values() if t.expect_sigstop and not t.exiting]
            if not owing() or not self.inf.alive:
                return
            for th in owing():
                if not th.running:
                    self.resume(th)
            st = self.wait(run=False, until=lambda: not any(t.running for t in owing()))
            if st is None:
                continue
            if st.gone:
                self.on_gone(st)
                return
            if st.event == ptrace.EVENT_EXEC:
                self.on_exec(st)
                continue
            stopped = self.inf.threads.get(st.tid)
            if stopped is not None:
                stopped.pending = st
                self._pending_to_signal(stopped)

    def _pending_to_signal(self, th: Thread) -> None:
        st, th.pending = th.pending, None
        if st is None or not st.stopped or st.syscall_stop:   # a syscall stop: no signal (catch_stops.py)
            return
        sig = st.stop_sig
        if sig == SIGTRAP:
            try:
                if ptrace.get_siginfo(th.tid).si_code not in (ptrace.SI_USER, ptrace.SI_TKILL):
                    return                      # a trap of ours (watchpoint): nobody else's business
            except PtraceError:
                return
        self.owe_signal(th, sig)

    def owe_signal(self, th: Thread, sig: int, reported: bool = False) -> None:
        """Deliver sig on th's next resume. One slot per thread: of two signals, the one
        the user has not seen is raised again (it comes back as a stop of its own)."""
        old = th.pending_sig
        if old and old != sig:
            if not reported:
                ptrace.tgkill(self.inf.pid, th.tid, sig)
                return
            ptrace.tgkill(self.inf.pid, th.tid, old)
        th.pending_sig = sig
