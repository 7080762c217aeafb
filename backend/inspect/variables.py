"""Names in a frame: the bridge from a live frame to the DWARF scope layer.

For frame N of a thread: find its object file and function DIE, build the
expression context (registers, CFA, DW_AT_frame_base) and hand both to
scopes.FrameEnv, which resolves locals (innermost block first), file statics
and globals. Everything a pane or `info locals` shows comes through here.
"""
from __future__ import annotations

import re

from ..errors import CommandError, ExpressionError, TdbgError
from ..events import Variable
from ..symbols import scopes as scopes_mod
from ..symbols.dwarf.expr import Unavailable, debug_addr, location_expression
from ..symbols.frames import FrameContext
from ..symbols.types import AGGREGATES, type_name
from ..symbols.values import Value, children as value_children, format_value, has_children


from .entry_values import EntryValueMixin, has_entry_value, substitute
from ..process.ptrace import REG_NAMES

_GP = frozenset(REG_NAMES)


class FrameRegs(dict):
    """A frame's registers; xmm/st registers are fetched only when asked (frame 0)."""

    def __init__(self, regs: dict[str, int], fetch_fp) -> None:
        super().__init__(regs)
        self._fetch_fp = fetch_fp

    def _load_fp(self, name: str) -> bool:
        if self._fetch_fp is None or not (name.startswith("xmm") or name.startswith("st")):
            return False
        fetch, self._fetch_fp = self._fetch_fp, None
        self.update(fetch())
        return name in self

    def __contains__(self, name) -> bool:
        return dict.__contains__(self, name) or self._load_fp(name)

    def __missing__(self, name):
        if self._load_fp(name):
            return dict.__getitem__(self, name)
        raise KeyError(name)


class LiveRegs(FrameRegs):
    """Frame 0's registers read straight from the cached ptrace struct: no dict built per hit."""

    def __init__(self, struct, fetch_fp) -> None:
        dict.__init__(self)
        self._struct = struct
        self._fetch_fp = fetch_fp

    def __contains__(self, name) -> bool:
        return name in _GP or dict.__contains__(self, name) or self._load_fp(name)

    def __missing__(self, name):
        if name in _GP:
            return getattr(self._struct, name)
        return FrameRegs.__missing__(self, name)

    def get(self, name, default=None):
        return self[name] if name in self else default


def fp_registers(inf, tid: int) -> dict[str, int]:
    fp = inf.fpregs(tid)
    out = {}
    for i in range(16):
        words = fp.xmm_space[i * 4:(i + 1) * 4]
        out[f"xmm{i}"] = sum(w << (32 * k) for k, w in enumerate(words))
    for i in range(8):
        words = fp.st_space[i * 4:(i + 1) * 4]
        out[f"st{i}"] = sum(w << (32 * k) for k, w in enumerate(words)) & ((1 << 80) - 1)
    return out


def scopes_for(objfile):
    sc = getattr(objfile, "_scopes", None)
    if sc is None:
        sc = scopes_mod.Scopes(objfile.debug.dwarf)
        objfile._scopes = sc
    return sc


class EntryFrameEnv(scopes_mod.FrameEnv):
    """FrameEnv whose optimized-out variables get a second chance through
    DW_OP_entry_value, resolved at the caller's call site (entry_values.py)."""

    def __init__(self, *args, entry=None, **kw) -> None:
        super().__init__(*args, **kw)
        self._entry = entry              # regno -> value at entry, or None

    def value_of(self, var):
        v = self.scopes.read_variable(var, self.ctx, self.pc, self.read)
        if self._entry is None or not v.entirely_optimized_out():
            return v
        attr = var.location
        if attr is None:
            return v
        try:
            expr = location_expression(attr, var.die, self.scopes.dwarf, self.pc)
            if not has_entry_value(expr):
                return v
            expr = substitute(expr, self._entry)
            if expr is None:
                return v
            from ..symbols.dwarf.expr import evaluate
            from ..symbols.values import value_from_pieces
            pieces = evaluate(expr, self.ctx, address_size=var.die.cu["address_size"])
            return value_from_pieces(var.type, pieces, self.ctx, self.read)
        except (Unavailable, TdbgError, IndexError, KeyError):
            return v


def _aggregate(t) -> bool:
    """Not a scalar in gdb's sense: a struct, union, class or array (through references)."""
    t = t.strip()
    while t.kind in ("ref", "rvref") and t.target is not None:
        t = t.target.strip()
    return t.kind in AGGREGATES or t.kind == "array"


def _entry_for(dbg, level: int):
    return lambda regno: dbg.entry_register(level, regno)


class FrameScope:
    """Name lookup for one frame (built lazily by evaluate.FrameEnv)."""

    def __init__(self, dbg, tid: int, level: int) -> None:
        self.dbg, self.tid, self.level = dbg, tid, level
        self.env = build_env(dbg, tid, level)

    def lookup(self, name: str, scope: str | None = None) -> Value | None:
        if self.env is None:
            return None
        return self.env.lookup(name, scope)

    def lookup_type(self, name: str):
        return None if self.env is None else self.env.lookup_type(name)


def _function_scope(sc, f, link: int, scope_off: int | None = None):
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


def _static_scope(o, pc: int):
    """What a frame's name lookup needs that depends only on its pc (cached per pc:
    breakpoint conditions run this thousands of times a second)."""
    cache = o.__dict__.setdefault("_scope_cache", {})
    hit = cache.get(pc)
    if hit is not None:
        return hit
    sc = scopes_for(o)
    link = pc - o.bias
    f = o.debug.function_at(link)
    cu_off = f.cu_offset if f else o.debug.cu_offset_for(link)
    fb_expr, scope_off, addrx = _function_scope(sc, f, link)
    if len(cache) > 4096:
        cache.clear()
    hit = cache[pc] = (sc, link, cu_off, fb_expr, scope_off, addrx)
    return hit


def _frame0(dbg, tid: int, o):
    """Frame 0 without unwinding: registers as they are, CFA from the CFI row at pc."""
    from ..symbols.dwarf.expr import DWARF_REGS
    from ..symbols.frames import Frame
    inf = dbg.inf
    regs = LiveRegs(inf.regs(tid), lambda: fp_registers(inf, tid))
    pc = regs["rip"]
    cfa = None
    try:
        row = o.cfi.rule_row(pc)
    except Exception:
        row = None
    if row is not None and row.cfa_expr is None and DWARF_REGS.get(row.cfa_reg) in _GP:
        cfa = (regs[DWARF_REGS[row.cfa_reg]] + row.cfa_offset) & 0xFFFFFFFFFFFFFFFF
    elif tid == dbg.tid:
        cfa = dbg.unwind(limit=1)[0].cfa
    return Frame(0, pc, cfa, regs)


def build_env(dbg, tid: int, level: int):
    prog = dbg.program
    # Frame 0 without unwinding, unless the stop hides inline frames (then frame 0 is
    # an outer scope than the innermost block at pc).
    if dbg.alive and level == 0 and (tid != dbg.tid or not dbg.inline_skip()):
        pc = dbg.inf.regs(tid).rip
        o = prog.objfile_for(pc)
        if o is not None and o.debug is not None:
            sc, link, cu_off, fb_expr, scope_off, addrx = _static_scope(o, pc)
            frame = _frame0(dbg, tid, o)
            ctx = FrameContext(frame, dbg.read_memory, o.bias, fb_expr, addrx)
            return EntryFrameEnv(sc, ctx, link, cu_off, scope_off, read=dbg.read_memory,
                                 write=dbg.write_memory, write_reg=dbg.set_register,
                                 symbolize=prog.symbolize, convenience=dbg.convenience,
                                 entry=_entry_for(dbg, 0) if tid == dbg.tid else None)
    if dbg.alive:
        frames = dbg.unwind(limit=level + 1) if tid == dbg.tid else None
        if frames is None or len(frames) <= level:
            if tid != dbg.tid:
                from ..symbols.frames import Frame
                r = dbg.registers(tid)
                frames = [Frame(0, r["rip"], None, r)]
            else:
                raise CommandError(f"No frame at level {level}.")
        frame = frames[level]
        pc = frame.lookup_pc
        read = dbg.read_memory
    else:
        frame, pc, read = None, None, None
    o = prog.objfile_for(pc) if pc is not None else prog.main
    if o is None or o.debug is None:
        o = prog.main
        if o.debug is None:
            return None
        pc = None
    sc = scopes_for(o)
    link = pc - o.bias if pc is not None else -1
    f = o.debug.function_at(link) if pc is not None else None
    cu_off = f.cu_offset if f else (o.debug.cu_offset_for(link) if pc is not None else None)
    fb_expr, scope_off, addrx = _function_scope(sc, f, link, getattr(frame, "scope_offset", None))
    if frame is not None:
        regs = frame.regs
        if level == 0:
            inf = dbg.inf
            regs = FrameRegs(regs, lambda: fp_registers(inf, tid))
            frame.regs = regs
        ctx = FrameContext(frame, read, o.bias, fb_expr, addrx)
        write, write_reg = dbg.write_memory, (dbg.set_register if level == 0 else None)
    else:
        ctx = _FileContext(o)
        read, write, write_reg = ctx.read, None, None
    entry = _entry_for(dbg, level) if frame is not None and tid == dbg.tid else None
    return EntryFrameEnv(sc, ctx, link, cu_off, scope_off, read=read, write=write,
                         write_reg=write_reg, symbolize=prog.symbolize,
                         convenience=dbg.convenience, entry=entry)


class _FileContext:
    """No process: only what the file holds (globals' initial values, addresses)."""

    def __init__(self, objfile) -> None:
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


_SIMPLE = re.compile(r"^[A-Za-z_$][\w$]*(\[\d+\]|\.[A-Za-z_]\w*|->[A-Za-z_]\w*)*$")


def child_expr(expr: str, label: str) -> str:
    base = expr if _SIMPLE.match(expr) else f"({expr})"
    if label == "*":
        return f"*{base}"
    if label.startswith("["):
        return f"{base}{label}"
    return f"{base}.{label}"


class VariablesMixin(EntryValueMixin):
    """Debugger methods for locals, args and values (worker thread)."""

    def _frame_env(self, level: int | None = None):
        level = self.selected_frame if level is None else level
        env = build_env(self, self.tid, level)
        if env is None:
            raise CommandError("No symbol table info available.")
        return env

    def _fmt(self, env, v: Value, top: bool) -> str:
        return format_value(v, env.read, env.symbolize, top=top)

    def frame_args(self, level: int) -> list[tuple[str, str]]:
        """(name, value) for a frame line; gdb's `print entry-values default`: a
        parameter still equal to its value at entry shows as `v=v@entry=5`, one that
        changed as `v=6, v@entry=5`."""
        env = build_env(self, self.tid, level)
        if env is None:
            return []
        args, _ = env.variables()
        out = []
        for a in args:
            if _aggregate(a.type):
                out.append((a.name, "..."))      # gdb's `print frame-arguments scalars`
                continue
            val = env.value_of(a)
            text = self._fmt(env, val, False)
            entry = self._entry_arg(env, a, level)
            if entry is None:
                out.append((a.name, text))
                continue
            etext = self._fmt(env, entry, False)
            if not val.is_optimized_out() and _same_bytes(val, entry):
                out.append((a.name, f"{a.name}@entry={etext}"))
            else:
                out += [(a.name, text), (f"{a.name}@entry", etext)]
        return out

    def _entry_arg(self, env, var, level: int):
        """The parameter's value at function entry: its location at the function's
        entry must be a register the caller's call site describes."""
        if not self.alive or env.cu_offset is None or var.location is None:
            return None
        try:
            frame = self.frame(level)
            if getattr(frame, "inline", False):
                return None
            o = self.program.objfile_for(frame.lookup_pc)
            f = o.debug.function_at(frame.lookup_pc - o.bias) if o and o.debug else None
            if f is None:
                return None
            from .entry_values import register_of
            expr = location_expression(var.location, var.die, env.scopes.dwarf, f.ranges[0][0])
            reg = register_of(expr)
            if reg is None:
                return None
            n = self.entry_register(level, reg)
        except (TdbgError, Unavailable, LookupError, ValueError):
            return None
        if n is None:
            return None
        t = var.type
        size = t.strip().size or t.size
        return Value(t, (n & ((1 << (8 * size)) - 1)).to_bytes(size, "little"))

    def _listing(self, which: int, empty: str) -> str:
        """`info locals` (which=1) / `info args` (which=0) of the selected frame."""
        if not self.alive:
            raise CommandError("No frame selected.")
        env = self._frame_env()
        if env.func_offset is None:
            raise CommandError("No symbol table info available.")
        names = env.variables()[which]
        if not names:
            return empty
        return "\n".join(f"{v.name} = {self._fmt(env, env.value_of(v), False)}" for v in names)

    def locals_text(self) -> str:
        return self._listing(1, "No locals.")

    def args_text(self) -> str:
        return self._listing(0, "No arguments.")

    def variables(self) -> list[Variable]:
        """Arguments then locals of the selected frame, for the Locals pane."""
        env = build_env(self, self.tid, self.selected_frame)
        if env is None:
            return []
        args, local = env.variables()
        out = []
        for var, is_arg in [(a, True) for a in args] + [(v, False) for v in local]:
            val = env.value_of(var)
            out.append(Variable(var.name, type_name(var.type), self._fmt(env, val, False),
                                var.name, _safe(has_children, val), is_arg))
        return out

    def children(self, expr: str, start: int = 0, count: int = 100) -> list[Variable]:
        env = self._frame_env()
        from ..symbols import cexpr
        try:
            val = cexpr.compile_expression(expr, env)(env)
        except Unavailable as e:
            raise ExpressionError(str(e)) from None
        out = []
        for label, v in value_children(val, start, count):
            try:
                text = self._fmt(env, v, False)
            except TdbgError as e:
                text = f"<error: {e}>"
            out.append(Variable(label, type_name(v.type), text, child_expr(expr, label),
                                _safe(has_children, v)))
        return out

    def return_value_text(self, func_pc: int) -> str | None:
        """After `finish`: gdb's `Value returned is $N = ...`, by the function's type."""
        o = self.program.objfile_for(func_pc)
        if o is None or o.debug is None:
            return None
        f = o.debug.function_at(func_pc - o.bias)
        if f is None:
            return None
        sc = scopes_for(o)
        die = sc.die_at(f.cu_offset, f.die_offset)
        t = sc.type_of(die)
        if t.strip().kind == "void":
            return None
        regs = FrameRegs(self.registers(), lambda: fp_registers(self.inf, self.tid))
        try:
            v = scopes_mod.return_value(t, lambda n: regs[n], self.read_memory)
            text = format_value(v, self.read_memory, self.program.symbolize, top=True)
        except (TdbgError, KeyError) as e:
            return None
        self.value_history.append(text)
        self.convenience[f"${len(self.value_history)}"] = v
        return f"Value returned is ${len(self.value_history)} = {text}"

    def toggle_line(self, file: str, line: int):
        """The source gutter's click: remove the breakpoint on that line, or set one."""
        prog = self.require_program()
        resolved = prog.resolve(f"{file}:{line}")
        addrs = set(resolved.addrs)
        for bp in self.bps.user_breakpoints():
            info = self.breakpoint_info(bp)
            if addrs & set(info.addresses) or (info.location and info.location.line == line
                                               and _same_file(info.location.file, file)):
                self.delete(bp.id)
                return None, f"Deleted breakpoint {bp.id}"
        bp, msg = self.break_at(f"{file}:{line}", note=True)
        return self.breakpoint_info(bp), msg


def _same_bytes(a: Value, b: Value) -> bool:
    try:
        return a.data == b.data
    except TdbgError:
        return False


def _same_file(a: str, b: str) -> bool:
    import os
    return a == b or os.path.basename(a) == os.path.basename(b) and (a.endswith(b) or b.endswith(a))


def _safe(fn, *args) -> bool:
    try:
        return bool(fn(*args))
    except TdbgError:
        return False
