"""gdb's `return [EXPR]`: pop the selected frame without running it.

The caller's registers come from the unwinder (symbols/frames.py: rsp is the popped
frame's CFA, rip its return address, the callee-saved ones from the CFI); every other
register keeps its value, as gdb's frame_pop treats them. EXPR is converted to the
function's return type and stored where the caller expects it (rax/rdx, xmm0/xmm1 by
the SysV classification). A call abandoned by an expression (exec/infcall.py) whose
frame is popped this way takes its dummy frame with it, as gdb does.

Two steps, because gdb asks before it acts (when a person typed the command): `plan`
evaluates EXPR once and says what would be asked; `pop` does it.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import CommandError, ExpressionError
from ..inspect.evaluate import Evaluator
from ..inspect.frames import Frames, VFrame
from ..process import ptrace
from ..program.target import Target
from ..symbols.cexpr.ops import cast
from ..symbols.cexpr.parse import Parser
from ..symbols.return_values import _classify
from ..symbols.types import Type
from ..symbols.values import Value
from .infcall import InferiorCalls

_MASK = (1 << 64) - 1
_IGNORED = ("The location at which to store the function's return value is unknown.\n"
            "If you continue, the return value that you specified will be ignored.\n")


@dataclass
class ReturnPlan:
    stop_id: int
    level: int
    question: str             # gdb's query, asked only when a person typed the command
    value: Value | None       # what the caller gets, already of the return type


class FrameReturn:
    def __init__(self, target: Target, frames: Frames, evaluator: Evaluator,
                 calls: InferiorCalls) -> None:
        self.target = target
        self.frames = frames
        self.evaluator = evaluator
        self.calls = calls

    def plan(self, expr: str | None) -> ReturnPlan:
        t = self.target
        if t.inf is None or not t.alive or t.stop is None:
            raise CommandError("No selected frame.")
        level = t.selected_frame
        frames = self.frames.unwind(limit=level + 2)
        if frames and frames[0].inline:
            raise CommandError("Can not force return from an inlined function.")
        if level >= len(frames):
            raise CommandError("No selected frame.")
        frame = frames[level]
        func = self._function(frame)
        name = frame.function if func is not None else None
        value: Value | None = None
        prefix = ""
        if expr is not None and expr.strip():
            value = self.evaluator.evaluate_value(expr, level)
            rtype = func.target if func is not None else None
            if rtype is None:
                env = self.evaluator.env(level)
                if Parser(expr, lambda n: env.lookup_type(n) is not None).parse()[0] != "cast":
                    raise CommandError("Return value type not available for selected stack frame.\n"
                                       "Please use an explicit cast of the value to return.")
                rtype = value.type
            value = cast(value, rtype)
            value.fetch()
            if rtype.strip().kind == "void":
                value = None
            elif func is not None and self._in_memory(rtype):
                prefix, value = _IGNORED, None
        what = f"Make {name} return now? " if name else "Make selected stack frame return now? "
        return ReturnPlan(t.stop_id, level, prefix + what, value)

    def pop(self, plan: ReturnPlan) -> None:
        t = self.target
        if t.stop_id != plan.stop_id or not t.alive:
            raise CommandError("The program moved since `return' was asked.")
        real = self.frames.unwind_real(limit=self.frames.frame(plan.level).real_level + 2)
        at = self.frames.frame(plan.level).real_level
        if at + 1 >= len(real):
            raise CommandError("Only one stack frame.")
        caller = real[at + 1]
        inf = t.require_inferior()
        tid = t.tid
        regs = ptrace.UserRegs.from_buffer_copy(inf.regs(tid))   # the cache stays as is on error
        for name in ("rbx", "rbp", "r12", "r13", "r14", "r15", "rsp", "rip"):
            if name in caller.regs:
                setattr(regs, name, caller.regs[name] & _MASK)
        regs.orig_rax = _MASK           # no syscall restart at the new pc
        fp = None
        if plan.value is not None:
            fp = self._store(plan.value, regs, inf.fpregs(tid))
        inf.set_regs(tid, regs)
        if fp is not None:
            ptrace.set_fpregs(tid, fp)
        th = inf.threads.get(tid)
        if th is not None:
            th.step_over = False        # no longer at the breakpoint it stopped on
        self.frames.forget()
        self.calls.pop_if_dummy()

    # ---- helpers ------------------------------------------------------------------------
    def _function(self, frame: VFrame) -> Type | None:
        """The frame's function type (gdb's thisfun), None without debug info."""
        prog = self.target.prog
        o = prog.objfile_for(frame.lookup_pc)
        if o is None or o.debug is None or frame.function is None or \
                o.debug.function_at(frame.lookup_pc - o.bias) is None:
            return None
        try:
            env = self.evaluator.env(frame.level)
            v = env.lookup(frame.function)
        except (ExpressionError, CommandError):
            return None
        if v is None or v.type.strip().kind != "func":
            return None
        return v.type.strip()

    @staticmethod
    def _in_memory(t: Type) -> bool:
        s = t.strip()
        return s.kind in ("struct", "union", "class", "complex") and _classify(s) is None

    @staticmethod
    def _store(value: Value, regs: ptrace.UserRegs, fp: ptrace.UserFPRegs) -> ptrace.UserFPRegs:
        """Where a function of this type leaves its value (amd64_return_value's write)."""
        s = value.type.strip()
        data = value.data
        if s.kind == "float" and s.size > 8:
            _store_st0(fp, data[:10])
            return fp
        if s.kind in ("struct", "union", "class", "complex"):
            classes = _classify(s) or []
            if "X87" in classes:                   # struct { long double x; }
                _store_st0(fp, data[:10])
                return fp
        else:
            classes = ["SSE" if s.kind == "float" else "INTEGER"]
        ints, sses = iter(("rax", "rdx")), iter((0, 1))
        for i, cls in enumerate(classes):
            # Only the bytes the value has: the rest of the register keeps its value, as
            # gdb's amd64_return_value writes them (raw_write_part).
            word = data[8 * i:8 * i + 8]
            keep = ~((1 << (8 * len(word))) - 1) & _MASK
            n = int.from_bytes(word, "little")
            if cls == "INTEGER":
                reg = next(ints)
                setattr(regs, reg, (getattr(regs, reg) & keep) | n)
            else:
                x = next(sses)
                low = (fp.xmm_space[x * 4] | fp.xmm_space[x * 4 + 1] << 32) & keep | n
                fp.xmm_space[x * 4], fp.xmm_space[x * 4 + 1] = low & 0xFFFFFFFF, low >> 32
        return fp


def _store_st0(fp: ptrace.UserFPRegs, ten: bytes) -> None:
    """A long double return in st0, the x87 stack as a function leaves it: gdb's
    i387_return_value sets TOP to 7 (st0 is then physical register 7) and only that
    register valid (FXSAVE's abridged tag word: one bit per physical register)."""
    raw = ten.ljust(16, b"\0")
    for k in range(4):
        fp.st_space[k] = int.from_bytes(raw[4 * k:4 * k + 4], "little")
    fp.swd = (fp.swd & ~0x3800) | (7 << 11)
    fp.ftw = 0x80
