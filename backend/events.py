"""Events: immutable facts the backend publishes on the bus.

Front ends subscribe and paint; they never compute debug information.
``Stopped`` carries what every pane needs for a first paint; heavier views
(backtrace, locals, memory) are asked of the Session and cached per stop_id.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType


class StopReason(enum.StrEnum):
    BREAKPOINT = "breakpoint"
    STEP = "step"              # stepi/next/step/finish/until completed
    SIGNAL = "signal"          # the tracee received a signal (SIGSEGV, SIGINT ...)
    INTERRUPTED = "interrupted"  # the user asked to stop (Ctrl-C)
    WATCHPOINT = "watchpoint"
    TRAP = "trap"              # a SIGTRAP we did not plant (compiled int3, raise)
    ENTRY = "entry"            # stopped at program start / after attach
    EXEC = "exec"


@dataclass(frozen=True, slots=True)
class SourceLocation:
    file: str                  # path as recorded in DWARF (absolute when known)
    line: int
    column: int = 0
    function: str | None = None

    def short(self) -> str:
        import os
        return f"{os.path.basename(self.file)}:{self.line}"


def frozen_regs(regs: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(regs))


@dataclass(frozen=True, slots=True)
class BreakpointInfo:
    id: int
    kind: str                  # "breakpoint" | "hw watchpoint" ...
    spec: str                  # what the user typed: "main", "demo.c:12", "*0x401000"
    addresses: tuple[int, ...]  # runtime addresses (empty while pending)
    enabled: bool
    temporary: bool
    condition: str | None
    ignore_count: int
    hit_count: int
    location: SourceLocation | None = None   # of the first address
    function: str | None = None              # symbol+offset of the first address
    pending: bool = False
    locations: tuple[BreakpointLocation, ...] = ()   # one per address, in address order


@dataclass(frozen=True, slots=True)
class BreakpointLocation:
    """One address of a breakpoint (gdb's 1.1, 1.2 ... rows)."""
    address: int
    function: str | None                     # gdb's "in f": an inlined function's own name
    location: SourceLocation | None
    symbol: str | None = None                # "puts+4" where there is no line info
    enabled: bool = True                     # False after `disable N.M`
    condition_ok: bool = True                # False where the condition does not parse (gdb's N*)
    file_shown: str | None = None            # the file as gdb names it (as given to the compiler)


@dataclass(frozen=True, slots=True)
class Started:
    pid: int
    program: str
    attached: bool = False


@dataclass(frozen=True, slots=True)
class Resumed:
    """The tracee runs again (panes may grey out)."""
    tid: int


@dataclass(frozen=True, slots=True)
class Stopped:
    stop_id: int
    reason: StopReason
    tid: int
    pc: int
    regs: Mapping[str, int]                  # read-only mapping of user_regs names
    location: SourceLocation | None = None
    function: str | None = None              # the function at pc ("main"), or None
    changed_regs: frozenset[str] = frozenset()
    breakpoint_id: int | None = None
    signal: int | None = None
    signal_name: str | None = None
    fault_addr: int | None = None
    message: str = ""                        # one gdb-like line, e.g. "Breakpoint 1, main () at demo.c:12"
    return_value: str | None = None          # set by finish
    symbol: str | None = None                # pc as gdb's <sym+off> shows it ("tick+12")


@dataclass(frozen=True, slots=True)
class Exited:
    pid: int
    code: int
    inferior: int = 1            # gdb's inferior number (a followed fork child is 2, ...)


@dataclass(frozen=True, slots=True)
class Signaled:
    pid: int
    signal: int
    signal_name: str
    requested: bool = False      # our own `kill`: the command says so, no "terminated" banner
    inferior: int = 1


@dataclass(frozen=True, slots=True)
class Output:
    stream: str          # "stdout" (the pty merges stdout/stderr) or "stderr"
    data: bytes


@dataclass(frozen=True, slots=True)
class BreakpointChanged:
    """Every user breakpoint, whole (the bus may drop an older one: LATEST_WINS).
    generation counts the snapshots; changed names the ids whose info differs from
    generation - 1's (gone ones included), None when unknown: a front end that saw
    generation - 1 may update only those, any other must compare everything."""
    breakpoints: tuple[BreakpointInfo, ...]
    generation: int = 0
    changed: frozenset[int] | None = None


@dataclass(frozen=True, slots=True)
class ThreadsChanged:
    tids: tuple[int, ...]
    current: int


@dataclass(frozen=True, slots=True)
class LibrariesChanged:
    objects: tuple[tuple[str, int], ...]     # (path, load bias)


@dataclass(frozen=True, slots=True)
class Error:
    message: str


@dataclass(frozen=True, slots=True)
class Message:
    """Informational line for the console/command scrollback (warnings too)."""
    text: str
    level: str = "info"


Event = (Started | Resumed | Stopped | Exited | Signaled | Output | BreakpointChanged
         | ThreadsChanged | LibrariesChanged | Error | Message)

# State snapshots where only the newest matters: a queued older one is replaced.
LATEST_WINS: frozenset[type] = frozenset({Stopped, Resumed, BreakpointChanged, ThreadsChanged,
                                          LibrariesChanged})


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    """One row of `info threads`, for front ends (Session.threads())."""
    num: int                   # gdb's thread number
    tid: int
    name: str                  # /proc/PID/task/TID/comm
    state: str                 # "stopped" | "running"
    pc: int | None
    function: str | None       # "main", "hit+4", or None
    location: SourceLocation | None
    current: bool              # the selected thread


@dataclass(frozen=True, slots=True)
class FrameInfo:
    level: int
    pc: int
    function: str | None
    location: SourceLocation | None
    args: tuple[tuple[str, str], ...] = ()
    objfile: str | None = None
    heuristic: bool = False
    signal_frame: bool = False

    @property
    def args_text(self) -> str:
        """The frame line's arguments as gdb prints them: `n=6, p=0x...`, or `...`."""
        return args_text(self.args)


# `set print frame-arguments presence`: a frame with arguments shows only gdb's `...`.
PRESENCE = ("...", "")


def args_text(args: Sequence[tuple[str, str]]) -> str:
    """A frame line's arguments: `n=6, p=0x...`, or gdb's `...` for PRESENCE."""
    return ", ".join(n if (n, v) == PRESENCE else f"{n}={v}" for n, v in args)


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    type_name: str
    value: str
    expr: str               # what to evaluate/expand
    has_children: bool = False
    is_arg: bool = False


@dataclass(frozen=True, slots=True)
class CommandResult:
    """What a command line prints (text) and whether it succeeded; stops come as events."""
    ok: bool
    text: str
    data: object = None
    # printed as is, no newline added (gdb's echo, output, printf: the next text may follow
    # on the same line)
    raw: bool = False

    @property
    def line_text(self) -> str:
        """The text as lines to join with others: a raw text's own last newline dropped."""
        return as_line(self.text, self.raw)


def as_line(text: str, raw: bool) -> str:
    """CommandResult.line_text of any text (the interpreter's and the TUI's emitted lines)."""
    return text[:-1] if raw and text.endswith("\n") else text
