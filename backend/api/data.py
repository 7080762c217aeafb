"""`session.data`: expressions, memory, variables, and the code and libraries in memory.

Every method hops once to the ptrace worker (link.py) and needs a stopped (or not yet
started) program. Methods named `..._text` return what gdb prints for the command.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import events as ev
from ..inspect.memview import format_examine, parse_examine
from ..inspect.symbol_search import search_text
from . import code_text, scope_text

if TYPE_CHECKING:
    from ..debugger import Debugger
    from ..disasm.decode import Instruction
    from ..process.inferior import Region
    from .link import WorkerLink

# x's format letter, unit letter and the address after the last thing it showed
Examined = tuple[str, str, int]


class DataAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger) -> None:
        self._link = link
        self._dbg = dbg

    # ---- expressions ---------------------------------------------------------------------
    async def evaluate(self, expr: str) -> str:
        """The value's text as gdb's `output` shows it; assignments (`i = 3`, `$rax = 0`) happen."""
        return await self._link.stopped_call(lambda: self._dbg.evaluator.evaluate_text(expr))

    async def print_text(self, expr: str, fmt: str | None = None) -> str:
        """gdb's `print[/FMT] EXPR` ("$1 = 42"); the value joins the history."""
        return await self._link.stopped_call(lambda: self._dbg.evaluator.print_text(expr, fmt))

    async def formatted(self, expr: str, fmt: str | None = None) -> str:
        """The value's text in print's format FMT (None: natural), out of the history."""
        return await self._link.stopped_call(lambda: self._dbg.evaluator.formatted(expr, fmt)[1])

    async def show_values_text(self, arg: str = "") -> str:
        """gdb's `show values [N|+]`: value history entries printed anew."""
        return await self._link.stopped_call(lambda: self._dbg.evaluator.show_values_text(arg))

    async def ptype_text(self, expr: str) -> str:
        """gdb's `ptype TYPE|EXPR`."""
        return await self._link.stopped_call(lambda: self._dbg.evaluator.ptype_text(expr))

    async def whatis_text(self, expr: str) -> str:
        """gdb's `whatis TYPE|EXPR`: the type's name (a typedef name: one level down)."""
        return await self._link.stopped_call(lambda: self._dbg.evaluator.whatis_text(expr))

    async def check(self, expr: str, address: bool = False) -> None:
        """Raise what evaluating expr (as an address, with `address`) would raise now."""
        e = self._dbg.evaluator
        await self._link.stopped_call(lambda: e.evaluate_address(expr) if address else e.evaluate_value(expr))

    async def evaluate_address(self, expr: str) -> int:
        """An address from an expression: `$rsp`, `&arr`, `p->next`, `0x401000`."""
        return await self._link.stopped_call(lambda: self._dbg.evaluator.evaluate_address(expr))

    async def symbolize(self, addr: int) -> str | None:
        """`main+4`, or None where no symbol covers addr."""
        return await self._link.stopped_call(lambda: self._dbg.target.prog.symbolize(addr))

    # ---- memory --------------------------------------------------------------------------
    async def read_memory(self, addr: int, n: int) -> bytes:
        return await self._link.stopped_call(lambda: self._dbg.target.read_memory(addr, n))

    async def read_memory_partial(self, addr: int, n: int) -> tuple[bytes, int]:
        return await self._link.stopped_call(lambda: self._dbg.target.read_memory_partial(addr, n))

    async def write_memory(self, addr: int, data: bytes) -> None:
        await self._link.stopped_call(lambda: self._dbg.target.write_memory(addr, data))

    async def examine(self, arg: str, last: Examined | None = None) -> tuple[str, Examined]:
        """gdb's `x/FMT ADDRESS`: its text, and what the next `x` continues from. `last` is
        the previous x's (format, unit, next address): an omitted format or address
        continues it; without it (display/i) the defaults are /xw and ADDRESS is evaluated."""
        fmt, unit, count, expr = parse_examine(arg, last or ("x", "w", 0))

        def work() -> tuple[str, Examined]:
            d = self._dbg
            addr = d.evaluator.evaluate_address(expr) if expr or last is None else last[2]
            text, next_addr = format_examine(d.target, addr, fmt, unit, count, d.frames.selected_pc())
            if last is not None:                 # `x` (not display/FMT) sets $_ and $__
                d.evaluator.examined(addr, fmt, unit, count)
            return text, (fmt, unit, next_addr)
        return await self._link.stopped_call(work)

    async def memory_map(self) -> list[Region]:
        """The stopped program's /proc/PID/maps rows (start, end, perms, offset, path)."""
        return await self._link.stopped_call(lambda: list(self._dbg.target.require_inferior().maps()))

    async def sharedlibrary_text(self, regex: str = "") -> str:
        """gdb's `info sharedlibrary [REGEX]`."""
        return await self._link.stopped_call(lambda: self._dbg.solib.table(regex))

    # ---- variables of the selected frame ----------------------------------------------------
    async def locals(self) -> list[ev.Variable]:
        """Arguments then locals, for a Locals pane."""
        return await self._link.stopped_call(self._dbg.variables.variables)

    async def children(self, expr: str) -> list[ev.Variable]:
        """The members or elements of expr's value, one level down."""
        return await self._link.stopped_call(lambda: self._dbg.variables.children(expr))

    async def locals_text(self) -> str:
        """gdb's `info locals`."""
        return await self._link.stopped_call(self._dbg.variables.locals_text)

    async def args_text(self) -> str:
        """gdb's `info args`."""
        return await self._link.stopped_call(self._dbg.variables.args_text)

    # ---- code ------------------------------------------------------------------------------
    async def disassemble(self, addr: int, count: int) -> list[Instruction]:
        """count instructions from addr, breakpoints' INT3s hidden, the pc's row marked."""
        return await self._link.stopped_call(lambda: self._dbg.disassemble(addr, count))

    async def disassemble_text(self, arg: str = "") -> str:
        """gdb's `disassemble [ADDRESS]`."""
        return await self._link.stopped_call(lambda: code_text.disassemble_text(self._dbg, arg))

    async def list_text(self, arg: str = "") -> str:
        """gdb's `list [LOCATION]`."""
        return await self._link.stopped_call(lambda: code_text.list_text(self._dbg, arg))

    async def info_line_text(self, arg: str = "") -> str:
        """gdb's `info line [LOCATION]`."""
        return await self._link.stopped_call(lambda: code_text.info_line_text(self._dbg, arg))

    async def info_symbol_text(self, arg: str) -> str:
        """gdb's `info symbol ADDR`."""
        return await self._link.stopped_call(lambda: code_text.info_symbol_text(self._dbg, arg))

    async def symbols_text(self, kind: str, arg: str = "") -> str:
        """gdb's `info functions|variables|types [-q] [-n] [REGEX]` (kind: the plural)."""
        return await self._link.stopped_call(lambda: search_text(self._dbg.target.program, kind, arg))

    async def scope_text(self, arg: str) -> str:
        """gdb's `info scope LOCATION`."""
        return await self._link.stopped_call(lambda: scope_text.info_scope(self._dbg, arg))

    async def rbreak_targets(self, regex: str) -> list[tuple[str, str]]:
        """gdb's `rbreak [FILE:]REGEX`: (location to break at, line printed under its
        breakpoint) of every matching function, those with debug information first."""
        return await self._link.stopped_call(lambda: scope_text.rbreak_targets(self._dbg, regex))

    async def current_file(self) -> str | None:
        """The source file `list` and `break LINE` mean: the stop's, else main's."""
        return await self._link.stopped_call(self._dbg.target.current_file)
