"""Names of frame 0 bound once per pc, for breakpoint conditions.

A condition like `i == -1` runs at every hit, thousands of times a second.
Which DIE `i` names, its type, its location expression and the CFA rule only
depend on the pc, so the first evaluation at a pc reduces the name to a plan:
"the object at register R + K" (DW_OP_fbreg over a DW_OP_call_frame_cfa or
register frame base, DW_OP_bregN) or "the object at address A" (DW_OP_addr).
Later hits compute the address from the live registers and hand back the same
lazy Value the full scope walk (variables.build_env) would build. Everything
else (register locations, pieces, entry values, inline frames hidden at the
stop) takes the full walk.
"""
from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Final, Literal

from ..errors import NotRunning, TdbgError
from ..program.program import ObjFile
from ..program.target import Target, no_program
from ..symbols.dwarf.expr import DWARF_REGS, location_expression, read_sleb
from ..symbols.values import Value
from .frame_env import _static_scope
from .frame_regs import _GP
from .frames import Frames

if TYPE_CHECKING:
    from ..symbols.types import Type


class _Slow(enum.Enum):
    SLOW = "slow"


SLOW: Final = _Slow.SLOW     # this name at this pc needs the full scope walk
Slow = Literal[_Slow.SLOW]
# (type, base register or None for an absolute address, offset, the pc is in inlined code)
Plan = tuple["Type", "str | None", int, bool]
Rule = tuple["str | None", int]           # (register, offset) or (None, address)
_MASK = (1 << 64) - 1
_OP_ADDR, _OP_FBREG, _OP_CFA = 0x03, 0x91, 0x9C
_OP_BREG0, _OP_BREG31 = 0x70, 0x8F


def lookup(target: Target, frames: Frames, tid: int, name: str) -> Value | None | Slow:
    """The Value of `name` in frame 0 of `tid`, None if no such name, or SLOW."""
    inf, prog = target.inf, target.program
    if inf is None:
        raise NotRunning()
    if prog is None:
        raise no_program()
    regs = inf.regs(tid)
    pc = regs.rip
    o = prog.objfile_for(pc)
    if o is None or o.debug is None:
        return SLOW
    plans: dict[tuple[int, str], Plan | Slow] = o.__dict__.setdefault("_name_plans", {})
    plan = plans.get((pc, name))
    if plan is None:
        if len(plans) > 4096:
            plans.clear()
        plan = plans[(pc, name)] = _plan(o, pc, name, len(frames.levels_at(pc)) > 1)
    if plan is SLOW:
        return SLOW
    t, reg, offset, inlined = plan
    if inlined and tid == target.tid and frames.inline_skip():
        return SLOW
    addr = offset if reg is None else (getattr(regs, reg) + offset) & _MASK
    return Value(t, None, addr, target.read_memory)


def _plan(o: ObjFile, pc: int, name: str, inlined: bool) -> Plan | Slow:
    try:
        sc, link, cu_off, fb_expr, scope_off, _addrx = _static_scope(o, pc)
        var = None
        if cu_off is not None and scope_off is not None:
            args, local = sc.frame_variables(cu_off, scope_off, link)
            var = next((v for v in (*local, *args) if v.name == name), None)
        if var is None:
            var = sc.lookup_global(name, cu_off)
        if var is None or var.kind == "function":
            return SLOW
        attrs = var.die.attributes
        if "DW_AT_const_value" in attrs or "DW_AT_location" not in attrs:
            return SLOW
        expr = location_expression(attrs["DW_AT_location"], var.die, sc.dwarf, link)
        where = _address_rule(expr, fb_expr, o, pc) if expr else None
        if where is None:
            return SLOW
        return (sc.complete(var.type, cu_off), where[0], where[1], inlined)
    except (TdbgError, LookupError, ValueError):
        return SLOW


def _address_rule(expr: bytes, fb_expr: bytes | None, o: ObjFile, pc: int) -> Rule | None:
    """(register, offset) or (None, address) when `expr` is a plain memory location."""
    op = expr[0]
    if op == _OP_ADDR and len(expr) == 9:
        return None, int.from_bytes(expr[1:9], "little") + o.bias
    if _OP_BREG0 <= op <= _OP_BREG31:
        off, end = read_sleb(expr, 1)
        reg = DWARF_REGS.get(op - _OP_BREG0, "")
        return (reg, off) if end == len(expr) and reg in _GP else None
    if op == _OP_FBREG:
        off, end = read_sleb(expr, 1)
        base = _frame_base_rule(fb_expr, o, pc) if end == len(expr) else None
        return (base[0], base[1] + off) if base is not None else None
    return None


def _frame_base_rule(fb_expr: bytes | None, o: ObjFile, pc: int) -> Rule | None:
    if not fb_expr:
        return None
    if fb_expr == bytes([_OP_CFA]):
        row = o.cfi.rule_row(pc)
        if row is None or row.cfa_expr is not None or row.cfa_reg is None:
            return None
        reg = DWARF_REGS.get(row.cfa_reg, "")
        return (reg, row.cfa_offset) if reg in _GP else None
    return _address_rule(fb_expr, None, o, pc) if _OP_BREG0 <= fb_expr[0] <= _OP_BREG31 else None
