"""One error family for the whole backend.

Every error a user can cause carries a one-line message fit to print as is;
front ends show ``str(err)`` and never a traceback.
"""
from __future__ import annotations

import errno as _errno
import os


class TdbgError(Exception):
    """Base of every error tdbg reports to a user."""


class CommandError(TdbgError):
    """Bad command, bad argument, or a request that makes no sense now."""


class NotFound(CommandError):
    """A location names no function or file known yet (a breakpoint may stay pending)."""


class PendingQuery(NotFound):
    """gdb's "Make breakpoint pending on future shared library load?" (answered no)."""


class BadExecutable(TdbgError):
    """The program file cannot be debugged (missing, not ELF, wrong machine...)."""


class NoDebugInfo(TdbgError):
    """The request needs DWARF that the program does not have."""


class NotRunning(TdbgError):
    def __init__(self, msg: str = "The program is not being run.") -> None:
        super().__init__(msg)


class Running(TdbgError):
    def __init__(self, msg: str = "The program is running; interrupt it first.") -> None:
        super().__init__(msg)


class BadAddress(TdbgError):
    def __init__(self, addr: int) -> None:
        self.addr = addr
        super().__init__(f"Cannot access memory at address {addr:#x}")


class PtraceError(TdbgError):
    """A failed system call on a tracee; keeps errno (ENODATA, EBUSY, ESRCH...)."""

    def __init__(self, op: str, pid: int | None, err: int, msg: str | None = None) -> None:
        self.op, self.pid, self.errno = op, pid, err
        text = msg or f"{op}({pid}): {os.strerror(err)} [{_errno.errorcode.get(err, err)}]"
        super().__init__(text)


class ProcessGone(TdbgError):
    """The tracee exited or was killed while we were talking to it."""

    def __init__(self, pid: int, status: str = "exited") -> None:
        self.pid = pid
        super().__init__(f"process {pid} {status}")


class ExpressionError(TdbgError):
    """A malformed or unevaluable expression."""
