"""`$_siginfo`: the stopped thread's siginfo_t, typed as gdb 13 types it.

gdb does not use the C library's declaration: it builds its own type
(linux_get_siginfo_type), members packed one after another, `short` as wide as a
long, and `_pad` a vector of 28 ints. The same layout is built here so that
`print $_siginfo` and `$_siginfo._sifields._sigfault.si_addr` read the bytes
gdb reads.
"""
from __future__ import annotations

from ..errors import TdbgError
from ..process import ptrace
from ..symbols.types import Member, Type, array_of, c_type, pointer_to
from ..symbols.values import Reader, Value


def _builtin(name: str) -> Type:
    t = c_type(name)
    assert t is not None                      # C's own type names
    return t


def _typedef(name: str, target: Type) -> Type:
    return Type("typedef", name, None, target)


def _aggregate(kind: str, name: str | None, fields: list[tuple[str, Type]],
               size: int | None = None, offset_of_last: int | None = None) -> Type:
    """gdb's append_composite_type_field: no padding between members of a struct."""
    members, offset = [], 0
    for i, (fname, ftype) in enumerate(fields):
        at = offset_of_last if offset_of_last is not None and i == len(fields) - 1 else offset
        members.append(Member(fname, ftype, at if kind == "struct" else 0))
        offset = at + ftype.size
    total = size if size is not None else (offset if kind == "struct"
                                           else max(f[1].size for f in fields))
    t = Type(kind, name, total)
    t.members = members
    return t


def _siginfo_type() -> Type:
    int_t, uint_t, long_t = _builtin("int"), _builtin("unsigned int"), _builtin("long")
    short_t = Type("int", "short", 8, signed=True)          # gdb builds it long_bit wide
    void_p = pointer_to(_builtin("void"))
    pid_t, uid_t = _typedef("__pid_t", int_t), _typedef("__uid_t", uint_t)
    clock_t = _typedef("__clock_t", long_t)
    sigval = _aggregate("union", "sigval_t", [("sival_int", int_t), ("sival_ptr", void_p)])
    bnd = _aggregate("struct", None, [("_lower", void_p), ("_upper", void_p)])
    sifields = _aggregate("union", None, [
        ("_pad", array_of(int_t, 28)),
        ("_kill", _aggregate("struct", None, [("si_pid", pid_t), ("si_uid", uid_t)])),
        ("_timer", _aggregate("struct", None, [("si_tid", int_t), ("si_overrun", int_t),
                                               ("si_sigval", sigval)])),
        ("_rt", _aggregate("struct", None, [("si_pid", pid_t), ("si_uid", uid_t),
                                            ("si_sigval", sigval)])),
        ("_sigchld", _aggregate("struct", None, [("si_pid", pid_t), ("si_uid", uid_t),
                                                 ("si_status", int_t), ("si_utime", clock_t),
                                                 ("si_stime", clock_t)])),
        ("_sigfault", _aggregate("struct", None, [("si_addr", void_p), ("_addr_lsb", short_t),
                                                  ("_addr_bnd", bnd)])),
        ("_sigpoll", _aggregate("struct", None, [("si_band", long_t), ("si_fd", int_t)])),
        ("_sigsys", _aggregate("struct", None, [("_call_addr", void_p), ("_syscall", int_t),
                                                ("_arch", uint_t)])),
    ])
    # _sifields is aligned to a long (gdb's append_composite_type_field_aligned)
    return _aggregate("struct", "siginfo", [("si_signo", int_t), ("si_errno", int_t),
                                            ("si_code", int_t), ("_sifields", sifields)],
                      size=128, offset_of_last=16)


SIGINFO = _siginfo_type()


def siginfo_value(tid: int, read: Reader) -> Value | None:
    """The thread's last signal as gdb's `$_siginfo`; None when the kernel has none
    (a thread stopped by a group-stop, or no longer traced)."""
    try:
        raw = bytes(ptrace.get_siginfo(tid))
    except (OSError, TdbgError):
        return None
    return Value(SIGINFO, raw[:SIGINFO.size], None, read)
