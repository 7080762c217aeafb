"""Source-level stepping on top of control: step, next, finish, until, nexti (gdb semantics).

The line-stepping loop follows gdb's infrun (process_event_stop_test):
- a call is never single-stepped through: `next` (and `step` into code without
  line info) runs to an internal breakpoint at the return address whose check
  requires the call's frame to be popped (rsp back above it), so a recursive call
  reaching the same address deeper does not count (docs/hard-cases.md B1/B2);
- `step` into a function stops after its prologue as gdb's handle_step_into_function
  computes it; a PLT stub is followed to its target by name, so lazy binding is run
  through at full speed (B3);
- landing mid-line (returning into a caller, jumping into the middle of another
  line) keeps stepping to the next line start, and the step frame becomes the
  current one (gdb's set_step_info);
- inline frames (inspect/frames.py): `step` at a hidden inline call enters it
  without running; `next` keeps going through inlined code called from its line;
- a `longjmp` out of a stepped-over call is caught at glibc's longjmp entry, the
  jmp_buf target decoded, and stepping continues there when the target is in the
  stepping frame or above (B8; gdb 13 without libc probes turns it into a continue).

How a stop is printed (frame header or only the source line) is decided in
exec/report.py (Reporter.stop_message) from `step_origin`: gdb prints the frame when the frame id or
the (non-inline) function differs from where the last step started.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..breaks.breakpoints import Breakpoints
from ..breaks.manager import Manager
from ..disasm.decode import decode, is_call_mnemonic
from ..errors import CommandError, TdbgError
from ..events import Message, StopReason
from ..inspect.frame_text import FrameText
from ..inspect.frames import FrameId, Frames, Level, VFrame
from ..inspect.variables import Variables
from ..process.ptrace import UserFPRegs, UserRegs, set_fpregs
from ..program.target import Target
from .calls import Calls, Insn
from .process_control import ProcessControl
from .stop import Stop, StopKind

Result = Stop | tuple[Stop, dict[str, Any]]
Origin = tuple[FrameId | None, int | None]     # gdb's step_frame_id and step_start_function
_STEPPED = StopKind.STEPPED


class Stepper:
    """Source and instruction steps of the current thread, with gdb's stop rules."""

    def __init__(self, target: Target, bps: Manager, frames: Frames, variables: Variables,
                 text: FrameText, breakpoints: Breakpoints, proc: ProcessControl) -> None:
        self.target = target
        self.bps = bps
        self.frames = frames
        self.variables = variables
        self.text = text
        self.breakpoints = breakpoints
        self.proc = proc
        self.calls = Calls(target, bps, proc)
        self.step_origin: Origin | None = None        # (frame id, function entry) where the step began
        # gdb's from_tty: a typed `finish` first says "Run till exit from #0 ...";
        # gdb -batch does not (the command language sets it per command: api/settings.py)
        self.from_tty = True
        # The stop (by its stop_id) where an abandoned inferior call returned (infcall.py):
        # gdb stops there silently.
        self.quiet_stop_id: int | None = None
        # (tid, registers, fp registers) an abandoned call's function returned with
        self.call_returned: tuple[int, UserRegs, UserFPRegs] | None = None

    # ---- run ------------------------------------------------------------------------
    def run(self, args: list[str] | None = None, stop_at_main: bool = False) -> Stop:
        self.proc.launch(args)
        if stop_at_main:
            resolved = self.target.require_program().resolve("main")
            self.bps.set_breakpoint(resolved.addrs, temporary=True, spec="main")
            self.breakpoints.changed()
        return self.proc.ctl.cont(self.target.tid)

    # ---- frame identity ------------------------------------------------------------
    def frame_origin(self) -> Origin | None:
        """(frame id of frame 0, entry of its non-inline function): gdb's step_frame_id
        and step_start_function."""
        try:
            frames = self.frames.unwind(limit=1)
            if not frames:
                return None
            rng = self.target.prog.function_range(frames[0].lookup_pc)
        except Exception:        # called from every stop report: it must never break one
            return None
        return frames[0].frame_id, rng[0] if rng else None

    def step_stop_text(self) -> str | None:
        """How a step's stop is printed (gdb's print_stop_location): the source line only
        (with the pc when mid-line) if the frame id and function are those the step
        started in, else the frame header."""
        if self.quiet_stop_id == self.target.stop_id:
            return ""
        if not self.frames.skip_decided(self.target.stop_id):
            # Not a step/next (they say how many inline frames they left hidden): an
            # instruction step, which gdb never hides inline frames for.
            self.frames.set_inline_skip(0, self.target.stop_id)
            self.frames.forget()
        try:
            frames = self.frames.unwind(limit=1)
        except TdbgError:
            return None
        if not frames:
            return None
        f = frames[0]
        loc = self.frames.frame_location(f)
        if loc is None or self.step_origin is None or self.frame_origin() != self.step_origin:
            return self.text.describe_frame(self.frames.frame_info(f))
        src = self.target.source_line(loc.file, loc.line)
        if src is None:
            src = f"in {self.text.file_name(loc.file, f.pc)}"
        info = self.frames.frame_info_light(f, loc)
        if self.frames.show_address(info):
            return f"{f.pc:#018x}\t{loc.line}\t{src}"
        return f"{loc.line}\t{src}"

    def _skip_now(self) -> int:
        """Inline frames hidden at the current pc (during a step: gdb's default rule)."""
        try:
            return self.frames.default_inline_skip(self.proc.ctl.pc(self.target.tid))
        except TdbgError:
            return 0

    # ---- instruction steps ---------------------------------------------------------
    def nexti(self, count: int = 1) -> Result | None:
        ctl = self.proc.ctl
        self.proc.resumed()
        stop = None
        with self.proc.stepping_command():
            for i in range(count):
                if i:
                    self.step_origin = self.frame_origin()
                pc = ctl.pc(self.target.tid)
                insn = next(decode(ctl.read(pc, 16), pc, 1), None)
                if insn and is_call_mnemonic(insn[2]):
                    stop = self.calls.run_to_return(pc + insn[1], ctl.inf.regs(self.target.tid).rsp)
                else:
                    stop = ctl.step_instruction(self.target.tid)
                if stop.kind != _STEPPED:
                    break
        return stop

    def stepi(self, count: int = 1) -> Stop:
        """`stepi N`: the stop is printed against the frame where the last instruction
        began (gdb)."""
        ctl = self.proc.ctl
        self.proc.resumed()
        stop = Stop(_STEPPED, self.target.tid, ctl.pc(self.target.tid))
        with self.proc.stepping_command():
            if count > 1:
                stop = ctl.step_instructions(self.target.tid, count - 1)
                if stop.kind != _STEPPED:
                    return stop
                self.step_origin = self.frame_origin()
            return ctl.step_instructions(self.target.tid, 1) if count >= 1 else stop

    # ---- source steps -----------------------------------------------------------------
    def step(self, count: int = 1) -> Result:
        return self._repeat(True, count)

    def next(self, count: int = 1) -> Result:
        return self._repeat(False, count)

    def _repeat(self, into: bool, count: int) -> Result:
        self.proc.require_live()
        skip = self.frames.inline_skip() if self.target.stop is not None else self._skip_now()
        base = self.target.stop_id
        self.proc.resumed()
        with self.proc.stepping_command():
            for _ in range(max(1, count)):
                res, skip = self._step_line(into, skip)
                stop = res[0] if isinstance(res, tuple) else res
                if stop.kind != _STEPPED:
                    return res
        self.frames.set_inline_skip(skip, base + 1)          # the stop about to be reported
        return res

    def _step_line(self, into: bool, skip: int, until: bool = False) -> tuple[Result, int]:
        """One `step`/`next`/`until`; returns the result and the inline frames left hidden."""
        ctl, prog, tid = self.proc.ctl, self.target.prog, self.target.tid
        origin = self._origin_with_skip(skip)
        self.step_origin = origin
        if into and skip > 0:
            # gdb: "step" at an inline call site enters the inline function, runs nothing.
            return Stop(_STEPPED, tid, ctl.pc(tid)), skip - 1
        pc = ctl.pc(tid)
        f0 = self._frame0_with_skip(skip)
        loc = self.frames.frame_location(f0) if f0 is not None else None
        if loc is None or prog.location(pc) is None:
            return self._step_nodebug(into), 0
        rng = prog.line_range(pc) or (pc, pc + 1)
        if skip > 0 and f0 is not None and f0.call_site is not None:
            # `next` at a hidden inline call: the range ends with the inlined block.
            rng = (rng[0], min(rng[1], self._block_end(pc, self.frames.levels_at(pc)[skip - 1])))
        if until:
            fr = prog.function_range(pc)
            if fr is not None:
                rng = (min(fr[0], rng[0]), rng[1])   # gdb: never stop on a jump backwards
        return self._step_loop(into, origin[0] if origin else None, (loc.file, loc.line), rng)

    def _step_loop(self, into: bool, step_frame: FrameId | None, cur_line: tuple[str | None, int],
                   rng: tuple[int, int]) -> tuple[Result, int]:
        """Step until gdb would stop; `step_frame`/`cur_line` are gdb's step_frame_id and
        current_line, `rng` the step range."""
        ctl, prog, tid = self.proc.ctl, self.target.prog, self.target.tid
        pc = ctl.pc(tid)
        decoded: dict[int, Insn] = {}       # a loop on one line decodes each pc once
        while True:
            insn = decoded.get(pc)
            if insn is None:
                insn = decoded[pc] = next(decode(ctl.read(pc, 16), pc, 1), None) or (pc, 1, "")
            mnem = insn[2]
            if is_call_mnemonic(mnem):
                rsp = ctl.inf.regs(tid).rsp
                if into:
                    stop = ctl.step_instruction(tid)
                    if stop.kind != _STEPPED:
                        return stop, 0
                    entered = self.calls.enter_function(stop.pc, pc + insn[1], rsp)
                    if entered is not None:
                        return entered, 0
                    stop = Stop(_STEPPED, tid, ctl.pc(tid))     # stepped over (or longjmp)
                else:
                    stop = self.calls.run_to_return(pc + insn[1], rsp)
                    if stop.kind != _STEPPED:
                        return stop, 0
            else:
                stop = self.calls.step_with_signal(pc, insn) or ctl.step_instruction(tid)
                if stop.kind != _STEPPED:
                    return stop, 0
            pc = stop.pc
            if rng[0] <= pc < rng[1]:
                continue
            # Out of the range: gdb's process_event_stop_test, in its order.
            if self._in_sigtramp(pc):
                rng = (pc, pc + 1)                 # through the trampoline, one by one
                continue
            loc = prog.location(pc)
            if loc is None:
                if not (into and prog.function_name(pc) is None):
                    return stop, 0
                stop = self._step_out_nameless()
                if stop.kind != _STEPPED:
                    return stop, 0
                pc = stop.pc
                loc = prog.location(pc)
                if loc is None:
                    return stop, 0
            if loc.line == 0:
                rng = prog.line_range(pc) or (pc, pc + 1)
                continue
            skip = self._skip_now()
            f0 = self._frame0_with_skip(skip)
            fid = f0.frame_id if f0 is not None else None
            if skip and fid == step_frame:
                # Inline part one: reached an inlined call made from the step frame.
                site = self.frames.frame_location(f0) if f0 is not None else None
                same = site is not None and (site.file, site.line) == cur_line
                if into:
                    return stop, skip - 1 if same else skip
                if not same:
                    return stop, skip
                continue
            if f0 is not None and f0.inline and fid != step_frame \
                    and self._stepped_in_from(skip, step_frame):
                # Inline part two: inside code inlined into the step frame.
                if into:
                    return stop, skip
                continue
            refresh, line = True, loc.line
            if (loc.file, loc.line) != cur_line and self._at_row_start(pc):
                if prog.line_start(pc):
                    return stop, skip
                if fid == step_frame:
                    refresh = False                 # not a statement: look further
                else:
                    line = 0                        # new frame, no statement: no line yet
            # Mid-line (or not a statement): step on through this line (gdb's set_step_info
            # makes the current frame the step frame; the start function stays).
            rng = prog.line_range(pc) or (pc, pc + 1)
            if refresh:
                step_frame = fid
                cur_line = (loc.file, line)
                if self.step_origin is not None:
                    self.step_origin = (fid, self.step_origin[1])

    # ---- helpers for the loop -------------------------------------------------------------
    def _origin_with_skip(self, skip: int) -> Origin | None:
        f0 = self._frame0_with_skip(skip)
        if f0 is None:
            return None
        rng = self.target.prog.function_range(f0.lookup_pc)
        return f0.frame_id, rng[0] if rng else None

    def _frame0_with_skip(self, skip: int) -> VFrame | None:
        try:
            real = self.frames.unwind_real(limit=1)
        except TdbgError:
            return None
        frames = self.frames.expand_inline(real, skip)
        return frames[0] if frames else None

    def _stepped_in_from(self, skip: int, step_frame: FrameId | None) -> bool:
        """gdb's stepped_in_from: the step frame is an outer inline level of frame 0's
        real frame (or that real frame itself)."""
        try:
            frames = self.frames.expand_inline(self.frames.unwind_real(limit=1), skip)
        except TdbgError:
            return False
        return any(f.frame_id == step_frame for f in frames[1:])

    def _block_end(self, pc: int, level: Level) -> int:
        o = self.target.prog.objfile_for(pc)
        if o is None or level.scope is None:
            return pc + 1
        try:
            sc = o.scopes
            die = sc.dwarf.get_DIE_from_refaddr(level.scope)
            return max(hi for _, hi in sc.ranges(die)) + o.bias
        except (TdbgError, LookupError, ValueError, AttributeError):
            return pc + 1

    def _at_row_start(self, pc: int) -> bool:
        rng = self.target.prog.line_range(pc)
        return rng is not None and rng[0] == pc

    def _in_sigtramp(self, pc: int) -> bool:
        if self.target.prog.location(pc) is not None:
            return False
        f0 = self._frame0_with_skip(0)
        return f0 is not None and f0.signal_frame

    def _step_out_nameless(self) -> Stop:
        """`step` came back into code with neither line info nor a name (the signal
        trampoline's caller, libc internals): run until it returns (gdb)."""
        frames = self.frames.unwind_real(limit=2)
        if len(frames) < 2:
            return Stop(_STEPPED, self.target.tid, self.proc.ctl.pc(self.target.tid))
        return self.calls.run_to_return(frames[1].pc, frames[0].cfa - 8 if frames[0].cfa
                                   else frames[0].regs["rsp"])

    def _step_nodebug(self, into: bool) -> Result:
        """`step`/`next` where there is no line info: step out of the function (gdb's
        "Single stepping until exit"), then on to a line start in the caller."""
        pc = self.proc.ctl.pc(self.target.tid)
        prog = self.target.prog
        name = prog.function_name(pc)
        if name is None or prog.function_range(pc) is None:
            raise CommandError("Cannot find bounds of current function")
        self.target.publish(Message(f"Single stepping until exit from function {name},\n"
                             "which has no line number information."))
        frames = self.frames.unwind_real(limit=2)
        if len(frames) < 2:
            raise CommandError("Cannot find bounds of current function")
        stop = self.calls.run_to_return(frames[1].pc, frames[0].cfa - 8 if frames[0].cfa
                                   else frames[0].regs["rsp"])
        if stop.kind != _STEPPED:
            return stop
        if prog.location(stop.pc) is None or prog.line_start(stop.pc):
            return stop
        res, _ = self._step_line(into, 0)
        self.step_origin = None            # gdb prints the frame after leaving a function
        return res

    # ---- finish / until / advance --------------------------------------------------------
    def finish(self) -> Result:
        self.proc.require_live()
        level = self.target.selected_frame
        frames = self.frames.unwind(limit=level + 2)
        bt = self.frames.backtrace(limit=level + 2)
        if len(bt) <= level + 1 or len(frames) <= level + 1:
            raise CommandError('"finish" not meaningful in the outermost frame.')
        frame, caller = frames[level], frames[level + 1]
        # whatever ends the finish (its return, a breakpoint, a signal), this comes first
        preface = "Run till exit from " + self.text.format_frame(bt[level]) if self.from_tty else None
        self.proc.resumed()
        if frame.inline:
            res = self._finish_inline(frame, caller)
        else:
            res = self._finish_real(frame, caller)
        if preface is None:
            return res
        stop, extra = res if isinstance(res, tuple) else (res, {})
        return stop, {**extra, "preface": preface}

    def _finish_real(self, frame: VFrame, caller: VFrame) -> Result:
        func_pc = frame.lookup_pc
        self.call_returned = None                  # only a return during this run counts
        stop = self.calls.run_to_return(caller.pc, frame.cfa - 8 if frame.cfa else frame.regs["rsp"])
        if stop.kind != _STEPPED:
            return stop
        # No value when the frame was left another way (a longjmp landed above it).
        returned = stop.pc == caller.pc and not frame.signal_frame
        value = self._returned_value(func_pc) if returned else None
        msg = self._header_now()
        if value:
            msg += f"\n{value}"
        return stop, {"reason": StopReason.STEP, "message": msg, "return_value": value}

    def _returned_value(self, func_pc: int) -> str | None:
        """The value text of a function just returned. Returning into an abandoned inferior
        call put the registers from before the call back (infcall.py): the value is read
        from the registers the function returned with, kept in `call_returned`."""
        kept, self.call_returned = self.call_returned, None
        if kept is None or kept[0] != self.target.tid:
            return self.variables.return_value_text(func_pc)
        inf = self.proc.ctl.inf
        tid, (_tid, regs, fp) = self.target.tid, kept
        now, now_fp = type(regs).from_buffer_copy(inf.regs(tid)), inf.fpregs(tid)
        inf.set_regs(tid, regs)
        set_fpregs(tid, fp)
        try:
            return self.variables.return_value_text(func_pc)
        finally:
            inf.set_regs(tid, now)
            set_fpregs(tid, now_fp)

    def _finish_inline(self, frame: VFrame, caller: VFrame) -> Result:
        """gdb: finishing an inline frame is a `next` in its caller with an empty range
        and no current line: it stops once out of the inlined code, at a line start.
        No value is printed (nothing returned)."""
        pc = self.proc.ctl.pc(self.target.tid)
        res, _ = self._step_loop(False, caller.frame_id, (None, 0), (pc, pc))
        stop = res[0] if isinstance(res, tuple) else res
        if stop.kind != _STEPPED:
            return res
        self.step_origin = None
        return stop

    def _header_now(self) -> str:
        f0 = self._frame0_with_skip(self._skip_now())
        if f0 is None:
            return ""
        return self.text.describe_frame(self.frames.frame_info(f0))

    def until(self, location: str | None = None, advance: bool = False) -> Result:
        self.proc.require_live()
        if location is None:
            if advance:
                raise CommandError("Argument required (a location).")
            skip = self.frames.inline_skip()
            base = self.target.stop_id
            self.proc.resumed()
            # not a stepping command for gdb 13: every thread runs under scheduler-locking step
            res, skip = self._step_line(False, skip, until=True)
            self.frames.set_inline_skip(skip, base + 1)
            return res
        resolved = self.target.prog.resolve(location, self.target.current_file())
        frames = self.frames.unwind_real(limit=2)
        self.proc.resumed()
        cfa = frames[0].cfa if frames else None
        # `until LOCATION` stops there only in the current frame; `advance` anywhere.
        same_frame: Callable[[int], bool] | None = None
        if not advance and cfa is not None:
            same_frame = lambda tid: self._real_cfa(tid) == cfa
        bps = [self.bps.set_breakpoint(resolved.addrs, registered=False, check=same_frame)]
        if len(frames) > 1 and cfa:
            inf = self.proc.ctl.inf
            bps.append(self.bps.set_breakpoint(frames[1].pc, registered=False,
                                               check=lambda tid: inf.regs(tid).rsp >= cfa))
        try:
            stop = self.proc.ctl.cont(self.target.tid)
        finally:
            for bp in bps:
                self.calls.drop_internal(bp)
        if stop.kind == StopKind.BREAKPOINT and all(not b.registered for b in stop.hit):
            stop = Stop(_STEPPED, stop.tid, stop.pc)
            return stop, {"reason": StopReason.STEP, "message": self._header_now()}
        return stop

    def _real_cfa(self, tid: int) -> int | None:
        if tid != self.target.tid:
            return None
        try:
            frames = self.frames.unwind_real(limit=1)
        except TdbgError:
            return None
        return frames[0].cfa if frames else None
