"""C expression syntax: tokens, and a Pratt parser from tokens to a tuple AST.

Nodes are tuples whose first item names the kind ("num", "name", "binary", "cast"
...); compile.py turns them into closures. Literals are typed here, by ops.py's C
rules, so a constant node carries its Value.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...errors import ExpressionError
from ..types import array_of, c_type
from ..values import Value
from .ops import CHAR, INT_ONE, float_literal, int_literal

# An expression node: ("num", Value), ("name", name, scope), ("reg", name),
# ("unary", op, node), ("binary", op, node, node), ("cond", node, node, node),
# ("assign", op, node, node), ("postinc", op, node), ("cast", spec, node),
# ("brace", spec, node), ("sizeof", node), ("sizeof_type", spec),
# ("member", "." or "->", node, name), ("index", node, node), ("call", node, [node]),
# ("hist", n): value history, n > 0 absolute ($3), n <= 0 back from the last ($, $$2).
Node = tuple[Any, ...]
# A type name: ("builtin", words), ("named", name), ("qual", qualifier, spec),
# ("ptr", spec), ("array", spec, count or None), ("func", spec, (spec, ...)).
Spec = tuple[Any, ...]
Token = tuple[str, str, int]             # (kind, text, position in the expression)

# -- tokens -------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<float>0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?\d+[fFlL]?
             |(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?[fFlL]?|\d+[eE][+-]?\d+[fFlL]?)
  | (?P<num>0[xX][0-9a-fA-F]+[uUlL]*|0[bB][01]+[uUlL]*|\d+[uUlL]*)
  | (?P<char>'(?:\\.|[^\\'])+')
  | (?P<str>"(?:\\.|[^\\"])*")
  | (?P<reg>\$[A-Za-z_0-9$]*)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+\+|--|[-+*/%&|^]=|::|[-+*/%<>=!~&|^?:.,()\[\]{}@])
""", re.X)

_TYPE_WORDS = {"struct", "union", "enum", "const", "volatile", "signed", "unsigned", "char",
               "short", "int", "long", "float", "double", "void", "_Bool", "restrict",
               "__int128"}


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ExpressionError(f"Invalid character '{text[pos]}' in expression.")
        kind = m.lastgroup or ""                 # every alternative is a named group
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
            assert m is not None                 # c is an octal digit
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


def _atoi(digits: str) -> int:
    """C's atoi as gdb uses it on `$NNN`: wraps at 32 bits."""
    n = int(digits) & 0xFFFFFFFF
    return n - (1 << 32) if n >> 31 else n


def _dollar(tok: str) -> Node:
    """gdb's write_dollar_variable: `$`, `$$`, `$N`, `$$N` are history; the rest
    registers or convenience variables (`$$x` is the variable named "$x")."""
    negate = tok.startswith("$$")
    rest = tok[2:] if negate else tok[1:]
    if not rest:
        return ("hist", -1 if negate else 0)
    if rest.isdigit():
        n = _atoi(rest)
        return ("hist", -n if negate else n)
    return ("reg", tok[1:])


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
INC_ONE: Node = ("num", INT_ONE)         # the 1 of ++x / --x (compile.py tells them from x += 1)


class Parser:
    """Pratt parser. `is_type(name)` says whether a bare identifier names a type
    here (C's typedef ambiguity: `(x)-1` is a cast only if x is a type)."""

    def __init__(self, text: str, is_type: Callable[[str], bool]) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.is_type = is_type
        self.depth = 0

    def peek(self, k: int = 0) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self) -> Token:
        tok = self.toks[self.i]
        self.i = min(self.i + 1, len(self.toks) - 1)
        return tok

    def error(self, tok: Token | None = None) -> ExpressionError:
        pos = (tok or self.peek())[2]
        return ExpressionError(f"A syntax error in expression, near `{self.text[pos:]}'.")

    def expect(self, op: str) -> None:
        tok = self.next()
        if tok[1] != op or tok[0] not in ("op",):
            raise self.error(tok)

    def parse(self) -> Node:
        if self.peek()[0] == "end":
            raise self.error()
        node = self.expr(0)
        tok = self.peek()
        if tok[0] != "end":
            if tok[1] == ")":
                raise ExpressionError("Junk after end of expression.")
            raise self.error(tok)
        return node

    def expr(self, min_bp: int) -> Node:
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

    def unary(self) -> Node:
        kind, tok, _ = self.peek()
        if kind == "op" and tok in ("-", "+", "!", "~", "*", "&"):
            self.next()
            return ("unary", tok, self.expr(_UNARY_BP))
        if kind == "op" and tok in ("++", "--"):
            self.next()
            return ("assign", tok[0], self.expr(_UNARY_BP), INC_ONE)
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

    def postfix(self, node: Node) -> Node:
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
                args: list[Node] = []
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

    def primary(self) -> Node:
        kind, tok, pos = self.next()
        if kind == "num":
            return ("num", int_literal(tok))
        if kind == "float":
            return ("num", float_literal(tok))
        if kind == "char":
            body = _unescape(tok[1:-1])
            if len(body) > 2:                            # gdb: a quoted name ('puts@plt')
                return ("name", body.decode("utf-8", "replace"), None)
            if len(body) == 2:
                raise ExpressionError("Invalid character constant.")
            return ("num", Value.from_int(CHAR, body[0]))
        if kind == "str":
            data = b""
            while True:                                  # "ab" "cd" concatenates
                data += _unescape(tok[1:-1])
                if self.peek()[0] != "str":
                    break
                tok = self.next()[1]
            return ("num", Value(array_of(CHAR, len(data) + 1), data + b"\0"))
        if kind == "reg":
            return _dollar(tok)
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
    def type_name(self) -> Spec:
        quals: list[str] = []
        words: list[str] = []
        spec: Spec | None = None
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

    def declarator(self, spec: Spec) -> Spec:
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
        dims: list[int | None] = []
        while self.peek()[1] in ("[", "("):
            if self.next()[1] == "[":
                n = None
                if self.peek()[0] == "num":
                    n = int_literal(self.next()[1]).as_int()
                self.expect("]")
                dims.append(n)
            else:
                params: list[Spec] = []
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
