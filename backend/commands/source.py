"""Commands that show the program's code: list, disassemble."""
from __future__ import annotations

from ..errors import CommandError
from .registry import CommandInterpreter, command


@command("disassemble", group="data", help="Disassemble a specified section of memory.",
         usage="Usage: disassemble [ADDRESS]\n"
               "Shows the whole function containing ADDRESS; default is the function\n"
               "surrounding the pc of the selected frame.")
async def _disassemble(ci: CommandInterpreter, arg: str) -> str | None:
    def work():
        prog = ci.dbg.target.require_program()
        if arg:
            addr = ci.dbg.evaluator.evaluate_address(arg.split(",")[0])
        elif ci.dbg.target.stop is not None:
            addr = ci.dbg.target.stop.pc
        else:
            raise CommandError("No frame selected.")
        rng = prog.function_range(addr)
        if rng is None:
            raise CommandError("No function contains specified address.")
        n = rng[1] - rng[0]
        insns = ci.dbg.disassemble(rng[0], max(1, n))
        name = prog.function_name(rng[0])
        out = [f"Dump of assembler code for function {name}:"]
        for i in insns:
            if i.addr >= rng[1]:
                break
            off = i.addr - rng[0]
            mark = "=> " if i.is_pc else "   "
            out.append(f"{mark}{i.addr:#018x} <+{off}>:\t{i.text}")
        out.append("End of assembler dump.")
        return "\n".join(out)
    return await ci.call(work)


@command("list", "l", group="files", help="List specified function or line.",
         usage="Usage: list [LOCATION]\n"
               "Lists ten lines around LOCATION (FUNC, FILE:LINE, LINE, *ADDR); with no\n"
               "argument, around where the program stopped (or around main).")
async def _list(ci: CommandInterpreter, arg: str) -> str | None:
    def work():
        prog = ci.dbg.target.require_program()
        if arg:
            r = prog.resolve(arg, ci.dbg.target.current_file())
            loc = prog.location(r.addrs[0]) if r.addrs else None
            center = r.line or (loc.line if loc else 1)
            file = r.file or (loc.file if loc else None)
        else:
            loc = prog.location(ci.dbg.target.stop.pc) if ci.dbg.target.stop else prog.main_location()
            if loc is None:
                raise CommandError("No symbol table is loaded.")
            center, file = loc.line, loc.file
        if file is None:
            raise CommandError("No line number known for " + arg)
        lines = ci.dbg.target.source_lines(file)
        if lines is None:
            raise CommandError(f"{center}\tin {file}")
        first = max(1, center - 5)
        return "\n".join(f"{n}\t{lines[n - 1]}" for n in range(first, min(len(lines), first + 9) + 1))
    return await ci.call(work)
