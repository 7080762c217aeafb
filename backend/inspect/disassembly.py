"""Instructions at an address for `disassemble`, `x/i` and the disassembly pane."""
from __future__ import annotations

from collections.abc import Callable

from ..disasm.decode import Instruction, instruction, instructions
from ..program.target import Target


def disassemble(target: Target, addr: int, count: int,
                breakpoint_at: Callable[[int], int | None]) -> list[Instruction]:
    """count instructions from addr: the process's bytes (breakpoints shadowed) while it
    lives, else the file's; breakpoint_at(addr) gives the user breakpoint there, if any."""
    prog = target.require_program()
    if target.alive:
        code, _ = target.read_memory_partial(addr, count * 15)
    else:
        o = prog.objfile_for(addr)
        code = o.elf.read_code(addr - o.bias, count * 15) if o else b""
    pc = target.stop.pc if target.stop else None
    out = []
    for i in instructions(code, addr, count):
        a = i.addr
        bp = breakpoint_at(a) if target.alive else None
        out.append(instruction(i, prog.symbolize, symbol=prog.symbolize(a),
                               location=prog.location(a), is_pc=a == pc, breakpoint_id=bp))
    return out
