"""Source-level stepping on top of control: step, next, finish, until, nexti (gdb semantics).

`next` never single-steps through a callee: a call is stepped over with an
internal breakpoint at its return address whose check requires the stack to
have unwound (rsp above the call's), so a recursive call that reaches the same
address deeper does not count (HARD-CASES B1/B2).
"""
from __future__ import annotations

from typing import Callable

from .breakpoints import Breakpoint
from .control import Stop, StopKind
from .disasm import decode
from .errors import CommandError, NotRunning, TdbgError
from .events import StopReason

Result = Stop | tuple[Stop, dict]


class SteppingMixin:
    # provided by Debugger: program, ctl, tid, bps, require_inferior, launch, stop, ...

    # ---- run ------------------------------------------------------------------------
    def run(self, args: list[str] | None = None, stop_at_main: bool = False) -> Result:
        self.launch(args)
        if stop_at_main:
            resolved = self.program.resolve("main")
            self.bps.set_breakpoint(resolved.addrs, temporary=True, spec="main")
            self._breakpoints_changed()
        return self.ctl.cont(self.tid)

    def report_after(self, fn: Callable[[], Result | None]) -> None:
        stop = fn()
        extra: dict = {}
        if isinstance(stop, tuple):
            stop, extra = stop
        while stop is not None and stop.kind == StopKind.EXEC:
            stop = self._after_exec()
        if stop is not None:
            self.report(stop, **extra)

    def _after_exec(self) -> Stop:
        from . import events as ev
        from .program import Program
        path = self.program.path
        try:
            import os
            path = os.readlink(f"/proc/{self.inf.pid}/exe")
        except OSError:
            pass
        self.publish(ev.Message(f"process {self.inf.pid} is executing new program: {path}"))
        self.program = Program(path)
        self.program.relocate(self.inf.maps())
        self.program.maps_provider = self.inf.maps
        self.bps.sites.clear()
        self._insert_user_breakpoints()
        return self.ctl.cont(self.tid)

    # ---- instruction steps ---------------------------------------------------------
    def nexti(self, count: int = 1) -> Result:
        ctl = self._ctl()
        self.resumed()
        stop = None
        for _ in range(count):
            pc = ctl.pc(self.tid)
            insn = next(decode(ctl.read(pc, 16), pc, 1), None)
            if insn and insn[2].startswith("call"):
                stop = self._run_to_return(pc + insn[1], ctl.inf.regs(self.tid).rsp)
            else:
                stop = ctl.step_instruction(self.tid)
            if stop.kind != StopKind.STEPPED:
                break
        return stop

    def _run_to_return(self, ret_addr: int, rsp_at_call: int) -> Stop:
        """Resume until ret_addr is reached with the call's frame popped."""
        inf = self.ctl.inf
        bp = self.bps.set_breakpoint(ret_addr, registered=False,
                                     check=lambda tid: inf.regs(tid).rsp > rsp_at_call - 8)
        try:
            stop = self.ctl.cont(self.tid)
        finally:
            self._drop_internal(bp)
        return self._internal_only(stop, bp)

    def _drop_internal(self, bp: Breakpoint) -> None:
        if bp.id in self.bps.bps and self.alive:
            self.bps.delete_breakpoint(bp.id)

    @staticmethod
    def _internal_only(stop: Stop, bp: Breakpoint) -> Stop:
        """Our own breakpoint reached (and no user one with it): an ordinary step stop."""
        if stop.kind == StopKind.BREAKPOINT and all(b is bp or not b.registered for b in stop.hit):
            return Stop(StopKind.STEPPED, stop.tid, stop.pc)
        return stop

    # ---- source steps -----------------------------------------------------------------
    def step(self, count: int = 1) -> Result:
        return self._repeat(lambda: self._step_line(into=True), count)

    def next(self, count: int = 1) -> Result:
        return self._repeat(lambda: self._step_line(into=False), count)

    def _repeat(self, fn: Callable[[], Result], count: int) -> Result:
        self._ctl()
        self.resumed()
        res = None
        for _ in range(max(1, count)):
            res = fn()
            stop = res[0] if isinstance(res, tuple) else res
            if stop.kind != StopKind.STEPPED:
                break
        return res

    def _cfa(self, level: int = 0) -> int | None:
        frames = self.unwind(limit=level + 2)
        return frames[level].cfa if len(frames) > level else None

    def _step_line(self, into: bool, until: bool = False) -> Result:
        ctl, prog, tid = self.ctl, self.program, self.tid
        pc = ctl.pc(tid)
        start_loc = prog.location(pc)
        if start_loc is None:
            return self._step_out_nodebug()
        rng = prog.line_range(pc) or (pc, pc + 1)
        func = prog.function_range(pc)
        frame_cfa = self._cfa()
        start_func = func
        cur_line = (start_loc.file, start_loc.line)
        while True:
            insn = next(decode(ctl.read(pc, 16), pc, 1), None)
            mnem = insn[2] if insn else ""
            rsp = ctl.inf.regs(tid).rsp
            if mnem.startswith("call"):
                if into:
                    stop = ctl.step_instruction(tid)
                    if stop.kind != StopKind.STEPPED:
                        return stop
                    entered = self._enter_function(stop.pc, pc + insn[1], rsp)
                    if entered is not None:
                        return entered
                    stop = Stop(StopKind.STEPPED, tid, ctl.pc(tid))   # stepped over it
                else:
                    stop = self._run_to_return(pc + insn[1], rsp)
                    if stop.kind != StopKind.STEPPED:
                        return stop
            else:
                stop = ctl.step_instruction(tid)
                if stop.kind != StopKind.STEPPED:
                    return stop
            pc = stop.pc
            if rng[0] <= pc < rng[1]:
                continue
            loc = prog.location(pc)
            returned = mnem.startswith("ret")
            if loc is None:
                # Returned (or jumped) into code without line info, e.g. libc after main.
                stop = self._step_out_nodebug(report=False)
                if not isinstance(stop, Stop) or stop.kind != StopKind.STEPPED:
                    return stop
                pc = stop.pc
                loc = prog.location(pc)
                if loc is None:
                    return stop
                returned = True
            if loc.line == 0:
                rng = prog.line_range(pc) or (pc, pc + 1)
                continue
            if returned:
                # Back in the caller mid-statement: finish that statement (gdb).
                func = prog.function_range(pc)
                frame_cfa = self._cfa()
                cur_line = (loc.file, loc.line)
                if not prog.line_start(pc):
                    rng = prog.line_range(pc) or (pc, pc + 1)
                    continue
            at_start = prog.line_start(pc)
            if at_start and (loc.file, loc.line) != cur_line:
                if until and start_func == func and pc < rng[0]:
                    rng = prog.line_range(pc) or (pc, pc + 1)   # `until` never goes backwards
                    continue
                return self._step_result(stop, start_func)
            # Mid-line of another line, or a new entry of the same line: keep stepping.
            cur_line = (loc.file, loc.line)
            rng = prog.line_range(pc) or (pc, pc + 1)

    def _step_result(self, stop: Stop, start_func) -> Result:
        if self.program.function_range(stop.pc) != start_func:
            return stop, {"reason": StopReason.STEP, "message": self._frame_header(stop.pc)}
        return stop

    def _frame_header(self, pc: int) -> str:
        return self.frame_line(pc, self.program.location(pc), with_addr=not self.program.line_start(pc))

    def _enter_function(self, pc: int, ret_addr: int, rsp_at_call: int) -> Result | None:
        """`step` went into a call: stop after its prologue, or step over it without line info."""
        prog = self.program
        loc = prog.location(pc)
        if loc is None:
            stop = self._run_to_return(ret_addr, rsp_at_call)
            return None if stop.kind == StopKind.STEPPED else stop
        name = prog.function_name(pc)
        target = pc
        try:
            addrs = prog.resolve(name).addrs if name else []
            lo_hi = prog.function_range(pc)
            target = next((a for a in addrs if lo_hi and lo_hi[0] <= a < lo_hi[1]), pc)
        except TdbgError:
            pass
        if target != pc:
            inf = self.ctl.inf
            bp = self.bps.set_breakpoint(target, registered=False,
                                         check=lambda tid: inf.regs(tid).rsp < rsp_at_call)
            try:
                stop = self.ctl.cont(self.tid)
            finally:
                self._drop_internal(bp)
            stop = self._internal_only(stop, bp)
            if stop.kind != StopKind.STEPPED:
                return stop
        else:
            stop = Stop(StopKind.STEPPED, self.tid, pc)
        return stop, {"reason": StopReason.STEP, "message": self._frame_header(stop.pc)}

    def _step_out_nodebug(self, report: bool = True) -> Result:
        """In code without line info: run until the current function returns."""
        frames = self.unwind(limit=2)
        if len(frames) < 2:
            raise CommandError("Cannot find bounds of current function")
        caller = frames[1]
        stop = self._run_to_return(caller.pc, frames[0].regs.get("rsp", 0))
        if report and stop.kind == StopKind.STEPPED:
            return self._continue_to_line_start(stop)
        return stop

    def _continue_to_line_start(self, stop: Stop) -> Result:
        prog = self.program
        if prog.location(stop.pc) is None or prog.line_start(stop.pc):
            return stop, {"reason": StopReason.STEP, "message": self._frame_header(stop.pc)}
        res = self._step_line(into=False)
        s = res[0] if isinstance(res, tuple) else res
        if s.kind != StopKind.STEPPED:
            return res
        return s, {"reason": StopReason.STEP, "message": self._frame_header(s.pc)}

    # ---- finish / until / advance --------------------------------------------------------
    def finish(self) -> Result:
        self._ctl()
        level = self.selected_frame
        frames = self.unwind(limit=level + 2)
        if len(frames) <= level + 1:
            raise CommandError('"finish" not meaningful in the outermost frame.')
        frame, caller = frames[level], frames[level + 1]
        func_pc = frame.pc
        self.resumed()
        stop = self._run_to_return(caller.pc, frame.cfa - 8 if frame.cfa else frame.regs["rsp"])
        if stop.kind != StopKind.STEPPED:
            return stop
        value = self.return_value_text(func_pc)
        msg = self.frame_line(stop.pc, self.program.location(stop.pc),
                              with_addr=not self.program.line_start(stop.pc))
        if value:
            msg += f"\n{value}"
        return stop, {"reason": StopReason.STEP, "message": msg,
                      "return_value": value}

    def until(self, location: str | None = None, advance: bool = False) -> Result:
        self._ctl()
        if location is None:
            if advance:
                raise CommandError("Argument required (a location).")
            self.resumed()
            return self._step_line(into=False, until=True)
        resolved = self.program.resolve(location, self._current_file())
        frames = self.unwind(limit=2)
        self.resumed()
        bps = [self.bps.set_breakpoint(resolved.addrs, registered=False)]
        if len(frames) > 1 and frames[0].cfa:
            cfa = frames[0].cfa
            inf = self.ctl.inf
            bps.append(self.bps.set_breakpoint(frames[1].pc, registered=False,
                                               check=lambda tid: inf.regs(tid).rsp >= cfa))
        try:
            stop = self.ctl.cont(self.tid)
        finally:
            for bp in bps:
                self._drop_internal(bp)
        if stop.kind == StopKind.BREAKPOINT and all(not b.registered for b in stop.hit):
            stop = Stop(StopKind.STEPPED, stop.tid, stop.pc)
            return stop, {"reason": StopReason.STEP, "message": self._frame_header(stop.pc)}
        return stop
