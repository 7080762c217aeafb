"""gdb's `disassemble[/m|/r|/s|/b] [START[,END|,+LEN]]` (cli/cli-cmds.c disassemble_command,
disasm.c): the function around an address or a range, with raw bytes, and source lines
in gdb's two orders (/m: source line order, /s: address order with file names).

A plain function of the Debugger, run on the ptrace worker by DataAPI (data.py).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import CommandError
from ..inspect.file_names import display_name

if TYPE_CHECKING:
    from ..debugger import Debugger
    from ..disasm.decode import Instruction
    from ..program.program import Program
    from ..symbols.dwarf.line_table import Sal

_RAW_WIDTH = 19          # x86's bytes_per_line (7) as gdb pads the opcodes column


@dataclass
class _Dump:
    dbg: Debugger
    prog: Program
    raw: bool
    omit_name: bool        # one argument: rows say <+N>, not <func+N>
    here: int | None       # the selected frame's pc: its row is marked =>

    def rows(self, start: int, end: int) -> list[str]:
        """Every instruction starting in [start, end) (the last one in full)."""
        out: list[str] = []
        if end <= start:
            return out
        insns = self.dbg.disassemble(start, max(1, end - start))
        for i in insns:
            if i.addr >= end:
                break
            out.append(self._row(i))
        return out

    def _row(self, i: Instruction) -> str:
        mark = "=> " if i.addr == self.here else "   "
        where = ""
        func = self.prog.function_range(i.addr)
        sym = self.prog.symbolize(i.addr)
        if func is not None:
            name = self.prog.function_name(func[0]) or ""
            off = i.addr - func[0]
            where = f" <+{off}>" if self.omit_name else f" <{name}+{off}>"
        elif sym is not None:
            name, _, off_text = sym.partition("+")
            where = f" <+{off_text or 0}>" if self.omit_name else f" <{name}+{off_text or 0}>"
        raw = ""
        if self.raw:
            raw = " ".join(f"{b:02x}" for b in i.raw).ljust(_RAW_WIDTH) + "\t"
        return f"{mark}{i.addr:#018x}{where}:\t{raw}{i.text}"


def parse_modifiers(arg: str) -> tuple[set[str], str]:
    """`/rs rest`: the modifier letters and the rest (gdb's errors for bad ones)."""
    arg = arg.strip()
    if not arg.startswith("/"):
        return set(), arg
    word, _, rest = arg[1:].partition(" ")
    if not word:
        raise CommandError("Missing modifier.")
    if any(c not in "mrsb" for c in word):
        raise CommandError("Invalid disassembly modifier.")
    mods = set(word)
    if {"m", "s"} <= mods:
        raise CommandError("Cannot specify both /m and /s.")
    return mods, rest.strip()


def disassemble_text(dbg: Debugger, arg: str) -> str:
    mods, rest = parse_modifiers(arg)
    t = dbg.target
    prog = t.require_program()
    here = dbg.frames.selected_pc()
    name: str | None = None
    if not rest:
        if here is None:
            raise CommandError("No frame selected.")
        start_expr, end_expr = None, None
        addr = here
    else:
        start_expr, comma, end_expr = _split_comma(rest)
        addr = dbg.evaluator.evaluate_address(start_expr)
        if not comma:
            end_expr = None
    if end_expr is None:
        rng = prog.function_range(addr)
        if rng is None:
            raise CommandError("No function contains specified address.")
        low, high = rng
        name = prog.function_name(low)
        head = f"Dump of assembler code for function {name}:"
    else:
        end_expr = end_expr.strip()
        plus = end_expr.startswith("+")
        high = dbg.evaluator.evaluate_address(end_expr[1:] if plus else end_expr)
        low = addr
        if plus:
            high += low
        head = f"Dump of assembler code from {low:#x} to {high:#x}:"
    if t.alive and low < high and t.read_memory_partial(low, 1)[1] == 0:
        # gdb has printed the heading and the row's address when the read fails
        raise CommandError(f"{head}\n   {low:#018x}:\t\nCannot access memory at address {low:#x}")
    dump = _Dump(dbg, prog, bool(mods & {"r", "b"}), end_expr is None, here)
    if "m" in mods:
        body = _source_centric(dump, low, high)
    elif "s" in mods:
        body = _address_order(dump, low, high)
    else:
        body = dump.rows(low, high)
    return "\n".join([head, *body, "End of assembler dump."])


def _split_comma(text: str) -> tuple[str, bool, str]:
    """START and END at the first comma outside parentheses (gdb's parse_to_comma)."""
    depth = 0
    for i, c in enumerate(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            return text[:i], True, text[i + 1:]
    return text, False, ""


def _sal(prog: Program, pc: int) -> Sal | None:
    """gdb's find_pc_line(pc, 0), from the line tables of pc's unit."""
    o = prog.objfile_for(pc)
    if o is None or o.debug is None:
        return None
    lines = o.debug.lines
    cu = o.debug.cu_offset_for(pc - o.bias)
    table = lines.unit_lines(o.debug.dies.unit(cu)) if cu is not None else None
    sal = table.find_pc_line(pc - o.bias) if table is not None else None
    if sal is None:
        return None
    return replace(sal, pc=sal.pc + o.bias, end=sal.end + o.bias if sal.end else 0)


def _source_line(dump: _Dump, file: str, line: int, pc: int) -> str:
    text = dump.dbg.target.source_lines(file)
    if text is None or not 0 < line <= len(text):
        return f"{line}\tin {display_name(dump.prog, file, pc)}"
    return f"{line}\t{text[line - 1]}"


def _source_centric(dump: _Dump, low: int, high: int) -> list[str]:
    """/m (disasm.c do_mixed_source_and_assembly_deprecated): the line table of low's file
    in [low, high), sorted by line, each line's source then its instructions."""
    prog = dump.prog
    sal = _sal(prog, low)
    o = prog.objfile_for(low)
    if sal is None or o is None or o.debug is None:
        return dump.rows(low, high)
    cu = o.debug.cu_offset_for(low - o.bias)
    table = o.debug.lines.unit_lines(o.debug.dies.unit(cu)) if cu is not None else None
    sub = next((s for s in table.subfiles if s.name == sal.file), None) if table else None
    if sub is None:
        return dump.rows(low, high)
    pcs = [p + o.bias for p in sub.pcs]
    lines = sub.lines
    n = len(pcs)
    mle: list[tuple[int, int, int]] = []
    i = 0
    while i < n - 1 and pcs[i] < low:
        i += 1
    while i < n - 1 and pcs[i] < high:
        if not (lines[i] == lines[i + 1] and pcs[i] == pcs[i + 1]) and lines[i] != 0:
            mle.append((lines[i], pcs[i], pcs[i + 1]))
        i += 1
    if i == n - 1 and pcs[i] < high:
        last = _sal(prog, pcs[i])
        mle.append((lines[i], pcs[i], last.end if last is not None else pcs[i]))
    mle.sort(key=lambda m: (m[0], m[1]))
    out: list[str] = []
    next_line = 0
    for k, (line, start, end) in enumerate(mle):
        if line >= next_line:
            first = next_line if next_line else line
            for ln in range(first, line + 1):
                out.append(_source_line(dump, sal.file, ln, start))
            next_line = line + 1
        out += dump.rows(start, end)
        if k == len(mle) - 1 or mle[k + 1][0] > line:
            out.append("")
    return out


def _address_order(dump: _Dump, low: int, high: int) -> list[str]:
    """/s (disasm.c do_mixed_source_and_assembly): in address order, a file name where
    the file changes, lines without code before a line shown once with it."""
    prog = dump.prog
    if _sal(prog, low) is None:
        return dump.rows(low, high)          # gdb: no line table at low, assembly only
    with_code: set[tuple[str, int]] = set()
    pc = low
    insns = dump.dbg.disassemble(low, max(1, high - low))
    for ins in insns:
        if ins.addr >= high:
            break
        s = _sal(prog, ins.addr)
        if s is not None:
            with_code.add((s.file, s.line))
    first_line = _first_line_in(prog, low, high)
    out: list[str] = []
    last_file: str | None = None
    last_line = 0
    started = False
    while pc < high:
        sal = _sal(prog, pc)
        file = sal.file if sal is not None else None
        line = sal.line if sal is not None else 0
        pre_from = pre_to = 0
        new_line = False
        if not started or file != last_file:
            new_line = True
            if last_line == 0 and first_line is not None and sal is not None and first_line < line:
                pre_from, pre_to = first_line, line
        elif sal is not None:
            if line > last_line + 1 and last_line != 0:
                ln = line - 1
                while ln > last_line and (file, ln) not in with_code:
                    ln -= 1
                if ln < line - 1:
                    pre_from, pre_to = ln + 1, line
            new_line = line != last_line
        if new_line:
            if pc > low:
                out.append("")
            if not started or file != last_file:
                out.append(f"{display_name(prog, file, pc) if file is not None else 'unknown'}:")
            if file is not None:
                for ln in range(pre_from, pre_to):
                    out.append(_source_line(dump, file, ln, pc))
                out.append(_source_line(dump, file, line, pc))
            else:
                out.append("--- no source info for this pc ---")
        end = min(sal.end, high) if sal is not None and sal.end else pc + 1
        rows = dump.rows(pc, end)
        out += rows
        if not rows:
            break
        nxt = dump.dbg.disassemble(pc, max(1, end - pc))
        pc = max((i.addr + i.size for i in nxt if i.addr < end), default=end)
        started = True
        last_file, last_line = file, line
    return out


def _first_line_in(prog: Program, low: int, high: int) -> int | None:
    """gdb's first_le: the line of the first row of low's line table at or after low."""
    sal = _sal(prog, low)
    o = prog.objfile_for(low)
    if sal is None or o is None or o.debug is None:
        return None
    cu = o.debug.cu_offset_for(low - o.bias)
    table = o.debug.lines.unit_lines(o.debug.dies.unit(cu)) if cu is not None else None
    sub = next((s for s in table.subfiles if s.name == sal.file), None) if table else None
    if sub is None:
        return None
    for p, ln in zip(sub.pcs, sub.lines, strict=True):
        if p + o.bias >= low:
            return ln if p + o.bias < high else None
    return None
