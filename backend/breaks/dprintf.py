"""`dprintf LOCATION,"format",args`: a breakpoint that prints and never stops (gdb's).

The breakpoint's check (stop_reasons.py calls it at each hit) evaluates its
condition if any, formats the arguments in the hit's frame (inspect/printf.py),
publishes the text as output, counts the hit and answers "don't stop". A dprintf
whose format needs only integers is captured in the program instead (fast_sites.py):
its records are printed by `_print_records`, on the worker at stops or on
exec/ring_poller.py's thread while the program runs (under FastSites.lock).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from .. import events as ev
from ..errors import CommandError
from ..inspect.evaluate import Evaluator, FrameEnv
from ..inspect.printf import Printf, conversions, format_values, int_formatter, parse
from ..program.target import Target
from ..symbols import cexpr
from .breakpoints import Breakpoints
from .manager import Breakpoint


class Dprintfs:
    def __init__(self, target: Target, breakpoints: Breakpoints, evaluator: Evaluator) -> None:
        self.target = target
        self.breakpoints = breakpoints
        self.evaluator = evaluator
        self.printfs: dict[int, str] = {}
        self._parsed: dict[str, Printf] = {}
        self._fast_fmt: dict[str, Callable[[Sequence[int]], str]] = {}
        breakpoints.dprintf_check = self.check_for
        fast = breakpoints.bps.fast
        if fast is not None:       # the jump pad captures the arguments (fast_sites.py)
            fast.logs = self.printfs
            fast.parse_log = self._conversions
            fast.on_records = self._print_records

    def dprintf(self, arg: str) -> str:
        """The command: what gdb says ("Dprintf 1 at 0x...: file f.c, line 3.")."""
        loc, comma, rest = arg.partition(",")
        if not loc.strip():
            raise CommandError("Format string required" if comma else "No default breakpoint address now.")
        if not comma:
            raise CommandError("Format string required")
        rest = rest.strip()
        if not rest:
            raise CommandError("Format string required")
        if not rest.startswith('"'):
            raise CommandError("Bad format string, missing '\"'.")
        bp, msg = self.breakpoints.break_at(loc.strip())
        bp.kind = "dprintf"
        self.printfs[bp.id] = rest          # parsed at the first hit, as gdb does
        bp.check = self.check_for(bp)
        self.breakpoints.bps.sync_locations(bp)       # the site becomes a capture in the pad
        self.breakpoints.changed()
        return msg.replace("Breakpoint", "Dprintf", 1)

    def check_for(self, bp: Breakpoint) -> Callable[[int], bool]:
        cond: Callable[[int], bool] | None = None
        if bp.condition:
            cond = self.evaluator.compile_condition(bp.condition)
        ev_ = self.evaluator

        def check(tid: int) -> bool:
            fast = self.breakpoints.bps.fast
            if fast is None:
                return hit(tid)
            with fast.lock:               # the ring's poller prints and counts too
                fast.drain()              # what the pad captured comes before this hit
                return hit(tid)

        def hit(tid: int) -> bool:
            text = self.printfs.get(bp.id)
            if text is None or (cond is not None and not cond(tid)):
                return False
            p = self._printf(text)
            env = FrameEnv(ev_, tid, 0)
            values = [cexpr.evaluate(a, env) for a in p.args]
            out = format_values(p, values, self._string)
            bp.hit_count += 1
            fast = self.breakpoints.bps.fast
            if fast is None or not fast.after_ring(out):
                self.target.publish(ev.Output("stdout", out.encode()))
            return False
        return check

    def _printf(self, text: str) -> Printf:
        p = self._parsed.get(text)
        if p is None:
            p = self._parsed[text] = parse(text)
        return p

    def _conversions(self, text: str) -> tuple[list[str], tuple[str, ...]]:
        p = self._printf(text)
        return conversions(p.text), p.args

    def _print_records(self, records: list[tuple[int, Sequence[int]] | str]) -> None:
        """The ring's records as lines (thousands at a time: one format per dprintf),
        with the lines `check` printed itself in their place. Number 0: an empty slot."""
        out: list[str] = []
        fmts: dict[int, Callable[[Sequence[int]], str] | None] = {}
        counts: dict[int, int] = {}
        for item in records:
            if isinstance(item, str):       # a line printed by `check`, kept in its place
                out.append(item)
                continue
            ident, words = item
            if ident in fmts:
                fmt = fmts[ident]
            else:
                fmt = fmts[ident] = self._formatter(ident)
            if fmt is None:
                continue
            counts[ident] = counts.get(ident, 0) + 1
            out.append(fmt(words))
        for ident, n in counts.items():
            self.breakpoints.bps.bps[ident].hit_count += n
        if out:
            self.target.publish(ev.Output("stdout", "".join(out).encode()))

    def _formatter(self, ident: int) -> Callable[[Sequence[int]], str] | None:
        bp = self.breakpoints.bps.bps.get(ident)
        text = self.printfs.get(ident)
        if bp is None or text is None:
            return None
        fmt = self._fast_fmt.get(text)
        if fmt is None:
            fmt = self._fast_fmt[text] = cast(Callable[[Sequence[int]], str],
                                              int_formatter(self._printf(text)))   # any sequence
        return fmt

    def _string(self, addr: int) -> bytes:
        data = self.target.require_inferior().read_partial(addr, 4096)
        return data.split(b"\0")[0]

    def table_lines(self) -> dict[int, list[str]]:
        """`info breakpoints`'s printf line under each dprintf."""
        live = self.breakpoints.bps.bps
        return {i: [" " * 8 + "printf " + text] for i, text in self.printfs.items() if i in live}
