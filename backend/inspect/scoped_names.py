"""`FUNC::name` and `'file.c'::name`, with gdb 13's answers and errors.

FUNC::name looks in FUNC's outermost block, then in what FUNC's file sees (its
statics, the globals): `add::calls`, `add::counter`. A static local is read
straight from memory; a parameter or automatic variable needs a frame running
FUNC, the innermost one on the stack (gdb's block_innermost_frame).
'file.c'::name is a global or static of that file. When the scope names neither,
gdb says it does not know the scope's name.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import ExpressionError

if TYPE_CHECKING:
    from elftools.dwarf.die import DIE

    from ..symbols.frame_env import FrameEnv
    from ..symbols.scopes import Variable
    from ..symbols.values import Value

# A function's DIE -> the environment of the innermost frame running it; None when no
# frame runs it. Raises ExpressionError("No frame selected.") without a process.
FrameOf = Callable[["DIE"], "FrameEnv | None"]

_STATIC_OPS = (0x03, 0xA1, 0xFB)          # DW_OP_addr, DW_OP_addrx, DW_OP_GNU_addr_index


def scoped_lookup(env: FrameEnv, name: str, scope: str, frame_of: FrameOf | None) -> Value:
    sc = env.scopes
    func = sc.lookup_global(scope, env.cu_offset)
    if func is not None and func.kind == "function":
        return _in_function(env, func.die, name, frame_of)
    if func is None:
        var = sc.lookup_global(name, None, scope)
        if var is not None:
            return _read(env, var)
        if _is_file(env, scope):
            raise ExpressionError(f'No symbol "{name}" in specified context.')
    if func is not None:                      # a variable: gdb's grammar has no var::name
        raise ExpressionError(f"A syntax error in expression, near `::{name}'.")
    raise ExpressionError(f'No symbol "{scope}" in current context.')


def _in_function(env: FrameEnv, die: DIE, name: str, frame_of: FrameOf | None) -> Value:
    sc = env.scopes
    cu_off = die.cu.cu_offset
    args, local = sc.frame_variables(cu_off, die.offset, -1)
    var = next((v for v in (*local, *args) if v.name == name and v.depth == 0), None)
    if var is not None:
        if _is_static(var):
            return _read(env, var)
        if frame_of is None:
            raise ExpressionError("No frame selected.")
        frame_env = frame_of(die)
        if frame_env is None:
            fname = sc.name_of(die) or "??"
            raise ExpressionError(f"No frame is currently executing in block {fname}.")
        return _read(frame_env, var)
    outer = sc.lookup_global(name, cu_off)
    if outer is None:
        raise ExpressionError(f'No symbol "{name}" in specified context.')
    return _read(env, outer)


def _is_static(var: Variable) -> bool:
    loc = var.location
    if loc is None:
        return var.const_value is not None
    value = loc.value
    return isinstance(value, list) and bool(value) and value[0] in _STATIC_OPS


def _is_file(env: FrameEnv, scope: str) -> bool:
    sc = env.scopes
    for cu in sc.dwarf.iter_CUs():
        if sc._cu_matches(cu.cu_offset, scope):          # scopes.py's rule for 'file.c'
            return True
    return False


def _read(env: FrameEnv, var: Variable) -> Value:
    value = env.value_of(var)
    value.type = env.scopes.complete(value.type, env.cu_offset)
    return value
