"""The C expression language on its own: tokens, precedence, C's conversions,
gdb's error messages (copied from gdb 13 on this machine), assignment, speed.

Values live in a dict-backed fake memory here; tests/test_values.py checks the
same evaluator against gdb on real processes.
"""
from __future__ import annotations

import time

import pytest

from tdbg.backend.errors import BadAddress, ExpressionError
from tdbg.backend.symbols import cexpr
from tdbg.backend.symbols.dwarf.expr import Unavailable
from tdbg.backend.symbols.type_names import type_name
from tdbg.backend.symbols.types import Member, Type, array_of, c_type, pointer_to
from tdbg.backend.symbols.value_format import format_value
from tdbg.backend.symbols.values import Value

INT, LONG, CHAR = c_type("int"), c_type("long"), c_type("char")
UINT, DOUBLE = c_type("unsigned int"), c_type("double")


def _struct(name: str, members: list[tuple[str, Type, int]], size: int) -> Type:
    t = Type("struct", name, size)
    t.members = [Member(n, mt, off) for n, mt, off in members]
    return t


POINT = _struct("point", [("x", INT, 0), ("y", INT, 4)], 8)
NODE = Type("struct", "node", 16)
NODE.members = [Member("value", INT, 0), Member("next", pointer_to(NODE), 8)]
BITS = Type("struct", "bits", 4)
BITS.members = [Member("a", UINT, 0, 0, 3), Member("b", INT, 0, 3, 5)]
MYINT = Type("typedef", "myint", None, LONG)


class FakeEnv:
    """Memory is a bytearray at 0x1000; each variable has an address in it."""

    BASE = 0x1000

    def __init__(self) -> None:
        self.mem = bytearray(0x400)
        self.vars: dict[str, tuple[Type, int]] = {}
        self.regs = {"rax": 0x1122334455667788, "rip": 0x401000, "rsp": 0x7ffe0000, "rbp": 0}
        self.convenience: dict = {}
        self.next_free = self.BASE
        self.writes = 0

    def define(self, name: str, t: Type, data: bytes = b"") -> int:
        addr = self.next_free
        self.next_free += (t.size + 15) // 16 * 16
        self.vars[name] = (t, addr)
        self.write(addr, data.ljust(t.size, b"\0"))
        return addr

    def lookup(self, name, scope=None):
        if name not in self.vars:
            return None
        t, addr = self.vars[name]
        return Value(t, None, addr, self.read)

    def lookup_type(self, name):
        return {"struct point": POINT, "struct node": NODE, "myint": MYINT,
                "struct bits": BITS}.get(name)

    def reg(self, name):
        if name not in self.regs:
            raise Unavailable(name)
        return self.regs[name]

    def read(self, addr, n):
        off = addr - self.BASE
        if off < 0 or off + n > len(self.mem):
            raise BadAddress(addr)
        return bytes(self.mem[off:off + n])

    def write(self, addr, data):
        off = addr - self.BASE
        if off < 0 or off + len(data) > len(self.mem):
            raise BadAddress(addr)
        self.mem[off:off + len(data)] = data
        self.writes += 1

    def write_reg(self, name, value):
        self.regs[name] = value

    def symbolize(self, addr):
        return None


@pytest.fixture
def env():
    e = FakeEnv()
    e.define("i", INT, (-1).to_bytes(4, "little", signed=True))
    e.define("u", UINT, (4000000000).to_bytes(4, "little"))
    e.define("c", CHAR, b"A")
    e.define("d", DOUBLE, __import__("struct").pack("<d", 0.1))
    arr = e.define("arr", array_of(INT, 5), b"".join(n.to_bytes(4, "little") for n in (1, 2, 3, 4, 5)))
    e.define("p", pointer_to(INT), (arr + 8).to_bytes(8, "little"))
    second = e.define("n2", NODE, (2).to_bytes(4, "little"))
    e.define("n1", NODE, (1).to_bytes(8, "little") + second.to_bytes(8, "little"))
    e.define("head", pointer_to(NODE), e.vars["n1"][1].to_bytes(8, "little"))
    e.define("pt", POINT, (3).to_bytes(4, "little") + (4).to_bytes(4, "little"))
    e.define("bf", BITS, (5 | (-3 & 31) << 3).to_bytes(4, "little"))
    e.define("null", pointer_to(INT))
    e.define("text", array_of(CHAR, 8), b"hi\0")
    return e


def p(expr: str, env) -> str:
    return format_value(cexpr.evaluate(expr, env), env.read)


# -- tokens and precedence ------------------------------------------------------------

def test_tokens():
    kinds = [(k, t) for k, t, _ in cexpr.tokenize("p->next[2] <<= 0x1fUL + 'a' + \"s\\\"\" $rip")]
    assert kinds == [("name", "p"), ("op", "->"), ("name", "next"), ("op", "["), ("num", "2"),
                     ("op", "]"), ("op", "<<="), ("num", "0x1fUL"), ("op", "+"), ("char", "'a'"),
                     ("op", "+"), ("str", '"s\\""'), ("reg", "$rip"), ("end", "")]
    assert cexpr.tokenize("'f.c'::x")[0][0] == "scope"


def shape(node):
    """An AST as nested operator strings, literals as their value."""
    kind = node[0]
    if kind == "num":
        return node[1].as_int() if node[1].type.is_integral else node[1]
    if kind == "name":
        return node[1]
    if kind in ("binary", "assign"):
        return (node[1] + ("=" if kind == "assign" else ""), shape(node[2]), shape(node[3]))
    if kind == "unary":
        return (node[1], shape(node[2]))
    if kind == "member":
        return (node[1], shape(node[2]), node[3])
    if kind == "index":
        return ("[]", shape(node[1]), shape(node[2]))
    if kind == "cond":
        return ("?:", *map(shape, node[1:]))
    if kind == "cast":
        return ("cast", node[1], shape(node[2]))
    if kind == "sizeof":
        return ("sizeof", shape(node[1]))
    return node


@pytest.mark.parametrize("text, expected", [
    ("1 + 2 * 3", ("+", 1, ("*", 2, 3))),
    ("1 - 2 - 3", ("-", ("-", 1, 2), 3)),
    ("a = b = 1", ("=", "a", ("=", "b", 1))),
    ("-x[1]", ("-", ("[]", "x", 1))),
    ("*p->next", ("*", ("->", "p", "next"))),
    ("&s.a.b", ("&", (".", (".", "s", "a"), "b"))),
    ("(long)x + 1", ("+", ("cast", ("builtin", "long"), "x"), 1)),
    ("a ? b : c ? d : e", ("?:", "a", "b", ("?:", "c", "d", "e"))),
    ("1 << 2 + 3", ("<<", 1, ("+", 2, 3))),
    ("a & b == c", ("&", "a", ("==", "b", "c"))),
    ("a || b && c", ("||", "a", ("&&", "b", "c"))),
    ("sizeof x + 1", ("+", ("sizeof", "x"), 1)),
    ("x += 2", ("+=", "x", 2)),
    ("a, b", (",", "a", "b")),
    ("!a == b", ("==", ("!", "a"), "b")),
])
def test_precedence(text, expected):
    assert shape(cexpr.parse(text)) == expected


def test_typedef_names_decide_casts(env):
    assert p("(myint)-1", env) == "-1"                # myint is a type: a cast
    env.define("myint", INT, (10).to_bytes(4, "little"))
    assert p("(myint)-1", env) == "9"                 # now a variable: subtraction
    assert type_name(cexpr.parse_type("struct node *", env)) == "struct node *"
    assert type_name(cexpr.parse_type("char (*)[4]", env)) == "char (*)[4]"
    assert type_name(cexpr.parse_type("int (*)(int, long)", env)) == "int (*)(int, long)"


# -- values, as gdb 13 prints them (checked on this machine) --------------------------------

@pytest.mark.parametrize("expr, expected", [
    ("1 + 2 * 3", "7"), ("7 / 2", "3"), ("-7 / 2", "-3"), ("-7 % 3", "-1"), ("5 % -3", "2"),
    ("2147483647 + 1", "-2147483648"), ("-2147483648", "-2147483648"), ("0xffffffff", "4294967295"),
    ("u + i", "3999999999"), ("-u", "294967296"), ("~0", "-1"), ("1L << 40", "1099511627776"),
    ("-16 >> 2", "-4"), ("1 << 40", "0"), ("i == -1", "1"), ("3 > 2 && 0", "0"), ("!5", "0"),
    ("c + 1", "66"), ("c", "65 'A'"), ("(char)66", "66 'B'"), ("'\\n'", "10 '\\n'"),
    ("'\\0'", "0 '\\000'"), ("'\\377'", "-1 '\\377'"), ("\"a\\tb\"", '"a\\tb"'), ("10/3.0", "3.3333333333333335"),
    ("d * 3", "0.30000000000000004"), ("1.0f/3", "0.333333343"), ("1.0L/3", "0.333333333333333333342"),
    ("1.0/0", "inf"), ("-1.0/0", "-inf"), ("0.0/0", "-nan(0x8000000000000)"), ("(int)-3.99", "-3"),
    ("(unsigned char)300", "44 ','"), ("(unsigned long)-1", "18446744073709551615"), ("1 ? 2 : 3", "2"),
    ("sizeof(int)", "4"), ("sizeof arr", "20"), ("sizeof(struct node)", "16"), ("sizeof(int[10])", "40"),
    ("arr", "{1, 2, 3, 4, 5}"), ("arr[4]", "5"), ("*p", "3"), ("p[1]", "4"), ("*(p - 2)", "1"),
    ("p - arr", "2"), ("&arr[3] - &arr[0]", "3"), ("*arr@3", "{1, 2, 3}"), ("arr[1]@2", "{2, 3}"),
    ("head->next->value", "2"), ("head.value", "1"), ("pt->y", "4"), ("(*head).next->next", "(struct node *) 0x0"),
    ("pt", "{x = 3, y = 4}"), ("bf", "{a = 5, b = -3}"), ("bf.b * 2", "-6"), ("text", '"hi\\000\\000\\000\\000\\000"'),
    ("$rax", "1234605616436508552"), ("$eax", "1432778632"), ("$ax", "30600"), ("$al", "-120"), ("$ah", "119"),
    ("$pc", "(void (*)()) 0x401000"), ("$sp", "(void *) 0x7ffe0000"), ("$nosuch", "void"),
    ("1, 2", "2"), ("0x1p3", "8"), ("017", "15"), ("0b101", "5"), ("'A' == 65", "1"),
])
def test_values(env, expr, expected):
    assert p(expr, env) == expected


@pytest.mark.parametrize("expr, message", [
    ("nosuch", 'No symbol "nosuch" in current context.'),
    ("1 +", "A syntax error in expression, near `'."),
    ("1 + )", "A syntax error in expression, near `)'."),
    ("(1))", "Junk after end of expression."),
    ("1 2", "A syntax error in expression, near `2'."),
    ("", "A syntax error in expression, near `'."),
    ("pt.zz", "There is no member named zz."),
    ("head->zz", "There is no member named zz."),
    ("*pt", "Attempt to take contents of a non-pointer value."),
    ("*null", "Cannot access memory at address 0x0"),
    ("null->x", "Attempt to extract a component of a value that is not a structure pointer."),
    ("i.x", "Attempt to extract a component of a value that is not a structure."),
    ("1 / 0", "Division by zero"), ("i % 0", "Division by zero"),
    ("i[1]", "cannot subscript something of type `int'"),
    ("5@2", "Only values in memory can be extended with '@'."),
    ("arr[1]@0", "Invalid number 0 of repetitions."),
    ("~d", "Argument to complement operation not an integer, boolean."),
    ("d + pt", "Argument to arithmetic operation not a number or boolean."),
    ("&$rax", "Attempt to take address of value not located in memory."),
    ("5 = 3", "Left operand of assignment is not an lvalue."),
    ("(struct nosuch *)0", "No struct type named nosuch."),
    ("*(void **)0 + 1", "Cannot access memory at address 0x0"),
    ("#", "Invalid character '#' in expression."),
])
def test_errors(env, expr, message):
    with pytest.raises(ExpressionError) as info:
        p(expr, env)
    assert str(info.value) == message


# -- assignment (set var) ------------------------------------------------------------------

def test_assignment_writes_through(env):
    assert p("i = 7", env) == "7" and p("i", env) == "7"
    assert p("i += 3", env) == "10" and p("i", env) == "10"
    assert p("arr[0]++", env) == "1" and p("arr[0]", env) == "2"
    assert p("++arr[0]", env) == "3"
    assert p("pt.y = -1", env) == "-1" and p("pt", env) == "{x = 3, y = -1}"
    assert p("pt = *(struct point *)&arr[1]", env) == "{x = 2, y = 3}"
    assert p("d = 1", env) == "1" and p("d / 4", env) == "0.25"
    assert p("c = 'z'", env) == "122 'z'"
    assert p("*p = 99", env) == "99" and p("arr[2]", env) == "99"


def test_bitfield_assignment_keeps_neighbours(env):
    assert p("bf.b = 9", env) == "9"
    assert p("bf", env) == "{a = 5, b = 9}"
    assert p("bf.a = 15", env) == "7"               # 3 bits: truncated like C
    assert p("bf", env) == "{a = 7, b = 9}"


def test_register_assignment_merges_subregisters(env):
    assert p("$eax = 5", env) == "5"
    assert env.regs["rax"] == 0x1122334400000005
    assert p("$ah = 1", env) == "1"
    assert env.regs["rax"] == 0x1122334400000105
    p("$rip = $rip + 4", env)
    assert env.regs["rip"] == 0x401004


def test_convenience_variables(env):
    assert p("$x = 5", env) == "5"
    assert p("$x * 2", env) == "10"
    assert p("$x += 1", env) == "6"


# -- speed: conditions are evaluated on every breakpoint hit ---------------------------------

def test_compiled_once_and_cheap(env):
    fn = cexpr.compile_expression("i == -1", env)
    assert cexpr.compile_expression("i == -1", env) is fn
    assert cexpr.evaluate_condition("i == -1", env) is True
    n = 20000
    start = time.perf_counter()
    for _ in range(n):
        cexpr.evaluate_condition("i == -1", env)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 50e-6, f"{per_call * 1e6:.1f} us per condition"


def test_constant_subexpressions_are_folded(env):
    fn = cexpr.compile_expression("-(2 * 3) + sizeof(long)", env)
    assert fn(None).as_int() == 2                     # no environment needed at all
