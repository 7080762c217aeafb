"""Which variables a frame can see, and their values.

`Scopes` wraps one pyelftools DWARFInfo. For a function (or an inlined
subroutine) at a link-time pc it lists the parameters and the locals of every
lexical block containing the pc, innermost block first as gdb's `info locals`
prints them, shadowed names included. Globals and file statics are found by
name through an index built on first use, preferring the CU that contains the
pc, then external definitions, then other CUs' statics.

frame_env.py builds a `cexpr.EvalEnv` over one frame from this, and
return_values.py finds a returned value.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import ExpressionError, TdbgError
from .dwarf.expr import Unavailable, debug_addr, evaluate, location_expression
from .dwarf_guard import PARSE_ERRORS, guarded
from .dwarf_types import TypeTable, attr_int, die_name, ref_die
from .range_lists import range_list
from .types import Type, c_type
from .values import Reader, Value, value_from_pieces

if TYPE_CHECKING:
    from elftools.dwarf.compileunit import CompileUnit
    from elftools.dwarf.die import DIE, AttributeValue
    from elftools.dwarf.dwarfinfo import DWARFInfo

    from .dwarf.expr import ExprContext

_ADDRX = ("DW_FORM_addrx", "DW_FORM_addrx1", "DW_FORM_addrx2", "DW_FORM_addrx3",
          "DW_FORM_addrx4", "DW_FORM_GNU_addr_index")
_TYPE_TAGS = {"DW_TAG_structure_type": "struct ", "DW_TAG_union_type": "union ",
              "DW_TAG_enumeration_type": "enum ", "DW_TAG_class_type": "class ",
              "DW_TAG_typedef": "", "DW_TAG_base_type": ""}

# name -> (cu offset, die offset, external, defined) for variables, functions, enumerators
_NameIndex = dict[str, list[tuple[int, int, bool, bool]]]
# "struct node", "point_t" ... -> (cu offset, die offset, complete)
_TypeIndex = dict[str, list[tuple[int, int, bool]]]


@dataclass(eq=False)
class Variable:
    name: str
    die: DIE                    # the DIE holding the location (concrete instance)
    type: Type
    kind: str                   # "arg" | "local" | "static" (file scope) | "global" | "function"
    depth: int = 0              # lexical block nesting; 0 = function body or file scope

    @property
    def location(self) -> AttributeValue | None:
        return self.die.attributes.get("DW_AT_location")

    @property
    def const_value(self) -> Any:
        a = self.die.attributes.get("DW_AT_const_value")
        return None if a is None else a.value


def _origin_attr(die: DIE, name: str) -> tuple[DIE, AttributeValue] | tuple[None, None]:
    """An attribute of the DIE or of its abstract origin / specification."""
    seen = 0
    cur: DIE | None = die
    while cur is not None and seen < 8:
        a = cur.attributes.get(name)
        if a is not None:
            return cur, a
        cur = ref_die(cur, "DW_AT_abstract_origin") or ref_die(cur, "DW_AT_specification")
        seen += 1
    return None, None


class Scopes:
    """Variables and type names of one program's DWARF (link-time addresses)."""

    def __init__(self, dwarfinfo: DWARFInfo) -> None:
        self.dwarf = dwarfinfo
        self.types = TypeTable(dwarfinfo)
        self._index: tuple[_NameIndex, _TypeIndex] | None = None
        self._frame_cache: dict[tuple[int, int, int], tuple[list[Variable], list[Variable]]] = {}

    # -- DIEs ------------------------------------------------------------------
    @guarded
    def die_at(self, cu_offset: int, die_offset: int) -> DIE:
        cu = self.dwarf.get_CU_at(cu_offset)
        return cu.get_DIE_from_refaddr(die_offset)

    @guarded
    def name_of(self, die: DIE) -> str | None:
        _, a = _origin_attr(die, "DW_AT_name")
        if a is None:
            return None
        name: str | bytes = a.value
        return name.decode("utf-8", "replace") if isinstance(name, bytes) else name

    @guarded
    def type_of(self, die: DIE) -> Type:
        owner, a = _origin_attr(die, "DW_AT_type")
        return self.types.type_of(owner) if owner is not None else self.types.type_of(die)

    @guarded
    def ranges(self, die: DIE) -> list[tuple[int, int]]:
        """[low, high) link-time ranges of a function, block or inlined subroutine."""
        low = die.attributes.get("DW_AT_low_pc")
        high = die.attributes.get("DW_AT_high_pc")
        if low is not None and high is not None:
            lo = self._addr(die, low)
            hi: int = high.value if high.form.startswith("DW_FORM_addr") and high.form not in _ADDRX \
                else lo + high.value
            if high.form in _ADDRX:
                hi = debug_addr(self.dwarf, die.cu, high.value)
            return [(lo, hi)]
        r = die.attributes.get("DW_AT_ranges")
        if r is None:
            return []
        return range_list(self.dwarf, die.cu, r)

    def _addr(self, die: DIE, attr: AttributeValue) -> int:
        if attr.form in _ADDRX:
            return debug_addr(self.dwarf, die.cu, attr.value)
        addr: int = attr.value
        return addr

    @guarded
    def contains(self, die: DIE, pc: int) -> bool:
        return any(lo <= pc < hi for lo, hi in self.ranges(die))

    @guarded
    def inline_chain(self, func_die: DIE, pc: int) -> list[DIE]:
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
    @guarded
    def frame_variables(self, cu_offset: int, func_offset: int, pc: int
                        ) -> tuple[list[Variable], list[Variable]]:
        """(parameters, locals) of the function or inlined subroutine at
        `func_offset`, for link-time `pc`; locals innermost block first."""
        key = (cu_offset, func_offset, pc)
        hit = self._frame_cache.get(key)
        if hit is None:
            scope = self.die_at(cu_offset, func_offset)
            args: list[Variable] = []
            blocks: list[list[Variable]] = []
            self._collect(scope, pc, 0, args, blocks)
            local = [v for depth in reversed(range(len(blocks))) for v in blocks[depth]]
            hit = (args, local)
            if len(self._frame_cache) > 256:
                self._frame_cache.clear()
            self._frame_cache[key] = hit
        return hit

    def _collect(self, scope: DIE, pc: int, depth: int, args: list[Variable],
                 blocks: list[list[Variable]]) -> None:
        mine: list[Variable] = []
        blocks.append(mine)
        inner = None
        children = _children_with_origin(scope)
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
    @guarded
    def read_variable(self, var: Variable, ctx: ExprContext, pc: int, reader: Reader | None = None) -> Value:
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
    def _indexes(self) -> tuple[_NameIndex, _TypeIndex]:
        if self._index is None:
            self._index = self._build_index()
        return self._index

    def _build_index(self) -> tuple[_NameIndex, _TypeIndex]:
        names: _NameIndex = {}
        tnames: _TypeIndex = {}
        try:
            for cu in self.dwarf.iter_CUs():
                self._index_unit(cu, names, tnames)
        except PARSE_ERRORS:
            pass            # damaged DWARF: the names read before the damage still answer
        return names, tnames

    def _index_unit(self, cu: CompileUnit, names: _NameIndex, tnames: _TypeIndex) -> None:
        try:
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
                elif isinstance(tag, str) and tag in _TYPE_TAGS:
                    decl = bool(attr_int(die, "DW_AT_declaration", False))
                    tnames.setdefault(_TYPE_TAGS[tag] + name, []).append(
                        (cu.cu_offset, die.offset, not decl))
        except PARSE_ERRORS:
            pass            # a damaged unit: skip the rest of it

    @staticmethod
    def _index_enumerators(die: DIE, cu: CompileUnit, names: _NameIndex) -> None:
        """Enumerators are names too (`p GREEN`, `col == BLUE`)."""
        for child in die.iter_children():
            if child.tag == "DW_TAG_enumerator":
                name = die_name(child)
                if name is not None:
                    names.setdefault(name, []).append((cu.cu_offset, child.offset, True, True))

    @guarded
    def lookup_global(self, name: str, cu_offset: int | None = None,
                      file: str | None = None) -> Variable | None:
        """A global variable, file static or function by name. `file` restricts to
        CUs whose name ends with it (gdb's 'file.c'::name)."""
        entries = self._indexes()[0].get(name, [])
        if file is not None:
            entries = [e for e in entries if self._cu_matches(e[0], file)]

        def rank(e: tuple[int, int, bool, bool]) -> tuple[bool, bool, bool]:
            cu, _off, external, defined = e
            return (not defined, cu != cu_offset, not external)
        for cu, off, external, defined in sorted(entries, key=rank):
            if not defined:
                break
            die = self.die_at(cu, off)
            kind = "function" if die.tag == "DW_TAG_subprogram" else "global" if external else "static"
            if die.tag == "DW_TAG_enumerator":
                enum = die.get_parent()
                if enum is None:
                    continue
                t = self.types.from_die(enum)
            elif kind == "function":
                t = self.types.from_die(die)
            else:
                t = self.type_of(die)
            return Variable(name, die, t, kind)
        return None

    def _cu_matches(self, cu_offset: int, file: str) -> bool:
        name = die_name(self.dwarf.get_CU_at(cu_offset).get_top_DIE()) or ""
        return name == file or name.endswith("/" + file)

    @guarded
    def lookup_type(self, name: str, cu_offset: int | None = None) -> Type | None:
        """"struct node", "enum color", "point_t", "unsigned long": complete
        definitions first, the pc's CU first."""
        name = " ".join(name.split())
        entries = self._indexes()[1].get(name)
        if not entries:
            return c_type(name)
        cu, off, _ = min(entries, key=lambda e: (not e[2], e[0] != cu_offset))
        return self.types.from_die(self.die_at(cu, off))

    @guarded
    def complete(self, t: Type, cu_offset: int | None = None) -> Type:
        """The full definition of an incomplete struct/union (`struct fwd;` here,
        defined in another CU), or `t` itself."""
        if not t.declaration or t.name is None or t.kind not in ("struct", "union", "enum"):
            return t
        full = self.lookup_type(f"{t.kind} {t.name}", cu_offset)
        return full if full is not None and not full.declaration else t

    @guarded
    def function_named(self, name: str) -> DIE | None:
        v = self.lookup_global(name)
        return v.die if v is not None and v.kind == "function" else None


def _children_with_origin(scope: DIE) -> list[DIE]:
    """Children of a concrete scope plus those of its abstract origin that the
    concrete one does not repeat (gdb's inherit_abstract_dies): at -O2 a variable
    that has no location anywhere may exist only in the abstract instance."""
    children = list(scope.iter_children())
    origin = ref_die(scope, "DW_AT_abstract_origin")
    if origin is None:
        return children
    covered: set[int] = set()
    for c in children:
        o = c.attributes.get("DW_AT_abstract_origin")
        if o is not None:
            covered.add(o.value + (0 if o.form == "DW_FORM_ref_addr" else c.cu.cu_offset))
    extra: list[DIE] = []
    for c in origin.iter_children():
        if c.offset in covered:
            continue
        if c.tag in ("DW_TAG_formal_parameter", "DW_TAG_variable"):
            extra.append(c)
        elif c.tag == "DW_TAG_lexical_block":
            # An abstract block has no pc range: gdb reads its children into this scope.
            extra += _flat_variables(c)
    return children + extra


def _flat_variables(block: DIE, depth: int = 0) -> list[DIE]:
    out: list[DIE] = []
    for c in block.iter_children():
        if c.tag == "DW_TAG_variable":
            out.append(c)
        elif c.tag == "DW_TAG_lexical_block" and depth < 32:
            out += _flat_variables(c, depth + 1)
    return out
