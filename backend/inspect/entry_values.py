"""Parameters' values at function entry, as gdb finds them (HARD-CASES F4).

At -O2 gcc describes a parameter whose register was reused by
`DW_OP_entry_value(DW_OP_reg5)`: "what rdi held when the function was entered".
The answer is in the caller: the DW_TAG_call_site whose return pc is the caller
frame's pc has a DW_TAG_call_site_parameter for rdi, and its DW_AT_call_value is
an expression evaluated in the caller's frame. gdb uses the same lookup to print
`f (v=v@entry=5)` when a parameter still equals its entry value.

`substitute()` rewrites an expression, replacing each DW_OP_entry_value(DW_OP_regN)
by the constant found that way, so the ordinary evaluator can run it.
"""
from __future__ import annotations

from typing import Callable

from ..errors import TdbgError
from ..symbols.dwarf.expr import DWARF_REGS, Unavailable, debug_addr, evaluate, read_sleb, read_uleb

_CALL_SITES = ("DW_TAG_call_site", "DW_TAG_GNU_call_site")
_CALL_PARAMS = ("DW_TAG_call_site_parameter", "DW_TAG_GNU_call_site_parameter")
_ENTRY_VALUE = (0xA3, 0xF3)
_ADDRX = ("DW_FORM_addrx", "DW_FORM_addrx1", "DW_FORM_addrx2", "DW_FORM_addrx3",
          "DW_FORM_addrx4", "DW_FORM_GNU_addr_index")
_MAX_DEPTH = 4          # entry values of the caller's own expressions, and so on

# Operand layout of each DWARF op (for walking an expression without running it):
# a string of "u" (uleb), "s" (sleb), "1/2/4/8" (fixed bytes), "b" (uleb length + block),
# "c" (1-byte length + block).
_OPERANDS = {0x03: "8", 0x08: "1", 0x09: "1", 0x0A: "2", 0x0B: "2", 0x0C: "4", 0x0D: "4",
             0x0E: "8", 0x0F: "8", 0x10: "u", 0x11: "s", 0x15: "1", 0x23: "u", 0x28: "2",
             0x2F: "2", 0x90: "u", 0x91: "s", 0x92: "us", 0x93: "u", 0x94: "1", 0x95: "1",
             0x98: "2", 0x99: "4", 0x9A: "4", 0x9D: "uu", 0x9E: "b", 0xA0: "4s", 0xA1: "u",
             0xA2: "u", 0xA3: "b", 0xA4: "uc", 0xA5: "uu", 0xA6: "1u", 0xA7: "1u", 0xA8: "u",
             0xA9: "u", 0xF2: "4s", 0xF3: "b", 0xF4: "uc", 0xF5: "uu", 0xF6: "1u", 0xF7: "u",
             0xF9: "u", 0xFA: "4", 0xFB: "u", 0xFC: "u", 0xFD: "4"}
_OPERANDS.update({op: "s" for op in range(0x70, 0x90)})           # DW_OP_bregN
_BRANCHES = (0x28, 0x2F)


def _next_op(expr: bytes, pos: int) -> int:
    """Position of the op after the one at pos."""
    op = expr[pos]
    pos += 1
    for kind in _OPERANDS.get(op, ""):
        if kind == "u":
            _, pos = read_uleb(expr, pos)
        elif kind == "s":
            _, pos = read_sleb(expr, pos)
        elif kind == "b":
            n, pos = read_uleb(expr, pos)
            pos += n
        elif kind == "c":
            pos += 1 + expr[pos]
        else:
            pos += int(kind)
    return pos


def register_of(expr: bytes | None) -> int | None:
    """N when expr is exactly DW_OP_regN / DW_OP_regx N."""
    if not expr:
        return None
    if len(expr) == 1 and 0x50 <= expr[0] <= 0x6F:
        return expr[0] - 0x50
    if expr[0] == 0x90:
        n, pos = read_uleb(expr, 1)
        return n if pos == len(expr) else None
    return None


def has_entry_value(expr: bytes | None) -> bool:
    return bool(expr) and any(b in _ENTRY_VALUE for b in expr)


def substitute(expr: bytes, entry_reg: Callable[[int], int | None]) -> bytes | None:
    """expr with every DW_OP_entry_value(DW_OP_regN) replaced by DW_OP_const8u of the
    value regN had at entry; None when one cannot be found (or a branch would move)."""
    out, pos, changed = bytearray(), 0, False
    try:
        while pos < len(expr):
            nxt = _next_op(expr, pos)
            op = expr[pos]
            if op in _BRANCHES:
                return None
            if op in _ENTRY_VALUE:
                n, start = read_uleb(expr, pos + 1)
                sub = bytes(expr[start:start + n])
                reg = register_of(sub)
                if reg is None and sub and sub[0] in (0xA5, 0xF5):    # DW_OP_regval_type
                    reg, end = read_uleb(sub, 1)
                    _, end = read_uleb(sub, end)
                    reg = reg if end == len(sub) else None
                value = entry_reg(reg) if reg is not None else None
                if value is None:
                    return None
                out += bytes([0x0E]) + (value & (1 << 64) - 1).to_bytes(8, "little")
                changed = True
            else:
                out += expr[pos:nxt]
            pos = nxt
    except IndexError:
        return None
    return bytes(out) if changed else None


class _CallerContext:
    """An expr.ExprContext over the caller frame with gdb's register view."""

    def __init__(self, regs: dict[str, int], ctx) -> None:
        self._regs, self._ctx = regs, ctx
        self.bias = ctx.bias
        self.read = ctx.read

    def reg(self, name: str) -> int:
        if name not in self._regs:
            raise Unavailable(f"register {name} not known in the caller")
        return self._regs[name]

    def frame_base(self) -> int:
        return self._ctx.frame_base()

    def cfa(self) -> int:
        return self._ctx.cfa()

    def addrx(self, index: int) -> int:
        return self._ctx.addrx(index)


class EntryValueMixin:
    """Debugger methods (worker thread): entry values of frame parameters."""

    def entry_register(self, level: int, regno: int, depth: int = 0) -> int | None:
        """What DWARF register `regno` held when the function of frame `level` (its
        real function, past inline frames) was entered; None when unknown."""
        if depth > _MAX_DEPTH:
            return None
        try:
            frames = self.unwind(limit=level + 8)
        except TdbgError:
            return None
        i = level
        while i < len(frames) and frames[i].inline:
            i += 1                                   # gdb: entry values are the real frame's
        if i + 1 >= len(frames):
            return None
        callee, caller = frames[i], frames[i + 1]
        site = self._call_site(caller.lookup_pc, caller.pc, callee.function)
        if site is None:
            return None
        for p in site.iter_children():
            if p.tag not in _CALL_PARAMS:
                continue
            loc = p.attributes.get("DW_AT_location")
            val = p.attributes.get("DW_AT_call_value") or p.attributes.get("DW_AT_GNU_call_site_value")
            if loc is None or val is None or register_of(bytes(loc.value)) != regno:
                continue
            return self._caller_value(i + 1, bytes(val.value), depth)
        return None

    def _caller_value(self, level: int, expr: bytes, depth: int) -> int | None:
        """DW_AT_call_value evaluated in frame `level` (the caller), as gdb does it."""
        from .variables import build_env
        if expr and expr[0] in (0xA4, 0xF4):            # DW_OP_const_type: a typed constant
            try:
                _, pos = read_uleb(expr, 1)
                n = expr[pos]
                if pos + 1 + n == len(expr):
                    return int.from_bytes(expr[pos + 1:pos + 1 + n], "little")
            except IndexError:
                pass
            return None
        if expr and expr[0] in (0xA5, 0xF5):            # DW_OP_regval_type: a whole register
            try:
                reg, pos = read_uleb(expr, 1)
                _, pos = read_uleb(expr, pos)
            except IndexError:
                return None
            name = DWARF_REGS.get(reg)
            if pos != len(expr) or name is None:
                return None
            return self._caller_registers(level).get(name)
        if has_entry_value(expr):
            expr = substitute(expr, lambda r: self.entry_register(level, r, depth + 1))
            if expr is None:
                return None
        env = build_env(self, self.tid, level)
        if env is None:
            return None
        try:
            # gdb reads a register the CFI does not restore in the caller as "same
            # value" (an unspecified rule): the innermost frame's, i.e. the live one.
            pieces = evaluate(expr + b"\x9f", _CallerContext(self._caller_registers(level), env.ctx))
        except (Unavailable, TdbgError, IndexError, KeyError):
            return None
        if len(pieces) != 1 or pieces[0].kind != "value":
            return None
        return pieces[0].value

    def _caller_registers(self, level: int) -> dict[str, int]:
        """Frame `level`'s registers as gdb sees them: what the CFI restores, and for
        every other register (an unspecified rule) the innermost frame's, the live one."""
        from .variables import fp_registers
        regs = {**self.registers(), **fp_registers(self.inf, self.tid)}
        regs.update(self.frame(level).regs)
        return regs

    def _call_site(self, lookup_pc: int, return_pc: int, callee: str | None):
        """The caller's DW_TAG_call_site returning to return_pc, if it calls `callee`."""
        o = self.program.objfile_for(lookup_pc)
        if o is None or o.debug is None:
            return None
        f = o.debug.function_at(lookup_pc - o.bias)
        if f is None:
            return None
        cache = o.__dict__.setdefault("_call_sites", {})
        key = (f.cu_offset, f.die_offset)
        sites = cache.get(key)
        if sites is None:
            from .variables import scopes_for
            sc = scopes_for(o)
            sites = {}
            try:
                self._collect_sites(sc, sc.die_at(f.cu_offset, f.die_offset), sites, 0)
            except (TdbgError, LookupError, ValueError, AttributeError):
                pass
            cache[key] = sites
        site = sites.get(return_pc - o.bias)
        if site is None or callee is None:
            return None
        from .variables import scopes_for
        origin = site.attributes.get("DW_AT_call_origin") or site.attributes.get("DW_AT_abstract_origin")
        if origin is None:
            return None                              # an indirect call: target unknown
        try:
            target = site.get_DIE_from_attribute(origin.name)
            name = scopes_for(o).name_of(target)
        except (TdbgError, LookupError, ValueError, AttributeError):
            return None
        return site if name == callee else None

    def _collect_sites(self, sc, die, out: dict, depth: int) -> None:
        if depth > 64:
            return
        for child in die.iter_children():
            if child.tag in _CALL_SITES:
                attr = child.attributes.get("DW_AT_call_return_pc") or child.attributes.get("DW_AT_low_pc")
                if attr is not None:
                    pc = debug_addr(sc.dwarf, child.cu, attr.value) if attr.form in _ADDRX else attr.value
                    out[pc] = child
            elif child.has_children:
                self._collect_sites(sc, child, out, depth + 1)
