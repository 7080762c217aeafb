"""The traced process's life: launch, attach, kill, detach, quit, and what a resume starts.

It owns the Controller of the current process (one per process: a new one after every
run, attach or exec) and keeps the rest of the target in step with the process: the
program relocated to the process's load addresses, breakpoints inserted, signal and
thread notices wired, the program's terminal read. Worker thread only.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .. import events as ev
from ..breaks.breakpoints import Breakpoints
from ..breaks.catchpoints import Catchpoints
from ..breaks.manager import Manager
from ..breaks.solib import SharedLibraries
from ..errors import CommandError, NotRunning, TdbgError
from ..process.inferior import Inferior
from ..program.program import Program
from ..program.target import Target
from . import pad_setup
from .catch_stops import CatchStops
from .control import Controller
from .displaced import Displaced
from .forks import Forks
from .inferiors import Inferiors
from .signals import SignalTable
from .signals import attach as attach_signals
from .stop import Stop, StopKind
from .thread_events import ThreadEvents


def _unlocked(stepping: bool) -> bool:
    return False


class ProcessControl:
    def __init__(self, target: Target, bps: Manager, breakpoints: Breakpoints,
                 solib: SharedLibraries, signals: SignalTable, thread_events: ThreadEvents) -> None:
        self.target = target
        self.bps = bps
        self.breakpoints = breakpoints
        self.solib = solib
        self.signals = signals
        self.thread_events = thread_events
        self.controller: Controller | None = None
        self._pty_thread: threading.Thread | None = None
        target.write_through = self.write_through
        self.catchpoints = Catchpoints(target, bps, breakpoints.changed)   # use_catchpoints replaces it
        self.inferiors = Inferiors()          # gdb's inferior numbers (forks.py adds)
        # `set scheduler-locking`: whether the command now resuming is a stepping one
        # (stepping.py marks its spans), and schedlock.py's answer given that.
        self.stepping = False
        self.scheduler_locked: Callable[[bool], bool] = _unlocked

    def use_catchpoints(self, catchpoints: Catchpoints) -> None:
        """The root's catchpoints (breaks/catchpoints.py): listed by `info breakpoints`,
        decided at each event here (catch_stops.py), their stops worded by thread_events.py."""
        self.catchpoints = catchpoints
        self.breakpoints.catch_what = catchpoints.what_of
        self.breakpoints.on_changed = self._breakpoints_changed
        self.thread_events.head_of = catchpoints.head
        self.thread_events.inferior_num = self.qualified_inferior

    def _breakpoints_changed(self) -> None:
        """PTRACE_SYSCALL only while a syscall catchpoint is enabled: `continue` stays
        one PTRACE_CONT per thread otherwise."""
        inf = self.target.inf
        if inf is not None:
            inf.trace_syscalls = inf.alive and self.catchpoints.syscall_wanted()
        self.catchpoints.place_exceptions()        # catch throw: libstdc++'s probe

    def _followed_child(self, forker: int, child: int) -> None:
        """Now debugging the child: its threads are new, and what a stepping command
        resumed the forking thread for (step-resume breakpoints) is the child's now."""
        self.thread_events.forget()
        if self.target.tid == forker:
            self.target.tid = child
        ctl = self.controller
        if ctl is not None and ctl.reasons.cont_tid == forker:
            ctl.reasons.cont_tid = child

    def qualified_inferior(self) -> int | None:
        """N of thread IDs N.M: gdb qualifies them once there is more than one inferior."""
        return self.inferiors.current if self.inferiors.many else None

    @property
    def ctl(self) -> Controller:
        """The live process's controller (NotRunning without one)."""
        self.target.require_inferior()
        if self.controller is None:
            raise NotRunning()
        return self.controller

    def require_live(self) -> Controller:
        """What a command that resumes checks first: `ctl`, for its NotRunning."""
        return self.ctl

    # ---- starting ---------------------------------------------------------------------
    def launch(self, args: list[str] | None = None) -> Stop:
        t = self.target
        prog = t.require_program()
        if t.alive:
            self.kill()
        self.release_held(kill=True)
        if args is not None:
            t.settings.args = list(args)
        s = t.settings
        inf = Inferior.launch(prog.path, s.args, aslr=s.aslr, use_pty=s.use_pty, tty=s.tty)
        self.inferiors.reset(inf.pid, prog.path)
        self._adopt(inf)
        t.publish(ev.Started(inf.pid, prog.path))
        for bp in self.bps.user_breakpoints():
            bp.hit_count = 0                 # gdb's run clears hit counts
        self.breakpoints.insert_user_breakpoints()
        t.publish(ev.Resumed(inf.pid))
        return Stop(StopKind.STEPPED, inf.pid, self.ctl.pc(inf.pid))

    def attach(self, pid: int) -> Stop:
        t = self.target
        if t.alive:
            raise CommandError("A program is being debugged already.  Kill it first.")
        inf = Inferior.attach(pid)
        if t.program is None:
            try:
                t.program = Program(os.readlink(f"/proc/{pid}/exe"))
            except (OSError, TdbgError) as e:
                inf.detach()
                raise TdbgError(f"cannot read the program of process {pid}: {e}") from None
        self.inferiors.reset(pid, t.require_program().path)
        self._adopt(inf)
        t.publish(ev.Started(pid, t.require_program().path, attached=True))
        self.breakpoints.insert_user_breakpoints()
        return Stop(StopKind.INTERRUPTED, pid, self.ctl.pc(pid))

    def _adopt(self, inf: Inferior) -> None:
        t = self.target
        t.inf = inf
        ctl = self.controller = Controller(inf, self.bps)
        ctl.locked = self.locked
        attach_signals(self.signals, ctl, t, self.thread_events)   # handle SIG ... (signals.py)
        self.thread_events.attach(ctl)
        forks = ctl.allstop.forks = Forks(ctl.allstop, self.bps, t.settings, self.inferiors,
                                          t.publish, self.thread_events.target_id,
                                          self.catchpoints.any_enabled, self._exe)
        forks.on_switch = self._followed_child
        ctl.catch = CatchStops(inf, self.bps, ctl.allstop, ctl.reasons, self.catchpoints, forks,
                               self.thread_events.catch_heads)
        inf.trace_syscalls = self.catchpoints.syscall_wanted()
        t.tid = inf.pid
        prog = t.require_program()
        prog.relocate(inf.maps())
        prog.maps_provider = inf.maps
        self.new_displaced()        # needs the relocated entry point
        pad_setup.install(t, self.bps, ctl)      # fast breakpoints' jump pads
        if inf.pty_master is not None:
            self._start_pty_reader(inf.pty_master)

    def new_displaced(self) -> None:
        """Out-of-line copies live in a page at the entry point: made again after exec."""
        main = self.target.require_program().main
        self.ctl.displaced = Displaced(self.target.require_inferior(), main.elf.entry + main.bias)

    def after_exec(self) -> Stop:
        """The process exec'd: a new program in the same process; breakpoints go in again."""
        t = self.target
        inf = t.require_inferior()
        path = t.require_program().path
        try:
            path = os.readlink(f"/proc/{inf.pid}/exe")
        except OSError:
            pass
        ctl = self.ctl
        if ctl.allstop.forks is not None:
            ctl.allstop.forks.child_execd_or_exited()    # a followed vfork child: parent goes
        t.publish(ev.Message(f"process {inf.pid} is executing new program: {path}"))
        prog = t.program = Program(path)
        prog.relocate(inf.maps())
        prog.maps_provider = inf.maps
        self.bps.sites.clear()
        self.breakpoints.insert_user_breakpoints()
        if ctl.catch is not None:
            caught = ctl.catch.exec_stop(inf.pid, path)
            if caught is not None:
                return caught
        return ctl.cont(t.tid)

    def _start_pty_reader(self, fd: int) -> None:
        publish = self.target.publish

        def pump() -> None:
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                publish(ev.Output("stdout", data))
            try:
                os.close(fd)
            except OSError:
                pass
        self._pty_thread = threading.Thread(target=pump, name="tdbg-pty", daemon=True)
        self._pty_thread.start()

    # ---- resuming ------------------------------------------------------------------------
    @contextmanager
    def stepping_command(self) -> Iterator[None]:
        """The span of a stepping command's resumes (gdb's stepping_command: step, next,
        stepi, nexti); every other resume is not one."""
        self.stepping = True
        try:
            yield
        finally:
            self.stepping = False

    def locked(self) -> bool:
        """Controller.locked: whether the resume now starting runs the selected thread alone."""
        return self.scheduler_locked(self.stepping)

    def resumed(self) -> None:
        ctl = self.controller
        if ctl is not None and ctl.allstop.forks is not None:
            ctl.allstop.forks.follow_pending()      # a fork reported by its catchpoint
        self.inferiors.prune()                      # gdb: a fork's inferior whose process is gone
        self.target.stop = None
        self.target.publish(ev.Resumed(self.target.tid))

    def cont(self, count: int = 1) -> Stop:
        """`continue [N]`: N ignores the breakpoint stopped at N-1 more times (gdb)."""
        t = self.target
        ctl = self.ctl
        if count > 1 and t.stop is not None:
            hit = next((b for b in self.breakpoints.owners_at(t.stop.pc) if b.registered), None)
            if hit is not None:
                hit.ignore_count = count - 1
                t.publish(ev.Message(f"Will ignore next {count - 1} crossings of breakpoint {hit.id}.  Continuing."))
        self.resumed()
        return ctl.cont(t.tid)

    # ---- memory writes -------------------------------------------------------------------
    def write_through(self, addr: int, data: bytes) -> None:
        """Write the program's memory under any breakpoint (Target.write_memory)."""
        self.bps.write_through(addr, data)
        if self.controller is not None:       # the code there may have changed
            self.controller.forget_code(lambda a: addr <= a < addr + len(data))

    def forget_code(self, inside: object) -> None:
        """A library was unmapped (solib.py): cached decodes and slots there are stale."""
        if self.controller is not None and callable(inside):
            self.controller.forget_code(inside)

    # ---- ending -------------------------------------------------------------------------
    def process_gone(self) -> None:
        t = self.target
        forks = self.controller.allstop.forks if self.controller is not None else None
        if forks is not None and forks.vfork_parent is not None:
            forks.child_execd_or_exited(exited=True)   # a followed vfork child: parent goes
        if t.inf is not None:
            t.inf.mark_dead()
        self.bps.delete_internal()
        self.bps.sites.clear()
        for bp in self.bps.user_breakpoints():
            bp.addrs.clear()
            if bp.temporary and self.catchpoints.what_of(bp.id) is None:   # gdb keeps tcatch
                self.bps.delete_breakpoint(bp.id)
        if t.program is not None:
            t.program.unrelocate()
        t.stop = None
        self.breakpoints.changed()

    def release_held(self, kill: bool) -> None:
        """Processes kept under tdbg besides the current one (detach-on-fork off, a fork
        caught, a vfork parent): killed or detached, never left stopped or stray. Like
        gdb's, `kill` and `detach` leave them; a new run and quit do not."""
        ctl = self.controller
        if ctl is not None and ctl.allstop.forks is not None:
            ctl.allstop.forks.release_all(kill)

    def _exe(self) -> str:
        prog = self.target.program
        return prog.path if prog is not None else ""

    def inferiors_text(self) -> str:
        """`info inferiors` (gdb 13's table)."""
        inf = self.target.inf
        return self.inferiors.table(self._exe(), inf.pid if inf is not None and inf.alive else None)

    def kill(self) -> None:
        inf = self.target.inf
        if inf is not None and inf.alive:
            inf.kill()
            self.process_gone()
            self.target.publish(ev.Signaled(inf.pid, 9, "SIGKILL", requested=True))

    def detach(self) -> int:
        inf = self.target.require_inferior()
        self.bps.delete_internal()
        self.bps.remove_all()
        pad_setup.before_detach(self.controller)
        pid = inf.pid
        inf.detach()
        self.process_gone()
        return pid

    def close(self) -> None:
        """Quit: never leave a launched tracee running, nor an INT3 in an attached one."""
        inf = self.target.inf
        self.release_held(kill=inf is None or inf.launched)
        if inf is None or not inf.alive:
            return
        if inf.launched:
            inf.kill()
        else:
            try:
                self.bps.delete_internal()
                self.bps.remove_all()
                pad_setup.before_detach(self.controller)
            finally:
                inf.detach()
        self.process_gone()
