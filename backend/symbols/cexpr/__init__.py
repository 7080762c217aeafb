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
        convenience: dict[str, Value]   # optional: gdb's `$name` variables; `$N` is
                                        # the key "$N" (the value history)
        history: Sequence               # optional: len() is the history's size ($, $$N)
        def minimal_symbol(self, name) -> Value | None   # optional: a name with no
            # DWARF (nodebug.py's types); only asked when lookup found nothing
        def siginfo(self) -> Value | None                 # optional: `$_siginfo`
        def thread_ids(self) -> tuple[int, int]           # optional: `$_thread`, `$_inferior`
        def call_function(self, callee: Value, args: list[Value], env) -> Value
            # optional: `f(1, 2)`; without it calls are refused

`scopes.FrameEnv` implements it over one frame. Values that `lookup` returns
should carry `env.read` as their reader, so derefs and strings can follow them.

Values come back lazy where they live in memory; `evaluate` reads the result
once so that a bad pointer fails here, with gdb's words. Errors are
ExpressionError one-liners: `No symbol "foo" in current context.`, `A syntax
error in expression, near `)'.`, `Attempt to take contents of a non-pointer
value.`, `Cannot access memory at address 0x0`, `Division by zero`.

The work is split by job, and the names of each part are re-exported here:
parse.py (tokens -> tuple AST), ops.py (C's conversions and operators), regs.py
(`$reg` values), compile.py (AST -> closures, because conditions run on every
breakpoint hit) and env.py (the EvalEnv protocol).
"""
from __future__ import annotations

from collections.abc import Callable

from ...errors import ExpressionError, TdbgError
from ..types import Type
from ..values import Value, no_reader
from .compile import Compiled, compile_name, compile_node
from .env import EvalEnv
from .ops import (  # noqa: F401
    _FALSE,
    _TRUE,
    CHAR,
    DOUBLE,
    FLOAT,
    INT,
    INT_ONE,
    LDOUBLE,
    LLONG,
    LONG,
    UINT,
    ULLONG,
    ULONG,
    assign,
    binop,
    cast,
    deref,
    float_literal,
    index,
    int_literal,
    member,
    promote,
    resolve_type,
    rvalue,
    truth,
    unop,
)
from .parse import _TYPE_WORDS, Node, Parser, tokenize
from .regs import EFLAGS, I8, I16, I32, PC_TYPE, VOID_PTR, register  # noqa: F401

_UNKNOWN_TYPE = "has unknown type; cast it to its declared type"

# -- compiled cache -----------------------------------------------------------------

_CACHE_MAX = 1024
_cache: dict[str, tuple[Compiled, tuple[tuple[str, bool], ...]]] = {}


def parse(text: str, is_type: Callable[[str], bool] = lambda name: False) -> Node:
    """The AST of `text` (tuples); for tests and tools."""
    return Parser(text, is_type).parse()


def compile_expression(text: str, env: EvalEnv) -> Compiled:
    """A function env -> Value for `text`, parsed once and cached. Whether a bare
    name was a type depends on the program; the cache re-checks those answers."""
    hit = _cache.get(text)
    if hit is not None:
        fn, earlier = hit
        if not earlier or all(_is_type(env, name) == was for name, was in earlier):
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


def _is_type(env: EvalEnv, name: str) -> bool:
    if env.lookup(name) is not None:
        return False                                 # a variable shadows a typedef
    return env.lookup_type(name) is not None


def evaluate(text: str, env: EvalEnv) -> Value:
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


def evaluate_condition(text: str, env: EvalEnv) -> bool:
    """A breakpoint condition's truth."""
    fn = compile_expression(text, env)
    try:
        value = fn(env)
        return True if value is _TRUE else False if value is _FALSE else truth(value)
    except ExpressionError:
        raise
    except TdbgError as e:
        raise ExpressionError(str(e)) from None


def parse_type(text: str, env: EvalEnv) -> Type:
    """A type name alone (`ptype struct node`, `whatis unsigned long`)."""
    p = Parser(text, lambda name: env.lookup_type(name) is not None)
    spec = p.type_name()
    if p.peek()[0] != "end":
        raise p.error()
    return resolve_type(spec, env)


def type_of(text: str, env: EvalEnv) -> tuple[Type, bool]:
    """For `ptype`/`whatis`: the type TEXT names, or the type of the expression
    (not read: `ptype *p` works with a null p, as in gdb); the flag says TEXT
    was a type name (`whatis` then peels one typedef)."""
    if is_type_expression(text, env):
        return parse_type(text, env), True
    try:
        return compile_expression(text, env)(env).type, False
    except ExpressionError as e:
        node = Parser(text, lambda name: False).parse() if str(e).endswith(_UNKNOWN_TYPE) else None
        if node is None or node[0] != "name":
            raise
        return compile_name(node, True)(env).type, False     # whatis of a data symbol: gdb names it
    except TdbgError as e:
        raise ExpressionError(str(e)) from None


def is_type_expression(text: str, env: EvalEnv) -> bool:
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
           "parse_type", "is_type_expression", "type_of", "tokenize", "resolve_type"]
