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

Why closures: breakpoint conditions run on every hit, thousands of times a
second; walking a tree and dispatching on node kinds each time would dominate.
"""
from __future__ import annotations

import operator
import re
from typing import Callable, Protocol

from ..errors import ExpressionError, TdbgError
from .types import VOID, Type, array_of, c_type, func_type, pointer_to, type_name
from .values import Value, no_reader


class EvalEnv(Protocol):
    def lookup(self, name: str, scope: str | None = None) -> Value | None: ...
    def lookup_type(self, name: str) -> Type | None: ...
    def reg(self, name: str) -> int: ...
    def read(self, addr: int, n: int) -> bytes: ...
    def write(self, addr: int, data: bytes) -> None: ...
    def write_reg(self, name: str, value: int) -> None: ...
    def symbolize(self, addr: int) -> str | None: ...


# -- tokens -------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<float>0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?\d+[fFlL]?
             |(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?[fFlL]?|\d+[eE][+-]?\d+[fFlL]?)
  | (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|0[bB][01]+[uUlL]*|\d+[uUlL]*)
  | (?P<char>'(?:\\.|[^\\'])+')
  | (?P<str>"(?:\\.|[^\\"])*")
  | (?P<reg>\$[A-Za-z_0-9]*)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|[-+*/%&|^]=|::|[-+*/%<>=!~&|^?:.,()\[\]{}@])
""", re.X)

_TYPE_WORDS = {"struct", "union", "enum", "const", "volatile", "signed", "unsigned", "char",
               "short", "int", "long", "float", "double", "void", "_Bool", "restrict",
               "__int128"}


def tokenize(text: str) -> list[tuple[str, str, int]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExpressionError(f"Invalid character '{text[pos]}' in expression.")
        kind = m.lastgroup
        if kind != "ws":
            tok = m.group()
            # 'file.c'::name scopes a name to a file; a char literal never has ::.
            if kind == "char" and text.startswith("::", m.end()) and len(_unescape(tok[1:-1])) != 1:
                kind = "scope"
            out.append((kind, tok, pos))
        pos = m.end()
    out.append(("end", "", len(text)))
    return out


_ESC = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "e": 27,
        "\\": 92, "'": 39, '"': 34, "?": 63}


def _unescape(body: str) -> bytes:
    out, i = bytearray(), 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        i += 1
        c = body[i] if i < len(body) else "\\"
        if c in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i:])
            out.append(int(m.group(), 8) & 0xFF)
            i += len(m.group())
        elif c == "x":
            m = re.match(r"[0-9a-fA-F]+", body[i + 1:])
            if m is None:
                raise ExpressionError("\\x escape without a following hex digit")
            out.append(int(m.group(), 16) & 0xFF)
            i += 1 + len(m.group())
        else:
            out.append(_ESC.get(c, ord(c) & 0xFF))
            i += 1
    return bytes(out)


# -- parser: tokens -> tuple AST ------------------------------------------------------

_BINARY = {  # operator: (left binding power, right binding power)
    ",": (1, 2), "=": (3, 2), "?": (4, 3), "||": (5, 6), "&&": (7, 8), "|": (9, 10),
    "^": (11, 12), "&": (13, 14), "==": (15, 16), "!=": (15, 16), "<": (17, 18), ">": (17, 18),
    "<=": (17, 18), ">=": (17, 18), "<<": (19, 20), ">>": (19, 20), "@": (21, 22),
    "+": (23, 24), "-": (23, 24), "*": (25, 26), "/": (25, 26), "%": (25, 26),
}
for _op in ("+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="):
    _BINARY[_op] = (3, 2)
_UNARY_BP = 27


class Parser:
    """Pratt parser. `is_type(name)` says whether a bare identifier names a type
    here (C's typedef ambiguity: `(x)-1` is a cast only if x is a type)."""

    def __init__(self, text: str, is_type: Callable[[str], bool]) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.is_type = is_type
        self.depth = 0

    def peek(self, k: int = 0) -> tuple[str, str, int]:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def error(self, tok=None) -> ExpressionError:
        pos = (tok or self.peek())[2]
        return ExpressionError(f"A syntax error in expression, near `{self.text[pos:]}'.")

    def expect(self, op: str) -> None:
        tok = self.next()
        if tok[1] != op or tok[0] not in ("op",):
            raise self.error(tok)

    def parse(self):
        if self.peek()[0] == "end":
            raise self.error()
        node = self.expr(0)
        tok = self.peek()
        if tok[0] != "end":
            if tok[1] == ")":
                raise ExpressionError("Junk after end of expression.")
            raise self.error(tok)
        return node

    def expr(self, min_bp: int):
        left = self.unary()
        while True:
            kind, op, _ = self.peek()
            if kind != "op" or op not in _BINARY:
                return left
            lbp, rbp = _BINARY[op]
            if lbp < min_bp:
                return left
            self.next()
            if op == "?":
                a = self.expr(0)
                self.expect(":")
                b = self.expr(rbp)
                left = ("cond", left, a, b)
            elif op == "=" or op.endswith("=") and op not in ("==", "!=", "<=", ">="):
                left = ("assign", op[:-1], left, self.expr(rbp))
            else:
                left = ("binary", op, left, self.expr(rbp))

    def unary(self):
        kind, tok, _ = self.peek()
        if kind == "op" and tok in ("-", "+", "!", "~", "*", "&"):
            self.next()
            return ("unary", tok, self.expr(_UNARY_BP))
        if kind == "op" and tok in ("++", "--"):
            self.next()
            return ("assign", tok[0], self.expr(_UNARY_BP), ("num", INT_ONE))
        if kind == "name" and tok == "sizeof":
            self.next()
            if self.peek()[1] == "(" and self.starts_type(1):
                self.next()
                spec = self.type_name()
                self.expect(")")
                return ("sizeof_type", spec)
            return ("sizeof", self.expr(_UNARY_BP))
        if kind == "op" and tok == "(" and self.starts_type(1):
            self.next()
            spec = self.type_name()
            self.expect(")")
            return ("cast", spec, self.expr(_UNARY_BP))
        if kind == "op" and tok == "{" and self.starts_type(1):
            self.next()                                  # gdb's {type} addr
            spec = self.type_name()
            self.expect("}")
            return ("brace", spec, self.expr(_UNARY_BP))
        return self.postfix(self.primary())

    def starts_type(self, k: int) -> bool:
        kind, tok, _ = self.peek(k)
        if kind != "name":
            return False
        return tok in _TYPE_WORDS or (self.peek(k + 1)[1] != "::" and self.is_type(tok))

    def postfix(self, node):
        while True:
            kind, tok, _ = self.peek()
            if kind != "op":
                return node
            if tok in (".", "->"):
                self.next()
                name = self.next()
                if name[0] != "name":
                    raise self.error(name)
                node = ("member", tok, node, name[1])
            elif tok == "[":
                self.next()
                index = self.expr(0)
                self.expect("]")
                node = ("index", node, index)
            elif tok == "(":
                self.next()
                args = []
                while self.peek()[1] != ")":
                    args.append(self.expr(2))
                    if self.peek()[1] == ",":
                        self.next()
                    elif self.peek()[1] != ")":
                        raise self.error()
                self.next()
                node = ("call", node, args)
            elif tok in ("++", "--"):
                self.next()
                node = ("postinc", tok[0], node)
            else:
                return node

    def primary(self):
        kind, tok, pos = self.next()
        if kind == "num":
            return ("num", int_literal(tok))
        if kind == "float":
            return ("num", float_literal(tok))
        if kind == "char":
            return ("num", Value.from_int(CHAR, _unescape(tok[1:-1])[0]))
        if kind == "str":
            data = b""
            while True:                                  # "ab" "cd" concatenates
                data += _unescape(tok[1:-1])
                if self.peek()[0] != "str":
                    break
                tok = self.next()[1]
            return ("num", Value(array_of(CHAR, len(data) + 1), data + b"\0"))
        if kind == "reg":
            return ("reg", tok[1:])
        if kind == "scope":
            self.expect("::")
            name = self.next()
            if name[0] != "name":
                raise self.error(name)
            return ("name", name[1], _unescape(tok[1:-1]).decode())
        if kind == "name":
            if self.peek()[1] == "::" and self.peek(1)[0] == "name":
                self.next()
                return ("name", self.next()[1], tok)
            return ("name", tok, None)
        if kind == "op" and tok == "(":
            node = self.expr(0)
            self.expect(")")
            return node
        raise self.error((kind, tok, pos))

    # -- type names: base words, then an abstract declarator --------------------------
    def type_name(self):
        quals, words = [], []
        spec = None
        while True:
            kind, tok, _ = self.peek()
            if kind != "name":
                break
            if tok in ("const", "volatile", "restrict"):
                quals.append(tok)
                self.next()
            elif tok in ("struct", "union", "enum"):
                if spec is not None or words:
                    raise self.error()
                self.next()
                name = self.next()
                if name[0] != "name":
                    raise self.error(name)
                spec = ("named", f"{tok} {name[1]}")
            elif tok in _TYPE_WORDS:
                words.append(self.next()[1])
            elif spec is None and not words and self.is_type(tok):
                spec = ("named", self.next()[1])
            else:
                break
        if words:
            if spec is not None or c_type(" ".join(words)) is None:
                raise self.error()
            spec = ("builtin", " ".join(words))
        if spec is None:
            raise self.error()
        for q in quals:
            spec = ("qual", q, spec)
        return self.declarator(spec)

    def declarator(self, spec):
        while self.peek()[1] == "*":
            self.next()
            spec = ("ptr", spec)
            while self.peek()[1] in ("const", "volatile", "restrict"):
                spec = ("qual", self.next()[1], spec)
        inner = 0
        if self.peek()[1] == "(" and self.peek(1)[1] == "*":
            self.next()
            while self.peek()[1] == "*":
                self.next()
                inner += 1
            self.expect(")")
        dims, params = [], None
        while self.peek()[1] in ("[", "("):
            if self.next()[1] == "[":
                n = None
                if self.peek()[0] == "num":
                    n = int_literal(self.next()[1]).as_int()
                self.expect("]")
                dims.append(n)
            else:
                params = []
                while self.peek()[1] != ")":
                    params.append(self.type_name())
                    if self.peek()[1] == ",":
                        self.next()
                self.next()
                spec = ("func", spec, tuple(params))
        for n in reversed(dims):
            spec = ("array", spec, n)
        for _ in range(inner):
            spec = ("ptr", spec)
        return spec


# -- C semantics: literals, conversions, operators ----------------------------------

INT, UINT, LONG, ULONG = c_type("int"), c_type("unsigned int"), c_type("long"), c_type("unsigned long")
LLONG, ULLONG, CHAR = c_type("long long"), c_type("unsigned long long"), c_type("char")
FLOAT, DOUBLE, LDOUBLE = c_type("float"), c_type("double"), c_type("long double")
INT_ONE = Value.from_int(INT, 1)
VOID_PTR = pointer_to(VOID)
PC_TYPE = pointer_to(func_type(VOID, prototyped=False))     # gdb's `void (*)()` for $pc


def _named_int(name: str, size: int, nottext: bool = False) -> Type:
    t = Type("int", name, size, signed=True)
    t.nottext = nottext
    return t


I8, I16 = _named_int("int8_t", 1, True), _named_int("int16_t", 2)
I32 = _named_int("int32_t", 4)
EFLAGS = Type("flags", "i386_eflags", 4)
_GPR = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp")
_SUBREGS: dict[str, tuple[str, int, Type]] = {}
for _r in _GPR:
    _b = _r[1:]                                           # ax, bx, si, bp ...
    _SUBREGS["e" + _b] = (_r, 0, I32)
    if _b != "sp":                                       # $sp is the stack pointer (gdb)
        _SUBREGS[_b] = (_r, 0, I16)
    _SUBREGS[_b[0] + "l" if _b.endswith("x") else _b + "l"] = (_r, 0, I8)
    if _b.endswith("x"):
        _SUBREGS[_b[0] + "h"] = (_r, 1, I8)
for _n in range(8, 16):
    _SUBREGS[f"r{_n}d"], _SUBREGS[f"r{_n}w"] = (f"r{_n}", 0, I32), (f"r{_n}", 0, I16)
    _SUBREGS[f"r{_n}l"] = (f"r{_n}", 0, I8)
for _r in (*_GPR, *(f"r{n}" for n in range(8, 16)), "orig_rax", "fs_base", "gs_base"):
    _SUBREGS[_r] = (_r, 0, LONG)
for _r in ("cs", "ss", "ds", "es", "fs", "gs"):
    _SUBREGS[_r] = (_r, 0, I32)
_SUBREGS.update({"rip": ("rip", 0, PC_TYPE), "pc": ("rip", 0, PC_TYPE),
                 "rsp": ("rsp", 0, VOID_PTR), "sp": ("rsp", 0, VOID_PTR),
                 "rbp": ("rbp", 0, VOID_PTR), "fp": ("rbp", 0, VOID_PTR),
                 "eflags": ("eflags", 0, EFLAGS)})


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
        raise ExpressionError("Invalid number \"%s\"." % tok) from None
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
    from fractions import Fraction
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
        return Value.from_int(pointer_to(t.target), v.address)
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


_pairs: dict[tuple[int, int], tuple[Type, Type, int, bool]] = {}


def _int_pair(a: Value, b: Value) -> tuple[int, int] | None:
    """Fast path for conditions: two plain integers (or enums) as Python ints after
    C's usual conversions; None for anything else (bool, pointer, float, struct,
    optimized out), which takes the general path."""
    ta, tb = a.type.strip(), b.type.strip()
    if ta.kind not in ("int", "enum") or tb.kind not in ("int", "enum") \
            or a.unavailable is not None or b.unavailable is not None:
        return None
    entry = _pairs.get((id(ta), id(tb)))
    if entry is None or entry[0] is not ta or entry[1] is not tb:
        rt = _usual(ta, tb)
        entry = (ta, tb, (1 << (8 * rt.size)) - 1, rt.is_unsigned)
        _pairs[(id(ta), id(tb))] = entry
    sa = ta.signed if ta.kind == "int" else not ta.is_unsigned
    sb = tb.signed if tb.kind == "int" else not tb.is_unsigned
    x = int.from_bytes(a.data[:ta.size], "little", signed=sa)
    y = int.from_bytes(b.data[:tb.size], "little", signed=sb)
    if entry[3]:
        return x & entry[2], y & entry[2]
    return x, y


def _float_op(op: str, x, y, t: Type) -> Value:
    from fractions import Fraction
    if t.size > 8:
        x, y = (Fraction(v) if not isinstance(v, float) or v == v and abs(v) != float("inf")
                else v for v in (x, y))
    else:
        x, y = float(x), float(y)
    if op in ("==", "!=", "<", ">", "<=", ">="):
        return _bool(_compare(op, x, y))
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
        raise ExpressionError("Integer only operation %s." % op if op in ("%", "<<", ">>")
                              else "Argument to arithmetic operation not a number or boolean.")
    return Value.from_float(t, r)


_DEFAULT_NAN = __import__("struct").unpack("<d", bytes.fromhex("000000000000f8ff"))[0]


def _compare(op: str, x, y) -> bool:
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


def unop(op: str, v: Value, env) -> Value:
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
        raise ExpressionError("Argument to arithmetic operation not a number or boolean.")
    if t.kind == "float":
        return Value.from_float(v.type, -v.as_float()) if op == "-" else v
    rt = promote(t)
    n = v.as_int()
    return Value.from_int(rt, -n if op == "-" else ~n if op == "~" else n)


def deref(v: Value, env) -> Value:
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


def member(v: Value, name: str, arrow: bool, env) -> Value:
    t = v.type.strip()
    if t.kind == "pointer" and (t.target or VOID).strip().kind in ("struct", "union", "class"):
        v, t = deref(v, env), (t.target or VOID).strip()
    if t.kind not in ("struct", "union", "class"):
        raise ExpressionError("Attempt to extract a component of a value that is not a "
                              "structure" + (" pointer." if arrow else "."))
    return v.member(name)


def index(a: Value, i: Value, env) -> Value:
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


def assign(lhs: Value, rhs: Value, env) -> Value:
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


def register(name: str, env) -> Value:
    from .expr import Unavailable
    if name not in _SUBREGS:
        conv = getattr(env, "convenience", None)
        if conv is not None and name in conv:
            return conv[name]
        return Value(VOID, b"")
    full, offset, t = _SUBREGS[name]
    try:
        raw = env.reg(full)
    except Unavailable:
        return Value(t, error="<not saved>")
    n = (raw >> (8 * offset)) & ((1 << (8 * t.size)) - 1)
    return Value(t, n.to_bytes(t.size, "little"), reg=full, reg_offset=offset)


def resolve_type(spec, env) -> Type:
    kind = spec[0]
    if kind == "builtin":
        return c_type(spec[1])
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


# -- compile: AST -> closures ---------------------------------------------------------

_CMP = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt,
        "<=": operator.le, ">=": operator.ge}
_CONST_KINDS = {"num", "unary", "binary", "cond", "cast", "sizeof_type"}


def _builtin_spec(spec) -> bool:
    if spec[0] == "builtin":
        return True
    if spec[0] == "named":
        return False
    return all(_builtin_spec(s) for s in spec[1:] if isinstance(s, tuple) and s and
               isinstance(s[0], str)) and (spec[0] != "func" or all(_builtin_spec(p) for p in spec[2]))


def _is_const(node) -> bool:
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


def compile_node(node) -> Callable:
    if node[0] != "num" and _is_const(node):
        try:
            value = _compile(node)(None)              # fold constants once
            return lambda env: value
        except ExpressionError:
            pass                                       # keep the error for run time
    return _compile(node)


def _compile(node) -> Callable:
    kind = node[0]
    if kind == "num":
        value = node[1]
        return lambda env: value
    if kind == "name":
        _, name, scope = node

        def lookup(env):
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

            def compare(env):
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

        def postinc(env):
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
        def call(env):
            raise ExpressionError("Calling functions of the program is not supported.")
        return call
    raise ExpressionError(f"unknown expression node {kind}")


def _compound(env, lhs: Value, op: str, rhs: Value) -> Value:
    return assign(lhs, binop(op, lhs, rhs), env)


def _set_convenience(env, name: str, rhs: Value, op: str, fl) -> Value:
    conv = getattr(env, "convenience", None)
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
