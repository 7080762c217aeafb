"""Commands that change where the program is or how it starts, on the worker side:
`jump`, `starti`, `start` (with gdb's temporary-breakpoint line), `attach` (with gdb's
words for the stop), and the parts of `return` (frame_return.py) and inferior calls
(infcall.py) a command reaches.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from .. import events as ev
from ..breaks.breakpoints import Breakpoints
from ..errors import CommandError, NotRunning
from ..inspect.evaluate import Evaluator
from ..inspect.frame_text import FrameText
from ..inspect.frames import Frames
from ..process.ptrace import UserRegs
from ..program.target import StopState, Target
from .frame_return import FrameReturn, ReturnPlan
from .infcall import InferiorCalls
from .process_control import ProcessControl
from .report import Reporter, Result
from .stepping import Stepper
from .stop import Stop, StopKind

_MASK = (1 << 64) - 1


@dataclass
class JumpPlan:
    stop_id: int
    addr: int
    question: str | None      # gdb's query when the line is in another function


class Flow:
    def __init__(self, target: Target, proc: ProcessControl, stepper: Stepper,
                 breakpoints: Breakpoints, frames: Frames, text: FrameText,
                 evaluator: Evaluator, calls: InferiorCalls, reporter: Reporter) -> None:
        self.target = target
        self.proc = proc
        self.stepper = stepper
        self.breakpoints = breakpoints
        self.frames = frames
        self.text = text
        self.evaluator = evaluator
        self.calls = calls
        self.reporter = reporter
        self.returns = FrameReturn(target, frames, evaluator, calls)

    # ---- jump ---------------------------------------------------------------------------
    def jump_plan(self, spec: str) -> JumpPlan:
        """gdb's jump_command up to its query: where to, and what to ask."""
        t = self.target
        if t.inf is None or not t.alive:
            raise NotRunning()
        if not spec.strip():
            raise CommandError("Argument required (starting address).")
        prog = t.prog
        try:
            resolved = prog.resolve(spec, t.current_file(), self.evaluator.evaluate_address)
        except CommandError as e:
            if spec.strip().isdigit() and str(e).startswith("No line "):
                raise CommandError(f"No line {spec.strip()} in the current file.") from None
            raise
        addrs = sorted(set(resolved.addrs))
        if not addrs:
            raise CommandError("No source file has been specified.")
        funcs = {prog.function_range(a) for a in addrs}
        if len(funcs) > 1:
            raise CommandError("Unreasonable jump request")
        addr = addrs[0]
        if addr == 0 and spec.strip().startswith("*"):
            raise CommandError("No source file has been specified.")
        question = None
        frames = self.frames.unwind(limit=1)
        here = frames[0] if frames else None
        if here is not None and prog.location(here.lookup_pc) is not None:
            # gdb compares the current frame's function with the target's (find_pc_function)
            cur = prog.function_range(here.lookup_pc)
            dest = prog.function_range(addr)
            if cur is not None and dest != cur:
                line = resolved.line
                if line is None:
                    loc = prog.location(addr)
                    line = loc.line if loc is not None else 0
                question = f"Line {line} is not in `{here.function}'.  Jump anyway? "
        return JumpPlan(t.stop_id, addr, question)

    def jump(self, plan: JumpPlan, preface: str | None, from_tty: bool) -> Stop:
        """Resume at plan.addr (gdb's proceed(addr)): a breakpoint there is hit at once."""
        t = self.target
        if t.stop_id != plan.stop_id or not t.alive:
            raise CommandError("The program moved since `jump' was asked.")
        if preface:
            t.publish(ev.Message(preface))
        if from_tty:
            t.publish(ev.Message(f"Continuing at {plan.addr:#x}."))
        self.set_pc(plan.addr)
        self.proc.resumed()
        return self.calls._resume_at(t.tid, plan.addr)

    def set_pc(self, pc: int) -> None:
        """Write the pc as gdb's amd64_linux_write_pc does: an interrupted system call
        must not be restarted at the new place."""
        inf = self.target.require_inferior()
        tid = self.target.tid
        regs = UserRegs.from_buffer_copy(inf.regs(tid))
        regs.rip = pc
        regs.orig_rax = _MASK
        inf.set_regs(tid, regs)
        th = inf.threads.get(tid)
        if th is not None:
            th.step_over = False
        self.frames.forget()

    # ---- starting ------------------------------------------------------------------------
    def starti(self, args: list[str] | None) -> Result:
        """Start the program and stop at its first instruction (the dynamic loader's)."""
        stop = self.proc.launch(args)
        self.calls.forget()
        return Stop(StopKind.INTERRUPTED, stop.tid, stop.pc)

    def start(self, args: list[str] | None) -> Stop:
        """gdb's `start`: `tbreak main` (its line said first), then `run`."""
        self.target.require_program()
        if self.target.alive:
            self.proc.kill()         # now: a kill drops temporary breakpoints
        _bp, said = self.breakpoints.break_at("main", None, True)
        self.target.publish(ev.Message(said))
        self.calls.forget()
        return self.stepper.run(args)

    def attach(self, pid: int, from_tty: bool) -> Result:
        """gdb's attach: "Attaching to program: PATH, process N" when typed, then the frame
        the process is in (no "Program stopped.")."""
        t = self.target
        if from_tty and not t.alive:
            path = t.program.path if t.program is not None else None
            if path is None:
                try:
                    path = os.readlink(f"/proc/{pid}/exe")
                except OSError:
                    path = None
            if path is not None:
                t.publish(ev.Message(f"Attaching to program: {os.path.abspath(path)}, process {pid}"))
        stop = self.proc.attach(pid)
        self.calls.forget()
        prog = t.require_program()
        loc = prog.location(stop.pc)
        at_start = loc is not None and prog.line_start(stop.pc)
        message = self.text.frame_line(stop.pc, loc, with_addr=not at_start)
        return stop, {"message": message}

    # ---- return ----------------------------------------------------------------------------
    def return_plan(self, expr: str | None) -> ReturnPlan:
        return self.returns.plan(expr)

    def do_return(self, plan: ReturnPlan, from_tty: bool, preface: str | None = None) -> None:
        """Pop the frame. The new frame 0 is a stop of its own so that every pane repaints,
        shown as gdb's `frame` shows it when a person typed the command; gdb -batch says
        nothing, and nor is anything published then."""
        self.returns.pop(plan)
        t = self.target
        pc = t.require_inferior().regs(t.tid).rip
        stop = Stop(StopKind.STEPPED, t.tid, pc)
        if from_tty:
            frames = self.frames.unwind(limit=1)
            text = self.text.format_frame(self.frames.frame_info(frames[0]), with_source=True) \
                if frames else ""
            self.reporter.report(stop, reason=ev.StopReason.STEP, message=text, preface=preface)
            return
        t.selected_frame = 0
        t.stop_id += 1
        t.stop = StopState(t.stop_id, t.tid, pc)
        self.stepper.step_origin = self.stepper.frame_origin()
