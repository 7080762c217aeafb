"""Breakpoint conditions compiled to x86-64 code that runs inside the program.

A fast breakpoint (breaks/fast_sites.py) evaluates its condition in the jump pad
without stopping the tracee; only a true condition traps to the debugger, which
evaluates it again the ordinary way (so a fast condition can only ever decide
"not now"). The subset compiled here is what needs no debugger help: integer,
pointer, enum and bool arithmetic and comparisons, && || !, variables whose
location at the breakpoint's address is memory at a register plus an offset, a
fixed address, or a register; struct members and array elements at constant
offsets; pointer dereferences (a fault there is caught by the debugger, see
exec/pad_setup.py). Everything else raises NotFast with the reason shown by
`info fast-conditions`.

The code runs in the stub of breaks/jump_pad.py: rax, rcx and rdx are saved on
the stack (offsets ``SAVED``) and the program's rsp is ``FRAME`` bytes above the
stub's; the result is left in rax (non-zero: true). Temporaries are pushed, and
each instruction's push depth is recorded so a thread stopped anywhere in the
code can be rolled back to the breakpoint's address.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import TdbgError
from ..program.target import Target
from ..symbols import cexpr
from ..symbols.dwarf.expr import read_sleb

if TYPE_CHECKING:
    from ..symbols.cexpr.parse import Node
    from ..symbols.scopes import Scopes, Variable
    from ..symbols.types import Type

FRAME = 128 + 32                       # red zone + flags, rax, rcx, rdx
SAVED = {"rdx": 0, "rcx": 8, "rax": 16}   # bytes above the stub's rsp after its pushes
_GP = ("rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
       "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
_DWARF_GP = (0, 2, 1, 3, 7, 6, 4, 5) + tuple(range(8, 16))   # our numbering -> DWARF
_FROM_DWARF = {d: _GP[i] for i, d in enumerate(_DWARF_GP)}
_CC = {"==": (0x94, 0x94), "!=": (0x95, 0x95), "<": (0x9C, 0x92), ">=": (0x9D, 0x93),
       "<=": (0x9E, 0x96), ">": (0x9F, 0x97)}         # (signed, unsigned) setcc
_ARITH = {"+": b"\x48\x01\xc8", "-": b"\x48\x29\xc8", "&": b"\x48\x21\xc8",
          "|": b"\x48\x09\xc8", "^": b"\x48\x31\xc8", "*": b"\x48\x0f\xaf\xc1"}


class NotFast(Exception):
    """The condition needs the debugger; str() is the reason shown to the user."""


@dataclass(frozen=True, slots=True)
class CType:
    size: int
    signed: bool
    pointer: Type | None = None        # the pointed-to type of a pointer value


INT = CType(4, True)
LONG = CType(8, True)


@dataclass
class Compiled:
    code: bytes
    depths: list[tuple[int, int]] = field(default_factory=list)   # (offset, bytes pushed)


def _s32(n: int) -> bytes:
    if not -(1 << 31) <= n < (1 << 31):
        raise NotFast("offset out of range")
    return struct.pack("<i", n)


class _Emitter:
    def __init__(self) -> None:
        self.code = bytearray()
        self.depth = 0
        self.depths: list[tuple[int, int]] = []

    def op(self, b: bytes, push: int = 0) -> None:
        self.depths.append((len(self.code), self.depth))
        self.code += b
        self.depth += push

    def imm(self, n: int) -> None:
        n &= (1 << 64) - 1
        if n < (1 << 31) or n >= (1 << 64) - (1 << 31):
            self.op(b"\x48\xc7\xc0" + struct.pack("<i", n - (1 << 64) if n >> 63 else n))
        else:
            self.op(b"\x48\xb8" + struct.pack("<Q", n))

    def reg(self, name: str, site: int) -> None:
        """rax = the program's value of register `name` at the site."""
        if name in SAVED:
            self.op(b"\x48\x8b\x84\x24" + _s32(SAVED[name] + self.depth))
        elif name == "rsp":
            self.op(b"\x48\x8d\x84\x24" + _s32(FRAME + self.depth))
        elif name == "rip":
            self.imm(site)
        else:
            n = _GP.index(name)
            self.op(bytes([0x4C if n >= 8 else 0x48, 0x89, 0xC0 | (n & 7) << 3]))

    def add(self, n: int) -> None:
        if n:
            self.op(b"\x48\x05" + _s32(n))

    def load(self, size: int, signed: bool) -> None:
        """rax = the integer of `size` bytes at [rax] (a fault: exec/pad_setup.py)."""
        self.op({(1, True): b"\x48\x0f\xbe\x00", (1, False): b"\x48\x0f\xb6\x00",
                 (2, True): b"\x48\x0f\xbf\x00", (2, False): b"\x48\x0f\xb7\x00",
                 (4, True): b"\x48\x63\x00", (4, False): b"\x8b\x00",
                 (8, True): b"\x48\x8b\x00", (8, False): b"\x48\x8b\x00"}[(size, signed)])

    def narrow(self, t: CType) -> None:
        """Wrap rax to the type's width, as C (and gdb) do after each operation."""
        code = {(1, True): b"\x48\x0f\xbe\xc0", (1, False): b"\x48\x0f\xb6\xc0",
                (2, True): b"\x48\x0f\xbf\xc0", (2, False): b"\x48\x0f\xb7\xc0",
                (4, True): b"\x48\x63\xc0", (4, False): b"\x89\xc0"}.get((t.size, t.signed))
        if code:
            self.op(code)

    def jz(self) -> int:
        self.op(b"\x48\x85\xc0\x0f\x84\0\0\0\0")
        return len(self.code)

    def jnz(self) -> int:
        self.op(b"\x48\x85\xc0\x0f\x85\0\0\0\0")
        return len(self.code)

    def patch(self, at: int) -> None:
        struct.pack_into("<i", self.code, at - 4, len(self.code) - at)

    def boolean(self, setcc: int) -> None:
        self.op(bytes([0x0F, setcc, 0xC0]) + b"\x0f\xb6\xc0")


@dataclass
class _Place:
    """Where an lvalue lives: memory (address computed by `emit`) or a register."""
    kind: str                         # "mem" | "reg" | "const"
    emit: Any = None                  # callable(emitter) -> None, leaves the address in rax
    reg: str = ""
    value: int = 0


class _Compiler:
    def __init__(self, target: Target, addr: int) -> None:
        from .conditions import _StaticScope
        from .frame_env import _static_scope
        prog = target.require_program()
        o = prog.objfile_for(addr)
        if o is None or o.debug is None:
            raise NotFast("no debug information at the breakpoint")
        self.o, self.site, self.scope = o, addr, _StaticScope(target, addr)
        sc, link, cu_off, fb_expr, scope_off, _addrx = _static_scope(o, addr)
        f = o.require_debug().function_at(link)
        if f is None or scope_off is None or cu_off is None:
            raise NotFast("no function at the breakpoint")
        if scope_off != f.die_offset:
            raise NotFast("inside an inlined function")
        self.sc: Scopes = sc
        self.link, self.cu_off, self.fb_expr = link, cu_off, fb_expr
        args, local = sc.frame_variables(cu_off, scope_off, link)
        self.visible: dict[str, Variable] = {}
        for v in (*local, *args):
            self.visible.setdefault(v.name, v)
        self.e = _Emitter()

    # ---- locations ---------------------------------------------------------------
    def _cfa(self) -> tuple[str, int]:
        row = self.o.cfi.rule_row(self.site)
        if row is None or row.cfa_expr is not None or row.cfa_reg not in _FROM_DWARF:
            raise NotFast("no simple CFA rule at the breakpoint")
        return _FROM_DWARF[row.cfa_reg], row.cfa_offset

    def _frame_base(self) -> tuple[str, int, bool]:
        """(register, offset, is-a-register-value) of DW_AT_frame_base."""
        fb = self.fb_expr
        if not fb:
            raise NotFast("no frame base")
        if fb == b"\x9c":
            r, off = self._cfa()
            return r, off, False
        kind, r, off = _one_op(fb)
        if kind == "breg":
            return r, off, False
        if kind == "reg":
            return r, 0, False
        raise NotFast("frame base expression not supported")

    def place_of(self, var: Variable) -> _Place:
        from ..symbols.dwarf.expr import location_expression
        die = var.die
        const = die.attributes.get("DW_AT_const_value")
        if const is not None and isinstance(const.value, int):
            return _Place("const", value=const.value)
        attr = die.attributes.get("DW_AT_location")
        if attr is None:
            raise NotFast(f"'{var.name}' has no location")
        try:
            expr = location_expression(attr, die, self.sc.dwarf, self.link)
        except TdbgError:
            expr = None
        if not expr:
            raise NotFast(f"'{var.name}' is optimized out at the breakpoint")
        if expr[0] == 0x91:                                   # DW_OP_fbreg
            off, n = read_sleb(expr, 1)
            if n != len(expr):
                raise NotFast(f"location of '{var.name}' not supported")
            r, base, _ = self._frame_base()
            return _Place("mem", emit=lambda e: (e.reg(r, self.site), e.add(base + off)))
        kind, val, off = _one_op(expr)
        if kind == "breg":
            return _Place("mem", emit=lambda e: (e.reg(val, self.site), e.add(off)))
        if kind == "reg":
            return _Place("reg", reg=val)
        if kind == "addr":
            where = off + self.o.bias
            return _Place("mem", emit=lambda e: e.imm(where))
        raise NotFast(f"location of '{var.name}' not supported")

    # ---- expressions -------------------------------------------------------------------
    def lvalue(self, node: Node) -> tuple[Type, _Place]:
        kind = node[0]
        if kind == "name":
            _, name, scope = node
            if scope is not None:
                raise NotFast("scoped name")
            var = self.visible.get(name) or self.sc.lookup_global(name, self.cu_off)
            if var is None or var.kind == "function":
                raise NotFast(f"'{name}' is not a variable here")
            return self.sc.complete(var.type, self.cu_off), self.place_of(var)
        if kind == "member":
            _, arrow, inner, name = node
            if arrow == ".":
                t, place = self.lvalue(inner)
                agg = t.strip()
            else:
                ct = self.rvalue(inner)
                if ct.pointer is None:
                    raise NotFast("-> on a non-pointer")
                agg = self.sc.complete(ct.pointer, self.cu_off).strip()
                place = _Place("mem", emit=None)            # address already in rax
            if place.kind != "mem" or agg.kind not in ("struct", "union"):
                raise NotFast("member of a non-memory aggregate")
            m = next((m for m in agg.members if m.name == name), None)
            if m is None or m.bitsize:
                raise NotFast(f"member '{name}' not supported")
            return m.type, self._offset(place, m.offset)
        if kind == "index":
            _, base, idx = node
            if idx[0] != "num" or not idx[1].type.is_integral:
                raise NotFast("index that is not a constant")
            i = idx[1].as_int()
            t, place = self.lvalue(base)
            at = t.strip()
            if at.kind != "array" or at.target is None or place.kind != "mem":
                raise NotFast("index of a non-array")
            return at.target, self._offset(place, i * at.target.size)
        if kind == "unary" and node[1] == "*":
            ct = self.rvalue(node[2])
            if ct.pointer is None:
                raise NotFast("* of a non-pointer")
            return ct.pointer, _Place("mem", emit=None)
        raise NotFast(f"{kind} expression")

    def _offset(self, place: _Place, off: int) -> _Place:
        inner = place.emit

        def emit(e: _Emitter) -> None:
            if inner is not None:
                inner(e)
            e.add(off)
        return _Place("mem", emit=emit)

    def _ctype(self, t: Type) -> CType:
        s = t.strip()
        if s.kind in ("int", "bool"):
            return CType(s.size, bool(s.signed))
        if s.kind == "enum":
            return CType(s.size, not s.is_unsigned)
        if s.kind == "pointer":
            return CType(8, False, s.target)
        raise NotFast(f"{s.kind} value")

    def rvalue(self, node: Node) -> CType:
        e = self.e
        kind = node[0]
        if kind == "num":
            v = node[1]
            ct = self._ctype(v.type)
            e.imm(v.as_int())
            return ct
        if kind == "reg":
            if node[1] not in _GP:
                raise NotFast(f"${node[1]} needs the debugger")
            e.reg(node[1], self.site)
            return LONG
        if kind == "unary" and node[1] in ("!", "-", "~", "+"):
            ct = self._promote(self.rvalue(node[2]))
            if node[1] == "!":
                e.op(b"\x48\x85\xc0")
                e.boolean(0x94)
                return INT
            if ct.pointer is not None:
                raise NotFast("arithmetic on a pointer")
            e.op({"-": b"\x48\xf7\xd8", "~": b"\x48\xf7\xd0", "+": b""}[node[1]])
            e.narrow(ct)
            return ct
        if kind == "binary":
            return self._binary(node[1], node[2], node[3])
        if kind == "cast":
            t = cexpr.resolve_type(node[1], self.scope)      # type: ignore[arg-type]
            to = self._ctype(t)
            self.rvalue(node[2])
            e.narrow(to)
            return to
        if kind in ("name", "member", "index", "unary"):
            t, place = self.lvalue(node)
            ct = self._ctype(t)
            if place.kind == "const":
                e.imm(place.value)
            elif place.kind == "reg":
                e.reg(place.reg, self.site)
                e.narrow(ct)
            else:
                if place.emit is not None:
                    place.emit(e)
                e.load(ct.size, ct.signed)
            return ct
        raise NotFast(f"{kind} expression")

    @staticmethod
    def _promote(t: CType) -> CType:
        return INT if t.pointer is None and t.size < 4 else t

    def _binary(self, op: str, left: Node, right: Node) -> CType:
        e = self.e
        if op in ("&&", "||"):
            self.rvalue(left)
            out = e.jz() if op == "&&" else e.jnz()
            self.rvalue(right)
            e.patch(out)
            e.op(b"\x48\x85\xc0")
            e.boolean(0x95)
            return INT
        if op not in _CC and op not in _ARITH:
            raise NotFast(f"operator {op}")
        lt = self._promote(self.rvalue(left))
        e.op(b"\x50", 8)                                      # push rax
        rt = self._promote(self.rvalue(right))
        e.op(b"\x48\x89\xc1")                                 # mov rcx, rax
        e.op(b"\x58", -8)                                     # pop rax
        if (lt.pointer is not None or rt.pointer is not None) and op not in _CC:
            raise NotFast("arithmetic on a pointer")
        common = _common(lt, rt)
        if common.size == 4 and not common.signed:
            e.op(b"\x89\xc0\x89\xc9")                     # zero-extend both (unsigned int)
        if op in _CC:
            e.op(b"\x48\x39\xc8")                             # cmp rax, rcx
            e.boolean(_CC[op][0 if common.signed else 1])
            return INT
        e.op(_ARITH[op])
        e.narrow(common)
        return common


def _common(a: CType, b: CType) -> CType:
    """C's usual arithmetic conversions on promoted operands (values are already
    sign- or zero-extended to 64 bits by their own type)."""
    if a.pointer is not None or b.pointer is not None:
        return CType(8, False)
    if a.size == 8 or b.size == 8:
        if a.size == b.size:
            return CType(8, a.signed and b.signed)
        big = a if a.size == 8 else b
        return CType(8, big.signed)       # long absorbs unsigned int
    return CType(4, a.signed and b.signed)


def _one_op(expr: bytes) -> tuple[str, Any, int]:
    """A location of exactly one DWARF operation we can compile."""
    op = expr[0]
    if 0x70 <= op <= 0x7F and (op - 0x70) in _FROM_DWARF:          # DW_OP_bregN
        off, n = read_sleb(expr, 1)
        if n == len(expr):
            return "breg", _FROM_DWARF[op - 0x70], off
    if 0x50 <= op <= 0x5F and len(expr) == 1 and (op - 0x50) in _FROM_DWARF:   # DW_OP_regN
        return "reg", _FROM_DWARF[op - 0x50], 0
    if op == 0x03 and len(expr) == 9:                                  # DW_OP_addr
        return "addr", None, struct.unpack_from("<Q", expr, 1)[0]
    return "other", None, 0


def either(parts: list[Compiled]) -> Compiled:
    """Several breakpoints' conditions at one site: true when any is (each is checked
    again by the debugger after the trap)."""
    code = bytearray()
    depths: list[tuple[int, int]] = []
    jumps = []
    for i, p in enumerate(parts):
        depths += [(off + len(code), d) for off, d in p.depths]
        code += p.code
        if i < len(parts) - 1:
            depths += [(len(code), 0), (len(code) + 3, 0)]
            code += b"\x48\x85\xc0\x0f\x85\0\0\0\0"      # test rax,rax; jnz end
            jumps.append(len(code))
    for at in jumps:
        struct.pack_into("<i", code, at - 4, len(code) - at)
    return Compiled(bytes(code), depths)


def compile_condition(target: Target, text: str, addr: int) -> Compiled:
    """The code of `text` at runtime address `addr`, or NotFast(reason)."""
    if "$_" in text:
        raise NotFast("convenience variable")
    c = _Compiler(target, addr)
    try:
        tree = cexpr.parse(text, lambda n: n not in c.visible and c.scope.lookup_type(n) is not None)
    except TdbgError as e:
        raise NotFast(f"does not parse: {e}") from None
    try:
        c.rvalue(tree)
    except NotFast:
        raise
    except (TdbgError, KeyError, ValueError, AttributeError) as e:
        raise NotFast(f"not compiled: {e}") from None
    return Compiled(bytes(c.e.code), c.e.depths)

