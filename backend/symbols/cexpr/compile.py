"""Compiling a cexpr AST into nested closures, constants folded once.

Why closures: breakpoint conditions run on every hit, thousands of times a
second; walking a tree and dispatching on node kinds each time would dominate.
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import cast as typing_cast

from ...errors import ExpressionError
from ..nodebug import NODEBUG_DATA, unknown_type
from ..types import VOID, Type, array_of
from ..values import Value
from .ops import (
    _FALSE,
    _TRUE,
    INT,
    INT_ONE,
    _bool,
    _int_pair,
    assign,
    binop,
    cast,
    index,
    member,
    resolve_type,
    rvalue,
    truth,
    unop,
)
from .parse import INC_ONE
from .regs import _SUBREGS, register

if TYPE_CHECKING:
    from .env import EvalEnv
    from .parse import Node, Spec

# An expression compiled: evaluates it in an environment.
Compiled = Callable[["EvalEnv"], Value]

_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
        "<=": operator.le, ">=": operator.ge}
_CONST_KINDS = {"num", "unary", "binary", "cond", "cast", "sizeof_type"}
_COMPUTED = {"_siginfo", "_thread", "_inferior"}    # read at each use (regs.py)


def _builtin_spec(spec: Spec) -> bool:
    if spec[0] == "builtin":
        return True
    if spec[0] == "named":
        return False
    return all(_builtin_spec(s) for s in spec[1:] if isinstance(s, tuple) and s and
               isinstance(s[0], str)) and (spec[0] != "func" or all(_builtin_spec(p) for p in spec[2]))


def _is_const(node: Node) -> bool:
    """No names, registers, memory or side effects: the value never changes."""
    kind = node[0]
    if kind == "num":
        return True
    if kind == "sizeof_type":
        return _builtin_spec(node[1])
    if kind not in _CONST_KINDS or kind == "unary" and node[1] in ("*", "&"):
        return False
    if kind == "cast":
        return _builtin_spec(node[1]) and _is_const(node[2])
    return all(_is_const(c) for c in node[1:] if isinstance(c, tuple))


# Constant nodes touch no environment (see _is_const): folding them runs without one.
_NO_ENV = typing_cast("EvalEnv", None)


def compile_node(node: Node) -> Compiled:
    if node[0] != "num" and _is_const(node):
        try:
            value = _compile(node)(_NO_ENV)            # fold constants once
            return lambda env: value
        except ExpressionError:
            pass                                       # keep the error for run time
    return _compile(node)


def compile_name(node: Node, nodebug_data: bool = False) -> Compiled:
    """A name's value; `nodebug_data`: a data symbol without debug info may be the
    result (only `&environ`, `(T)environ`, `whatis environ` take one, as in gdb)."""
    _, name, scope = node

    def lookup(env: EvalEnv) -> Value:
        v = env.lookup(name, scope) if scope else env.lookup(name)
        if v is None:
            v = _minimal_symbol(env, name, scope)
            if v.type is NODEBUG_DATA and not nodebug_data:
                raise ExpressionError(unknown_type(name))
        return v
    return lookup


def _minimal_symbol(env: EvalEnv, name: str, scope: str | None) -> Value:
    """The slow path of a name: an ELF symbol without debug info, or gdb's error (an
    env may raise its own: "No symbol table is loaded", inspect/minsyms.py)."""
    find = getattr(env, "minimal_symbol", None)          # optional in an EvalEnv
    v = find(name) if find is not None and not scope else None
    if v is None:
        raise ExpressionError(f"No symbol \"{name}\" in current context.")
    return v  # type: ignore[no-any-return]


def _history(env: EvalEnv, n: int) -> Value:
    """gdb's access_value_history: $N, or the last value back n ($, $$, $$N)."""
    texts = getattr(env, "history", None)                # optional in an EvalEnv
    size = len(texts) if texts is not None else 0
    absnum = n + size if n <= 0 else n
    if absnum <= 0:
        raise ExpressionError("The history is empty." if n == 0 and size == 0 else
                              f"History does not go back to $${-n}.")
    if absnum > size:
        raise ExpressionError(f"History has not yet reached ${absnum}.")
    conv = getattr(env, "convenience", None) or {}
    v: Value | None = conv.get(f"${absnum}")
    return v if v is not None else Value(VOID, b"")


_NOT_MODIFIABLE = "Left operand of assignment is not a modifiable lvalue."


def _compile(node: Node) -> Compiled:
    kind = node[0]
    if kind == "num":
        value: Value = node[1]
        return lambda env: value
    if kind == "name":
        return compile_name(node)
    if kind == "hist":
        n = node[1]
        return lambda env: _history(env, n)
    if kind == "reg":
        name = node[1]
        return lambda env: register(name, env)
    if kind == "unary":
        op = node[1]
        child = node[2]
        f = compile_name(child, True) if op == "&" and child[0] == "name" else compile_node(child)
        return lambda env: unop(op, f(env), env)
    if kind == "binary":
        op, fa, fb = node[1], compile_node(node[2]), compile_node(node[3])
        if op == "&&":
            return lambda env: _bool(truth(fa(env)) and truth(fb(env)))
        if op == "||":
            return lambda env: _bool(truth(fa(env)) or truth(fb(env)))
        if op == ",":
            return lambda env: (fa(env), fb(env))[1]
        if op == "@":
            return lambda env: _artificial_array(fa(env), fb(env))
        if op in _CMP:
            test = _CMP[op]

            def compare(env: EvalEnv) -> Value:
                a, b = fa(env), fb(env)
                pair = _int_pair(a, b)
                if pair is None:
                    return binop(op, a, b)
                return _TRUE if test(*pair) else _FALSE
            return compare
        return lambda env: binop(op, fa(env), fb(env))
    if kind == "cond":
        fc, fa, fb = (compile_node(n) for n in node[1:])
        return lambda env: fa(env) if truth(fc(env)) else fb(env)
    if kind == "assign":
        op, fl, fr = node[1], compile_node(node[2]), compile_node(node[3])
        target = node[2]
        if target[0] == "hist":
            return lambda env: _raise(_NOT_MODIFIABLE)
        if target[0] == "reg" and target[1] not in _SUBREGS:
            incdec = node[3] is INC_ONE
            return lambda env: _set_convenience(env, target[1], fr(env), op, fl, incdec)
        if op:
            return lambda env: _compound(env, fl(env), op, fr(env))
        return lambda env: assign(fl(env), fr(env), env)
    if kind == "postinc":
        op, fl = node[1], compile_node(node[2])
        target = node[2]
        if target[0] == "hist":
            return lambda env: _raise(_NOT_MODIFIABLE)
        if target[0] == "reg" and target[1] not in _SUBREGS:
            def conv_postinc(env: EvalEnv) -> Value:
                old = fl(env)
                _set_convenience(env, target[1], INT_ONE, op, fl, True)
                return old
            return conv_postinc

        def postinc(env: EvalEnv) -> Value:
            lhs = fl(env)
            old = Value(lhs.type, lhs.data)
            assign(lhs, binop(op, lhs, INT_ONE), env)
            return old
        return postinc
    if kind == "cast":
        spec, child = node[1], node[2]
        f = compile_name(child, True) if child[0] == "name" else compile_node(child)
        if child[0] == "call":      # the cast gives a function without debug info its return type
            f_callee, f_args = compile_node(child[1]), [compile_node(a) for a in child[2]]

            def cast_call(env: EvalEnv) -> Value:
                t = resolve_type(spec, env)
                return cast(_call(env, f_callee, f_args, t), t)
            return cast_call
        return lambda env: cast(f(env), resolve_type(spec, env))
    if kind == "brace":
        spec, f = node[1], compile_node(node[2])
        return lambda env: Value(resolve_type(spec, env), None, rvalue(f(env)).as_int(), env.read)
    if kind == "sizeof_type":
        spec = node[1]
        return lambda env: Value.from_int(INT, resolve_type(spec, env).size)
    if kind == "sizeof":
        f = compile_node(node[1])
        return lambda env: Value.from_int(INT, f(env).type.size)
    if kind == "member":
        arrow, f, name = node[1] == "->", compile_node(node[2]), node[3]
        return lambda env: member(f(env), name, arrow, env)
    if kind == "index":
        fa, fi = compile_node(node[1]), compile_node(node[2])
        return lambda env: index(fa(env), fi(env), env)
    if kind == "call":
        f_callee = compile_node(node[1])
        f_args = [compile_node(a) for a in node[2]]

        return lambda env: _call(env, f_callee, f_args, None)
    raise ExpressionError(f"unknown expression node {kind}")


_NO_PROCESS = object()


def _call(env: EvalEnv, f_callee: Compiled, f_args: list[Compiled], return_type: Type | None) -> Value:
    # Inferior calls are optional in an EvalEnv: envs over a live tracee have the attribute,
    # set (print, call) or None (conditions: a call would re-enter the stop being decided).
    fn: Callable[..., Value] | object | None = getattr(env, "call_function", _NO_PROCESS)
    if fn is _NO_PROCESS:
        raise ExpressionError("You can't do that without a process to debug.")
    if not callable(fn):
        raise ExpressionError("Calling functions of the program is not supported.")
    result: Value = fn(f_callee(env), [f(env) for f in f_args], env, return_type)
    return result


def _raise(message: str) -> Value:
    raise ExpressionError(message)


def _compound(env: EvalEnv, lhs: Value, op: str, rhs: Value) -> Value:
    return assign(lhs, binop(op, lhs, rhs), env)


def _set_convenience(env: EvalEnv, name: str, rhs: Value, op: str, fl: Compiled,
                     incdec: bool = False) -> Value:
    conv: dict[str, Value] | None = getattr(env, "convenience", None)   # optional in an EvalEnv
    if name in _COMPUTED:
        current = register(name, env)
        if current.type.strip().kind != "void":
            cast(rhs, current.type)             # gdb's words for a value of another type
            raise ExpressionError(f"Writing ${name} is not supported.")
    if conv is None or name in _COMPUTED:
        raise ExpressionError("Left operand of assignment is not an lvalue.")
    if op:
        old = fl(env)
        if incdec and not old.type.strip().is_arithmetic and old.type.strip().kind != "pointer":
            raise ExpressionError("Not a numeric type.")
        value = binop(op, old, rhs)
    else:
        value = rvalue(rhs)                 # gdb's coerce_array: arrays and functions decay
    conv[name] = Value(value.type, value.data)
    return conv[name]


def _artificial_array(a: Value, n: Value) -> Value:
    if a.address is None:
        raise ExpressionError("Only values in memory can be extended with '@'.")
    count = n.as_int()
    if count <= 0:
        raise ExpressionError(f"Invalid number {count} of repetitions.")
    return Value(array_of(a.type, count), None, a.address, a.reader)
