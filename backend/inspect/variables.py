"""Names in a frame: the bridge from a live frame to the DWARF scope layer.

For frame N of a thread: find its object file and function DIE, build the
expression context (registers, CFA, DW_AT_frame_base) and hand both to
scopes.FrameEnv, which resolves locals (innermost block first), file statics
and globals. Everything a pane or `info locals` shows comes through here.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import BadAddress, CommandError, ExpressionError, TdbgError
from ..events import PRESENCE, Variable
from ..process.ptrace import REG_NAMES
from ..program.target import Target
from ..symbols.dwarf.expr import Unavailable, location_expression
from ..symbols.return_values import return_value
from ..symbols.type_names import type_name
from ..symbols.types import AGGREGATES
from ..symbols.value_format import format_value
from ..symbols.values import MAX_VALUE_SIZE, Value, has_children
from ..symbols.values import children as value_children
from .entry_substitute import register_of
from .entry_values import EntryValues
from .frame_env import EntryFrameEnv, FrameScope, build_env
from .frame_regs import FrameRegs, fp_registers
from .frames import Frames

if TYPE_CHECKING:
    from ..symbols.scopes import Variable as DwarfVariable
    from ..symbols.types import Type

_GP = frozenset(REG_NAMES)


def unreadable(val: Value) -> str | None:
    """Why the variable itself cannot be read (its location or its bytes), or None. A
    member or element that cannot be read is the value printer's "<error: ...>"."""
    if val.error is not None:
        return None if val.error.startswith("<") else val.error
    if val.type.strip().size > MAX_VALUE_SIZE:
        return None
    try:
        _ = val.data                    # the bytes: a lazy value reads them now
    except BadAddress as e:
        return str(e)
    except TdbgError:
        return None
    return None


def _aggregate(t: Type) -> bool:
    """Not a scalar in gdb's sense: a struct, union, class or array (through references)."""
    t = t.strip()
    while t.kind in ("ref", "rvref") and t.target is not None:
        t = t.target.strip()
    return t.kind in AGGREGATES or t.kind == "array"


_SIMPLE = re.compile(r"^[A-Za-z_$][\w$]*(\[\d+\]|\.[A-Za-z_]\w*|->[A-Za-z_]\w*)*$")


def child_expr(expr: str, label: str) -> str:
    base = expr if _SIMPLE.match(expr) else f"({expr})"
    if label == "*":
        return f"*{base}"
    if label.startswith("["):
        return f"{base}{label}"
    return f"{base}.{label}"


class Variables:
    """Locals, arguments and values of the selected frame (worker thread)."""

    def __init__(self, target: Target, frames: Frames) -> None:
        self.target = target
        self.frames = frames
        self.entry = EntryValues(target, frames)
        # gdb's `set print frame-arguments`: scalars (gdb's default), all, none or presence
        self.frame_arguments = "scalars"

    def _env(self, tid: int, level: int) -> EntryFrameEnv | None:
        return build_env(self.target, self.frames, self.entry.entry_register, tid, level)

    def env_for(self, tid: int, level: int) -> FrameScope:
        """Name lookup for one frame, built when first asked (evaluate.py's FrameEnv)."""
        return FrameScope(self.target, self.frames, self.entry.entry_register, tid, level)

    def _frame_env(self, level: int | None = None) -> EntryFrameEnv:
        level = self.target.selected_frame if level is None else level
        env = self._env(self.target.tid, level)
        if env is None:
            raise CommandError("No symbol table info available.")
        return env

    def _fmt(self, env: EntryFrameEnv, v: Value, top: bool) -> str:
        return format_value(v, env.read, env.symbolize, top=top)

    def frame_args(self, level: int) -> list[tuple[str, str]]:
        """(name, value) for a frame line; gdb's `print entry-values default`: a
        parameter still equal to its value at entry shows as `v=v@entry=5`, one that
        changed as `v=6, v@entry=5`."""
        env = self._env(self.target.tid, level)
        if env is None:
            return []
        args, _ = env.variables()
        out: list[tuple[str, str]] = []
        mode = self.frame_arguments
        if mode == "presence":
            return [PRESENCE] if args else []
        for a in args:
            # gdb's print_frame_arg: "..." for what the mode does not print, and then
            # no entry value either
            if mode == "none" or (mode == "scalars" and _aggregate(a.type)):
                out.append((a.name, "..."))
                continue
            val = env.value_of(a)
            why = unreadable(val)
            if why is not None:                 # gdb's read_frame_arg, failing
                out.append((a.name, f"<error reading variable: {why}>"))
                continue
            # gdb's print_frame_arg never prints pretty, whatever `set print pretty` says
            text = format_value(val, env.read, env.symbolize, top=False, pretty=False)
            entry = self._entry_arg(env, a, level)
            if entry is None:
                out.append((a.name, text))
                continue
            etext = format_value(entry, env.read, env.symbolize, top=False, pretty=False)
            if not val.is_optimized_out() and _same_bytes(val, entry):
                out.append((a.name, f"{a.name}@entry={etext}"))
            else:
                out += [(a.name, text), (f"{a.name}@entry", etext)]
        return out

    def _entry_arg(self, env: EntryFrameEnv, var: DwarfVariable, level: int) -> Value | None:
        """The parameter's value at function entry: its location at the function's
        entry must be a register the caller's call site describes."""
        if not self.target.alive or env.cu_offset is None or var.location is None:
            return None
        try:
            frame = self.frames.frame(level)
            if getattr(frame, "inline", False):
                return None
            o = self.target.prog.objfile_for(frame.lookup_pc)
            f = o.debug.function_at(frame.lookup_pc - o.bias) if o and o.debug else None
            if f is None:
                return None
            expr = location_expression(var.location, var.die, env.scopes.dwarf, f.ranges[0][0])
            reg = register_of(expr)
            if reg is None:
                return None
            n = self.entry.entry_register(level, reg)
        except (TdbgError, Unavailable, LookupError, ValueError):
            return None
        if n is None:
            return None
        t = var.type
        size = t.strip().size or t.size
        return Value(t, (n & ((1 << (8 * size)) - 1)).to_bytes(size, "little"))

    def _listing(self, which: int, empty: str) -> str:
        """`info locals` (which=1) / `info args` (which=0) of the selected frame."""
        if not self.target.alive:
            raise CommandError("No frame selected.")
        env = self._frame_env()
        if env.func_offset is None:
            raise CommandError("No symbol table info available.")
        names = env.variables()[which]
        if not names:
            return empty
        out = []
        for v in names:
            val = env.value_of(v)
            why = unreadable(val)
            # gdb's print_variable_and_value: the variable itself cannot be read
            text = f"<error reading variable {v.name} ({why})>" if why else self._fmt(env, val, False)
            out.append(f"{v.name} = {text}")
        return "\n".join(out)

    def locals_text(self) -> str:
        return self._listing(1, "No locals.")

    def args_text(self) -> str:
        return self._listing(0, "No arguments.")

    def variables(self) -> list[Variable]:
        """Arguments then locals of the selected frame, for the Locals pane."""
        env = self._env(self.target.tid, self.target.selected_frame)
        if env is None:
            return []
        args, local = env.variables()
        out: list[Variable] = []
        for var, is_arg in [(a, True) for a in args] + [(v, False) for v in local]:
            val = env.value_of(var)
            # a pane row is one line: `set print pretty` is for printed text only
            out.append(Variable(var.name, type_name(var.type),
                                format_value(val, env.read, env.symbolize, top=False, pretty=False),
                                var.name, _safe(has_children, val), is_arg))
        return out

    def children(self, expr: str, start: int = 0, count: int = 100) -> list[Variable]:
        env = self._frame_env()
        from ..symbols import cexpr
        try:
            val = cexpr.compile_expression(expr, env)(env)
        except Unavailable as e:
            raise ExpressionError(str(e)) from None
        out: list[Variable] = []
        for label, v in value_children(val, start, count):
            try:
                text = format_value(v, env.read, env.symbolize, top=False, pretty=False)
            except TdbgError as e:
                text = f"<error: {e}>"
            out.append(Variable(label, type_name(v.type), text, child_expr(expr, label),
                                _safe(has_children, v)))
        return out

    def return_value_text(self, func_pc: int) -> str | None:
        """After `finish`: gdb's `Value returned is $N = ...`, by the function's type."""
        prog = self.target.prog
        o = prog.objfile_for(func_pc)
        if o is None or o.debug is None:
            return None
        f = o.debug.function_at(func_pc - o.bias)
        if f is None:
            return None
        sc = o.scopes
        die = sc.die_at(f.cu_offset, f.die_offset)
        t = sc.type_of(die)
        if t.strip().kind == "void":
            return None
        inf, tid = self.target.process, self.target.tid
        regs = FrameRegs(self.target.registers(), lambda: fp_registers(inf, tid))
        try:
            v = return_value(t, lambda n: regs[n], self.target.read_memory)
            text = format_value(v, self.target.read_memory, prog.symbolize, top=True)
        except (TdbgError, KeyError):
            return None
        self.target.value_history.append(text)
        self.target.convenience[f"${len(self.target.value_history)}"] = v
        return f"Value returned is ${len(self.target.value_history)} = {text}"


def _same_bytes(a: Value, b: Value) -> bool:
    try:
        return a.data == b.data
    except TdbgError:
        return False


def _same_file(a: str, b: str) -> bool:
    import os
    return a == b or os.path.basename(a) == os.path.basename(b) and (a.endswith(b) or b.endswith(a))


def _safe(fn: Callable[..., object], *args: object) -> bool:
    try:
        return bool(fn(*args))
    except TdbgError:
        return False
