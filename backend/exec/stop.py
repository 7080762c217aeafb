"""What a resume ended with, as the user and the stepping layers see it.

A record of its own so that every layer reporting or reacting to stops (report.py,
stepping.py, calls.py) can name it without pulling in the controller.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from ..breaks.manager import Breakpoint


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
