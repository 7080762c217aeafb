"""Where breakpoints land, as gdb 13 decides it: `break FUNC` (find_function_start_sal),
`break FILE:LINE` with the linespec block filter, `info line`, and prologue skipping
(skip_prologue_sal, amd64_skip_prologue). tests/test_symbols_where.py checks these
against gdb.

BreakpointLocations is a part of DebugInfo (debug_info.py); it combines the
functions (funcs.py), blocks (blocks.py) and line tables (lines.py).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from ...errors import CommandError
from ..dwarf.dies import DIE_ERRORS, Unit, _guarded, producer_gcc_version
from ..dwarf.line_table import CuLines
from .blocks import Block, BlockIndex
from .die_reader import DieReader
from .funcs import FuncRec, FunctionIndex, FunctionInfo
from .lines import LineIndex

if TYPE_CHECKING:
    from ..elf import ElfFile

# (address, file, line) of a breakpoint location, as gdb's symtab_and_line gives them.
Location: TypeAlias = tuple[int, str | None, int]
# find_pc_partial_function: (entry, end, function or None, its unit or None); both
# None when only an ELF symbol covers the pc.
Bounds: TypeAlias = tuple[int, int, FuncRec | None, Unit | None]


def _entry_location(self: object, func: FunctionInfo, *_: object) -> Location:
    return (func.ranges[0][0] if func.ranges else func.low), func.file, func.line or 0


class BreakpointLocations:
    """Where breakpoints land in one file (see the module docstring)."""

    def __init__(self, reader: DieReader, lines: LineIndex, funcs: FunctionIndex, blocks: BlockIndex,
                 elf: ElfFile) -> None:
        self.reader, self.lines, self.funcs, self.blocks, self.elf = reader, lines, funcs, blocks, elf
        self.warn = reader.warn

    @_guarded(lambda self, func: _entry_location(self, func)[0])
    def breakpoint_address(self, func: FunctionInfo) -> int:
        return self.breakpoint_location(func)[0]

    @_guarded(_entry_location)
    def breakpoint_location(self, func: FunctionInfo) -> Location:
        """gdb's find_function_start_sal: (address, file, line) of ``break FUNC``."""
        entry = func.ranges[0][0] if func.ranges else func.low
        sal = self.lines.sal(entry)
        try:
            valid = self.reader.unit(func.cu_offset).locations_valid
        except DIE_ERRORS:
            valid = False
        if sal is not None and valid:
            return entry, sal.file, sal.line
        if sal is None or sal.pc < entry:
            return self._skip_prologue_sal(entry, None, 0)
        return self._skip_prologue_sal(sal.pc, sal.file, sal.line)

    def line_addresses(self, file: str, line: int) -> tuple[int, list[int]]:
        locs = self.line_locations(file, line)
        return locs[0][2], [a for a, _, _ in locs]

    @_guarded(CommandError('Cannot read the line table (corrupt DWARF):'))
    def line_locations(self, file: str, line: int) -> list[Location]:
        """gdb's ``break FILE:LINE``: [(address, file, line)] by address (file None when no
        line table row covers the address after the prologue)."""
        tables = self.lines.match_symtabs(file)
        if not tables:
            raise CommandError(f"No source file named {file}.")

        def collect(ln: int) -> tuple[list[tuple[int, str]], tuple[int, int] | None]:
            res: list[tuple[int, str]] = []
            best: tuple[int, int] | None = None
            for cl, sub in tables:
                pcs, b = cl.pcs_for_line(sub, ln)
                res += [(pc, cl.subfiles[sub].name) for pc in pcs]
                if not pcs and b and (best is None or b[0] < best[0]):
                    best = b
            return res, best

        found, best = collect(line)
        used = line
        if not found and best is not None:
            used = best[0]
            found, _ = collect(used)
        if not found:
            raise CommandError(f'No line {line} in file "{file}".')
        blocks = [self.blocks.block_for_pc(pc) for pc, _ in found]
        keep = [True] * len(found)
        for i, b in enumerate(blocks):
            if b is not None:
                for j in range(i + 1, len(found)):
                    if blocks[j] == b:               # gdb drops only the next one each time
                        keep[j] = False
                        break
        out = [self._skip_prologue_sal(pc, path, used)
               for (pc, path), k in zip(found, keep, strict=False) if k]
        return sorted(set(out))

    @_guarded(CommandError('Cannot read the line table (corrupt DWARF):'))
    def info_line(self, file: str, line: int) -> list[tuple[str, int, int | None, int | None]]:
        """gdb's ``info line FILE:LINE``: (file, line, start, end) per matching source file;
        start == end when the line has no code (start is where the next code is), and
        start is None when the line is past the end of the file's code."""
        tables = self.lines.match_symtabs(file)
        if not tables:
            raise CommandError(f"No source file named {file}.")
        out: list[tuple[str, int, int | None, int | None]] = []
        for cl, sub in tables:
            name = cl.subfiles[sub].name
            pc = self._find_line_pc(cl, sub, line)
            if pc is None:
                out.append((name, line, None, None))
                continue
            sal = self.lines.sal(pc)
            if sal is None or sal.line != line:
                start = sal.pc if sal is not None else pc
                out.append((name, line, start, start))
            else:
                out.append((name, line, sal.pc, sal.end))
        return out

    def _find_line_pc(self, cl: CuLines, sub: int, line: int) -> int | None:
        """gdb's find_line_symtab + find_line_pc: exact line in this file's table, else in
        another unit's table for the same file, else the nearest later line."""
        best = cl.first_line_at_or_after(sub, line)
        if best is not None and best[0] == line:
            return best[1]
        name = cl.subfiles[sub].name
        for other, osub in self.lines.match_symtabs(name):
            if other is cl and osub == sub:
                continue
            cand = other.first_line_at_or_after(osub, line)
            if cand is not None and cand[0] == line:
                return cand[1]
            if cand is not None and (best is None or cand[0] < best[0]):
                best = cand
        return best[1] if best is not None else None

    def _func_bounds(self, pc: int) -> Bounds | None:
        """find_pc_partial_function: (entry, end, FuncRec or None, unit or None) or None."""
        found = self.funcs.containing(pc)
        if found is not None:
            funcs, rec = found
            return rec.ranges[0][0], rec.high, rec, funcs.unit
        ms = self.elf.symbol_at(pc)
        if ms is None or ms[0].kind != "func":
            return None
        return ms[0].addr, ms[0].addr + max(ms[0].size, 1), None, None

    def _skip_prologue_sal(self, sal_pc: int, sal_file: str | None, sal_line: int) -> Location:
        """gdb's skip_prologue_sal: move a location at a function's start past its prologue."""
        bounds = self._func_bounds(sal_pc)
        if bounds is None:
            return sal_pc, sal_file, sal_line
        entry, fend, rec, unit = bounds
        sal_at = self.lines.sal
        force_skip = not (rec is not None and unit is not None and unit.locations_valid)
        start = None
        pc = entry
        for skip in (1, 0):
            pc = entry
            if skip:
                lt = self._prologue_end(entry)
                if lt is not None:
                    pc, start, force_skip = lt, sal_at(lt), True
                    break
                pc = self.amd64_skip_prologue(pc)
            start = sal_at(pc)
            if skip and start is not None and start.pc != pc and entry <= start.end < fend \
                    and (rec is not None or self._func_bounds(start.end) == bounds):
                pc = start.end
                start = sal_at(pc)
            if force_skip:
                break
        if not force_skip and rec is not None and unit is not None and start is None:
            pc = self._first_line_pc(pc, rec, unit)
            start = sal_at(pc)
        if sal_pc >= pc:
            return sal_pc, sal_file, sal_line
        file, line = (start.file, start.line) if start is not None else (None, 0)
        blk = self.blocks.block_for_pc(pc)
        outer_inline = None
        while isinstance(blk, Block):
            if blk.kind == "inl":
                outer_inline = blk
            elif blk.kind == "func":
                break
            blk = blk.parent
        if outer_inline is not None:
            _, dfile, dline = self.blocks.origin_decl(outer_inline.origin)
            if dline:
                file, line = dfile, dline
        return pc, file, line

    def _prologue_end(self, func_addr: int) -> int | None:
        """skip_prologue_using_linetable: the first prologue_end row inside the function."""
        bounds = self._func_bounds(func_addr)
        sal = self.lines.sal(bounds[0]) if bounds else None
        if bounds is None or sal is None:
            return None
        cu = self.reader.cu_offset_for(bounds[0])
        lines = self.lines.unit_lines(self.reader.unit(cu)) if cu is not None else None
        return lines.prologue_end_in(sal.subfile, bounds[0], bounds[1]) if lines else None

    def _first_line_pc(self, pc: int, rec: FuncRec, unit: Unit) -> int:
        """skip_prologue_using_lineinfo: first row of the function in its declaring file."""
        lines = self.lines.unit_lines(unit)
        path = self.funcs.decl_path(unit, rec)
        for t in (lines.subfiles if lines else []):
            if t.name == path:
                for p, ln in zip(t.pcs, t.lines, strict=False):
                    if ln and rec.ranges[0][0] <= p < rec.high:
                        return p
        return pc

    def amd64_skip_prologue(self, start_pc: int) -> int:
        """amd64_skip_prologue: past `push %rbp; mov %rsp,%rbp`, else not at all."""
        bounds = self._func_bounds(start_pc)
        unit = bounds[3] if bounds is not None else None
        if bounds is not None and unit is not None and \
                unit.producer.lower().startswith(("clang", "flang", "intel")):
            post = self._skip_prologue_using_sal(bounds[0], bounds[1], unit)
            if post:
                return max(start_pc, post)
        pc = self.elf.frame_setup_end(start_pc)
        return start_pc if pc is None else self._skip_xmm_prologue(pc, start_pc)

    def _skip_xmm_prologue(self, pc: int, start_pc: int) -> int:
        """gcc's varargs prologue (GCC PR debug/48827): `test %al,%al; je; movaps x8`."""
        first = self.lines.sal(start_pc)
        cu = self.reader.cu_offset_for(start_pc)
        producer = self.reader.unit(cu).producer if cu is not None else ""
        if pc == start_pc or first is None or producer_gcc_version(producer) < (4, 6) \
                or first.pc != start_pc or pc >= first.end:
            return pc
        nxt = self.lines.sal(first.end)
        if nxt is None or nxt.line != first.line:
            return pc
        buf = self.elf.read_code(nxt.pc - 4, 60).ljust(60, b"\0")
        if buf[0:2] != b"\x84\xc0" or buf[2] != 0x74:
            return pc
        off = 4
        for reg in range(8):
            if buf[off] != 0x0F or buf[off + 1] != 0x29 or buf[off + 2] & 0x3F != (reg << 3 | 5):
                return pc
            mod = buf[off + 2] & 0xC0
            if mod not in (0x40, 0x80):
                return pc
            off += 4 if mod == 0x40 else 7
        return nxt.end if off - 4 == buf[3] else pc

    def _skip_prologue_using_sal(self, entry: int, end: int, unit: Unit) -> int:
        """gdb's line-table prologue analysis, which it trusts for clang-built code."""
        sal = self.lines.sal(entry)
        if sal is None or not sal.line:
            return 0
        lines = self.lines.unit_lines(unit)
        if lines is None:                       # never: sal came from this unit's table
            return 0
        t = lines.subfiles[sal.subfile]
        i = 0
        while i + 1 < len(t.pcs) and (t.pcs[i] != sal.pc or t.lines[i] == 0):
            i += 1
        if i + 1 < len(t.pcs) and t.lines[i + 1] and t.pcs[i + 1] == entry:
            return entry
        if sal.end >= end:
            return 0
        while sal.end < end:
            nxt = self.lines.sal(sal.end)
            if nxt is None or not nxt.line or nxt.line >= sal.line or nxt.file != sal.file:
                break
            blk = self.blocks.block_for_pc(sal.end)
            while isinstance(blk, Block) and blk.kind == "lex":
                blk = blk.parent
            if isinstance(blk, Block) and blk.kind == "inl":
                break
            sal = nxt
        return sal.end if sal.end < end else sal.pc
