"""A frame's name environment: the bridge from a live frame to the DWARF scope layer.

For frame N of a thread: find its object file and function DIE, build the
expression context (registers, CFA, DW_AT_frame_base) and hand both to
scopes.FrameEnv, which resolves locals (innermost block first), file statics
and globals. Everything a pane, `print` or `info locals` shows comes through here.

Entry values (entry_values.py) need environments of caller frames, and
environments need entry values: the link is the `entry_register` callable passed
in, so neither module imports the other.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import CommandError, ExpressionError, TdbgError
from ..process.inferior import Inferior
from ..program.program import ObjFile, Program
from ..program.target import Target, no_program
from ..symbols.dwarf.expr import ExprContext, Unavailable, debug_addr, location_expression
from ..symbols.frame_env import FrameEnv as SymbolsFrameEnv
from ..symbols.frames import Frame, FrameContext
from ..symbols.values import Value
from .entry_substitute import has_entry_value, substitute
from .frame_regs import _GP, FrameRegs, LiveRegs, fp_registers
from .frames import Frames
from .minsyms import minimal_symbol_value
from .scoped_names import FrameOf, scoped_lookup

if TYPE_CHECKING:
    from ..symbols.index.funcs import FunctionInfo
    from ..symbols.scopes import Scopes, Variable
    from ..symbols.types import Type

# (frame level, DWARF register number) -> the register's value at function entry
EntryRegister = Callable[[int, int], "int | None"]
# What a frame's name lookup needs that depends only on its pc (see _static_scope):
# (scopes, link-time pc, CU offset, frame base expression, scope DIE offset, .debug_addr reader)
AddrX = Callable[[int], int]
StaticScope = tuple["Scopes", int, "int | None", "bytes | None", "int | None", "AddrX | None"]


class EntryFrameEnv(SymbolsFrameEnv):
    """FrameEnv whose optimized-out variables get a second chance through
    DW_OP_entry_value, resolved at the caller's call site (entry_values.py)."""

    def __init__(self, *args: Any, entry: Callable[[int], int | None] | None = None,
                 **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._entry = entry              # regno -> value at entry, or None
        # The user's side of expressions (set by build_env): `$N` history, minimal
        # symbols, and the frames FUNC::local reads (None: no process).
        self.history: list[str] = []
        self.program: Program | None = None
        self.frame_of: FrameOf | None = None

    def lookup(self, name: str, scope: str | None = None) -> Value | None:
        if scope is None:
            return super().lookup(name)
        return scoped_lookup(self, name, scope, self.frame_of)

    def minimal_symbol(self, name: str) -> Value | None:
        """cexpr's slow path for a name no DWARF scope has (compile.py)."""
        if self.program is None:
            return None
        return minimal_symbol_value(self.program, name, self.read, self.scopes, self.cu_offset)

    def value_of(self, var: Variable) -> Value:
        v = self.scopes.read_variable(var, self.ctx, self.pc, self.read)
        if self._entry is None or not v.entirely_optimized_out():
            return v
        attr = var.location
        if attr is None:
            return v
        try:
            found = location_expression(attr, var.die, self.scopes.dwarf, self.pc)
            if found is None or not has_entry_value(found):
                return v
            expr = substitute(found, self._entry)
            if expr is None:
                return v
            from ..symbols.dwarf.expr import evaluate
            from ..symbols.values import value_from_pieces
            pieces = evaluate(expr, self.ctx, address_size=var.die.cu["address_size"])
            return value_from_pieces(var.type, pieces, self.ctx, self.read)
        except (Unavailable, TdbgError, IndexError, KeyError):
            return v


def _entry_for(entry_register: EntryRegister | None,
               level: int) -> Callable[[int], int | None] | None:
    if entry_register is None:
        return None
    return lambda regno: entry_register(level, regno)


class FrameScope:
    """Name lookup for one frame (built lazily by evaluate.FrameEnv)."""

    def __init__(self, target: Target, frames: Frames, entry_register: EntryRegister | None,
                 tid: int, level: int) -> None:
        self.tid, self.level = tid, level
        self.env = build_env(target, frames, entry_register, tid, level)

    def lookup(self, name: str, scope: str | None = None) -> Value | None:
        if self.env is None:
            return None
        return self.env.lookup(name, scope)

    def lookup_type(self, name: str) -> Type | None:
        return None if self.env is None else self.env.lookup_type(name)


def _function_scope(sc: Scopes, f: FunctionInfo | None, link: int, scope_off: int | None = None
                    ) -> tuple[bytes | None, int | None, AddrX | None]:
    """(frame base expression, scope DIE offset, .debug_addr reader) of function f at
    link-time pc; the scope is the innermost inlined call unless the frame names one."""
    if f is None:
        return None, None, None
    func_die = sc.die_at(f.cu_offset, f.die_offset)
    fb_expr = None
    attr = func_die.attributes.get("DW_AT_frame_base")
    if attr is not None:
        try:
            fb_expr = location_expression(attr, func_die, sc.dwarf, link)
        except TdbgError:
            fb_expr = None
    if scope_off is None:
        chain = sc.inline_chain(func_die, link)
        scope_off = chain[0].offset if chain else f.die_offset
    cu = func_die.cu
    return fb_expr, scope_off, lambda i: debug_addr(sc.dwarf, cu, i)


def _static_scope(o: ObjFile, pc: int) -> StaticScope:
    """What a frame's name lookup needs that depends only on its pc (cached per pc:
    breakpoint conditions run this thousands of times a second)."""
    cache: dict[int, StaticScope] = o.__dict__.setdefault("_scope_cache", {})
    hit = cache.get(pc)
    if hit is not None:
        return hit
    sc = o.scopes
    debug = o.require_debug()        # callers have checked o.debug
    link = pc - o.bias
    f = debug.function_at(link)
    cu_off = f.cu_offset if f else debug.cu_offset_for(link)
    fb_expr, scope_off, addrx = _function_scope(sc, f, link)
    if len(cache) > 4096:
        cache.clear()
    hit = cache[pc] = (sc, link, cu_off, fb_expr, scope_off, addrx)
    return hit


def _frame0(target: Target, frames: Frames, inf: Inferior, tid: int, o: ObjFile) -> Frame:
    """Frame 0 without unwinding: registers as they are, CFA from the CFI row at pc."""
    from ..symbols.dwarf.expr import DWARF_REGS
    regs = LiveRegs(inf.regs(tid), lambda: fp_registers(inf, tid))
    pc = regs["rip"]
    cfa = None
    try:
        row = o.cfi.rule_row(pc)
    except Exception:
        row = None
    if row is not None and row.cfa_expr is None and row.cfa_reg is not None:
        reg = DWARF_REGS.get(row.cfa_reg, "")
        if reg in _GP:
            cfa = (regs[reg] + row.cfa_offset) & 0xFFFFFFFFFFFFFFFF
    if cfa is None and tid == target.tid:
        cfa = frames.unwind(limit=1)[0].cfa
    return Frame(0, pc, cfa, regs)


def build_env(target: Target, frames: Frames, entry_register: EntryRegister | None,
              tid: int, level: int) -> EntryFrameEnv | None:
    prog = target.program
    if prog is None:
        raise no_program()
    inf = target.inf
    if inf is not None and not inf.alive:
        inf = None                       # a dead process: only the file's view is left
    # Frame 0 without unwinding, unless the stop hides inline frames (then frame 0 is
    # an outer scope than the innermost block at pc).
    if inf is not None and level == 0 and (tid != target.tid or not frames.inline_skip()):
        pc0 = inf.regs(tid).rip
        o = prog.objfile_for(pc0)
        if o is not None and o.debug is not None:
            sc, link, cu_off, fb_expr, scope_off, addrx = _static_scope(o, pc0)
            f0 = _frame0(target, frames, inf, tid, o)
            ctx0 = FrameContext(f0, target.read_memory, o.bias, fb_expr, addrx)
            env0 = EntryFrameEnv(sc, ctx0, link, cu_off, scope_off, read=target.read_memory,
                                 write=target.write_memory, write_reg=target.set_register,
                                 symbolize=prog.symbolize, convenience=target.convenience,
                                 entry=_entry_for(entry_register, 0) if tid == target.tid else None)
            return _user_side(env0, target, frames, entry_register, live=True)
    frame: Frame | None = None
    pc: int | None = None
    if inf is not None:
        stack: Sequence[Frame] | None = frames.unwind(limit=level + 1) if tid == target.tid else None
        if stack is None or len(stack) <= level:
            if tid != target.tid:
                r = target.registers(tid)
                stack = [Frame(0, r["rip"], None, r)]
            else:
                raise CommandError(f"No frame at level {level}.")
        frame = stack[level]
        pc = frame.lookup_pc
    o = prog.objfile_for(pc) if pc is not None else prog.main
    if o is None or o.debug is None:
        o = prog.main
        if o.debug is None:
            return None
        pc = None
    debug = o.debug
    sc = o.scopes
    link = pc - o.bias if pc is not None else -1
    f = debug.function_at(link) if pc is not None else None
    cu_off = f.cu_offset if f else (debug.cu_offset_for(link) if pc is not None else None)
    fb_expr, scope_off, addrx = _function_scope(sc, f, link, getattr(frame, "scope_offset", None))
    ctx: ExprContext
    read: Callable[[int, int], bytes]
    write: Callable[[int, bytes], None] | None
    write_reg: Callable[[str, int], None] | None
    if frame is not None and inf is not None:      # a frame is only found in a live process
        regs = frame.regs
        if level == 0:
            regs = FrameRegs(regs, lambda: fp_registers(inf, tid))
            frame.regs = regs
        read = target.read_memory
        ctx = FrameContext(frame, read, o.bias, fb_expr, addrx)
        write, write_reg = target.write_memory, (target.set_register if level == 0 else None)
    else:
        file_ctx = _FileContext(o)
        ctx, read, write, write_reg = file_ctx, file_ctx.read, None, None
    entry = _entry_for(entry_register, level) if frame is not None and tid == target.tid else None
    env = EntryFrameEnv(sc, ctx, link, cu_off, scope_off, read=read, write=write,
                        write_reg=write_reg, symbolize=prog.symbolize,
                        convenience=target.convenience, entry=entry)
    return _user_side(env, target, frames, entry_register, live=frame is not None)


def _user_side(env: EntryFrameEnv, target: Target, frames: Frames,
               entry_register: EntryRegister | None, live: bool) -> EntryFrameEnv:
    env.history = target.value_history
    env.program = target.program
    if live:
        env.frame_of = lambda die: _frame_running(target, frames, entry_register, env.scopes, die)
    return env


def _frame_running(target: Target, frames: Frames, entry_register: EntryRegister | None,
                   scopes: Scopes, die: Any) -> EntryFrameEnv | None:
    """The environment of the innermost frame of the current thread running `die`."""
    prog = target.prog
    for f in frames.unwind():
        o = prog.objfile_for(f.lookup_pc)
        if o is None or o.debug is None or o.scopes is not scopes:
            continue
        if scopes.contains(die, f.lookup_pc - o.bias):
            return build_env(target, frames, entry_register, target.tid, f.level)
    return None


class _FileContext:
    """No process: only what the file holds (globals' initial values, addresses)."""

    def __init__(self, objfile: ObjFile) -> None:
        self.o = objfile
        self.bias = objfile.bias

    def read(self, addr: int, n: int) -> bytes:
        from ..errors import BadAddress
        try:
            return self.o.elf.read_link_addr(addr - self.o.bias, n)
        except Exception:
            raise BadAddress(addr) from None

    def reg(self, name: str) -> int:
        raise ExpressionError("No registers.")

    def frame_base(self) -> int:
        raise Unavailable("no frame")

    def cfa(self) -> int:
        raise Unavailable("no frame")

    def addrx(self, index: int) -> int:
        raise Unavailable("no .debug_addr")


