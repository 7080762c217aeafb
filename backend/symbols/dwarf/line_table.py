"""gdb-style line tables of one compilation unit, and the lookups gdb makes in them.

One table per source file ("subfile"), as parallel arrays sorted by pc, with end
markers (line 0) where a sequence ends or the file changes. symbols/lines.py fills them.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from .line_header import LineHeader


@dataclass(frozen=True, slots=True)
class LineRow:
    address: int
    file: str
    line: int
    column: int
    is_stmt: bool
    end_sequence: bool = False


class SubfileTable:
    """gdb's linetable of one source file within one CU: parallel arrays sorted by pc."""

    __slots__ = ("name", "pcs", "lines", "stmt", "prologue_end", "columns", "_by_line")

    def __init__(self, name: str) -> None:
        self.name = name
        self.pcs: list[int] = []
        self.lines: list[int] = []
        self.stmt: list[bool] = []
        self.prologue_end: list[bool] = []
        self.columns: list[int] = []
        # line -> its is_stmt pcs in table order, and the sorted lines: built on first
        # `break FILE:LINE` so that setting thousands of them is not quadratic
        self._by_line: tuple[dict[int, list[int]], list[int]] | None = None

    def stmt_pcs_by_line(self) -> tuple[dict[int, list[int]], list[int]]:
        if self._by_line is None:
            by: dict[int, list[int]] = {}
            for pc, ln, st in zip(self.pcs, self.lines, self.stmt, strict=True):
                if st and ln > 0:
                    by.setdefault(ln, []).append(pc)
            self._by_line = (by, sorted(by))
        return self._by_line

    def record(self, line: int, pc: int, is_stmt: bool, prologue_end: bool, column: int) -> None:
        if line == 0:
            # An end marker replaces rows at its own address; markers that end an
            # empty sequence, or follow another marker, are dropped (gdb buildsym).
            last_line = None
            while self.pcs:
                last_line = self.lines[-1]
                if self.pcs[-1] != pc:
                    break
                for arr in (self.pcs, self.lines, self.stmt, self.prologue_end, self.columns):
                    arr.pop()
            if last_line is None or last_line == 0:
                return
            is_stmt = True
        self.pcs.append(pc)
        self.lines.append(line)
        self.stmt.append(is_stmt)
        self.prologue_end.append(prologue_end)
        self.columns.append(column)

    def finish(self) -> None:
        # Stable sort by pc, end markers first among rows at the same pc.
        order = sorted(range(len(self.pcs)), key=lambda i: (self.pcs[i], self.lines[i] != 0))
        self._by_line = None
        if order != list(range(len(order))):
            for attr in self.__slots__[1:-1]:
                arr = getattr(self, attr)
                setattr(self, attr, [arr[i] for i in order])


@dataclass(slots=True)
class Sal:
    """gdb's symtab_and_line for a pc: the line's [pc, end) and where it is."""
    pc: int
    end: int
    file: str
    line: int
    is_stmt: bool
    column: int
    subfile: int


class CuLines:
    """The decoded line program of one CU, split per source file like gdb's symtabs."""

    def __init__(self, header: LineHeader, subfiles: list[SubfileTable], cu_end: int) -> None:
        self.header = header
        self.subfiles = subfiles
        self.cu_end = cu_end
        self.lowest = min((t.pcs[0] for t in subfiles if t.pcs), default=None)
        self.highest = max((t.pcs[-1] for t in subfiles if t.pcs), default=None)

    def find_pc_line(self, pc: int) -> Sal | None:
        """gdb's find_pc_sect_line restricted to this CU."""
        best_t: SubfileTable | None = None
        best_i = 0                              # set together with best_t
        best_pc = -1
        best_end = 0
        alt = None
        for t in self.subfiles:
            pcs = t.pcs
            if not pcs:
                continue
            if pcs[0] > pc and (alt is None or pcs[0] < alt):
                alt = pcs[0]
            item = bisect.bisect_right(pcs, pc)
            prev = None
            if item:
                prev = item - 1
            if prev is not None and t.lines[prev] and (best_t is None or pcs[prev] > best_pc):
                best_t, best_i, best_pc = t, prev, pcs[prev]
                if not t.stmt[prev]:
                    # Prefer an is_stmt row at the same address.
                    tmp = prev
                    while tmp > 0 and pcs[tmp - 1] == pcs[tmp] and t.lines[tmp - 1] != 0 \
                            and not t.stmt[tmp]:
                        tmp -= 1
                    if t.stmt[tmp]:
                        best_i = tmp
                if best_end <= best_pc:
                    best_end = 0
            if best_t is not None and item < len(pcs) and pcs[item] > best_pc \
                    and (best_end == 0 or best_end > pcs[item]):
                best_end = pcs[item]
        if best_t is None:
            return None
        if best_end and (alt is None or best_end < alt):
            end = best_end
        elif alt is not None:
            end = alt
        else:
            end = self.cu_end
        i = best_i
        return Sal(best_t.pcs[i], end, best_t.name, best_t.lines[i], best_t.stmt[i],
                   best_t.columns[i], self.subfiles.index(best_t))

    def is_stmt_at(self, pc: int) -> bool:
        for t in self.subfiles:
            i = bisect.bisect_left(t.pcs, pc)
            while i < len(t.pcs) and t.pcs[i] == pc:
                if t.stmt[i] and t.lines[i]:
                    return True
                i += 1
        return False

    def pcs_for_line(self, sub: int, line: int) -> tuple[list[int], tuple[int, int] | None]:
        """gdb's find_pcs_for_symtab_line: exact is_stmt matches, else the best later line.

        Returns (pcs, None) or ([], (best_line, its pc)) when the line has no code here."""
        t = self.subfiles[sub]
        if line <= 0:
            return [], None
        by, lines = t.stmt_pcs_by_line()
        out = by.get(line)
        if out:
            return list(out), None
        k = bisect.bisect_right(lines, line)
        return [], ((lines[k], by[lines[k]][0]) if k < len(lines) else None)

    def first_line_at_or_after(self, sub: int, line: int) -> tuple[int, int] | None:
        """gdb's find_line_common: (line, pc) of the first is_stmt row for ``line``,
        else of the smallest later line."""
        if line <= 0:
            return None
        by, lines = self.subfiles[sub].stmt_pcs_by_line()
        k = bisect.bisect_left(lines, line)
        return (lines[k], by[lines[k]][0]) if k < len(lines) else None

    def prologue_end_in(self, sub: int, lo: int, hi: int) -> int | None:
        t = self.subfiles[sub]
        i = bisect.bisect_left(t.pcs, lo)
        while i < len(t.pcs) and t.pcs[i] < hi:
            if t.prologue_end[i]:
                return t.pcs[i]
            i += 1
        return None

    def rows(self) -> list[LineRow]:
        """All rows of all files, by address (end markers as end_sequence rows)."""
        out = []
        for t in self.subfiles:
            for i, pc in enumerate(t.pcs):
                out.append(LineRow(pc, t.name, t.lines[i], t.columns[i], t.stmt[i], t.lines[i] == 0))
        out.sort(key=lambda r: (r.address, not r.end_sequence))
        return out

