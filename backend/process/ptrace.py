"""ctypes binding of ptrace(2), waitpid status decoding and the x86-64 register structs.

Only this module touches libc for tracing. Every call here must run on the
tracer thread (Linux binds a tracee to the thread that attached or forked it);
``bind_tracer_thread`` records that thread and ``call`` asserts it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno as _errno
import os
import signal
import threading
from typing import TYPE_CHECKING, Literal, overload

from ..errors import PtraceError
from .signames import gdb_signal_description, gdb_signal_name

if TYPE_CHECKING:
    from _ctypes import _CField  # typeshed's type of a Structure field: no such name at run time

    # A field's type for mypy: the ctypes type, what reading it gives, what writing it takes.
    _U64 = _CField[ctypes.c_ulonglong, int, int]
    _U32 = _CField[ctypes.c_uint, int, int]
    _U16 = _CField[ctypes.c_ushort, int, int]
    _I32 = _CField[ctypes.c_int, int, int]
    _U32s = _CField[ctypes.Array[ctypes.c_uint], ctypes.Array[ctypes.c_uint], ctypes.Array[ctypes.c_uint]]

libc = ctypes.CDLL(None, use_errno=True)

# requests
TRACEME, PEEKTEXT, PEEKDATA, PEEKUSER = 0, 1, 2, 3
POKETEXT, POKEDATA, POKEUSER = 4, 5, 6
CONT, KILL, SINGLESTEP = 7, 8, 9
GETREGS, SETREGS, GETFPREGS, SETFPREGS = 12, 13, 14, 15
ATTACH, DETACH = 16, 17
SYSCALL = 24
SETOPTIONS, GETEVENTMSG, GETSIGINFO, SETSIGINFO = 0x4200, 0x4201, 0x4202, 0x4203
SEIZE, INTERRUPT, LISTEN = 0x4206, 0x4207, 0x4208
GET_SYSCALL_INFO = 0x420E          # Linux 5.3: whether a syscall stop is an entry or an exit

# options
O_TRACESYSGOOD = 0x01
O_TRACEFORK = 0x02
O_TRACEVFORK = 0x04
O_TRACECLONE = 0x08
O_TRACEEXEC = 0x10
O_TRACEVFORKDONE = 0x20
O_TRACEEXIT = 0x40
O_EXITKILL = 0x100000

# events (status >> 16)
EVENT_FORK, EVENT_VFORK, EVENT_CLONE, EVENT_EXEC = 1, 2, 3, 4
EVENT_VFORK_DONE, EVENT_EXIT, EVENT_STOP = 5, 6, 128

WALL = 0x40000000          # __WALL: report every thread, not only the leader
ADDR_NO_RANDOMIZE = 0x0040000

# si_code values for SIGTRAP
SI_KERNEL = 0x80           # int3
TRAP_BRKPT, TRAP_TRACE, TRAP_BRANCH, TRAP_HWBKPT = 1, 2, 3, 4
SI_USER, SI_TKILL = 0, -6

_ptrace = libc.ptrace
_ptrace.restype = ctypes.c_long
_ptrace.argtypes = [ctypes.c_long, ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]

_tracer_ident: int | None = None


def bind_tracer_thread() -> None:
    global _tracer_ident
    _tracer_ident = threading.get_ident()


def raw(req: int, pid: int, addr: int = 0, data: int | ctypes.c_void_p | None = 0) -> int:
    """ptrace with errno -> PtraceError. PEEK* results must use ``peek`` (they may be -1)."""
    res: int = _ptrace(req, pid, addr, data)
    if res == -1:       # never a result here: only the PEEK requests return data
        raise PtraceError(_REQ_NAMES.get(req, str(req)), pid, ctypes.get_errno())
    return res


def call(req: int, pid: int, addr: int = 0, data: int | ctypes.c_void_p | None = 0) -> int:
    assert _tracer_ident is None or threading.get_ident() == _tracer_ident, \
        "ptrace called off the tracer thread"
    return raw(req, pid, addr, data)


_REQ_NAMES = {TRACEME: "PTRACE_TRACEME", PEEKDATA: "PTRACE_PEEKDATA", POKEDATA: "PTRACE_POKEDATA",
              PEEKUSER: "PTRACE_PEEKUSER", POKEUSER: "PTRACE_POKEUSER",
              CONT: "PTRACE_CONT", KILL: "PTRACE_KILL", SINGLESTEP: "PTRACE_SINGLESTEP",
              GETREGS: "PTRACE_GETREGS", SETREGS: "PTRACE_SETREGS", GETFPREGS: "PTRACE_GETFPREGS",
              SETFPREGS: "PTRACE_SETFPREGS", ATTACH: "PTRACE_ATTACH", DETACH: "PTRACE_DETACH",
              SETOPTIONS: "PTRACE_SETOPTIONS", GETEVENTMSG: "PTRACE_GETEVENTMSG",
              GETSIGINFO: "PTRACE_GETSIGINFO", 0x4204: "PTRACE_GETREGSET", SEIZE: "PTRACE_SEIZE", INTERRUPT: "PTRACE_INTERRUPT"}


class UserRegs(ctypes.Structure):
    """struct user_regs_struct (sys/user.h), field order matters."""
    _fields_ = [(n, ctypes.c_ulonglong) for n in (
        "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx",
        "rdx", "rsi", "rdi", "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base",
        "gs_base", "ds", "es", "fs", "gs")]
    if TYPE_CHECKING:
        r15: _U64
        r14: _U64
        r13: _U64
        r12: _U64
        rbp: _U64
        rbx: _U64
        r11: _U64
        r10: _U64
        r9: _U64
        r8: _U64
        rax: _U64
        rcx: _U64
        rdx: _U64
        rsi: _U64
        rdi: _U64
        orig_rax: _U64
        rip: _U64
        cs: _U64
        eflags: _U64
        rsp: _U64
        ss: _U64
        fs_base: _U64
        gs_base: _U64
        ds: _U64
        es: _U64
        fs: _U64
        gs: _U64


REG_NAMES: tuple[str, ...] = tuple(f[0] for f in UserRegs._fields_)
RIP_OFFSET = UserRegs.rip.offset        # struct user starts with user_regs_struct


class UserFPRegs(ctypes.Structure):
    """struct user_fpregs_struct: the FXSAVE area."""
    _fields_ = [("cwd", ctypes.c_ushort), ("swd", ctypes.c_ushort), ("ftw", ctypes.c_ushort),
                ("fop", ctypes.c_ushort), ("rip", ctypes.c_ulonglong), ("rdp", ctypes.c_ulonglong),
                ("mxcsr", ctypes.c_uint), ("mxcr_mask", ctypes.c_uint),
                ("st_space", ctypes.c_uint * 32), ("xmm_space", ctypes.c_uint * 64),
                ("padding", ctypes.c_uint * 24)]
    if TYPE_CHECKING:
        cwd: _U16
        swd: _U16
        ftw: _U16
        fop: _U16
        rip: _U64
        rdp: _U64
        mxcsr: _U32
        mxcr_mask: _U32
        st_space: _U32s
        xmm_space: _U32s
        padding: _U32s


class SigInfo(ctypes.Structure):
    _fields_ = [("si_signo", ctypes.c_int), ("si_errno", ctypes.c_int), ("si_code", ctypes.c_int),
                ("_pad0", ctypes.c_int), ("si_addr", ctypes.c_ulonglong),   # also si_pid/si_uid
                ("_rest", ctypes.c_byte * (128 - 24))]
    if TYPE_CHECKING:
        si_signo: _I32
        si_errno: _I32
        si_code: _I32
        si_addr: _U64

    @property
    def si_pid(self) -> int:
        return self.si_addr & 0xFFFFFFFF


def get_regs(tid: int) -> UserRegs:
    regs = UserRegs()
    call(GETREGS, tid, 0, ctypes.addressof(regs))
    return regs


def set_regs(tid: int, regs: UserRegs) -> None:
    call(SETREGS, tid, 0, ctypes.addressof(regs))


def get_fpregs(tid: int) -> UserFPRegs:
    fp = UserFPRegs()
    call(GETFPREGS, tid, 0, ctypes.addressof(fp))
    return fp


def set_fpregs(tid: int, fp: UserFPRegs) -> None:
    call(SETFPREGS, tid, 0, ctypes.addressof(fp))


# PTRACE_GETREGSET with NT_X86_XSTATE: the XSAVE area (FXSAVE's 512 bytes, the XSAVE
# header, then the AVX upper halves and later components in the standard format).
GETREGSET = 0x4204
NT_X86_XSTATE = 0x202
XSTATE_MAX = 16384          # larger than any XSAVE area Linux reports (AMX included)


def get_xstate(tid: int) -> bytes | None:
    """The thread's XSAVE area as the kernel gives it, or None where the kernel or the CPU
    has none (no XSAVE: only the FXSAVE area of get_fpregs is there)."""
    buf = ctypes.create_string_buffer(XSTATE_MAX)
    iov = IOVec(ctypes.cast(buf, ctypes.c_void_p), XSTATE_MAX)
    try:
        call(GETREGSET, tid, NT_X86_XSTATE, ctypes.addressof(iov))
    except PtraceError as e:
        if e.errno in (_errno.EINVAL, _errno.ENODEV):
            return None
        raise
    return buf.raw[:iov.iov_len]


def get_siginfo(tid: int) -> SigInfo:
    si = SigInfo()
    call(GETSIGINFO, tid, 0, ctypes.addressof(si))
    return si


def get_event_msg(tid: int) -> int:
    val = ctypes.c_ulong()
    call(GETEVENTMSG, tid, 0, ctypes.addressof(val))
    return val.value


def syscall_entering(tid: int) -> bool:
    """At a syscall stop (PTRACE_O_TRACESYSGOOD): True at its entry, False at its exit.

    struct ptrace_syscall_info starts with its op: 1 entry, 2 exit. Without that
    request (before Linux 5.3) an entry is told by rax, which the kernel sets to
    -ENOSYS before it runs the call."""
    buf = ctypes.create_string_buffer(88)
    try:
        call(GET_SYSCALL_INFO, tid, 88, ctypes.addressof(buf))
        return buf.raw[0] == 1
    except PtraceError:
        return get_regs(tid).rax == (-_errno.ENOSYS) & 0xFFFFFFFFFFFFFFFF


def peek(tid: int, addr: int) -> int:
    ctypes.set_errno(0)
    res: int = _ptrace(PEEKDATA, tid, addr, 0)
    if res == -1 and ctypes.get_errno():
        raise PtraceError("PTRACE_PEEKDATA", tid, ctypes.get_errno())
    return res & 0xFFFFFFFFFFFFFFFF


def poke(tid: int, addr: int, word: int) -> None:
    call(POKEDATA, tid, addr, ctypes.c_void_p(word & 0xFFFFFFFFFFFFFFFF))


def peek_user(tid: int, offset: int) -> int:
    ctypes.set_errno(0)
    res: int = _ptrace(PEEKUSER, tid, offset, 0)
    if res == -1 and ctypes.get_errno():
        raise PtraceError("PTRACE_PEEKUSER", tid, ctypes.get_errno())
    return res & 0xFFFFFFFFFFFFFFFF


def last_error(request: str, tid: int) -> PtraceError:
    """The error of a ptrace call that just returned -1 (errno is still its own)."""
    return PtraceError(request, tid, ctypes.get_errno())


def poke_user(tid: int, offset: int, value: int) -> None:
    call(POKEUSER, tid, offset, ctypes.c_void_p(value & 0xFFFFFFFFFFFFFFFF))


# offsetof(struct user, u_debugreg): the debug registers DR0..DR7 for hardware watchpoints
DEBUGREG_OFFSET = 848


class IOVec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


_vm_readv = libc.process_vm_readv
_vm_readv.restype = ctypes.c_ssize_t
_vm_readv.argtypes = [ctypes.c_int, ctypes.POINTER(IOVec), ctypes.c_ulong,
                      ctypes.POINTER(IOVec), ctypes.c_ulong, ctypes.c_ulong]
_vm_writev = libc.process_vm_writev
_vm_writev.restype = ctypes.c_ssize_t
_vm_writev.argtypes = _vm_readv.argtypes


def vm_read(pid: int, addr: int, n: int) -> bytes:
    """Read up to n bytes; returns fewer at the end of a readable range (short read)."""
    buf = ctypes.create_string_buffer(n)
    local = IOVec(ctypes.cast(buf, ctypes.c_void_p), n)
    remote = IOVec(ctypes.c_void_p(addr), n)
    got: int = _vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    if got < 0:
        err = ctypes.get_errno()
        if err in (_errno.EFAULT, _errno.EIO):
            return b""
        raise PtraceError("process_vm_readv", pid, err)
    return buf.raw[:got]


def vm_write(pid: int, addr: int, data: bytes) -> int:
    buf = ctypes.create_string_buffer(data, len(data))
    local = IOVec(ctypes.cast(buf, ctypes.c_void_p), len(data))
    remote = IOVec(ctypes.c_void_p(addr), len(data))
    got: int = _vm_writev(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
    if got < 0:
        err = ctypes.get_errno()
        if err in (_errno.EFAULT, _errno.EIO):
            return 0
        raise PtraceError("process_vm_writev", pid, err)
    return got


def personality(persona: int) -> int:
    res: int = libc.personality(ctypes.c_ulong(persona))
    return res


def tgkill(tgid: int, tid: int, sig: int) -> None:
    libc.syscall(234, tgid, tid, sig)   # SYS_tgkill


class WaitStatus:
    """A decoded waitpid status for one thread (decoded once: the hit path asks often)."""
    __slots__ = ("tid", "raw", "exited", "signaled", "stopped", "gone", "stop_sig", "event")

    def __init__(self, tid: int, raw: int) -> None:
        self.tid, self.raw = tid, raw
        self.exited = os.WIFEXITED(raw)
        self.signaled = os.WIFSIGNALED(raw)
        self.stopped = stopped = os.WIFSTOPPED(raw)
        self.gone = self.exited or self.signaled
        self.stop_sig = os.WSTOPSIG(raw) if stopped else 0
        self.event = (raw >> 16) & 0xFF if stopped else 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WaitStatus) and (self.tid, self.raw) == (other.tid, other.raw)

    def __hash__(self) -> int:
        return hash((self.tid, self.raw))

    def __repr__(self) -> str:
        return f"WaitStatus(tid={self.tid}, raw={self.raw:#x})"

    @property
    def exit_code(self) -> int:
        return os.WEXITSTATUS(self.raw)

    @property
    def term_sig(self) -> int:
        return os.WTERMSIG(self.raw)

    @property
    def syscall_stop(self) -> bool:
        return self.stopped and self.stop_sig == (signal.SIGTRAP | 0x80)

    def __str__(self) -> str:
        if self.exited:
            return f"tid {self.tid} exited {self.exit_code}"
        if self.signaled:
            return f"tid {self.tid} killed by {signal_name(self.term_sig)}"
        return f"tid {self.tid} stopped {signal_name(self.stop_sig)} event {self.event}"


@overload
def waitpid(pid: int = -1, flags: Literal[0] = 0) -> WaitStatus: ...


@overload
def waitpid(pid: int, flags: int) -> WaitStatus | None: ...


def waitpid(pid: int = -1, flags: int = 0) -> WaitStatus | None:
    """Blocking wait (the GIL is released). Returns None for WNOHANG with nothing ready."""
    tid, status = os.waitpid(pid, flags | WALL)
    if tid == 0:
        return None
    return WaitStatus(tid, status)


# gdb's name for a host signal ("SIGIO" for 29, "SIG34") and its description: signames.py.
signal_name = gdb_signal_name
signal_description = gdb_signal_description
