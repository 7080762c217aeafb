"""Every stop becomes one Stopped event carrying what every pane needs to paint it,
with gdb's words for it (`Breakpoint 1, main () at x.c:5`, `Program received signal ...`).
Worker thread only.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import events as ev
from ..breaks.breakpoints import Breakpoints
from ..breaks.command_lists import CommandLists
from ..breaks.watchpoints import Watchpoints
from ..events import SourceLocation, StopReason
from ..inspect.frame_text import FrameText
from ..inspect.user_values import record_exit, record_hit
from ..process.ptrace import REG_NAMES, signal_description, signal_name
from ..program.target import StopState, Target
from .process_control import ProcessControl
from .stepping import Stepper
from .stop import Stop, StopKind
from .thread_events import ThreadEvents

Result = Stop | tuple[Stop, dict[str, Any]]

_REASONS = {StopKind.BREAKPOINT: StopReason.BREAKPOINT, StopKind.SIGNAL: StopReason.SIGNAL,
            StopKind.INTERRUPTED: StopReason.INTERRUPTED, StopKind.TRAP: StopReason.TRAP,
            StopKind.WATCHPOINT: StopReason.WATCHPOINT, StopKind.EXEC: StopReason.EXEC}


class Reporter:
    def __init__(self, target: Target, breakpoints: Breakpoints, proc: ProcessControl,
                 stepper: Stepper, text: FrameText, watch: Watchpoints,
                 thread_events: ThreadEvents, command_lists: CommandLists) -> None:
        self.target = target
        self.breakpoints = breakpoints
        self.proc = proc
        self.stepper = stepper
        self.text = text
        self.watch = watch
        self.thread_events = thread_events
        self.command_lists = command_lists
        self._last_regs: tuple[int, dict[str, int]] = (0, {})   # (pid, registers at the last stop)

    def report_after(self, fn: Callable[[], Result | None],
                     settled: Callable[[], None] | None = None) -> None:
        """Run a resuming command and publish how it ended (an exec resumes on its own).
        settled() runs once the program has stopped, before the stop is published, so a
        front end that reacts to the event finds the program already stopped."""
        try:
            res = fn()
        finally:
            if settled is not None:
                settled()
        extra: dict[str, Any] = {}
        stop: Stop | None
        if isinstance(res, tuple):
            stop, extra = res
        else:
            stop = res
        while stop is not None and stop.kind == StopKind.EXEC:
            stop = self.proc.after_exec()
        if stop is not None:
            self.report(stop, **extra)

    def report(self, stop: Stop, *, reason: StopReason | None = None, message: str | None = None,
               return_value: str | None = None, preface: str | None = None) -> None:
        """preface: what the resuming command said before the program ran (finish's
        "Run till exit from ..."), shown first."""
        if stop.gone:
            self._report_end(stop)
            return
        t = self.target
        previous_tid, t.tid = t.tid, stop.tid
        t.selected_frame = 0
        t.stop_id += 1
        inf = t.require_inferior()
        regs_struct = inf.regs(stop.tid)
        regs = {n: getattr(regs_struct, n) for n in REG_NAMES}
        last_pid, last = self._last_regs
        if last_pid != inf.pid:
            last = {}
        changed = frozenset(k for k, v in regs.items() if last.get(k, v) != v)
        self._last_regs = (inf.pid, regs)
        pc = regs["rip"]
        t.stop = StopState(t.stop_id, stop.tid, pc)
        prog = t.require_program()
        loc = prog.location(pc)
        bp_id = next((b.id for b in stop.hit if b.registered), None)
        if bp_id is not None:
            self.breakpoints.changed()       # hit counts (and spent temporaries) changed
            record_hit(t, stop.hit, pc, self.breakpoints.addresses)
        if reason is None:
            reason = _REASONS.get(stop.kind, StopReason.STEP)
            if stop.kind == StopKind.BREAKPOINT and bp_id is None:
                reason = StopReason.STEP
        if message is None and stop.kind == StopKind.WATCHPOINT:
            message = self.watch.watch_message(stop, pc, loc)
        if message is None:
            message = self.stop_message(stop, reason, pc, loc, bp_id)
        self.stepper.step_origin = self.stepper.frame_origin()    # where the next step starts
        if stop.error:
            message = f"{stop.error}\n{message}"
        message = self.thread_events.stop_text(message, previous_tid, stop.tid)
        if preface is not None:
            message = f"{preface}\n{message}"
        if self.command_lists.at_stop(t.stop_id, bp_id):
            message = ""                        # `silent` first in the breakpoint's list
        sig = stop.sig if stop.kind in (StopKind.SIGNAL, StopKind.TRAP) else None
        t.publish(ev.Stopped(t.stop_id, reason, stop.tid, pc, ev.frozen_regs(regs), loc,
                             prog.function_name(pc), changed, bp_id, sig,
                             signal_name(sig) if sig else None, stop.fault_addr, message,
                             return_value, prog.symbolize(pc)))

    def _report_end(self, stop: Stop) -> None:
        t = self.target
        pid = t.inf.pid if t.inf else stop.tid
        num = self.proc.inferiors.current
        self.proc.process_gone()
        record_exit(t, stop.code, None if stop.kind == StopKind.EXITED else stop.sig)
        if stop.kind == StopKind.EXITED:
            t.publish(ev.Exited(pid, stop.code, num))
        else:
            t.publish(ev.Signaled(pid, stop.sig, signal_name(stop.sig), inferior=num))

    def stop_message(self, stop: Stop, reason: StopReason, pc: int,
                     loc: SourceLocation | None, bp_id: int | None) -> str:
        t = self.target
        prog = t.require_program()
        head = ""
        if reason == StopReason.BREAKPOINT and bp_id is not None:
            bp = self.breakpoints.bps.bps.get(bp_id)
            temp = bp is None or bp.temporary
            num: int | str = bp_id
            where = self.proc.inferiors.location_number(list(bp.addrs), pc) if bp else None
            if where is not None:
                num = f"{bp_id}.{where}"                          # gdb 13: location number
            head = f"\n{'Temporary breakpoint' if temp else 'Breakpoint'} {num}, "
        elif reason == StopReason.SIGNAL:
            head = (f"\nProgram received signal {signal_name(stop.sig)}, "
                    f"{signal_description(stop.sig)}.\n")
        elif reason == StopReason.INTERRUPTED:
            head = "\nProgram stopped.\n"
        elif reason == StopReason.TRAP:
            head = "\nProgram received signal SIGTRAP, Trace/breakpoint trap.\n"
        at_line_start = loc is not None and prog.line_start(pc)
        if reason == StopReason.STEP:
            text = self.stepper.step_stop_text()          # gdb's SRC_LINE or SRC_AND_LOC
            if text is not None:
                return text
        if reason == StopReason.STEP and loc is not None:
            if at_line_start:
                return self.text.source_text(loc.file, loc.line, pc) or ""
            src = t.source_line(loc.file, loc.line)
            return f"{pc:#018x}\t{loc.line}\t{src or ''}"
        return head + self.text.frame_line(pc, loc, with_addr=not at_line_start or head == "")
