"""Which variables a frame can see, and their values.

`Scopes` wraps one pyelftools DWARFInfo. For a function (or an inlined
subroutine) at a link-time pc it lists the parameters and the locals of every
lexical block containing the pc, innermost block first as gdb's `info locals`
prints them, shadowed names included (HARD-CASES F9). Globals and file statics
are found by name through an index built on first use, preferring the CU that
contains the pc, then external definitions, then other CUs' statics.

`FrameEnv` is a ready `cexpr.EvalEnv` over one frame: locals, then globals,
registers and memory through callbacks the session supplies.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..errors import ExpressionError, TdbgError
from .dwarf.expr import Unavailable, debug_addr, evaluate, location_expression, read_uleb
from .types import Type, TypeTable, attr_int, c_type, die_name, ref_die
from .values import Value, value_from_pieces

_ADDRX = ("DW_FORM_addrx", "DW_FORM_addrx1", "DW_FORM_addrx2", "DW_FORM_addrx3",
          "DW_FORM_addrx4", "DW_FORM_GNU_addr_index")
_TYPE_TAGS = {"DW_TAG_structure_type": "struct ", "DW_TAG_union_type": "union ",
              "DW_TAG_enumeration_type": "enum ", "DW_TAG_class_type": "class ",
              "DW_TAG_typedef": "", "DW_TAG_base_type": ""}


@dataclass(eq=False)
class Variable:
    name: str
    die: object                 # the DIE holding the location (concrete instance)
    type: Type
    kind: str                   # "arg" | "local" | "static" (file scope) | "global" | "function"
    depth: int = 0              # lexical block nesting; 0 = function body or file scope

    @property
    def location(self):
        return self.die.attributes.get("DW_AT_location")

    @property
    def const_value(self):
        a = self.die.attributes.get("DW_AT_const_value")
        return None if a is None else a.value


def _origin_attr(die, name: str):
    """An attribute of the DIE or of its abstract origin / specification."""
    seen = 0
    while die is not None and seen < 8:
        a = die.attributes.get(name)
        if a is not None:
            return die, a
        nxt = ref_die(die, "DW_AT_abstract_origin") or ref_die(die, "DW_AT_specification")
        die, seen = nxt, seen + 1
    return None, None


class Scopes:
    """Variables and type names of one program's DWARF (link-time addresses)."""

    def __init__(self, dwarfinfo) -> None:
        self.dwarf = dwarfinfo
        self.types = TypeTable(dwarfinfo)
        self._names: dict[str, list[tuple[int, int, bool, bool]]] | None = None
        self._type_names: dict[str, list[tuple[int, int, bool]]] | None = None
        self._frame_cache: dict[tuple[int, int, int], tuple[list, list]] = {}

    # -- DIEs ------------------------------------------------------------------
    def die_at(self, cu_offset: int, die_offset: int):
        cu = self.dwarf.get_CU_at(cu_offset)
        return cu.get_DIE_from_refaddr(die_offset)

    def name_of(self, die) -> str | None:
        _, a = _origin_attr(die, "DW_AT_name")
        if a is None:
            return None
        return a.value.decode("utf-8", "replace") if isinstance(a.value, bytes) else a.value

    def type_of(self, die) -> Type:
        owner, a = _origin_attr(die, "DW_AT_type")
        return self.types.type_of(owner) if owner is not None else self.types.type_of(die)

    def ranges(self, die) -> list[tuple[int, int]]:
        """[low, high) link-time ranges of a function, block or inlined subroutine."""
        low = die.attributes.get("DW_AT_low_pc")
        high = die.attributes.get("DW_AT_high_pc")
        if low is not None and high is not None:
            lo = self._addr(die, low)
            hi = high.value if high.form.startswith("DW_FORM_addr") and high.form not in _ADDRX \
                else lo + high.value
            if high.form in _ADDRX:
                hi = debug_addr(self.dwarf, die.cu, high.value)
            return [(lo, hi)]
        r = die.attributes.get("DW_AT_ranges")
        if r is None:
            return []
        return _range_list(self.dwarf, die.cu, r)

    def _addr(self, die, attr) -> int:
        if attr.form in _ADDRX:
            return debug_addr(self.dwarf, die.cu, attr.value)
        return attr.value

    def contains(self, die, pc: int) -> bool:
        return any(lo <= pc < hi for lo, hi in self.ranges(die))

    def inline_chain(self, func_die, pc: int) -> list:
        """DW_TAG_inlined_subroutine DIEs containing pc, innermost first, then the
        function itself: the virtual frames gdb shows for inlined code."""
        chain, scope = [func_die], func_die
        while True:
            for child in scope.iter_children():
                if child.tag in ("DW_TAG_lexical_block", "DW_TAG_inlined_subroutine") \
                        and self.contains(child, pc):
                    if child.tag == "DW_TAG_inlined_subroutine":
                        chain.append(child)
                    scope = child
                    break
            else:
                return chain[::-1]

    # -- a frame's variables -------------------------------------------------------
    def frame_variables(self, cu_offset: int, func_offset: int, pc: int
                        ) -> tuple[list[Variable], list[Variable]]:
        """(parameters, locals) of the function or inlined subroutine at
        `func_offset`, for link-time `pc`; locals innermost block first."""
        key = (cu_offset, func_offset, pc)
        hit = self._frame_cache.get(key)
        if hit is None:
            scope = self.die_at(cu_offset, func_offset)
            args, blocks = [], []
            self._collect(scope, pc, 0, args, blocks)
            local = [v for depth in reversed(range(len(blocks))) for v in blocks[depth]]
            hit = (args, local)
            if len(self._frame_cache) > 256:
                self._frame_cache.clear()
            self._frame_cache[key] = hit
        return hit

    def _collect(self, scope, pc: int, depth: int, args: list, blocks: list) -> None:
        mine: list[Variable] = []
        blocks.append(mine)
        inner = None
        children = list(_children_with_origin(scope))
        i = 0
        while i < len(children):
            child = children[i]
            i += 1
            tag = child.tag
            if tag == "DW_TAG_lexical_block" and not self.ranges(child):
                # No pc range: gdb reads the block's children into this scope, in order.
                children[i:i] = list(child.iter_children())
                continue
            if tag == "DW_TAG_formal_parameter" and depth == 0:
                name = self.name_of(child)
                if name is not None:
                    args.append(Variable(name, child, self.type_of(child), "arg"))
            elif tag == "DW_TAG_variable":
                if attr_int(child, "DW_AT_declaration", False):
                    continue                       # `extern int x;` inside a function
                name = self.name_of(child)
                if name is not None:
                    mine.append(Variable(name, child, self.type_of(child), "local", depth))
            elif tag == "DW_TAG_lexical_block" and inner is None:
                if self.contains(child, pc):
                    inner = child
        if inner is not None:
            self._collect(inner, pc, depth + 1, args, blocks)

    # -- values ------------------------------------------------------------------------
    def read_variable(self, var: Variable, ctx, pc: int, reader=None) -> Value:
        """The value of `var` in the frame `ctx` (an expr.ExprContext) at link-time pc."""
        t = var.type
        die = var.die
        if var.kind == "function":
            low = die.attributes.get("DW_AT_low_pc")
            addr = self._addr(die, low) + ctx.bias if low is not None else None
            return Value(t, b"", addr, reader or ctx.read)
        const = die.attributes.get("DW_AT_const_value")
        if const is not None:
            v = const.value
            if isinstance(v, int):
                return Value.from_int(t, v) if t.strip().kind != "float" else Value(
                    t, v.to_bytes(t.size, "little", signed=v < 0))
            data = bytes(v) if not isinstance(v, str) else v.encode() + b"\0"
            return Value(t, data.ljust(t.size, b"\0")[:t.size])
        attr = die.attributes.get("DW_AT_location")
        if attr is None:
            return Value.optimized_out(t)
        try:
            expr = location_expression(attr, die, self.dwarf, pc)
            if expr is None:
                return Value.optimized_out(t)
            pieces = evaluate(expr, ctx, address_size=die.cu["address_size"])
        except Unavailable:
            return Value.optimized_out(t)
        except (ExpressionError, TdbgError) as e:
            return Value(t, error=str(e))
        return value_from_pieces(t, pieces, ctx, reader)

    # -- globals and types by name (index built on first use) ------------------------
    def _build_index(self) -> None:
        names: dict[str, list[tuple[int, int, bool, bool]]] = {}
        tnames: dict[str, list[tuple[int, int, bool]]] = {}
        for cu in self.dwarf.iter_CUs():
            top = cu.get_top_DIE()
            for die in top.iter_children():
                tag = die.tag
                name = die_name(die)
                if tag == "DW_TAG_enumeration_type":
                    self._index_enumerators(die, cu, names)
                if name is None:
                    continue
                if tag == "DW_TAG_variable" or tag == "DW_TAG_subprogram":
                    defined = ("DW_AT_location" in die.attributes
                               or "DW_AT_const_value" in die.attributes
                               or "DW_AT_low_pc" in die.attributes
                               or "DW_AT_ranges" in die.attributes)
                    external = bool(attr_int(die, "DW_AT_external", False))
                    names.setdefault(name, []).append((cu.cu_offset, die.offset, external, defined))
                elif tag in _TYPE_TAGS:
                    decl = bool(attr_int(die, "DW_AT_declaration", False))
                    tnames.setdefault(_TYPE_TAGS[tag] + name, []).append(
                        (cu.cu_offset, die.offset, not decl))
        self._names, self._type_names = names, tnames

    @staticmethod
    def _index_enumerators(die, cu, names) -> None:
        """Enumerators are names too (`p GREEN`, `col == BLUE`)."""
        for child in die.iter_children():
            if child.tag == "DW_TAG_enumerator":
                name = die_name(child)
                if name is not None:
                    names.setdefault(name, []).append((cu.cu_offset, child.offset, True, True))

    def lookup_global(self, name: str, cu_offset: int | None = None,
                      file: str | None = None) -> Variable | None:
        """A global variable, file static or function by name. `file` restricts to
        CUs whose name ends with it (gdb's 'file.c'::name)."""
        if self._names is None:
            self._build_index()
        entries = self._names.get(name, ())
        if file is not None:
            entries = [e for e in entries if self._cu_matches(e[0], file)]

        def rank(e):
            cu, _off, external, defined = e
            return (not defined, cu != cu_offset, not external)
        for cu, off, external, defined in sorted(entries, key=rank):
            if not defined:
                break
            die = self.die_at(cu, off)
            kind = "function" if die.tag == "DW_TAG_subprogram" else "global" if external else "static"
            if die.tag == "DW_TAG_enumerator":
                t = self.types.from_die(die.get_parent())
            elif kind == "function":
                t = self.types.from_die(die)
            else:
                t = self.type_of(die)
            return Variable(name, die, t, kind)
        return None

    def _cu_matches(self, cu_offset: int, file: str) -> bool:
        name = die_name(self.dwarf.get_CU_at(cu_offset).get_top_DIE()) or ""
        return name == file or name.endswith("/" + file)

    def lookup_type(self, name: str, cu_offset: int | None = None) -> Type | None:
        """"struct node", "enum color", "point_t", "unsigned long": complete
        definitions first, the pc's CU first."""
        name = " ".join(name.split())
        if self._type_names is None:
            self._build_index()
        entries = self._type_names.get(name)
        if not entries:
            return c_type(name)
        cu, off, _ = min(entries, key=lambda e: (not e[2], e[0] != cu_offset))
        return self.types.from_die(self.die_at(cu, off))

    def complete(self, t: Type, cu_offset: int | None = None) -> Type:
        """The full definition of an incomplete struct/union (`struct fwd;` here,
        defined in another CU), or `t` itself."""
        if not t.declaration or t.name is None or t.kind not in ("struct", "union", "enum"):
            return t
        full = self.lookup_type(f"{t.kind} {t.name}", cu_offset)
        return full if full is not None and not full.declaration else t

    def function_named(self, name: str):
        v = self.lookup_global(name)
        return v.die if v is not None and v.kind == "function" else None


def _children_with_origin(scope):
    """Children of a concrete scope plus those of its abstract origin that the
    concrete one does not repeat (gdb's inherit_abstract_dies): at -O2 a variable
    that has no location anywhere may exist only in the abstract instance."""
    children = list(scope.iter_children())
    origin = ref_die(scope, "DW_AT_abstract_origin")
    if origin is None:
        return children
    covered = set()
    for c in children:
        o = c.attributes.get("DW_AT_abstract_origin")
        if o is not None:
            covered.add(o.value + (0 if o.form == "DW_FORM_ref_addr" else c.cu.cu_offset))
    extra = []
    for c in origin.iter_children():
        if c.offset in covered:
            continue
        if c.tag in ("DW_TAG_formal_parameter", "DW_TAG_variable"):
            extra.append(c)
        elif c.tag == "DW_TAG_lexical_block":
            # An abstract block has no pc range: gdb reads its children into this scope.
            extra += _flat_variables(c)
    return children + extra


def _flat_variables(block, depth: int = 0) -> list:
    out = []
    for c in block.iter_children():
        if c.tag == "DW_TAG_variable":
            out.append(c)
        elif c.tag == "DW_TAG_lexical_block" and depth < 32:
            out += _flat_variables(c, depth + 1)
    return out


def _range_list(dwarf, cu, attr) -> list[tuple[int, int]]:
    """Decode DW_AT_ranges: .debug_rnglists (DWARF 5) or .debug_ranges (2-4)."""
    from .dwarf.expr import _cu_base, _data
    base = _cu_base(dwarf, cu)
    size = cu["address_size"]
    out: list[tuple[int, int]] = []
    if cu["version"] < 5:
        data = _data(dwarf.debug_ranges_sec)
        pos = attr.value
        top = (1 << (8 * size)) - 1
        while pos + 2 * size <= len(data):
            a = int.from_bytes(data[pos:pos + size], "little")
            b = int.from_bytes(data[pos + size:pos + 2 * size], "little")
            pos += 2 * size
            if a == 0 and b == 0:
                break
            if a == top:
                base = b
            else:
                out.append((base + a, base + b))
        return out
    data = _data(dwarf.debug_rnglists_sec)
    pos = attr.value
    if attr.form == "DW_FORM_rnglistx":
        rb = cu.get_top_DIE().attributes.get("DW_AT_rnglists_base")
        table = rb.value if rb is not None else 12
        pos = table + int.from_bytes(data[table + 4 * attr.value:table + 4 * attr.value + 4], "little")

    def addrx(i):
        return debug_addr(dwarf, cu, i)
    while pos < len(data):
        kind = data[pos]
        pos += 1
        if kind == 0:                                            # end_of_list
            break
        if kind == 1:                                            # base_addressx
            i, pos = read_uleb(data, pos)
            base = addrx(i)
        elif kind in (2, 3, 4):                                  # startx_endx/_length, offset_pair
            a, pos = read_uleb(data, pos)
            b, pos = read_uleb(data, pos)
            if kind == 2:
                out.append((addrx(a), addrx(b)))
            elif kind == 3:
                out.append((addrx(a), addrx(a) + b))
            else:
                out.append((base + a, base + b))
        elif kind == 5:                                          # base_address
            base = int.from_bytes(data[pos:pos + size], "little")
            pos += size
        elif kind == 6:                                          # start_end
            a = int.from_bytes(data[pos:pos + size], "little")
            b = int.from_bytes(data[pos + size:pos + 2 * size], "little")
            pos += 2 * size
            out.append((a, b))
        elif kind == 7:                                          # start_length
            a = int.from_bytes(data[pos:pos + size], "little")
            n, pos = read_uleb(data, pos + size)
            out.append((a, a + n))
        else:
            raise ExpressionError(f"unknown DW_RLE kind {kind:#x}")
    return out


class FrameEnv:
    """A cexpr.EvalEnv for one frame. `ctx` is the frame's expr.ExprContext
    (frames.FrameContext); `pc` is link-time. Locals are resolved once per env;
    their values are read at each lookup, so assignments show at once."""

    def __init__(self, scopes: Scopes, ctx, pc: int, cu_offset: int | None = None,
                 func_offset: int | None = None, *, read: Callable[[int, int], bytes] | None = None,
                 write: Callable[[int, bytes], None] | None = None,
                 write_reg: Callable[[str, int], None] | None = None,
                 symbolize: Callable[[int], str | None] | None = None,
                 convenience: dict | None = None) -> None:
        self.scopes, self.ctx, self.pc = scopes, ctx, pc
        self.cu_offset, self.func_offset = cu_offset, func_offset
        self.read = read or ctx.read
        self._write, self._write_reg = write, write_reg
        self._symbolize = symbolize
        self.convenience = convenience if convenience is not None else {}
        self._locals: dict[str, Variable] | None = None

    def _visible(self) -> dict[str, Variable]:
        if self._locals is None:
            self._locals = {}
            if self.cu_offset is not None and self.func_offset is not None:
                args, local = self.scopes.frame_variables(self.cu_offset, self.func_offset, self.pc)
                for v in (*local, *args):                # innermost first wins
                    self._locals.setdefault(v.name, v)
        return self._locals

    def variables(self) -> tuple[list[Variable], list[Variable]]:
        if self.cu_offset is None or self.func_offset is None:
            return [], []
        return self.scopes.frame_variables(self.cu_offset, self.func_offset, self.pc)

    def value_of(self, var: Variable) -> Value:
        return self.scopes.read_variable(var, self.ctx, self.pc, self.read)

    def lookup(self, name: str, scope: str | None = None) -> Value | None:
        var = None
        if scope is None:
            var = self._visible().get(name)
        elif self.scopes.function_named(scope) is not None and "." not in scope:
            func = self.scopes.function_named(scope)
            for v in self.scopes.frame_variables(func.cu.cu_offset, func.offset, -1)[1]:
                if v.name == name and v.location is not None:
                    var = v                              # func::static_local
                    break
        if var is None:
            var = self.scopes.lookup_global(name, self.cu_offset,
                                            scope if scope and "." in scope else None)
        if var is None:
            return None
        value = self.value_of(var)
        value.type = self.scopes.complete(value.type, self.cu_offset)
        return value

    def lookup_type(self, name: str) -> Type | None:
        return self.scopes.lookup_type(name, self.cu_offset)

    def reg(self, name: str) -> int:
        return self.ctx.reg(name)

    def write(self, addr: int, data: bytes) -> None:
        if self._write is None:
            raise ExpressionError("Cannot write memory here (no live process).")
        self._write(addr, data)

    def write_reg(self, name: str, value: int) -> None:
        if self._write_reg is None:
            raise ExpressionError("Cannot write registers here (no live process).")
        self._write_reg(name, value)

    def symbolize(self, addr: int) -> str | None:
        return self._symbolize(addr) if self._symbolize else None


# -- where a function's return value is, right after it returns (finish, G3) -------

def return_value(t: Type, reg: Callable[[str], int], read: Callable[[int, int], bytes]) -> Value:
    """The value a function of return type `t` just returned, by the SysV x86-64
    classification: rax/rdx for INTEGER eightbytes, xmm0/xmm1 (low 8 bytes each)
    for SSE ones, st0 for long double, memory at rax for MEMORY. `reg` gives
    user_regs names plus "xmm0", "xmm1" (128-bit) and "st0", "st1" (80-bit)."""
    s = t.strip()
    if s.kind == "void" or s.size == 0:
        return Value(t, b"")
    if s.kind == "float" and s.size > 8:
        return Value(t, (reg("st0") & (1 << 80) - 1).to_bytes(10, "little").ljust(s.size, b"\0"))
    if s.kind == "complex" and s.size > 16:
        half = s.size // 2
        return Value(t, b"".join((reg(r) & (1 << 80) - 1).to_bytes(10, "little").ljust(half, b"\0")
                                 for r in ("st0", "st1")))
    classes = _classify(s)
    if classes is None:
        return Value(t, None, reg("rax"), read)
    if classes == ["X87", "X87UP"]:                  # struct { long double x; }
        return Value(t, (reg("st0") & (1 << 80) - 1).to_bytes(10, "little").ljust(16, b"\0"))
    ints, sses = iter(("rax", "rdx")), iter(("xmm0", "xmm1"))
    data = b"".join((reg(next(ints) if c == "INTEGER" else next(sses)) & (1 << 64) - 1)
                    .to_bytes(8, "little") for c in classes)
    return Value(t, data[:s.size])


def _classify(t: Type) -> list[str] | None:
    """One class per eightbyte (ABI 3.2.3), or None when the value goes through memory."""
    if t.size > 16:
        return None
    classes = ["NONE"] * ((t.size + 7) // 8)

    def mark(offset: int, cls: str) -> None:
        i = offset // 8
        old = classes[i]
        if old == cls or old == "NONE":
            classes[i] = cls
        elif "MEMORY" in (old, cls) or {old, cls} & {"X87", "X87UP"}:
            classes[i] = "MEMORY"
        elif "INTEGER" in (old, cls):
            classes[i] = "INTEGER"

    def visit(t: Type, offset: int) -> None:
        s = t.strip()
        if s.kind in ("struct", "union", "class"):
            for m in s.members:
                if m.bitsize:
                    mark(offset + m.offset, "INTEGER")
                else:
                    visit(m.type, offset + m.offset)
        elif s.kind == "array":
            for i in range(s.count or 0):
                visit(s.target, offset + i * s.target.size)
        elif s.kind == "complex":
            visit(s.target, offset)
            visit(s.target, offset + s.size // 2)
        elif offset % max(1, min(s.size, 8)):
            mark(offset, "MEMORY")                    # unaligned (packed)
        elif s.kind == "float" and s.size > 8:
            mark(offset, "X87")
            mark(offset + 8, "X87UP")
        else:
            for k in range(0, max(s.size, 1), 8):
                mark(offset + k, "SSE" if s.kind == "float" else "INTEGER")

    visit(t, 0)
    if "MEMORY" in classes or "X87UP" in classes and classes != ["X87", "X87UP"]:
        return None
    return ["SSE" if c == "NONE" else c for c in classes]
