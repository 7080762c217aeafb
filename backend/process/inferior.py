"""One traced process: launch or attach, its threads, registers and raw memory.

Everything here runs on the tracer thread (see worker.py). Memory accessed here
is *raw*: it shows INT3 bytes where breakpoints are inserted. The breakpoint
manager shadows them for everything a user sees.
"""
from __future__ import annotations

import errno
import fcntl
import os
import signal
import termios
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import BadAddress, BadExecutable, PtraceError, TdbgError
from . import ptrace, ptrace_scope
from .ptrace import UserRegs, WaitStatus

# VFORK/VFORK_DONE: a vfork child shares our INT3s; the controller lifts them until it execs.
TRACE_OPTIONS = (ptrace.O_EXITKILL | ptrace.O_TRACECLONE | ptrace.O_TRACEEXEC
                 | ptrace.O_TRACEEXIT | ptrace.O_TRACESYSGOOD | ptrace.O_TRACEFORK
                 | ptrace.O_TRACEVFORK | ptrace.O_TRACEVFORKDONE)
ATTACH_OPTIONS = TRACE_OPTIONS & ~ptrace.O_EXITKILL   # an attached process must survive us

# Dispositions the tracee must not inherit from Python (SIG_IGN survives exec: a
# program killed by SIGPIPE untraced would otherwise silently survive under us).
_RESET_SIGNALS = (signal.SIGPIPE, signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP,
                  signal.SIGTTIN, signal.SIGTTOU, signal.SIGXFSZ, signal.SIGCHLD, signal.SIGHUP)


@dataclass(slots=True)
class Thread:
    tid: int
    num: int = 0                        # gdb's thread number: 1, 2 ... in order of appearance
    running: bool = False
    regs: UserRegs | None = None        # cache, valid while stopped
    expect_sigstop: bool = False        # a SIGSTOP of ours is on its way: swallow it
    fresh: bool = False                 # created by clone, not yet seen stopped (needs DR setup)
    pending: WaitStatus | None = None   # a stop that raced in while we parked it, not yet reported
    pending_sig: int = 0                # signal to deliver on the next resume
    exiting: bool = False               # past PTRACE_EVENT_EXIT: never park it nor wait for it
    step_over: bool = False             # stopped on a breakpoint it hit: step off it before resuming
    # The cached regs changed, written at the next resume: "pc" (set_pc: one POKEUSER,
    # ~1 us less than SETREGS on every breakpoint hit) or True (regs_changed: SETREGS).
    dirty: bool | str = False
    stepping: bool = False              # last resumed with SINGLESTEP (a trap may be the step's)
    user_name: str | None = None        # gdb's `thread name NAME`, shown instead of the kernel's


@dataclass(slots=True)
class Region:
    start: int
    end: int
    perms: str
    offset: int
    path: str

    def __contains__(self, addr: int) -> bool:
        return self.start <= addr < self.end


@dataclass
class Inferior:
    pid: int
    launched: bool
    pty_master: int | None = None
    threads: dict[int, Thread] = field(default_factory=dict)
    alive: bool = True
    before_detach: Callable[[], None] | None = None   # the controller's clean-up (see detach)
    # PTRACE_SYSCALL instead of PTRACE_CONT: only while a syscall catchpoint is enabled
    # (exec/catch_stops.py), every other resume stays one plain CONT.
    trace_syscalls: bool = False
    _next_num: int = 1
    _mem_fd: int | None = None
    _maps: list[Region] | None = None

    # ---- creation -------------------------------------------------------------
    @classmethod
    def launch(cls, path: str, args: list[str], *, env: dict[str, str] | None = None,
               cwd: str | None = None, aslr: bool = False, use_pty: bool = True,
               argv0: str | None = None, tty: str | None = None) -> Inferior:
        if not os.access(path, os.X_OK):
            raise BadExecutable(f"{path}: not executable (chmod +x {path})")
        master = slave = None
        if tty is not None:                     # gdb's --tty / `tty DEV`: the user's terminal
            try:
                slave = os.open(tty, os.O_RDWR | os.O_NOCTTY)
            except OSError as e:
                raise TdbgError(f"Cannot open tty {tty}: {e.strerror}.") from None
        elif use_pty:
            master, slave = os.openpty()
            attrs = termios.tcgetattr(slave)
            attrs[1] &= ~termios.ONLCR          # keep "\n" as is: the console renders it
            termios.tcsetattr(slave, termios.TCSANOW, attrs)
        environ = dict(os.environ if env is None else env)
        environ.setdefault("LINES", "24")
        environ.setdefault("COLUMNS", "80")
        argv = [argv0 or path, *args]
        pid = os.fork()
        if pid == 0:                            # child: only async-signal-safe-ish steps
            try:
                for sig in _RESET_SIGNALS:
                    signal.signal(sig, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                if slave is not None:
                    os.setsid()
                    try:
                        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                    except OSError:
                        pass                    # a tty another session owns still carries the I/O
                    for fd in (0, 1, 2):
                        os.dup2(slave, fd)
                    os.close(slave)
                    if master is not None:
                        os.close(master)
                if not aslr:
                    ptrace.personality(ptrace.ADDR_NO_RANDOMIZE)
                if cwd:
                    os.chdir(cwd)
                ptrace.raw(ptrace.TRACEME, 0)
                os.execve(path, argv, environ)
            except BaseException:
                pass
            os._exit(127)
        if slave is not None:
            os.close(slave)
        st = ptrace.waitpid(pid)
        if not st.stopped:
            if master is not None:
                os.close(master)
            code = st.exit_code if st.exited else 128 + st.term_sig
            raise BadExecutable(f"During startup program exited with code {code}.")
        ptrace.call(ptrace.SETOPTIONS, pid, 0, TRACE_OPTIONS)
        inf = cls(pid=pid, launched=True, pty_master=master)
        inf.add_thread(pid)
        return inf

    @classmethod
    def attach(cls, pid: int) -> Inferior:
        check_attachable(pid)
        inf = cls(pid=pid, launched=False)
        # Threads may come and go while we enumerate: repeat until no new tid appears.
        while True:
            new = [t for t in _task_ids(pid) if t not in inf.threads]
            if not new:
                break
            for tid in new:
                try:
                    ptrace.call(ptrace.ATTACH, tid)
                except PtraceError as e:
                    if e.errno == errno.ESRCH:
                        continue
                    if tid == pid:
                        raise TdbgError(attach_failure_text(pid, e.errno)) from None
                    continue
                inf.add_thread(tid)
                inf._wait_attach_stop(tid)
        for tid in inf.threads:
            try:
                ptrace.call(ptrace.SETOPTIONS, tid, 0, ATTACH_OPTIONS)
            except PtraceError:
                pass
        return inf

    def _wait_attach_stop(self, tid: int) -> None:
        """Wait for the SIGSTOP of PTRACE_ATTACH; keep any other signal to redeliver."""
        while True:
            st = ptrace.waitpid(tid)
            if st.gone:
                self.threads.pop(tid, None)
                return
            if st.stop_sig == signal.SIGSTOP:
                return
            # Another signal raced the SIGSTOP: deliver it later, keep waiting.
            self.threads[tid].pending_sig = st.stop_sig
            ptrace.call(ptrace.CONT, tid, 0, 0)

    def add_thread(self, tid: int) -> Thread:
        th = self.threads.get(tid)
        if th is None:
            th = self.threads[tid] = Thread(tid, self._next_num)
            self._next_num += 1
        return th

    # ---- registers ------------------------------------------------------------
    def regs(self, tid: int) -> UserRegs:
        th = self.threads[tid]
        if th.regs is None:
            th.regs = ptrace.get_regs(tid)
        return th.regs

    def set_regs(self, tid: int, regs: UserRegs) -> None:
        ptrace.set_regs(tid, regs)
        th = self.threads[tid]
        th.regs, th.dirty = regs, False

    def set_pc(self, tid: int, pc: int) -> None:
        """Deferred: a hit rewinds the pc and often moves it again (out-of-line copy)
        before resuming; one write at resume serves both."""
        th = self.threads[tid]
        self.regs(tid).rip = pc
        if th.dirty is not True:
            th.dirty = "pc"

    def regs_changed(self, tid: int) -> None:
        """The caller changed fields of the cached regs(tid): write them all at resume."""
        self.threads[tid].dirty = True

    def flush_regs(self, tid: int) -> None:
        th = self.threads.get(tid)
        if th is not None and th.dirty and th.regs is not None:
            pc_only, th.dirty = th.dirty == "pc", False
            try:
                if pc_only:
                    ptrace.poke_user(tid, ptrace.RIP_OFFSET, th.regs.rip)
                else:
                    ptrace.set_regs(tid, th.regs)
            except PtraceError as e:
                if e.errno != errno.ESRCH:      # killed meanwhile: the resume reports it
                    raise

    def fpregs(self, tid: int) -> ptrace.UserFPRegs:
        return ptrace.get_fpregs(tid)

    def xstate(self, tid: int) -> bytes | None:
        """The XSAVE area (AVX upper halves, PKRU), None without XSAVE. A subclass with
        FP registers of its own (core_file.py's CoreFile) has no live thread to ask."""
        if type(self).fpregs is not Inferior.fpregs:
            return None
        return ptrace.get_xstate(tid)

    # ---- memory (raw) ---------------------------------------------------------
    def _mem(self) -> int:
        if self._mem_fd is None:
            self._mem_fd = os.open(f"/proc/{self.pid}/mem", os.O_RDWR | os.O_CLOEXEC)
        return self._mem_fd

    def read_partial(self, addr: int, n: int) -> bytes:
        """Up to n bytes from addr; shorter where the readable range ends."""
        if n <= 0:
            return b""
        if addr < 0 or addr + n > 1 << 64:
            return b""
        # /proc/PID/mem first, as gdb does: one pread reads what ptrace may read (also
        # pages without PROT_READ) and costs 1.7 us against process_vm_readv's 4.3 us
        # (bench: same sizes, 16 B to 16 KiB). process_vm_readv remains for what pread
        # cannot address (offsets past 2**63) or when the file cannot be opened.
        try:
            data = os.pread(self._mem(), n, addr)
            if len(data) == n:
                return data
        except (OSError, OverflowError):
            data = b""
        more = ptrace.vm_read(self.pid, addr + len(data), n - len(data))
        return data + more

    def read(self, addr: int, n: int) -> bytes:
        data = self.read_partial(addr, n)
        if len(data) < n:
            raise BadAddress(addr + len(data))
        return data

    def write(self, addr: int, data: bytes) -> None:
        # /proc/PID/mem writes through read-only text pages (FOLL_FORCE), one syscall.
        try:
            done = os.pwrite(self._mem(), data, addr)
        except OSError:
            done = 0
        if done < len(data):
            raise BadAddress(addr + done)

    # ---- resuming ---------------------------------------------------------------
    def resume(self, tid: int, sig: int = 0, step: bool = False) -> None:
        th = self.threads[tid]
        if th.dirty:
            self.flush_regs(tid)
        th.regs = None
        th.running = True
        th.stepping = step
        ptrace.call(ptrace.SINGLESTEP if step else ptrace.SYSCALL if self.trace_syscalls
                    else ptrace.CONT, tid, 0, sig)
        self._maps = None if not step else self._maps

    def stop_thread(self, tid: int) -> None:
        """Ask a running thread to stop (all-stop); its SIGSTOP is swallowed later."""
        th = self.threads[tid]
        if th.running and not th.expect_sigstop:
            ptrace.tgkill(self.pid, tid, signal.SIGSTOP)
            th.expect_sigstop = True

    # ---- memory map ----------------------------------------------------------------
    def thread_name(self, tid: int) -> str:
        """The name `thread name` gave the thread, else the kernel's (its comm), "" when
        there is none to read."""
        th = self.threads.get(tid)
        if th is not None and th.user_name is not None:
            return th.user_name
        return self.kernel_thread_name(tid)

    def kernel_thread_name(self, tid: int) -> str:
        try:
            with open(f"/proc/{self.pid}/task/{tid}/comm") as f:
                return f.read().strip()
        except OSError:
            return ""

    def maps(self) -> list[Region]:
        if self._maps is None:
            self._maps = read_maps(self.pid)
        return self._maps

    def invalidate_maps(self) -> None:
        self._maps = None

    def new_image(self) -> None:
        """After exec: /proc/PID/mem opened before it still points at the old address space."""
        self._maps = None
        if self._mem_fd is not None:
            os.close(self._mem_fd)
            self._mem_fd = None

    # ---- ending ---------------------------------------------------------------------
    def kill(self) -> None:
        if not self.alive:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        # Reap every thread so no zombie is left and the next launch starts clean.
        while self.threads:
            try:
                st = ptrace.waitpid(-1)
            except ChildProcessError:
                break
            if st.gone and st.tid == self.pid:
                break
            if st.gone:
                self.threads.pop(st.tid, None)
            elif st.stopped:
                # Kernels >= 5.x stop a SIGKILLed tracee at PTRACE_EVENT_EXIT until resumed.
                try:
                    ptrace.call(ptrace.CONT, st.tid, 0, 0)
                except PtraceError:
                    pass
        self.mark_dead()

    def detach(self) -> None:
        """Detach every thread with debug registers cleared, delivering signals we held.

        The caller has written back every INT3 first; ``before_detach`` (the
        controller) lets each thread take the SIGSTOP we may still owe it, which
        would otherwise stop the whole process once we are gone.
        """
        for th in self.threads.values():
            if not th.running:
                clear_debug_registers(th.tid)      # no watchpoint trap while we drain
        if self.before_detach is not None and self.alive:
            try:
                self.before_detach()
            except (PtraceError, ChildProcessError):
                pass
        for th in list(self.threads.values()):
            clear_debug_registers(th.tid)
            try:
                self.flush_regs(th.tid)
                ptrace.call(ptrace.DETACH, th.tid, 0, th.pending_sig)
            except PtraceError:
                pass
        self.mark_dead()

    def mark_dead(self) -> None:
        self.alive = False
        self.threads.clear()
        if self._mem_fd is not None:
            os.close(self._mem_fd)
            self._mem_fd = None


def clear_debug_registers(tid: int) -> None:
    """DR7 first (disables every slot), then the addresses; a dead thread is fine."""
    for n in (7, 0, 1, 2, 3, 6):
        try:
            ptrace.poke_user(tid, ptrace.DEBUGREG_OFFSET + 8 * n, 0)
        except PtraceError:
            return


def _task_ids(pid: int) -> list[int]:
    try:
        return sorted(int(t) for t in os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return []


def read_maps(pid: int) -> list[Region]:
    regions = []
    try:
        with open(f"/proc/{pid}/maps") as f:
            for line in f:
                parts = line.split(maxsplit=5)
                start, end = (int(x, 16) for x in parts[0].split("-"))
                path = parts[5].strip() if len(parts) > 5 else ""
                regions.append(Region(start, end, parts[1], int(parts[2], 16), path))
    except OSError:
        pass
    return regions


def proc_status(pid: int) -> dict[str, str]:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.strip()
    except OSError:
        pass
    return out


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            text = " ".join(f.read().replace(b"\0", b" ").decode(errors="replace").split())
    except OSError:
        return "?"
    return text if len(text) <= 80 else text[:77] + "..."   # one line, whatever argv holds


def check_attachable(pid: int) -> None:
    """Refuse an attach we know will fail, with the reason and the fix (gdb-like wording)."""
    if pid == os.getpid():
        raise TdbgError("I refuse to debug myself!")
    if pid <= 0 or not os.path.exists(f"/proc/{pid}"):
        raise TdbgError(f"ptrace: No such process (no process {pid}).")
    status = proc_status(pid)
    if status.get("State", "").startswith("Z"):
        raise TdbgError(f"process {pid} is a zombie - the process has already terminated")
    tracer = int(status.get("TracerPid", "0") or 0)
    if tracer:
        # TracerPid is the tracing *thread*; name its process, as a user knows it.
        tgid = int(proc_status(tracer).get("Tgid", tracer) or tracer)
        raise TdbgError(f"process {pid} is already traced by process {tgid} "
                        f"({_cmdline(tgid)}); ptrace: Operation not permitted.")


def attach_failure_text(pid: int, err: int, scope_path: str = ptrace_scope.PATH) -> str:
    """One line: why the kernel refused, and the fix (scope_path: Yama's setting, a
    file of the test's in tests/test_ptrace_scope.py)."""
    if err == errno.ESRCH:
        return f"ptrace: No such process (no process {pid})."
    if err == errno.EPERM:
        why = []
        uid = proc_status(pid).get("Uid", "").split()
        if uid and int(uid[0]) != os.getuid():
            why.append(f"it belongs to uid {uid[0]} (run as that user or as root)")
        refused = ptrace_scope.refusal(ptrace_scope.read(scope_path), privileged=os.geteuid() == 0,
                                       descendant=_descends_from_us(pid))
        if refused is not None:
            why.append(f"{refused[0]} ({refused[1]})")
        why = why or ["tdbg lacks CAP_SYS_PTRACE for it"]
        return f"ptrace: Operation not permitted: cannot attach to {pid}: " + "; ".join(why)
    return f"ptrace attach {pid}: {os.strerror(err)}"


def _descends_from_us(pid: int) -> bool:
    me, seen = os.getpid(), set()
    while pid > 1 and pid not in seen:
        seen.add(pid)
        try:
            pid = int(proc_status(pid).get("PPid", "0"))
        except ValueError:
            return False
        if pid == me:
            return True
    return False
