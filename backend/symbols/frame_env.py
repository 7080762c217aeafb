"""`FrameEnv`: the cexpr.EvalEnv of one frame (see cexpr/__init__.py).

Locals come first, then the frame's file statics and globals (scopes.py);
registers and memory go through callbacks the session supplies.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ExpressionError

if TYPE_CHECKING:
    from .dwarf.expr import ExprContext
    from .scopes import Scopes, Variable
    from .types import Type
    from .values import Value


class FrameEnv:
    """A cexpr.EvalEnv for one frame. `ctx` is the frame's expr.ExprContext
    (frames.FrameContext); `pc` is link-time. Locals are resolved once per env;
    their values are read at each lookup, so assignments show at once."""

    def __init__(self, scopes: Scopes, ctx: ExprContext, pc: int, cu_offset: int | None = None,
                 func_offset: int | None = None, *, read: Callable[[int, int], bytes] | None = None,
                 write: Callable[[int, bytes], None] | None = None,
                 write_reg: Callable[[str, int], None] | None = None,
                 symbolize: Callable[[int], str | None] | None = None,
                 convenience: dict[str, Value] | None = None) -> None:
        self.scopes, self.ctx, self.pc = scopes, ctx, pc
        self.cu_offset, self.func_offset = cu_offset, func_offset
        self.read: Callable[[int, int], bytes] = read or ctx.read
        self._write, self._write_reg = write, write_reg
        self._symbolize = symbolize
        self.convenience = convenience if convenience is not None else {}
        self._locals: dict[str, Variable] | None = None

    def _visible(self) -> dict[str, Variable]:
        if self._locals is None:
            self._locals = {}
            if self.cu_offset is not None and self.func_offset is not None:
                args, local = self.scopes.frame_variables(self.cu_offset, self.func_offset, self.pc)
                for v in (*local, *args):                # innermost first wins
                    self._locals.setdefault(v.name, v)
        return self._locals

    def variables(self) -> tuple[list[Variable], list[Variable]]:
        if self.cu_offset is None or self.func_offset is None:
            return [], []
        return self.scopes.frame_variables(self.cu_offset, self.func_offset, self.pc)

    def value_of(self, var: Variable) -> Value:
        return self.scopes.read_variable(var, self.ctx, self.pc, self.read)

    def lookup(self, name: str, scope: str | None = None) -> Value | None:
        var: Variable | None = None
        if scope is None:
            var = self._visible().get(name)
        elif (func := self.scopes.function_named(scope)) is not None and "." not in scope:
            for v in self.scopes.frame_variables(func.cu.cu_offset, func.offset, -1)[1]:
                if v.name == name and v.location is not None:
                    var = v                              # func::static_local
                    break
        if var is None:
            var = self.scopes.lookup_global(name, self.cu_offset,
                                            scope if scope and "." in scope else None)
        if var is None:
            return None
        value = self.value_of(var)
        value.type = self.scopes.complete(value.type, self.cu_offset)
        return value

    def lookup_type(self, name: str) -> Type | None:
        return self.scopes.lookup_type(name, self.cu_offset)

    def reg(self, name: str) -> int:
        return self.ctx.reg(name)

    def write(self, addr: int, data: bytes) -> None:
        if self._write is None:
            raise ExpressionError("Cannot write memory here (no live process).")
        self._write(addr, data)

    def write_reg(self, name: str, value: int) -> None:
        if self._write_reg is None:
            raise ExpressionError("Cannot write registers here (no live process).")
        self._write_reg(name, value)

    def symbolize(self, addr: int) -> str | None:
        return self._symbolize(addr) if self._symbolize else None
