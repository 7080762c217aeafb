"""Calling the program's functions from an expression: gdb's call_function_by_hand.

`print add(1, 2)` builds a call frame on the current thread's stack by the System V
x86-64 ABI (integer-class arguments in rdi, rsi, rdx, rcx, r8, r9, SSE-class ones in
xmm0-7, the rest on the stack; a hidden pointer in rdi for a struct returned in
memory; rax = SSE registers used, for varargs), below the 128-byte red zone and
16-byte aligned, with a return address at the program's entry point where an
internal INT3 catches the return (gdb's AT_ENTRY_POINT dummy). Every register is
restored afterwards. Like gdb 13, the other threads run too, unless `set
scheduler-locking on` (tests/test_infcall.py checks gdb itself). The argument
classes and registers are call_abi.py's.

A string argument is not in the program's memory: it is copied into a block the
program's own `malloc` returns (gdb's value_coerce_to_target).

When the called function stops (a breakpoint, a signal) the stop is reported as any
other and the expression is abandoned with gdb's words; the frame stays (a "dummy
frame"): when it returns to the entry point later, the registers saved before the
call come back and the program stops there (see DummyFrame).
"""
from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass

from ..breaks.manager import Breakpoint, Manager
from ..errors import ExpressionError, TdbgError
from ..inspect.frames import Frames
from ..process import ptrace
from ..program.target import Target
from ..symbols.cexpr.ops import DOUBLE, INT, ULONG, cast
from ..symbols.types import Type, pointer_to
from ..symbols.values import Value
from .call_abi import (
    INT_REGS,
    RED_ZONE,
    copy_fp,
    copy_regs,
    eightbytes,
    place,
    read_return,
    returned_in_memory,
    set_xmm,
    siginfo,
)
from .process_control import ProcessControl
from .stepping import Stepper
from .stop import Stop, StopKind

_MASK = (1 << 64) - 1
# Minimal symbols' function types (backend/symbols/nodebug.py): no return type known.
_NODEBUG_TEXT = "<text variable, no debug info>"
_NODEBUG_IFUNC = "<text gnu-indirect-function variable, no debug info>"
_AT_HWCAP = 16

_STOPPED = ("The program being debugged stopped while in a function called from GDB.\n"
            "Evaluation of the expression containing the function\n"
            "({name}) will be abandoned.\n"
            "When the function is done executing, GDB will silently stop.")
_SIGNALED = ("The program being debugged was signaled while in a function called from GDB.\n"
             "GDB remains in the frame where the signal was received.\n"
             "To change this behavior use \"set unwindonsignal on\".\n"
             "Evaluation of the expression containing the function\n"
             "({name}) will be abandoned.\n"
             "When the function is done executing, GDB will silently stop.")
_EXITED = ("The program being debugged exited while in a function called from GDB.\n"
           "Evaluation of the expression containing the function\n"
           "({name}) will be abandoned.")

Report = Callable[[Stop], None]
CallHook = Callable[..., Value]


@dataclass
class DummyFrame:
    """A call the user's expression abandoned: what the program returns to."""
    tid: int
    ret_sp: int                  # rsp once the called function has returned
    saved: ptrace.UserRegs       # the thread's registers before the call
    saved_fp: ptrace.UserFPRegs
    step_over: bool
    pending_sig: int             # a signal the thread was to get: not during the call
    siginfo: ptrace.SigInfo | None = None   # what $_siginfo showed before the call
    bp: Breakpoint | None = None
    abandoned: bool = False      # the expression gave up on it: its return only restores


@dataclass
class _Callee:
    addr: int
    ftype: Type | None           # None: an integer used as an address
    ret: Type | None             # None: unknown (no debug info)
    name: str


class InferiorCalls:
    """Calls into the traced program (worker thread). `call_function` is the hook
    C expressions use (symbols/cexpr/compile.py, the "call" node)."""

    def __init__(self, target: Target, bps: Manager, proc: ProcessControl, frames: Frames,
                 stepper: Stepper) -> None:
        self.target = target
        self.bps = bps
        self.proc = proc
        self.frames = frames
        self.stepper = stepper
        self.report: Report = lambda stop: None      # the Reporter's report (debugger.py)
        self.dummies: list[DummyFrame] = []

    # ---- the hook ------------------------------------------------------------------------
    def call_function(self, callee: Value, args: list[Value], env: object = None,
                      return_type: Type | None = None) -> Value:
        """Call `callee` with `args` in the current thread; `return_type` is the type of a
        cast around the call (`(int) puts("hi")`), needed where the callee has none."""
        t = self.target
        if t.inf is None or not t.alive:
            raise ExpressionError("You can't do that without a process to debug.")
        c = self._callee(callee)
        ret = c.ret if c.ret is not None else return_type
        if ret is None:
            raise ExpressionError(f"'{c.name}' has unknown return type; "
                                  "cast the call to its declared return type")
        params = c.ftype.params if c.ftype is not None else []
        if len(args) < len(params):
            raise ExpressionError("Too few arguments in function call.")
        prototyped = c.ftype is not None and c.ftype.prototyped
        coerced = [self._coerce(a, params[i] if i < len(params) and prototyped else None)
                   for i, a in enumerate(args)]
        return self._run_call(c, coerced, ret)

    # ---- what is called ------------------------------------------------------------------
    def _callee(self, v: Value) -> _Callee:
        t = v.type.strip()
        if t.kind == "pointer" and t.target is not None and t.target.strip().kind == "func":
            addr, ftype = v.as_int() & _MASK, t.target.strip()
        elif t.kind == "func":
            if v.address is None:
                raise ExpressionError("Invalid data type for function to be called.")
            addr, ftype = v.address, t
        elif t.kind in ("int", "bool", "enum") and not t.is_char:
            addr = v.as_int() & _MASK              # gdb: an integer is a function's address
            return _Callee(addr, None, None, self._name(addr))
        else:
            raise ExpressionError("Invalid data type for function to be called.")
        nodebug = ftype.name in (_NODEBUG_TEXT, _NODEBUG_IFUNC)
        if ftype.name == _NODEBUG_IFUNC:
            addr = self._resolve_ifunc(addr)
        return _Callee(addr, None if nodebug else ftype, None if nodebug else ftype.target,
                       self._name(addr))

    def _name(self, addr: int) -> str:
        """gdb's get_function_name: the function's name, or "at 0x<hex>" (gdb's
        RAW_FUNCTION_ADDRESS_FORMAT puts 0x before a hex string that has one)."""
        prog = self.target.prog
        name = prog.function_name(addr)
        rng = prog.function_range(addr)
        if name is not None and rng is not None and rng[0] == addr:
            return name
        sym = prog.symbolize(addr)
        if sym is not None and "+" not in sym:
            return sym
        return f"at 0x{addr:#x}"

    def _resolve_ifunc(self, resolver: int) -> int:
        """An indirect function's target: its resolver's answer (gdb calls it too),
        given AT_HWCAP as glibc's resolvers are."""
        hwcap = 0
        try:
            with open(f"/proc/{self.target.process.pid}/auxv", "rb") as f:
                words = eightbytes(f.read())
            hwcap = next((words[i + 1] for i in range(0, len(words) - 1, 2)
                          if words[i] == _AT_HWCAP), 0)
        except OSError:
            pass
        got = self._run_call(_Callee(resolver, None, None, self._name(resolver)),
                             [Value.from_int(ULONG, hwcap)], pointer_to(INT))
        return got.as_int() & _MASK

    # ---- arguments -----------------------------------------------------------------------
    def _coerce(self, a: Value, param: Type | None) -> Value:
        """gdb's value_arg_coerce: to the parameter's type, or C's default promotions."""
        at = a.type.strip()
        if at.kind == "array" and a.address is None:
            a = self._to_memory(a)
        if param is not None:
            pt = param.strip()
            if pt.kind in ("struct", "union", "class") and at.kind == pt.kind and at.size == pt.size:
                return Value(param, a.data)
            if pt.kind == "pointer" and at.kind in ("array", "func"):
                return Value.from_int(param, a.address or 0)
            return cast(a, param)
        if at.kind in ("array", "func"):
            return Value.from_int(pointer_to(at.target if at.kind == "array" and at.target else a.type),
                                  a.address or 0)
        if at.kind == "float" and at.size < 8:
            return cast(a, DOUBLE)
        if at.kind in ("int", "bool", "enum", "flags") and at.size < 4:
            return cast(a, INT)
        return a

    def _to_memory(self, a: Value) -> Value:
        """A value that lives only in tdbg (a string literal) copied into the program's
        heap by its own malloc, as gdb does."""
        data = a.data
        malloc = self._function("malloc")
        if malloc is None:
            raise ExpressionError('evaluation of this expression requires the program to have a '
                                  'function "malloc".')
        block = self._run_call(_Callee(malloc, None, None, "malloc"),
                               [Value.from_int(ULONG, len(data))], pointer_to(INT))
        addr = block.as_int() & _MASK
        if not addr:
            raise ExpressionError("No memory available to program: call to malloc failed")
        self.target.write_memory(addr, data)
        return Value(a.type, data, addr, self.target.read_memory)

    def _function(self, name: str) -> int | None:
        prog = self.target.prog
        try:
            prog.relocate(self.target.process.maps())    # libraries mapped since the last look
        except (OSError, TdbgError):
            pass
        # the dynamic loader's own minimal allocator is not the program's
        objfiles = sorted(prog.objfiles, key=lambda o: "/ld-linux" in o.display_path)
        for o in objfiles:
            s = o.elf.symbol(name)
            if s is not None and s.addr and s.kind == "func" and "@" not in s.name:
                return int(s.addr + o.bias)
        return None

    # ---- the call ------------------------------------------------------------------------
    def _run_call(self, c: _Callee, args: list[Value], ret: Type) -> Value:
        t = self.target
        inf = t.require_inferior()
        tid = t.tid
        th = inf.threads[tid]
        saved = copy_regs(inf.regs(tid))
        saved_fp = inf.fpregs(tid)
        regs, fp = copy_regs(saved), copy_fp(saved_fp)
        # below the red zone, aligned, then 16 more where gdb keeps its on-stack dummy
        # breakpoint (i386_push_dummy_code): the callee's frame lies where gdb's would
        sp = ((saved.rsp - RED_ZONE) & ~15) - 16
        struct_ret: int | None = None
        if returned_in_memory(ret):                        # rdi points where it goes
            sp = (sp - ret.strip().size) & ~15
            struct_ret = sp
        ints: list[int] = [struct_ret] if struct_ret is not None else []
        sses: list[bytes] = []
        stack: list[bytes] = []
        for a in args:
            place(a, ints, sses, stack)
        total = sum(len(s) for s in stack)
        sp = (sp - total) & ~15
        at = sp
        for chunk in stack:
            inf.write(at, chunk)
            at += len(chunk)
        entry = self._dummy_address()
        sp -= 8
        inf.write(sp, entry.to_bytes(8, "little"))
        for name, value in zip(INT_REGS, ints, strict=False):
            setattr(regs, name, value & _MASK)
        for i, data in enumerate(sses):
            set_xmm(fp, i, data)
        regs.rax = len(sses)
        regs.rsp = sp
        regs.rip = c.addr
        regs.orig_rax = _MASK          # no syscall restart (gdb's amd64_linux_write_pc)
        inf.set_regs(tid, regs)
        ptrace.set_fpregs(tid, fp)
        dummy = DummyFrame(tid, sp + 8, saved, saved_fp, th.step_over, th.pending_sig,
                           siginfo(tid))
        dummy.bp = self.bps.set_breakpoint(entry, registered=False,
                                           check=lambda tid: self._returned(dummy, tid))
        dummy.bp.kind = "call dummy"       # exec/report.py may tell its return by this
        self.dummies.append(dummy)
        self.frames.forget()
        # gdb's infcall_suspend_state: the call runs without the stop's signal, which the
        # thread gets back afterwards
        th.step_over, th.pending_sig = False, 0
        stop = self._resume_at(tid, c.addr)
        if stop.kind == StopKind.BREAKPOINT and dummy.bp is not None and dummy.bp in stop.hit \
                and all(not b.registered for b in stop.hit):
            return self._returned_value(dummy, ret, struct_ret)
        dummy.abandoned = True
        if dummy.bp is not None:
            dummy.bp.temporary = True
        raise self._abandon(stop, c.name)

    def _dummy_address(self) -> int:
        main = self.target.prog.main
        return int(main.elf.entry + main.bias)

    def _resume_at(self, tid: int, pc: int) -> Stop:
        """Run from a pc just written: a user breakpoint right there is hit at once (gdb
        does not step over a breakpoint at a new pc), else continue. Not a stepping
        command: only `set scheduler-locking on` keeps the other threads back."""
        ctl = self.proc.ctl
        if pc in self.bps.sites:
            ctl.reasons.cont_tid = tid
            hit = ctl.reasons.evaluate_hit(tid, pc, owner=tid)
            if hit is not None:
                return hit
            ctl.inf.threads[tid].step_over = True
        locked = getattr(ctl, "locked", None)
        if locked is None:
            return ctl.cont(tid)
        settings = self.target.settings
        ctl.locked = lambda: getattr(settings, "scheduler_locking", "replay") == "on"
        try:
            return ctl.cont(tid)
        finally:
            ctl.locked = locked

    def _returned(self, dummy: DummyFrame, tid: int) -> bool:
        """The dummy breakpoint's check: this call (not a deeper one) came back."""
        inf = self.target.inf
        if inf is None or tid != dummy.tid or inf.regs(tid).rsp != dummy.ret_sp:
            return False
        if dummy.abandoned:
            # Back to before the call; the breakpoint is temporary by now, so the hit
            # consumes it (no deleting while the hit is being evaluated). The stop about
            # to be reported is gdb's silent one.
            self.stepper.call_returned = (tid, copy_regs(inf.regs(tid)), inf.fpregs(tid))
            self._restore(dummy)
            self.stepper.quiet_stop_id = self.target.stop_id + 1
        return True

    def _returned_value(self, dummy: DummyFrame, ret: Type, struct_ret: int | None) -> Value:
        inf = self.target.require_inferior()
        if struct_ret is not None:
            value = Value(ret, self.target.read_memory(struct_ret, ret.size))
        else:
            value = read_return(ret, inf.regs(dummy.tid), inf.fpregs(dummy.tid),
                                self.target.read_memory)
        self._pop_dummy(dummy)
        return value

    def _pop_dummy(self, dummy: DummyFrame) -> None:
        """Registers as they were before the call; the dummy breakpoint goes."""
        self._restore(dummy)
        bp = dummy.bp
        if bp is not None and bp.id in self.bps.bps:
            self.bps.delete_breakpoint(bp.id)

    def _restore(self, dummy: DummyFrame) -> None:
        inf = self.target.require_inferior()
        inf.set_regs(dummy.tid, copy_regs(dummy.saved))
        ptrace.set_fpregs(dummy.tid, dummy.saved_fp)
        th = inf.threads.get(dummy.tid)
        if th is not None:
            th.step_over, th.pending_sig = dummy.step_over, dummy.pending_sig
        if dummy.siginfo is not None:
            try:
                ptrace.call(ptrace.SETSIGINFO, dummy.tid, 0, ctypes.addressof(dummy.siginfo))
            except TdbgError:
                pass
        if dummy in self.dummies:
            self.dummies.remove(dummy)
        self.frames.forget()

    def _abandon(self, stop: Stop, name: str) -> ExpressionError:
        """The call did not come back: report the stop; the error abandons the expression."""
        if stop.gone:
            self.dummies.clear()
            self.report(stop)
            return ExpressionError(_EXITED.format(name=name))
        self.report(stop)
        if stop.kind in (StopKind.SIGNAL, StopKind.INTERRUPTED, StopKind.TRAP):
            return ExpressionError(_SIGNALED.format(name=name))
        return ExpressionError(_STOPPED.format(name=name))

    # ---- the unwinder's view ----------------------------------------------------------
    def dummy_regs(self, pc: int, sp: int) -> dict[str, int] | None:
        """Frames.dummy_regs: a caller frame at (pc, sp) is an abandoned call's return
        (gdb's "<function called from gdb>"): the registers saved before that call,
        whose frames lie beneath it."""
        if not self.dummies or pc != self._dummy_address():
            return None
        tid = self.target.tid
        for d in reversed(self.dummies):
            if d.tid == tid and d.ret_sp == sp:
                return {n: getattr(d.saved, n) for n in ptrace.REG_NAMES}
        return None

    # ---- `return` from a called function -----------------------------------------------
    def pop_if_dummy(self) -> bool:
        """After `return`: if the program now sits at an abandoned call's return, that call
        frame goes too (gdb's return_command pops a DUMMY_FRAME)."""
        inf = self.target.inf
        if inf is None or not self.dummies:
            return False
        tid = self.target.tid
        regs = inf.regs(tid)
        for d in reversed(self.dummies):
            if d.tid == tid and regs.rip == self._dummy_address() and regs.rsp == d.ret_sp:
                self._pop_dummy(d)
                return True
        return False

    def forget(self) -> None:
        """A new process: no call of the old one is waiting."""
        self.dummies.clear()
