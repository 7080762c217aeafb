"""gdb's blocks: the tree of a function's inlined calls and lexical blocks, and
which block a pc is in (block_for_pc), for inlined frames and linespec filtering.

BlockIndex is a part of DebugInfo (debug_info.py); block trees are cached per
function in the unit's CuFuncs (funcs.py).
"""
from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import TypeAlias

from ..dwarf.dies import (
    AT_ABSTRACT_ORIGIN,
    AT_CALL_FILE,
    AT_CALL_LINE,
    AT_DECL_FILE,
    AT_DECL_LINE,
    AT_LOW_PC,
    AT_NAME,
    AT_RANGES,
    AT_SPECIFICATION,
    DIE_ERRORS,
    SYMBOL_TAGS,
    TAG_INLINED,
    TAG_LEXICAL_BLOCK,
    TAG_SUBPROGRAM,
    Attrs,
    Unit,
    _guarded,
    _sibling,
    _skip_children,
    read_attrs,
    skip_attrs,
)
from ..dwarf.forms import DwarfError
from .die_reader import DieReader
from .funcs import CuFuncs, FuncRec, FunctionIndex
from .lines import LineIndex


class Block:
    """A gdb block: a function, an inlined call, or a lexical block that owns symbols."""
    __slots__ = ("kind", "ranges", "lo", "hi", "children", "parent", "die", "origin",
                 "call_file", "call_line", "unit")

    def __init__(self, kind: str, ranges: Sequence[tuple[int, int]], die: int, unit: Unit,
                 attrs: Attrs) -> None:
        self.kind, self.die, self.unit = kind, die, unit
        self.ranges: tuple[tuple[int, int], ...] = tuple(ranges)
        self.lo = min(lo for lo, _ in ranges) if ranges else 0
        self.hi = max(hi for _, hi in ranges) if ranges else 0
        self.children: list[Block] = []
        self.parent: Block | None = None
        origin = attrs.get(AT_ABSTRACT_ORIGIN)
        self.origin = origin if isinstance(origin, int) else None
        self.call_file: int | None = attrs.get(AT_CALL_FILE)
        self.call_line: int | None = attrs.get(AT_CALL_LINE)

    @property
    def entry(self) -> int:
        return self.ranges[0][0] if self.ranges else self.lo

    def contains(self, pc: int) -> bool:
        return any(lo <= pc < hi for lo, hi in self.ranges)

    def postorder(self) -> list[Block]:
        out: list[Block] = []
        for c in self.children:
            out += c.postorder()
        out.append(self)
        return out


# What gdb's block_for_pc finds: a Block, ("static", unit offset) outside functions, or None.
BlockAt: TypeAlias = Block | tuple[str, int] | None


def build_blocks(dbg: BlockIndex, unit: Unit, die: int) -> Block:
    """The block tree of the function whose DIE is at ``die``."""
    s = dbg.reader.info
    code, off = s.uleb(die)
    ab = unit.abbrev(code, die)
    attrs, off = read_attrs(unit, off, ab)
    root = Block("func", dbg.reader.die_ranges(unit, attrs), die, unit, attrs)
    if ab.children:
        _block_children(dbg, unit, off, root, 0)
    return root


def _block_children(dbg: BlockIndex, unit: Unit, off: int, parent: Block, depth: int) -> tuple[int, bool]:
    if depth > 200:
        raise DwarfError(f"DIE nesting deeper than 200 levels at {off:#x}")
    reader = dbg.reader
    s, die_ranges, abbrevs, has_syms = reader.info, reader.die_ranges, unit.abbrevs, False
    while True:
        die = off
        code, off = s.uleb(off)
        if code == 0:
            return off, has_syms
        ab = abbrevs.get(code) or unit.abbrev(code, die)
        tag = ab.tag
        if tag in (TAG_LEXICAL_BLOCK, TAG_INLINED, TAG_SUBPROGRAM):
            attrs, off = read_attrs(unit, off, ab)
            ranges = die_ranges(unit, attrs)
            if tag == TAG_LEXICAL_BLOCK and AT_LOW_PC not in attrs and AT_RANGES not in attrs:
                if ab.children:                      # no bounds: its children belong to the parent
                    off, syms = _block_children(dbg, unit, off, parent, depth + 1)
                    has_syms |= syms
                continue
            if not ranges:
                if ab.children:
                    off = _skip_children(unit, attrs, off)
                has_syms |= tag == TAG_SUBPROGRAM
                continue
            kind = {TAG_LEXICAL_BLOCK: "lex", TAG_INLINED: "inl", TAG_SUBPROGRAM: "func"}[tag]
            blk = Block(kind, ranges, die, unit, attrs)
            syms = False
            if ab.children:
                off, syms = _block_children(dbg, unit, off, blk, depth + 1)
            if kind == "lex" and not syms and blk.origin is not None:
                syms = dbg.origin_has_symbols(blk.origin)
            if kind != "lex" or syms:
                blk.parent = parent
                parent.children.append(blk)
            else:                                   # no symbols: not a block for gdb
                for c in blk.children:
                    c.parent = parent
                    parent.children.append(c)
            has_syms |= tag == TAG_SUBPROGRAM
            continue
        if tag in SYMBOL_TAGS:
            attrs, off = read_attrs(unit, off, ab)
            if AT_NAME in attrs or AT_ABSTRACT_ORIGIN in attrs or AT_SPECIFICATION in attrs \
                    or (tag == 0x04 and ab.children):
                has_syms = True
            if ab.children:
                off = _skip_children(unit, attrs, off)
            continue
        if ab.children:
            target = _sibling(unit, off, ab)
            if target is not None:
                off = target
                continue
        off = skip_attrs(unit, off, ab)
        if ab.children:
            off = _skip_children(unit, {}, off)


class BlockIndex:
    """gdb's blocks in one file's DWARF: block_for_pc and the chain of inlined calls."""

    def __init__(self, reader: DieReader, funcs: FunctionIndex, lines: LineIndex) -> None:
        self.reader, self.funcs, self.lines = reader, funcs, lines
        self.warn = reader.warn

    def origin_has_symbols(self, die: int) -> bool:
        try:
            unit, ab, attrs, off = self.reader.read_die(die)
            if not ab.children:
                return False
            holder = Block("lex", [], die, unit, {})
            return _block_children(self, unit, off, holder, 0)[1] or bool(holder.children)
        except DIE_ERRORS:
            return False

    # ------------------------------------------------------------------ blocks
    def block_tree(self, funcs: CuFuncs, rec: FuncRec) -> Block:
        root = funcs.blocks.get(rec.die_offset)
        if root is None:
            try:
                root = build_blocks(self, funcs.unit, rec.die_offset)
            except DIE_ERRORS as e:
                self.warn(f"unreadable DWARF for {rec.name} at .debug_info offset {rec.die_offset:#x}", e)
                root = Block("func", rec.ranges, rec.die_offset, funcs.unit, {})
            funcs.blocks[rec.die_offset] = root
        return root

    def _map_mode(self, funcs: CuFuncs) -> bool:
        """Does gdb look blocks up through an address map in this unit (any split ranges)?"""
        if funcs.uses_block_map is None:
            unit = funcs.unit
            split = len(unit.ranges()) > 1
            if not split and unit.has_attr_form(frozenset((TAG_SUBPROGRAM, TAG_LEXICAL_BLOCK, TAG_INLINED)),
                                                AT_RANGES):
                split = any(len(b.ranges) > 1 for r in funcs.recs if r.inlined_in is None
                            for b in self.block_tree(funcs, r).postorder())
            funcs.uses_block_map = split
        return funcs.uses_block_map

    def block_for_pc(self, pc: int) -> BlockAt:
        """gdb's block_for_pc: a Block, ("static", cu) outside functions, or None."""
        cu = self.reader.cu_offset_for(pc)
        if cu is None:
            return None
        found = self.funcs.containing(pc)
        if found is None:
            return ("static", cu)
        funcs, rec = found
        root = self.block_tree(funcs, rec)
        if self._map_mode(funcs):
            return _innermost(root, pc) or ("static", cu)
        # Without a map gdb binary-searches blocks sorted by start; among equal starts
        # the enclosing block sorts last and wins.
        order = sorted(root.postorder(), key=lambda b: b.lo)
        i = bisect.bisect_right([b.lo for b in order], pc) - 1
        while i >= 0:
            if order[i].hi > pc:
                return order[i]
            i -= 1
        return ("static", cu)

    @_guarded([])
    def inlined_chain(self, pc: int) -> list[tuple[str, str | None, int | None]]:
        found = self.funcs.containing(pc)
        if found is None:
            return []
        funcs, rec = found
        blk = _innermost(self.block_tree(funcs, rec), pc)
        out: list[tuple[str, str | None, int | None]] = []
        while blk is not None:
            if blk.kind == "inl":
                name, _, _ = self.origin_decl(blk.origin)
                call = self.lines.file_name(blk.unit, blk.call_file) if blk.call_file is not None else None
                out.append((name or "??", call, blk.call_line))
            blk = blk.parent
        return out

    def origin_decl(self, die: int | None) -> tuple[str | None, str | None, int | None]:
        """(name, decl file, decl line) through an abstract-origin chain."""
        name: str | None = None
        path: str | None = None
        line: int | None = None
        for _ in range(8):
            if die is None:
                break
            try:
                unit, _, attrs, _ = self.reader.read_die(die)
            except DIE_ERRORS:
                break
            name = name or (attrs.get(AT_NAME) if isinstance(attrs.get(AT_NAME), str) else None)
            if line is None and AT_DECL_LINE in attrs:
                line = attrs[AT_DECL_LINE]
                f = attrs.get(AT_DECL_FILE)
                path = self.lines.file_name(unit, f) if f is not None else None
            nxt = attrs.get(AT_ABSTRACT_ORIGIN, attrs.get(AT_SPECIFICATION))
            die = nxt if isinstance(nxt, int) else None
        return name, path, line


def _innermost(root: Block, pc: int) -> Block | None:
    if not root.contains(pc):
        return None
    blk = root
    while True:
        nxt = next((c for c in blk.children if c.contains(pc)), None)
        if nxt is None:
            return blk
        blk = nxt
