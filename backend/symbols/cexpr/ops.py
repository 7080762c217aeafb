"""C semantics for expressions: literal types, conversions and operators, on gdb's terms.

Operands and results are values.Value; errors are gdb's ExpressionError one-liners.
`_int_pair` is the breakpoint-condition fast path: two plain integers compared
without building a result Value (compile.py uses it for ==, <, ...).
"""
from __future__ import annotations

import struct
from fractions import Fraction
from typing import TYPE_CHECKING

from ...errors import ExpressionError
from ..nodebug import NODEBUG_DATA
from ..type_names import type_name
from ..types import VOID, Type, array_of, c_type, func_type, pointer_to
from ..values import Value

if TYPE_CHECKING:
    from .env import EvalEnv
    from .parse import Spec


def _builtin(name: str) -> Type:
    t = c_type(name)
    if t is None:
        raise ValueError(f"not a C built-in type: {name}")
    return t


INT, UINT, LONG, ULONG = _builtin("int"), _builtin("unsigned int"), _builtin("long"), _builtin("unsigned long")
LLONG, ULLONG, CHAR = _builtin("long long"), _builtin("unsigned long long"), _builtin("char")
FLOAT, DOUBLE, LDOUBLE = _builtin("float"), _builtin("double"), _builtin("long double")
INT_ONE = Value.from_int(INT, 1)


def int_literal(tok: str) -> Value:
    """C's rule for the type of an integer constant: the first of int, (unsigned
    int for hex/octal), long, unsigned long that holds it; `u`/`l` start later."""
    body = tok.rstrip("uUlL")
    suffix = tok[len(body):].lower()
    base = 16 if body[:2].lower() == "0x" else 2 if body[:2].lower() == "0b" else \
        8 if len(body) > 1 and body[0] == "0" else 10
    try:
        n = int(body[2:] if base in (16, 2) else body, base)
    except ValueError:
        raise ExpressionError(f"Invalid number \"{tok}\".") from None
    if n >> 64:
        raise ExpressionError("Numeric constant too large.")
    unsigned, longs = "u" in suffix, suffix.count("l")
    if longs == 2:
        candidates = [ULLONG] if unsigned else [LLONG, ULLONG]
    elif longs == 1:
        candidates = [ULONG] if unsigned else [LONG, ULONG]
    elif unsigned:
        candidates = [UINT, ULONG]
    else:
        candidates = [INT, LONG, ULONG] if base == 10 else [INT, UINT, LONG, ULONG]
    for t in candidates:
        if n < 1 << (8 * t.size - (0 if t.is_unsigned else 1)):
            return Value.from_int(t, n)
    return Value.from_int(candidates[-1], n)


def float_literal(tok: str) -> Value:
    suffix = tok[-1].lower() if tok[-1] in "fFlL" else ""
    body = tok[:-1] if suffix else tok
    if body[:2].lower() == "0x":
        exact = Fraction(float.fromhex(body))
    else:
        exact = Fraction(body)
    if suffix == "l":
        return Value.from_float(LDOUBLE, exact)
    return Value.from_float(FLOAT if suffix == "f" else DOUBLE, float(exact))


def _rank_type(size: int, unsigned: bool) -> Type:
    if size <= 4:
        return UINT if unsigned else INT
    return ULONG if unsigned else LONG


def promote(t: Type) -> Type:
    """C integer promotion, on gdb's terms (size and signedness decide)."""
    s = t.strip()
    if s.size < 4:
        return INT
    return _rank_type(s.size, s.is_unsigned)


def _usual(ta: Type, tb: Type) -> Type:
    a, b = ta.strip(), tb.strip()
    la, lb = max(a.size, 4), max(b.size, 4)
    ua, ub = a.size >= 4 and a.is_unsigned, b.size >= 4 and b.is_unsigned
    if la != lb:
        return _rank_type(max(la, lb), ua if la > lb else ub)
    return _rank_type(la, ua or ub)


def rvalue(v: Value) -> Value:
    """Arrays and functions decay to pointers where C says they do."""
    t = v.type.strip()
    if t.kind == "array":
        if v.address is None:
            raise ExpressionError("Attempt to take address of value not located in memory.")
        return Value.from_int(pointer_to(t.target or VOID), v.address)
    if t.kind == "func":
        return Value.from_int(pointer_to(v.type), v.address or 0)
    return v


def truth(v: Value) -> bool:
    v = rvalue(v)
    t = v.type.strip()
    if t.kind == "float":
        return v.as_float() != 0
    if not t.is_scalar:
        raise ExpressionError("Argument to logical operation not a number or pointer.")
    return v.as_int() != 0


_TRUE, _FALSE = Value.from_int(INT, 1), Value.from_int(INT, 0)


def _bool(x: bool) -> Value:
    return _TRUE if x else _FALSE


# (size_a, signed_a, size_b, signed_b, unsigned-result mask or 0)
_PairRule = tuple[int, bool, int, bool, int]
_pairs: dict[tuple[int, int], tuple[Type, Type, _PairRule | None]] = {}


def _int_pair(a: Value, b: Value) -> tuple[int, int] | None:
    """Fast path for conditions: two plain integers (or enums) as Python ints after
    C's usual conversions; None for anything else (bool, pointer, float, struct,
    optimized out), which takes the general path. What the two types imply is
    worked out once per pair of types."""
    if a.unavailable is not None or b.unavailable is not None:
        return None
    at, bt = a.type, b.type
    entry = _pairs.get((id(at), id(bt)))
    if entry is None or entry[0] is not at or entry[1] is not bt:
        if len(_pairs) > 4096:
            _pairs.clear()
        entry = _pairs[(id(at), id(bt))] = (at, bt, _pair_rule(at.strip(), bt.strip()))
    rule = entry[2]
    if rule is None:
        return None
    size_a, signed_a, size_b, signed_b, mask = rule
    x = int.from_bytes(a.data[:size_a], "little", signed=signed_a)
    y = int.from_bytes(b.data[:size_b], "little", signed=signed_b)
    if mask:
        return x & mask, y & mask
    return x, y


def _pair_rule(ta: Type, tb: Type) -> _PairRule | None:
    """What comparing ints of these types takes (see _PairRule); None if not ints."""
    if ta.kind not in ("int", "enum") or tb.kind not in ("int", "enum"):
        return None
    rt = _usual(ta, tb)
    sa = ta.signed if ta.kind == "int" else not ta.is_unsigned
    sb = tb.signed if tb.kind == "int" else not tb.is_unsigned
    return ta.size, sa, tb.size, sb, ((1 << (8 * rt.size)) - 1) if rt.is_unsigned else 0


def _float_op(op: str, x: float | Fraction, y: float | Fraction, t: Type) -> Value:
    if t.size > 8:
        x, y = (Fraction(v) if not isinstance(v, float) or v == v and abs(v) != float("inf")
                else v for v in (x, y))
    else:
        x, y = float(x), float(y)
    if op in ("==", "!=", "<", ">", "<=", ">="):
        return _bool(_compare(op, x, y))
    r: float | Fraction
    if op == "+":
        r = x + y
    elif op == "-":
        r = x - y
    elif op == "*":
        r = x * y
    elif op == "/":
        if y == 0:
            # 0/0 gives x86's default NaN, whose sign bit is set (gdb shows -nan).
            r = _DEFAULT_NAN if x == 0 or x != x else float("inf") if (x > 0) == (
                str(float(y))[0] != "-") else float("-inf")
        else:
            r = x / y
    else:
        raise ExpressionError(f"Integer only operation {op}." if op in ("%", "<<", ">>")
                              else "Argument to arithmetic operation not a number or boolean.")
    return Value.from_float(t, r)


_DEFAULT_NAN: float = struct.unpack("<d", bytes.fromhex("000000000000f8ff"))[0]


def _compare(op: str, x: float | Fraction, y: float | Fraction) -> bool:
    return {"==": x == y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


def _signed_of(t: Type, n: int) -> int:
    bits = 8 * t.size
    n &= (1 << bits) - 1
    return n - (1 << bits) if not t.is_unsigned and n >> (bits - 1) else n


def binop(op: str, a: Value, b: Value) -> Value:
    a, b = rvalue(a), rvalue(b)
    ta, tb = a.type.strip(), b.type.strip()
    if ta.kind == "pointer" or tb.kind == "pointer":
        return _pointer_op(op, a, b, ta, tb)
    if not ta.is_arithmetic or not tb.is_arithmetic:
        raise ExpressionError("Argument to arithmetic operation not a number or boolean.")
    if ta.kind == "float" or tb.kind == "float":
        if ta.kind == tb.kind == "float":
            rt = a.type if ta.size >= tb.size else b.type
        else:
            rt = a.type if ta.kind == "float" else b.type
        return _float_op(op, a.as_float(), b.as_float(), rt.strip())
    x, y = a.as_int(), b.as_int()
    if ta.kind == "bool" or tb.kind == "bool":
        # gdb does not promote booleans; only these make sense on them.
        if op in ("==", "!="):
            return _bool(_compare(op, x, y))
        if op not in ("&", "|", "^"):
            raise ExpressionError("Invalid operation on booleans.")
        return Value.from_int(a.type, x & y if op == "&" else x | y if op == "|" else x ^ y)
    if op in ("<<", ">>"):
        rt = promote(ta)
        if y < 0 or y >= 8 * rt.size:
            return Value.from_int(rt, 0)
        x = _signed_of(rt, x)
        return Value.from_int(rt, x << y if op == "<<" else x >> y)
    rt = _usual(ta, tb)
    x, y = _signed_of(rt, x), _signed_of(rt, y)
    if op in ("==", "!=", "<", ">", "<=", ">="):
        return _bool(_compare(op, x, y))
    if op in ("/", "%"):
        if y == 0:
            raise ExpressionError("Division by zero")
        q = abs(x) // abs(y) * (1 if (x < 0) == (y < 0) else -1)
        return Value.from_int(rt, q if op == "/" else x - q * y)
    ops = {"+": x + y, "-": x - y, "*": x * y, "&": x & y, "|": x | y, "^": x ^ y}
    if op not in ops:
        raise ExpressionError(f"Invalid binary operator {op}.")
    return Value.from_int(rt, ops[op])


def _stride(t: Type) -> int:
    target = (t.target or VOID).strip()
    return 1 if target.kind in ("void", "func") else target.size


def _pointer_op(op: str, a: Value, b: Value, ta: Type, tb: Type) -> Value:
    if op in ("==", "!=", "<", ">", "<=", ">="):
        if not (ta.is_scalar and tb.is_scalar) or "float" in (ta.kind, tb.kind):
            raise ExpressionError("Argument to comparison operation not a number or pointer.")
        return _bool(_compare(op, a.as_int() & (1 << 64) - 1, b.as_int() & (1 << 64) - 1))
    if op == "+" and tb.kind == "pointer" and ta.is_integral:
        a, b, ta, tb = b, a, tb, ta
    if op in ("+", "-") and ta.kind == "pointer" and tb.is_integral:
        delta = b.as_int() * _stride(ta)
        return Value.from_int(a.type, a.as_int() + (delta if op == "+" else -delta))
    if op == "-" and ta.kind == tb.kind == "pointer":
        size = _stride(ta)
        if size != _stride(tb):
            raise ExpressionError("First argument of `-' is a pointer and second argument "
                                  "is neither\nan integer nor a pointer of the same type.")
        diff = _signed_of(LONG, a.as_int() - b.as_int())
        return Value.from_int(LONG, int(diff / size) if size else diff)
    if op in ("&&", "||"):
        return _bool(truth(a) and truth(b) if op == "&&" else truth(a) or truth(b))
    raise ExpressionError("Argument to arithmetic operation not a number or boolean.")


def unop(op: str, v: Value, env: EvalEnv) -> Value:
    if op == "*":
        return deref(v, env)
    if op == "&":
        if v.type.strip().kind == "func":
            if v.address is None:
                raise ExpressionError("Attempt to take address of value not located in memory.")
            return Value.from_int(pointer_to(v.type), v.address)
        return v.address_of()
    if op == "!":
        return _bool(not truth(v))
    v = rvalue(v)
    t = v.type.strip()
    if op == "~" and not t.is_integral:
        raise ExpressionError("Argument to complement operation not an integer, boolean.")
    if not t.is_arithmetic:
        raise ExpressionError("Argument to negate operation not a number." if op == "-" else
                              "Argument to positive operation not a number.")
    if t.kind == "float":
        return Value.from_float(v.type, -v.as_float()) if op == "-" else v
    rt = promote(t)
    n = v.as_int()
    return Value.from_int(rt, -n if op == "-" else ~n if op == "~" else n)


def deref(v: Value, env: EvalEnv) -> Value:
    t = v.type.strip()
    if t.kind == "array":
        return v.element(0, env.read)
    if t.kind == "func":
        return v
    if t.kind == "pointer":
        target = (t.target or VOID)
        if target.strip().kind == "void":
            raise ExpressionError("Attempt to dereference a generic pointer.")
        addr = v.as_int()
        if target.strip().kind == "func":
            return Value(target, b"", addr, env.read)
        return Value(target, None, addr, env.read)
    if t.kind in ("int", "enum", "bool"):
        return Value(INT, None, v.as_int() & (1 << 64) - 1, env.read)   # gdb allows *int
    raise ExpressionError("Attempt to take contents of a non-pointer value.")


def member(v: Value, name: str, arrow: bool, env: EvalEnv) -> Value:
    t = v.type.strip()
    if t.kind == "pointer" and (t.target or VOID).strip().kind in ("struct", "union", "class"):
        v, t = deref(v, env), (t.target or VOID).strip()
    if t.kind not in ("struct", "union", "class"):
        raise ExpressionError("Attempt to extract a component of a value that is not a "
                              "structure" + (" pointer." if arrow else "."))
    return v.member(name)


def index(a: Value, i: Value, env: EvalEnv) -> Value:
    ta, ti = a.type.strip(), i.type.strip()
    if ta.kind not in ("array", "pointer") and ti.kind in ("array", "pointer"):
        a, i, ta, ti = i, a, ti, ta
    if not ti.is_integral:
        raise ExpressionError("Argument to arithmetic operation not a number or boolean.")
    if ta.kind == "array":
        return a.element(i.as_int(), env.read)
    if ta.kind == "pointer":
        return deref(binop("+", a, i), env)
    raise ExpressionError(f"cannot subscript something of type `{type_name(a.type)}'")


def cast(v: Value, t: Type) -> Value:
    if v.type is NODEBUG_DATA:
        return Value(t, None, v.address, v.reader)     # gdb reads the symbol's memory as t
    dst = t.strip()
    src = v.type.strip()
    if dst.kind in ("struct", "union", "class", "array"):
        same = src is dst or (src.kind == dst.kind and src.name is not None and src.name == dst.name)
        if same or (dst.kind == "array" and v.address is not None):
            return Value(t, v._data, v.address, v.reader, unavailable=v.unavailable)
        raise ExpressionError("Invalid cast.")
    if dst.kind == "void":
        return Value(t, b"")
    v = rvalue(v)
    src = v.type.strip()
    if not src.is_scalar:
        raise ExpressionError("Invalid cast.")
    if dst.kind == "float":
        return Value.from_float(t, v.as_float())
    if dst.kind in ("int", "enum", "pointer", "bool", "flags"):
        n = int(v.as_float()) if src.kind == "float" else v.as_int()
        return Value.from_int(t, (n != 0) if dst.kind == "bool" else n)
    raise ExpressionError("Invalid cast.")


def assign(lhs: Value, rhs: Value, env: EvalEnv) -> Value:
    new = cast(rhs, lhs.type) if lhs.type.strip().kind not in ("struct", "union", "array") \
        else _same_size(rhs, lhs)
    data = new.data
    if lhs.bitsize and lhs.address is not None:
        nbytes = (lhs.bitpos + lhs.bitsize + 7) // 8
        old = int.from_bytes(env.read(lhs.address, nbytes), "little")
        mask = ((1 << lhs.bitsize) - 1) << lhs.bitpos
        bits = int.from_bytes(data, "little") << lhs.bitpos & mask
        env.write(lhs.address, ((old & ~mask) | bits).to_bytes(nbytes, "little"))
        bits = _signed_of(lhs.type, bits >> lhs.bitpos) if not lhs.type.is_unsigned else bits >> lhs.bitpos
        if not lhs.type.is_unsigned and bits >> (lhs.bitsize - 1) & 1:
            bits -= 1 << lhs.bitsize
        return Value.from_int(lhs.type, bits)
    if lhs.address is not None and lhs.reg is None:
        env.write(lhs.address, data)
    elif lhs.reg is not None:
        width = 8 * len(data)
        shift = 8 * lhs.reg_offset
        full = env.reg(lhs.reg)
        mask = ((1 << width) - 1) << shift
        env.write_reg(lhs.reg, (full & ~mask) | (int.from_bytes(data, "little") << shift))
    else:
        raise ExpressionError("Left operand of assignment is not an lvalue.")
    return Value(lhs.type, data, lhs.address, lhs.reader, reg=lhs.reg, reg_offset=lhs.reg_offset)


def _same_size(rhs: Value, lhs: Value) -> Value:
    if rhs.type.size != lhs.type.size:
        raise ExpressionError("Invalid cast.")
    return rhs


def resolve_type(spec: Spec, env: EvalEnv) -> Type:
    kind = spec[0]
    t: Type | None
    if kind == "builtin":
        t = c_type(spec[1])
        if t is None:                            # the parser checked the words
            raise ExpressionError("bad type")
        return t
    if kind == "named":
        t = env.lookup_type(spec[1])
        if t is None:
            what = spec[1].split()[0] if " " in spec[1] else None
            raise ExpressionError(f"No {what} type named {spec[1].split()[-1]}." if what
                                  else f"No symbol \"{spec[1]}\" in current context.")
        return t
    if kind == "qual":
        t = Type({"const": "const", "volatile": "volatile", "restrict": "restrict"}[spec[1]],
                 None, None, resolve_type(spec[2], env))
        return t
    if kind == "ptr":
        return pointer_to(resolve_type(spec[1], env))
    if kind == "array":
        return array_of(resolve_type(spec[1], env), spec[2])
    if kind == "func":
        return func_type(resolve_type(spec[1], env), [resolve_type(p, env) for p in spec[2]])
    raise ExpressionError("bad type")
