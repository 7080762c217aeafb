"""Parameters' values at function entry, found in the caller's call site (docs/hard-cases.md F4).

The expression side (reading and rewriting DW_OP_entry_value) is entry_substitute.py;
this module finds the values: the DW_TAG_call_site in the caller frame whose return pc
is that frame's pc, and its DW_AT_call_value evaluated in the caller.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import TdbgError
from ..program.target import Target
from ..symbols.dwarf.expr import DWARF_REGS, ExprContext, Unavailable, debug_addr, evaluate, read_uleb
from .entry_substitute import has_entry_value, register_of, substitute
from .frame_env import build_env
from .frame_regs import fp_registers
from .frames import Frames

if TYPE_CHECKING:
    from elftools.dwarf.die import DIE

    from ..symbols.scopes import Scopes

_CALL_SITES = ("DW_TAG_call_site", "DW_TAG_GNU_call_site")
_CALL_PARAMS = ("DW_TAG_call_site_parameter", "DW_TAG_GNU_call_site_parameter")
_ADDRX = ("DW_FORM_addrx", "DW_FORM_addrx1", "DW_FORM_addrx2", "DW_FORM_addrx3",
          "DW_FORM_addrx4", "DW_FORM_GNU_addr_index")
_MAX_DEPTH = 4          # entry values of the caller's own expressions, and so on


class _CallerContext:
    """An expr.ExprContext over the caller frame with gdb's register view."""

    def __init__(self, regs: dict[str, int], ctx: ExprContext) -> None:
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


class EntryValues:
    """Entry values of frame parameters (worker thread)."""

    def __init__(self, target: Target, frames: Frames) -> None:
        self.target = target
        self.frames = frames

    def entry_register(self, level: int, regno: int, depth: int = 0) -> int | None:
        """What DWARF register `regno` held when the function of frame `level` (its
        real function, past inline frames) was entered; None when unknown."""
        if depth > _MAX_DEPTH:
            return None
        try:
            frames = self.frames.unwind(limit=level + 8)
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
            known = substitute(expr, lambda r: self.entry_register(level, r, depth + 1))
            if known is None:
                return None
            expr = known
        env = build_env(self.target, self.frames, self.entry_register, self.target.tid, level)
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
        regs = {**self.target.registers(), **fp_registers(self.target.process, self.target.tid)}
        regs.update(self.frames.frame(level).regs)
        return regs

    def _call_site(self, lookup_pc: int, return_pc: int, callee: str | None) -> DIE | None:
        """The caller's DW_TAG_call_site returning to return_pc, if it calls `callee`."""
        o = self.target.prog.objfile_for(lookup_pc)
        if o is None or o.debug is None:
            return None
        f = o.debug.function_at(lookup_pc - o.bias)
        if f is None:
            return None
        cache: dict[tuple[int, int], dict[int, DIE]] = o.__dict__.setdefault("_call_sites", {})
        key = (f.cu_offset, f.die_offset)
        sites = cache.get(key)
        if sites is None:
            sc = o.scopes
            sites = {}
            try:
                self._collect_sites(sc, sc.die_at(f.cu_offset, f.die_offset), sites, 0)
            except (TdbgError, LookupError, ValueError, AttributeError):
                pass
            cache[key] = sites
        site = sites.get(return_pc - o.bias)
        if site is None or callee is None:
            return None
        origin = site.attributes.get("DW_AT_call_origin") or site.attributes.get("DW_AT_abstract_origin")
        if origin is None:
            return None                              # an indirect call: target unknown
        try:
            target = site.get_DIE_from_attribute(origin.name)
            name = o.scopes.name_of(target)
        except (TdbgError, LookupError, ValueError, AttributeError):
            return None
        return site if name == callee else None

    def _collect_sites(self, sc: Scopes, die: DIE, out: dict[int, DIE], depth: int) -> None:
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
