"""Catchpoints: `catch syscall|fork|vfork|exec|signal|throw` as gdb 13 sets, lists and words them.

A catchpoint is a registered ``Breakpoint`` of kind "catchpoint" (gdb's numbering,
`delete`, `disable`, `condition`, `ignore` and hit counts all apply) with no INT3
site, except `catch throw|catch|rethrow`: a breakpoint on libstdc++'s ``__cxa_throw`` ... that lists
and reports as a catchpoint (breakpoints.py asks ``what_of``). What it
catches lives here; the exec layer (exec/catch_stops.py) asks ``matching`` at each
event. Worker thread only.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import CommandError, TdbgError
from ..process.signames import HOST, NAME_OF, ROWS
from ..process.syscalls import GROUPS, NAMES, NUMBERS
from ..program.target import Target
from .manager import Breakpoint, Manager
from .sdt_probes import probe_address

KINDS = ("syscall", "fork", "vfork", "exec", "signal", "throw", "catch", "rethrow")
# C++ exceptions: the libstdc++ function each stops in, and gdb's words for the stop
EXCEPTIONS = {"throw": ("__cxa_throw", "exception thrown"),
              "catch": ("__cxa_begin_catch", "exception caught"),
              "rethrow": ("__cxa_rethrow", "exception rethrown")}
# gdb's `catch signal` without arguments: every signal but those the debugger uses itself
_DEBUGGER_SIGNALS = frozenset({5, 2})          # SIGTRAP, SIGINT


@dataclass(slots=True)
class Catch:
    kind: str                               # one of KINDS
    syscalls: tuple[int, ...] | None = None   # None: any syscall
    signals: tuple[int, ...] = ()           # host numbers; empty: see `every`
    every: str = ""                         # signals: "" listed, "standard" or "all"
    last: str = ""                          # fork/vfork: the last child's pid; exec: program

    def what(self) -> str:
        """The What column of `info breakpoints` (gdb's print_one methods)."""
        if self.kind == "syscall":
            if self.syscalls is None:
                return 'syscall "<any syscall>" '
            names = [NAMES.get(n, str(n)) for n in self.syscalls]
            plural = "s" if len(names) > 1 else ""
            return f'syscall{plural} "{", ".join(names)}" '
        if self.kind == "signal":
            if self.every:
                return f'signal "<{"any signal" if self.every == "all" else "standard signals"}>" '
            names = [NAME_OF.get(s, str(s)) for s in self.signals]
            return f'signal{"s" if len(names) > 1 else ""} "{" ".join(names)}" '
        if self.last and self.kind in ("fork", "vfork"):
            return f"{self.kind}, process {self.last} "
        if self.last and self.kind == "exec":
            return f'exec, program "{self.last}" '
        return f"exception {self.kind}" if self.kind in EXCEPTIONS else self.kind

    def mention(self) -> str:
        """What `catch` says about it: "syscall 'write' [1]", "signal SIGUSR1", "fork" ..."""
        if self.kind == "syscall":
            if self.syscalls is None:
                return "any syscall"
            parts = [f"'{NAMES[n]}' [{n}]" if n in NAMES else str(n) for n in self.syscalls]
            return f"syscall{'s' if len(parts) > 1 else ''} {' '.join(parts)}"
        if self.kind == "signal":
            if self.every:
                return "any signal" if self.every == "all" else "standard signals"
            names = [NAME_OF.get(s, str(s)) for s in self.signals]
            return f"signal{'s' if len(names) > 1 else ''} {' '.join(names)}"
        return self.kind

    def catches_signal(self, sig: int) -> bool:
        if self.every == "all":
            return True
        if self.every == "standard":
            return sig not in _DEBUGGER_SIGNALS
        return sig in self.signals


def parse_syscalls(arg: str) -> tuple[int, ...] | None:
    """`catch syscall` arguments: names, numbers, group:NAME or g:NAME (None: any)."""
    out: list[int] = []
    for word in arg.split():
        if word.startswith(("group:", "g:")):
            group = word.partition(":")[2]
            if group not in GROUPS:
                raise CommandError(f"Unknown syscall group '{group}'.")
            out.extend(GROUPS[group])
        elif word.lstrip("-").isdigit():
            n = int(word)
            if n < 0:
                raise CommandError(f"Unknown syscall number '{n}'.")
            out.append(n)
        elif word in NUMBERS:
            out.append(NUMBERS[word])
        else:
            raise CommandError(f"Unknown syscall name '{word}'.")
    return tuple(out) if out else None


def parse_signals(arg: str) -> Catch:
    """`catch signal` arguments: names, gdb's numbers 1-15, `all` alone, or none."""
    words = arg.split()
    if not words:
        return Catch("signal", every="standard")
    if "all" in words:
        if len(words) > 1:
            raise CommandError("'all' cannot be caught with other signals")
        return Catch("signal", every="all")
    sigs: list[int] = []
    for word in words:
        if word.isdigit():
            n = int(word)
            if not 1 <= n <= 15:
                raise CommandError("Only signals 1-15 are valid as numeric signals.\n"
                                   'Use "info signals" for a list of symbolic signals.')
            word = ROWS[n - 1][0]             # gdb's own numbering, not the host's
        host = HOST.get(word)
        if host is None or not word.startswith("SIG"):
            raise CommandError(f"Unknown signal name '{word}'.")
        sigs.append(host)
    return Catch("signal", signals=tuple(sigs))


class Catchpoints:
    def __init__(self, target: Target, bps: Manager, changed: Callable[[], None]) -> None:
        self.target = target
        self.bps = bps
        self._changed = changed              # Breakpoints.changed: every front end repaints
        self.catches: dict[int, Catch] = {}

    # ---- setting ------------------------------------------------------------------------
    def catch(self, kind: str, arg: str, temporary: bool = False) -> tuple[Breakpoint, str]:
        """`catch KIND ARGS` (`tcatch`: temporary): the catchpoint and what gdb says."""
        arg = arg.strip()
        if kind == "syscall":
            c = Catch("syscall", syscalls=parse_syscalls(arg))
        elif kind == "signal":
            c = parse_signals(arg)
        elif kind in ("fork", "vfork", "exec", *EXCEPTIONS):
            if arg:
                raise CommandError("Junk at end of arguments.")
            c = Catch(kind)
        else:
            raise CommandError(f'Undefined catch command: "{kind}".  Try "help catch".')
        if kind in EXCEPTIONS:
            bp = self._exception_breakpoint(EXCEPTIONS[kind][0], temporary)
        else:
            bp = self.bps.set_breakpoint([], temporary=temporary, spec=c.what())
            bp.kind = "catchpoint"
        self.catches[bp.id] = c
        self._changed()
        if temporary and kind in EXCEPTIONS:
            return bp, f"Temporary catchpoint  {bp.id} ({c.mention()})"    # gdb's two spaces
        return bp, f"Catchpoint {bp.id} ({c.mention()})"

    def _exception_breakpoint(self, function: str, temporary: bool) -> Breakpoint:
        """`catch throw|catch|rethrow` is a breakpoint on a libstdc++ function that only
        lists and reports as a catchpoint: resolved again when libstdc++ arrives (solib.py),
        like any pending breakpoint."""
        bp = self.bps.set_breakpoint([], temporary=temporary, spec=function)
        t = self.target
        bp.pending = True
        if t.alive and t.program is not None:
            try:
                for a in t.program.resolve(function).addrs:
                    self.bps.add_address(bp, a)
                bp.pending = not bp.addrs
            except TdbgError:
                pass
        return bp

    def place_exceptions(self) -> None:
        """After every breakpoint change (a library load re-resolves __cxa_throw): move an
        exception catchpoint onto libstdc++'s probe, gdb's stop address, once it is mapped.
        Its spec becomes that address, which solib.py leaves alone; with no process it is
        the function again, for the next run."""
        t = self.target
        for bid, c in list(self.catches.items()):
            if c.kind not in EXCEPTIONS or (bp := self.bps.bps.get(bid)) is None:
                continue
            function = EXCEPTIONS[c.kind][0]
            if not t.alive or t.program is None:
                bp.spec = function
                continue
            addr = probe_address(t.program, "libstdcxx", c.kind)
            if addr is None or bp.addrs == [addr]:
                continue
            try:
                self.bps.add_address(bp, addr)
            except TdbgError:
                continue
            for a in [a for a in bp.addrs if a != addr]:
                self.bps.remove_address(bp, a)
            bp.spec, bp.pending = f"*{addr:#x}", False

    def what_of(self, bp_id: int) -> str | None:
        """The What column of a catchpoint (None: bp_id is not one)."""
        c = self.catches.get(bp_id)
        return c.what() if c is not None else None

    # ---- asked at each event (exec/catch_stops.py) -----------------------------------------
    def get(self, bp_id: int) -> Catch | None:
        return self.catches.get(bp_id)

    def active(self, kind: str, enabled_only: bool = True) -> list[Breakpoint]:
        out = []
        for bid, c in list(self.catches.items()):
            bp = self.bps.bps.get(bid)
            if bp is None:
                del self.catches[bid]        # deleted (`delete`, a temporary one hit)
                continue
            if c.kind == kind and (bp.enabled or not enabled_only):
                out.append(bp)
        return out

    def any_enabled(self, kind: str) -> bool:
        return bool(self.active(kind))

    def syscall_wanted(self) -> bool:
        return self.any_enabled("syscall")

    def matching_syscall(self, nr: int) -> list[Breakpoint]:
        return [bp for bp in self.active("syscall")
                if (s := self.catches[bp.id].syscalls) is None or nr in s]

    def matching_signal(self, sig: int) -> list[Breakpoint]:
        return [bp for bp in self.active("signal") if self.catches[bp.id].catches_signal(sig)]

    def head(self, bp_id: int) -> str | None:
        """What a stop at a site-owning catchpoint says: gdb's "exception thrown"."""
        c = self.catches.get(bp_id)
        return EXCEPTIONS[c.kind][1] if c is not None and c.kind in EXCEPTIONS else None
