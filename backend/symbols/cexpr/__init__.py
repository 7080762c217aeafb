"""C expressions, as typed at `print`, `set var` and breakpoint conditions.

`evaluate(text, env)` parses (once: compiled closures are cached by text) and
evaluates against an environment the caller provides:

    class EvalEnv(Protocol):
        def lookup(self, name: str, scope: str | None = None) -> Value | None
            # A variable or function visible here (innermost block first, then the
            # file's statics, then globals). `scope` comes from `'file.c'::name` or
            # `func::name`. None: no such symbol.
        def lookup_type(self, name: str) -> Type | None
            # "struct node", "union num", "enum color", or a typedef name ("point_t").
        def reg(self, name: str) -> int
            # A user_regs_struct register of the selected frame ("rax", "rip",
            # "eflags", "fs_base"); raises expr.Unavailable when the frame lost it.
        def read(self, addr: int, n: int) -> bytes          # raises BadAddress
        def write(self, addr: int, data: bytes) -> None     # raises BadAddress
        def write_reg(self, name: str, value: int) -> None  # full 64-bit register
        def symbolize(self, addr: int) -> str | None        # "main+4", for printing
        convenience: dict[str, Value]   # optional: gdb's `$name` variables

`scopes.FrameEnv` implements it over one frame. Values that `lookup` returns
should carry `env.read` as their reader, so derefs and strings can follow them.

Values come back lazy where they live in memory; `evaluate` reads the result
once so that a bad pointer fails here, with gdb's words. Errors are
ExpressionError one-liners: `No symbol "foo" in current context.`, `A syntax
error in expression, near `)'.`, `Attempt to take contents of a non-pointer
value.`, `Cannot access memory at address 0x0`, `Division by zero`.

The work is split by job, and the names of each part are re-exported here:
cexpr_parse.py (tokens -> tuple AST), cexpr_ops.py (C's conversions and
operators), cexpr_regs.py (`$reg` values) and cexpr_compile.py (AST -> closures,
because conditions run on every breakpoint hit).
"""
from __future__ import annotations

from typing import Callable, Protocol

from ...errors import ExpressionError, TdbgError
from .compile import compile_node
from .ops import (_FALSE, _TRUE, CHAR, DOUBLE, FLOAT, INT, INT_ONE, LDOUBLE,  # noqa: F401
                        LLONG, LONG, UINT, ULLONG, ULONG, assign, binop, cast, deref,
                        float_literal, index, int_literal, member, promote, resolve_type,
                        rvalue, truth, unop)
from .parse import _TYPE_WORDS, Parser, tokenize
from .regs import EFLAGS, I8, I16, I32, PC_TYPE, VOID_PTR, register  # noqa: F401
from ..types import Type
from ..values import Value, no_reader


class EvalEnv(Protocol):
    def lookup(self, name: str, scope: str | None = None) -> Value | None: ...
    def lookup_type(self, name: str) -> Type | None: ...
    def reg(self, name: str) -> int: ...
    def read(self, addr: int, n: int) -> bytes: ...
    def write(self, addr: int, data: bytes) -> None: ...
    def write_reg(self, name: str, value: int) -> None: ...
    def symbolize(self, addr: int) -> str | None: ...


# -- compiled cache -----------------------------------------------------------------

_CACHE_MAX = 1024
_cache: dict[str, tuple[Callable, tuple[tuple[str, bool], ...]]] = {}


def parse(text: str, is_type: Callable[[str], bool] = lambda name: False):
    """The AST of `text` (tuples); for tests and tools."""
    return Parser(text, is_type).parse()


def compile_expression(text: str, env) -> Callable[[object], Value]:
    """A function env -> Value for `text`, parsed once and cached. Whether a bare
    name was a type depends on the program; the cache re-checks those answers."""
    hit = _cache.get(text)
    if hit is not None:
        fn, decisions = hit
        if not decisions or all(_is_type(env, name) == was for name, was in decisions):
            return fn
    decisions: list[tuple[str, bool]] = []

    def is_type(name: str) -> bool:
        answer = _is_type(env, name)
        decisions.append((name, answer))
        return answer

    fn = compile_node(Parser(text, is_type).parse())
    if len(_cache) >= _CACHE_MAX:
        _cache.clear()
    _cache[text] = (fn, tuple(decisions))
    return fn


def _is_type(env, name: str) -> bool:
    if env.lookup(name) is not None:
        return False                                 # a variable shadows a typedef
    return env.lookup_type(name) is not None


def evaluate(text: str, env) -> Value:
    """Evaluate and read the result; errors are ExpressionError one-liners."""
    fn = compile_expression(text, env)
    try:
        value = fn(env).fetch()
        if value.reader is no_reader:               # computed pointers print their strings
            value = Value(value.type, value._data, value.address, env.read,
                          unavailable=value.unavailable, reg=value.reg,
                          reg_offset=value.reg_offset, error=value.error)
        return value
    except ExpressionError:
        raise
    except TdbgError as e:
        raise ExpressionError(str(e)) from None


def evaluate_condition(text: str, env) -> bool:
    """A breakpoint condition's truth."""
    fn = compile_expression(text, env)
    try:
        value = fn(env)
        return True if value is _TRUE else False if value is _FALSE else truth(value)
    except ExpressionError:
        raise
    except TdbgError as e:
        raise ExpressionError(str(e)) from None


def parse_type(text: str, env) -> Type:
    """A type name alone (`ptype struct node`, `whatis unsigned long`)."""
    p = Parser(text, lambda name: env.lookup_type(name) is not None)
    spec = p.type_name()
    if p.peek()[0] != "end":
        raise p.error()
    return resolve_type(spec, env)


def type_of(text: str, env) -> tuple[Type, bool]:
    """For `ptype`/`whatis`: the type TEXT names, or the type of the expression
    (not read: `ptype *p` works with a null p, as in gdb); the flag says TEXT
    was a type name (`whatis` then peels one typedef)."""
    if is_type_expression(text, env):
        return parse_type(text, env), True
    try:
        return compile_expression(text, env)(env).type, False
    except ExpressionError:
        raise
    except TdbgError as e:
        raise ExpressionError(str(e)) from None


def is_type_expression(text: str, env) -> bool:
    """Whether `ptype TEXT` names a type rather than an expression."""
    try:
        toks = tokenize(text)
    except ExpressionError:
        return False
    kind, tok, _ = toks[0]
    if kind != "name":
        return False
    if tok in _TYPE_WORDS:
        return True
    return toks[1][1] != "::" and _is_type(env, tok)


__all__ = ["EvalEnv", "evaluate", "evaluate_condition", "compile_expression", "parse",
           "parse_type", "is_type_expression", "type_of", "tokenize"]
