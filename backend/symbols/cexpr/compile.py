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
from ..types import array_of
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
from .regs import _SUBREGS, register

if TYPE_CHECKING:
    from .env import EvalEnv
    from .parse import Node, Spec

# An expression compiled: evaluates it in an environment.
Compiled = Callable[["EvalEnv"], Value]

_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
        "<=": operator.le, ">=": operator.ge}
_CONST_KINDS = {"num", "unary", "binary", "cond", "cast", "sizeof_type"}


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


def _compile(node: Node) -> Compiled:
    kind = node[0]
    if kind == "num":
        value: Value = node[1]
        return lambda env: value
    if kind == "name":
        _, name, scope = node

        def lookup(env: EvalEnv) -> Value:
            v = env.lookup(name, scope) if scope else env.lookup(name)
            if v is None:
                raise ExpressionError(f"No symbol \"{name}\" in current context.")
            return v
        return lookup
    if kind == "reg":
        name = node[1]
        return lambda env: register(name, env)
    if kind == "unary":
        op, f = node[1], compile_node(node[2])
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
        if target[0] == "reg" and target[1] not in _SUBREGS:
            return lambda env: _set_convenience(env, target[1], fr(env), op, fl)
        if op:
            return lambda env: _compound(env, fl(env), op, fr(env))
        return lambda env: assign(fl(env), fr(env), env)
    if kind == "postinc":
        op, fl = node[1], compile_node(node[2])

        def postinc(env: EvalEnv) -> Value:
            lhs = fl(env)
            old = Value(lhs.type, lhs.data)
            assign(lhs, binop(op, lhs, INT_ONE), env)
            return old
        return postinc
    if kind == "cast":
        spec, f = node[1], compile_node(node[2])
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
        def call(env: EvalEnv) -> Value:
            raise ExpressionError("Calling functions of the program is not supported.")
        return call
    raise ExpressionError(f"unknown expression node {kind}")


def _compound(env: EvalEnv, lhs: Value, op: str, rhs: Value) -> Value:
    return assign(lhs, binop(op, lhs, rhs), env)


def _set_convenience(env: EvalEnv, name: str, rhs: Value, op: str, fl: Compiled) -> Value:
    conv: dict[str, Value] | None = getattr(env, "convenience", None)   # optional in an EvalEnv
    if conv is None:
        raise ExpressionError("Left operand of assignment is not an lvalue.")
    value = binop(op, fl(env), rhs) if op else rhs
    conv[name] = Value(value.type, value.data)
    return conv[name]


def _artificial_array(a: Value, n: Value) -> Value:
    if a.address is None:
        raise ExpressionError("Only values in memory can be extended with '@'.")
    count = n.as_int()
    if count <= 0:
        raise ExpressionError(f"Invalid number {count} of repetitions.")
    return Value(array_of(a.type, count), None, a.address, a.reader)
