"""What happens to the two processes of a fork: gdb's follow-fork-mode and detach-on-fork.

The one not followed is detached at once, with no INT3 left in it (docs/hard-cases.md
E1), or, with `set detach-on-fork off`, held stopped under tdbg as another inferior
(inferiors.py) until the session kills or detaches it. Following the child moves the
controller's Inferior to the child's pid: the child is a copy of the parent, so every
INT3, the out-of-line page and the breakpoint table are right for it as they are.
A vfork child shares the parent's memory: the parent is let go only after the child
execs or exits, and no INT3 stays while they share it (as allstop.py does for a
vfork child it lets go). With a `catch fork|vfork` the event is reported first
(catch_stops.py) and the fork is followed when the program resumes, as gdb does.
Worker thread only.
"""
from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import events as ev
from ..breaks.manager import Manager
from ..errors import PtraceError
from ..process import ptrace
from ..process.inferior import Thread, clear_debug_registers
from ..program.target import LaunchSettings
from .inferiors import Entry, Inferiors

if TYPE_CHECKING:
    from .allstop import AllStop


class Forks:
    def __init__(self, allstop: AllStop, bps: Manager, settings: LaunchSettings,
                 inferiors: Inferiors, publish: Callable[[object], None],
                 target_id: Callable[[int], str], catch_wanted: Callable[[str], bool],
                 exe: Callable[[], str]) -> None:
        self.allstop = allstop
        self.bps = bps
        self.settings = settings
        self.inferiors = inferiors
        self.publish = publish
        self.target_id = target_id           # "Thread 0x... (LWP n)" (inspect/threads.py)
        self.catch_wanted = catch_wanted      # an enabled `catch fork` / `catch vfork`
        self.exe = exe
        self.pending: tuple[int, int, bool] | None = None   # (parent tid, child, vfork) held for a catch
        self.vfork_parent: Entry | None = None   # followed a vfork child: its parent waits for exec
        # followed the child: (forking thread, child) to process_control.py
        self.on_switch: Callable[[int, int], None] | None = None

    def _say(self, text: str) -> None:
        self.publish(ev.Message(text))

    # ---- the event --------------------------------------------------------------------
    def event(self, th: Thread, st: ptrace.WaitStatus, run: bool) -> bool:
        """th reported FORK or VFORK. True: a catchpoint wants it, the child is held
        and the fork followed at the next resume (follow_pending)."""
        vfork = st.event == ptrace.EVENT_VFORK
        child = ptrace.get_event_msg(th.tid)
        if self.allstop._first_stop_of(child) is None:
            return False                     # died before its first stop: nothing to follow
        if self.catch_wanted("vfork" if vfork else "fork"):
            self.pending = (th.tid, child, vfork)
            return True
        self.follow(th, child, vfork, run)
        return False

    def follow_pending(self) -> None:
        """The program resumes after a fork catchpoint: follow that fork now."""
        if self.pending is None:
            return
        tid, child, vfork = self.pending
        self.pending = None
        th = self.allstop.inf.threads.get(tid)
        if th is not None:
            self.follow(th, child, vfork, run=False)

    def follow(self, th: Thread, child: int, vfork: bool, run: bool) -> None:
        word = "vfork" if vfork else "fork"
        keep = not self.settings.detach_on_fork
        if self.settings.follow_fork_mode == "child":
            self._follow_child(th, child, vfork, keep, run)
            return
        if keep:
            e = self.inferiors.add(child, self.exe())
            e.tids = [child]
            if not vfork:
                self.bps.strip_copy(child)   # a held process has none of our INT3s (inferior_switch.py)
            self._say(f"[New inferior {e.num} (process {child})]")
            return
        self._say(f"[Detaching after {word} from child process {child}]")
        if vfork:
            self.allstop._vfork_start(th, child, seen=True)
        else:
            self.allstop._drop_child(child, seen=True)

    def _follow_child(self, th: Thread, child: int, vfork: bool, keep: bool, run: bool) -> None:
        inf = self.allstop.inf
        parent = inf.pid
        word = "vfork" if vfork else "fork"
        self._say(f"[Attaching after {self.target_id(th.tid)} {word} to child process {child}]")
        new = self.inferiors.add(child, self.exe())
        self._say(f"[New inferior {new.num} (process {child})]")
        old = self.inferiors.get(self.inferiors.current)
        override = self.allstop.stop_others(th.tid)
        if override is not None and not override.gone:
            self.allstop.deferred.append(override)
        if vfork:
            self.bps.remove_all()            # shared memory: none until the child execs
            if old is not None:
                old.pid, old.tids = parent, list(inf.threads)
                self.vfork_parent = old if not keep else None
        elif keep:
            if old is not None:
                old.pid, old.tids = parent, list(inf.threads)
            self.bps.strip_copy(parent)      # a held process has none of our INT3s (inferior_switch.py)
        else:
            self._say(f"[Detaching after {word} from parent process {parent}]")
            self.bps.remove_all()            # the child keeps its copy of every INT3
            for t in list(inf.threads.values()):
                _detach_thread(t.tid, t.pending_sig)
            self._say(f"[Inferior {self.inferiors.current} (process {parent}) detached]")
            self.inferiors.gone(parent)
            if old is not None:
                old.program = False          # gdb hands its program space to the child
        self.inferiors.current = new.num
        inf.pid = child
        inf.threads = {}
        inf._next_num = 1
        inf.new_image()                      # /proc/PID/mem of the child from now on
        cth = inf.add_thread(child)
        if not vfork and not keep:
            self.bps.insert_all()            # the same bytes the child already has
        if self.on_switch is not None:
            self.on_switch(th.tid, child)
        self.allstop.setup_thread(cth)
        self.allstop.threads_changed()
        if run:
            self.allstop.resume(cth)

    # ---- the vfork parent, the held processes ---------------------------------------------
    def child_execd_or_exited(self, exited: bool = False) -> None:
        """A followed vfork child no longer shares its parent's memory: let the parent go."""
        e, self.vfork_parent = self.vfork_parent, None
        if e is None or e.pid is None:
            return
        self._say(f"[Detaching vfork parent process {e.pid} after child "
                  f"{'exit' if exited else 'exec'}]")
        for tid in e.tids:
            _detach_thread(tid, 0)
        self._say(f"[Inferior {e.num} (process {e.pid}) detached]")
        self.inferiors.gone(e.pid)

    def release_all(self, kill: bool) -> None:
        """The session ends or the current process goes: kill or detach every held one."""
        if self.pending is not None:
            _, child, _ = self.pending
            self.pending = None
            self._release(child, [child], kill)
        if self.vfork_parent is not None:
            self.child_execd_or_exited(exited=True)
        for e in self.inferiors.held():
            if e.pid is None:
                continue
            pid, tids = e.pid, e.tids or [e.pid]
            self.inferiors.gone(pid)
            self._release(pid, tids, kill)

    def _release(self, pid: int, tids: list[int], kill: bool) -> None:
        if kill:
            _kill_and_reap(pid, tids)
            return
        self.bps.strip_copy(pid)             # its copy of our INT3s goes first
        for tid in tids:
            _detach_thread(tid, 0)


def _detach_thread(tid: int, sig: int) -> None:
    clear_debug_registers(tid)
    try:
        ptrace.call(ptrace.DETACH, tid, 0, sig)
    except PtraceError:
        pass


def _kill_and_reap(pid: int, tids: list[int]) -> None:
    """SIGKILL a held process and wait until each of its threads is gone (no zombie, no
    stray process); the leader is reported last, after every other thread."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    for tid in sorted(set(tids) | {pid}, key=lambda t: t == pid):
        for _ in range(100):
            try:
                st = ptrace.waitpid(tid)
            except ChildProcessError:
                break
            if st.gone:
                break
            try:                             # PTRACE_EVENT_EXIT stop of a killed tracee
                ptrace.call(ptrace.CONT, tid, 0, 0)
            except PtraceError:
                pass
