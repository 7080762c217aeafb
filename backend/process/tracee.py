"""What the layers above use of a traced process, as protocols.

``Inferior`` (inferior.py) is the implementation; breakpoints, execution
control, frames/variables and the program may depend on ``Tracee`` (or only on
its ``Memory``) so that they need nothing else of this layer.
Memory is *raw*: it shows the INT3 bytes of inserted breakpoints.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from .inferior import Region, Thread
from .ptrace import UserFPRegs, UserRegs

if TYPE_CHECKING:
    from .inferior import Inferior


class Memory(Protocol):
    def read(self, addr: int, n: int) -> bytes:
        """Exactly n bytes, or BadAddress at the first one unreadable."""
        ...

    def write(self, addr: int, data: bytes) -> None:
        """Every byte (also into read-only text), or BadAddress at the first one not written."""
        ...


class Tracee(Memory, Protocol):
    # Only read above this layer: properties, so a plain attribute satisfies them.
    @property
    def pid(self) -> int: ...

    @property
    def launched(self) -> bool:
        """Started by us (killed on exit) rather than attached to (detached on exit)."""
        ...

    @property
    def alive(self) -> bool: ...

    @property
    def pty_master(self) -> int | None: ...

    # Assigned above this layer: exec/control.py replaces the threads after an exec,
    # exec/allstop.py installs its clean-up before detaching.
    threads: dict[int, Thread]
    before_detach: Callable[[], None] | None

    def add_thread(self, tid: int) -> Thread: ...

    # ---- registers (cached while the thread is stopped) ------------------------------
    def regs(self, tid: int) -> UserRegs: ...

    def set_regs(self, tid: int, regs: UserRegs) -> None: ...

    def set_pc(self, tid: int, pc: int) -> None:
        """Deferred to the next resume."""
        ...

    def regs_changed(self, tid: int) -> None:
        """The caller changed the cached regs(tid): written at the next resume."""
        ...

    def flush_regs(self, tid: int) -> None: ...

    def fpregs(self, tid: int) -> UserFPRegs: ...

    # ---- memory ----------------------------------------------------------------------
    def read_partial(self, addr: int, n: int) -> bytes:
        """Up to n bytes: shorter where the readable range ends."""
        ...

    # ---- running, the address space, ending -------------------------------------------
    def resume(self, tid: int, sig: int = 0, step: bool = False) -> None: ...

    def maps(self) -> list[Region]: ...

    def new_image(self) -> None:
        """After exec: forget what belonged to the old address space."""
        ...

    def kill(self) -> None: ...

    def detach(self) -> None: ...

    def mark_dead(self) -> None: ...


if TYPE_CHECKING:
    def _inferior_is_a_tracee(inf: Inferior) -> Tracee:   # mypy proves Inferior satisfies Tracee
        return inf
