"""Debugger: the composition root of the worker side (runs only on the ptrace thread).

It builds the services, each given exactly what it needs, and wires the few
callbacks that point upward (see docs/ARCHITECTURE.md):

    Target          the program, the process, the current thread/stop/frame (program/target.py)
    Manager         INT3 sites and breakpoint records (breaks/manager.py)
    Frames, Variables, FrameText, Evaluator, Threads          (inspect/)
    SharedLibraries, Breakpoints, Watchpoints                  (breaks/)
    ProcessControl, Stepper, Reporter, SignalTable, ThreadEvents   (exec/)

Session (session.py) is the only caller; it reaches the services through here.
"""
from __future__ import annotations

from collections.abc import Callable

from .breaks.breakpoints import Breakpoints
from .breaks.catchpoints import Catchpoints
from .breaks.command_lists import CommandLists
from .breaks.dprintf import Dprintfs
from .breaks.fast_sites import FastSites
from .breaks.manager import Manager
from .breaks.solib import SharedLibraries
from .breaks.watchpoints import Watchpoints
from .disasm.decode import Instruction
from .exec.control import Controller
from .exec.core_target import CoreTarget
from .exec.flow import Flow
from .exec.infcall import InferiorCalls
from .exec.inferior_switch import InferiorSwitch
from .exec.process_control import ProcessControl
from .exec.report import Reporter, Result
from .exec.schedlock import SchedulerLocking
from .exec.signals import SignalTable
from .exec.stepping import Stepper
from .exec.thread_events import ThreadEvents
from .inspect.disassembly import disassemble
from .inspect.evaluate import Evaluator
from .inspect.frame_text import FrameText
from .inspect.frames import Frames
from .inspect.threads import Threads
from .inspect.variables import Variables
from .process.core_file import CoreFile
from .process.inferior import Inferior
from .program.program import Program
from .program.target import Target


class _Memory:
    """The manager's view of memory: whichever inferior is current."""

    def __init__(self, target: Target) -> None:
        self._target = target

    def read(self, addr: int, n: int) -> bytes:
        return self._target.require_inferior().read(addr, n)

    def write(self, addr: int, data: bytes) -> None:
        inf = self._target.require_inferior()
        if isinstance(inf, CoreFile) and (data == b"\xcc" or inf.read_partial(addr, len(data)) == data):
            return      # a core's breakpoints keep their locations, nothing is inserted (as gdb)
        inf.write(addr, data)


class Debugger:
    def __init__(self, publish: Callable[[object], None]) -> None:
        t = self.target = Target(publish)
        bps = self.bps = Manager(_Memory(t))
        bps.fast = FastSites(t, bps.mem, bps.shadow)   # conditions compiled into the program
        # inspect: frames and values of the stopped program
        self.frames = Frames(t)
        self.variables = Variables(t, self.frames)
        self.text = FrameText(t, self.frames)
        self.evaluator = Evaluator(t, self.frames, self.variables)
        self.threads = Threads(t, self.frames, self.text)
        # breaks: user breakpoints, watchpoints, breakpoints in shared libraries
        self.solib = SharedLibraries(t, bps)
        self.breakpoints = Breakpoints(t, bps, self.solib, self.evaluator.evaluate_address,
                                       self.evaluator.compile_condition)
        self.watch = Watchpoints(t, bps, self.breakpoints, self.evaluator, self.text)
        self.dprintfs = Dprintfs(t, self.breakpoints, self.evaluator)   # dprintf LOC,"fmt",args
        self.command_lists = CommandLists(t, bps)       # commands N ... end
        # exec: the process's life, steps, stop reports
        self.signals = SignalTable()          # handle SIG ...: kept across runs, like gdb's
        self.thread_events = ThreadEvents(t, self.threads.target_id)
        self.proc = ProcessControl(t, bps, self.breakpoints, self.solib, self.signals,
                                   self.thread_events)
        self.catchpoints = Catchpoints(t, bps, self.breakpoints.changed)   # catch ..., tcatch ...
        self.proc.use_catchpoints(self.catchpoints)
        self.stepper = Stepper(t, bps, self.frames, self.variables, self.text, self.breakpoints,
                               self.proc)
        self.reporter = Reporter(t, self.breakpoints, self.proc, self.stepper, self.text,
                                 self.watch, self.thread_events, self.command_lists)
        self.schedlock = SchedulerLocking(t, self.proc)   # set scheduler-locking
        self.cores = CoreTarget(t, self.proc, self.solib, self.frames, self.text, self.threads)
        # flow: calls into the program from expressions, jump, return, starti (exec/flow.py)
        self.infcall = InferiorCalls(t, bps, self.proc, self.frames, self.stepper)
        self.infcall.report = self.reporter.report
        self.evaluator.call_function = self.infcall.call_function
        self.flow = Flow(t, self.proc, self.stepper, self.breakpoints, self.frames, self.text,
                         self.evaluator, self.infcall, self.reporter)
        # The few links that point the other way, as plain callables:
        t.shadow = bps.shadow                                   # readers see original bytes
        t.user_breakpoint_at = self.breakpoints.user_breakpoint_at
        t.inferior_num = lambda: self.proc.inferiors.current          # $_inferior
        self.frames.args_of = self.variables.frame_args
        self.frames.dummy_regs = self.infcall.dummy_regs          # <function called from gdb>
        self.threads.inferior_num = self.proc.qualified_inferior  # thread IDs N.M
        self.breakpoints.copies = lambda: len(self.proc.inferiors.with_program())  # locations N.L
        self.inferior_switch = InferiorSwitch(t, self.proc, bps, self.breakpoints, self.frames,
                                              self.text, self.threads,
                                              self.evaluator.evaluate_address, self.reporter.report)
        self.solib.on_breakpoints_changed = self.breakpoints.changed
        self.solib.on_code_unmapped = self.proc.forget_code

    # ---- what Session and tests look at ---------------------------------------------------
    @property
    def program(self) -> Program | None:
        return self.target.program

    @property
    def inf(self) -> Inferior | None:
        return self.target.inf

    @property
    def tid(self) -> int:
        return self.target.tid

    @property
    def alive(self) -> bool:
        return self.target.alive

    @property
    def ctl(self) -> Controller | None:
        return self.proc.controller

    def load(self, path: str) -> Program:
        self.target.program = Program(path)
        return self.target.program

    def report_after(self, fn: Callable[[], Result | None],
                     settled: Callable[[], None] | None = None) -> None:
        self.reporter.report_after(fn, settled)

    def breakpoint_id_at(self, addr: int) -> int | None:
        return next((b.id for b in self.breakpoints.owners_at(addr) if b.registered), None)

    def disassemble(self, addr: int, count: int) -> list[Instruction]:
        return disassemble(self.target, addr, count, self.breakpoint_id_at)
