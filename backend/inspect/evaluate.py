"""C expressions over the live tracee: the EvalEnv for a frame, conditions, print.

cexpr parses and evaluates; this module supplies what it reads: registers of
the selected frame, memory with breakpoint bytes shadowed, and names resolved
through the frame's DWARF scopes (see variables.py).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import CommandError, ExpressionError, NotRunning, TdbgError
from ..program.target import Target
from ..symbols import cexpr
from ..symbols.dwarf.expr import Unavailable
from ..symbols.nodebug import nodebug_type_text
from ..symbols.type_names import ptype_text, whatis_text
from ..symbols.value_format import char_literal, format_value
from ..symbols.values import Value
from . import frame0_names
from .frame_env import FrameScope
from .frames import Frames, VFrame
from .minsyms import FileEnv, minimal_symbol_text, minimal_symbol_value, missing_symbol
from .siginfo import siginfo_value
from .user_values import record_examined
from .variables import Variables

if TYPE_CHECKING:
    from ..symbols.cexpr.env import EvalEnv
    from ..symbols.types import Type

# sub-registers cexpr may ask for by name ($eax, $ax, $al ...)
_SUB: dict[str, tuple[str, int]] = {}
for _r64, _r32, _r16, _r8 in (("rax", "eax", "ax", "al"), ("rbx", "ebx", "bx", "bl"),
                              ("rcx", "ecx", "cx", "cl"), ("rdx", "edx", "dx", "dl"),
                              ("rsi", "esi", "si", "sil"), ("rdi", "edi", "di", "dil"),
                              ("rbp", "ebp", "bp", "bpl"), ("rsp", "esp", "sp", "spl")):
    _SUB[_r32], _SUB[_r16], _SUB[_r8] = (_r64, 32), (_r64, 16), (_r64, 8)
for _i in range(8, 16):
    _SUB[f"r{_i}d"], _SUB[f"r{_i}w"], _SUB[f"r{_i}b"] = (f"r{_i}", 32), (f"r{_i}", 16), (f"r{_i}", 8)
_ALIAS = {"pc": "rip", "sp": "rsp", "fp": "rbp"}


class FrameEnv:
    """cexpr.EvalEnv over frame `level` of thread `tid` of the live tracee."""

    def __init__(self, ev: Evaluator, tid: int, level: int = 0) -> None:
        # Built per condition check: plain attributes, no property chains on the hot path.
        self.target, self.frames, self.variables = ev.target, ev.frames, ev.variables
        self.tid, self.level = tid, level
        self._frame: VFrame | None = None
        self._scope: FrameScope | None = None
        self.convenience: dict[str, Value] = ev.target.convenience
        self.call_function: Callable[..., Value] | None = None

    # registers ----------------------------------------------------------------------
    def _regs(self) -> dict[str, int] | None:
        if self.level == 0:
            return None
        if self._frame is None:
            self._frame = self.frames.frame(self.level)
        return self._frame.regs

    def reg(self, name: str) -> int:
        name = _ALIAS.get(name, name)
        base, bits = _SUB.get(name, (name, 64))
        regs = self._regs()
        if regs is None:
            inf = self.target.inf
            if inf is None:
                raise NotRunning()
            r = inf.regs(self.tid)
            try:
                v: int = getattr(r, base)
            except AttributeError:
                raise ExpressionError(f"Invalid register `{name}'") from None
        else:
            if base not in regs:
                raise Unavailable(f"register {base} is not saved in frame {self.level}")
            v = regs[base]
        return v & ((1 << bits) - 1)

    def write_reg(self, name: str, value: int) -> None:
        if self.level != 0:
            raise ExpressionError("Writing registers of outer frames is not supported.")
        name = _ALIAS.get(name, name)
        base, bits = _SUB.get(name, (name, 64))
        if bits != 64:
            old = self.reg(base)
            mask = (1 << bits) - 1
            value = (old & ~mask) | (value & mask)
        self.target.set_register(base, value)

    # memory ---------------------------------------------------------------------------
    def read(self, addr: int, n: int) -> bytes:
        return self.target.read_memory(addr, n)

    def write(self, addr: int, data: bytes) -> None:
        self.target.write_memory(addr, data)

    def symbolize(self, addr: int) -> str | None:
        return self.target.prog.symbolize(addr)

    # names ----------------------------------------------------------------------------
    def scope(self) -> FrameScope:
        if self._scope is None:
            self._scope = self.variables.env_for(self.tid, self.level)
        return self._scope

    def lookup(self, name: str, scope: str | None = None) -> Value | None:
        if self.level == 0 and scope is None and self._scope is None:
            v = frame0_names.lookup(self.target, self.frames, self.tid, name)
            if v is not frame0_names.SLOW:
                return v
        return self.scope().lookup(name, scope)

    def lookup_type(self, name: str) -> Type | None:
        return self.scope().lookup_type(name)

    # the user's values: optional parts of an EvalEnv, read only by `$` and slow paths ----
    @property
    def history(self) -> list[str]:
        return self.target.value_history

    def minimal_symbol(self, name: str) -> Value | None:
        env = self.scope().env
        if env is not None:
            return env.minimal_symbol(name)
        v = minimal_symbol_value(self.target.prog, name, self.read)
        if v is None:
            raise missing_symbol(self.target.prog, name)
        return v

    def siginfo(self) -> Value | None:
        return siginfo_value(self.tid, self.read) if self.target.alive else None

    def thread_ids(self) -> tuple[int, int]:
        """gdb's $_thread (this thread's number, 0 without a process) and $_inferior."""
        inf = self.target.inf
        th = inf.threads.get(self.tid) if inf is not None and self.target.alive else None
        return (th.num if th is not None else 0), self.target.inferior_num()


class Evaluator:
    """C expressions in the selected frame: print, ptype, conditions (worker thread)."""

    def __init__(self, target: Target, frames: Frames, variables: Variables) -> None:
        self.target = target
        self.frames = frames
        self.variables = variables
        self._values_shown = 1          # where `show values +` goes on
        # exec/infcall.py's hook, set by debugger.py (exec is above inspect)
        self.call_function: Callable[..., Value] | None = None

    def env(self, level: int | None = None) -> EvalEnv:
        if not self.target.alive:
            env = self.variables.env_for(0, 0).env    # no process: globals from the file
            if env is None:                           # no debug info: ELF symbols, `$` values
                return FileEnv(self.target.prog, self.target.convenience, self.target.value_history)
            return env
        frame_env = FrameEnv(self, self.target.tid,
                             self.target.selected_frame if level is None else level)
        # print/call may call the program's functions; conditions build their own FrameEnv
        # without the hook, since a call would re-enter the stop being decided
        frame_env.call_function = self.call_function
        return frame_env

    def evaluate_value(self, text: str, level: int | None = None) -> Value:
        if not text.strip():
            raise ExpressionError("Argument required (expression to compute).")
        try:
            return cexpr.evaluate(text, self.env(level))
        except Unavailable as e:
            raise ExpressionError(f"value is not available: {e}") from None

    def evaluate_text(self, text: str) -> str:
        return self._text(self.evaluate_value(text))

    def _text(self, v: Value) -> str:
        symbolize = self.target.prog.symbolize
        special = minimal_symbol_text(v, symbolize)
        if special is not None:
            return special
        return format_value(v, self.target.read_memory if self.target.alive else None, symbolize)

    def evaluate_address(self, text: str) -> int:
        """An address operand (x, info symbol, disassemble): numbers, $regs, &vars, pointers."""
        text = text.strip()
        if not text:
            raise CommandError("Argument required (starting display address).")
        try:
            return int(text, 0)
        except ValueError:
            pass
        v = self.evaluate_value(text)
        t = v.type.strip()
        if t.kind in ("array", "func") and v.address is not None:
            return v.address
        try:
            return v.as_int() & 0xFFFFFFFFFFFFFFFF
        except TdbgError as e:
            raise ExpressionError(str(e)) from None

    def formatted(self, text: str, fmt: str | None = None) -> tuple[Value, str]:
        """The value of `text` and its text in print's format `fmt` (None: natural)."""
        v = self.evaluate_value(text)
        if fmt and v.type.strip().kind in ("struct", "union", "class", "array"):
            # gdb applies /FMT to every scalar inside (`p/x a_struct`)
            t = self.target
            return v, format_value(v, t.read_memory if t.alive else None, t.prog.symbolize, fmt=fmt)
        if fmt:
            return v, _format_as(v, fmt)
        return v, self._text(v)

    def print_text(self, text: str, fmt: str | None = None) -> str:
        v, body = self.formatted(text, fmt)
        self.target.value_history.append(body)
        self.target.convenience[f"${len(self.target.value_history)}"] = v
        return f"${len(self.target.value_history)} = {body}"

    def ptype_text(self, text: str) -> str:
        env = self.env()
        t, named = cexpr.type_of(text, env)
        return f"type = {nodebug_type_text(t, True) or ptype_text(t)}"

    def whatis_text(self, text: str) -> str:
        t, named = cexpr.type_of(text, self.env())
        return f"type = {nodebug_type_text(t, False) or whatis_text(t, named)}"

    def show_values_text(self, arg: str = "") -> str:
        """gdb's `show values [N|+]`: ten history values, the last ten, those around N,
        or (with +) the ten after the ones shown before; each printed anew."""
        size = len(self.target.value_history)
        arg = arg.strip()
        if not arg:
            start = size - 9
        elif arg == "+":
            start = self._values_shown
        else:
            start = self.evaluate_value(arg).as_int() - 5
        start = max(start, 1)
        conv = self.target.convenience
        lines = [f"${i} = {self._text(conv[f'${i}'])}" for i in range(start, min(start + 10, size + 1))
                 if f"${i}" in conv]
        self._values_shown = start + 10
        return "\n".join(lines)

    def examined(self, addr: int, fmt: str, unit: str, count: int) -> None:
        """After `x`: gdb's `$_` and `$__` (user_values.py)."""
        record_examined(self.target, addr, fmt, unit, count)

    def compile_condition(self, text: str) -> Callable[[int], bool]:
        cexpr.parse(text)         # a syntax error is reported when the breakpoint is set

        def check(tid: int) -> bool:
            env = FrameEnv(self, tid, 0)
            try:
                return cexpr.evaluate_condition(text, env)
            except Unavailable as e:
                raise ExpressionError(str(e)) from None
        return check


def _format_as(v: Value, fmt: str) -> str:
    t = v.type.strip()
    size = t.size or 8
    if t.kind == "float" and fmt in "xduot":
        # gdb 13's print_scalar_formatted: a float's bytes in these formats, its value in /c /a
        # an x87 long double is 10 bytes in its 16
        n = int.from_bytes(v.data[:10 if size == 16 and t.name == "long double" else size], "little")
    else:
        n = v.as_int()
    n &= (1 << (8 * size)) - 1
    if fmt == "x":
        return hex(n)
    if fmt == "d":
        return str(n - (1 << (8 * size)) if n >> (8 * size - 1) else n)
    if fmt == "u":
        return str(n)
    if fmt == "o":
        return f"0{n:o}"
    if fmt == "t":
        return f"{n:b}"
    if fmt == "c":
        return f"{n} {char_literal(n & 0xFF)}"
    if fmt == "a":
        return f"{n:#x}"
    raise CommandError(f'Undefined output format "{fmt}".')

