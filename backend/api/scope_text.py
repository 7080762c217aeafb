"""gdb's `info scope LOCATION` (tracepoint.c info_scope_command) and the search behind
`rbreak REGEX` (symtab.c rbreak_command). Plain functions of the Debugger, run on the
ptrace worker by DataAPI (data.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import CommandError
from ..inspect.symbol_info import location_words
from ..inspect.symbol_search import Found, compile_regex, file_name, search
from ..symbols.scopes import Variable

if TYPE_CHECKING:
    from elftools.dwarf.die import DIE

    from ..debugger import Debugger
    from ..program.program import Program

_VAR_TAGS = ("DW_TAG_formal_parameter", "DW_TAG_variable")


def info_scope(dbg: Debugger, arg: str) -> str:
    arg = arg.strip()
    if not arg:
        raise CommandError("requires an argument (function, line or *addr) to define a scope")
    t = dbg.target
    prog = t.program
    if prog is None:
        raise CommandError('No symbol table is loaded.  Use the "file" command.')
    r = prog.resolve(arg, t.current_file(), dbg.evaluator.evaluate_address)
    if not r.addrs:
        return ""
    pc = r.addrs[0]
    if r.line is None and not arg.startswith("*"):
        # gdb decodes the location in list mode: a function means its entry, the
        # out-of-line copy's when there is one
        outline = [fi.low + o.bias for o in prog.objfiles if o.debug is not None
                   for fi in o.debug.functions_named(arg.partition(":")[2] or arg, inlined=False)]
        if not outline and any(o.debug.inlined_instances(arg.partition(":")[2] or arg)
                               for o in prog.objfiles if o.debug is not None):
            # gdb lists the inlined block's symbols in its hash table's order
            raise CommandError(f"{arg} is only inlined: tdbg does not list an inlined "
                               "function's scope.")
        rng = prog.function_range(pc)
        pc = outline[0] if outline else rng[0] if rng else pc
    o = prog.objfile_for(pc)
    func = o.debug.function_at(pc - o.bias) if o is not None and o.debug is not None else None
    out: list[str] = []
    if o is not None and func is not None:
        scopes = o.scopes
        die = scopes.die_at(func.cu_offset, func.die_offset)
        link_pc = pc - o.bias
        for block in reversed(_blocks_at(scopes, die, link_pc)):
            entry = scopes.ranges(block)[0][0] if scopes.ranges(block) else link_pc
            for child in block.iter_children():
                if child.tag not in _VAR_TAGS:
                    continue
                name = scopes.name_of(child)
                if not name:
                    continue
                var = Variable(name, child, scopes.type_of(child), "local")
                out.append(f"Symbol {name} is {_words(var, scopes, o, entry)}")
    if not out:
        return f"Scope for {arg}:\nSymbol {arg} contains no locals."
    return "\n".join([f"Scope for {arg}:", *out])


def _blocks_at(scopes: object, func: DIE, link_pc: int) -> list[DIE]:
    """The function's DIE and each lexical block inside it holding link_pc, outermost first."""
    chain, cur = [func], func
    while True:
        inner = next((c for c in cur.iter_children() if c.tag == "DW_TAG_lexical_block"
                      and scopes.contains(c, link_pc)), None)     # type: ignore[attr-defined]
        if inner is None:
            return chain
        chain.append(inner)
        cur = inner


def _words(var: Variable, scopes: object, o: object, link_pc: int) -> str:
    """gdb's line for one symbol: its location's words, then its type's length."""
    const = var.const_value
    if isinstance(const, int):
        where = f"a constant with value {const} ({const:#x})"
    elif var.location is None:
        return "optimized out."
    else:
        where = location_words(var, scopes, o, link_pc)    # type: ignore[arg-type]
        if where.startswith("static storage"):
            where = "in " + where                          # gdb's LOC_STATIC wording here
    try:
        size = var.type.strip().size
    except Exception:
        return where + "."
    return f"{where}, length {size}."


def rbreak_targets(dbg: Debugger, regex: str) -> list[tuple[str, str]]:
    """(location for `break`, the line gdb prints under its breakpoint) of each function
    `rbreak REGEX` sets a breakpoint on: debug ones as `info functions` sorts them
    (FILE:REGEX keeps one file's), then functions without debug information."""
    regex = regex.strip()
    file = None
    head, colon, tail = regex.partition(":")
    if colon and not tail.startswith(":"):
        file, regex = head.strip(), tail.strip()
    prog = dbg.target.program
    found, minsyms = search(prog, "functions", compile_regex(regex), exclude=file is not None)
    names = [f.name for f in found]
    if file is not None:
        found = [f for f in found if f.file == file or f.file.endswith("/" + file)]
    out: list[tuple[str, str]] = []
    for f in found:
        # gdb breaks at FILE:'NAME'; a name several files define (static functions) is
        # set by its line, which is found again when the program is relocated
        spec = f.name if names.count(f.name) == 1 or prog is None else _line_spec(prog, f)
        out.append((spec, f.text))
    for _, name in minsyms:
        out.append((name, f"<function, no debug info> {name};"))
    return out


def _line_spec(prog: Program, f: Found) -> str:
    """FILE:LINE of where `break` puts the function f names in its own file."""
    for o in prog.objfiles:
        if o.debug is None:
            continue
        for fi in o.debug.functions_named(f.name, inlined=False):
            addr = o.debug.breakpoint_address(fi) + o.bias
            loc = prog.location(addr)
            if loc is not None and file_name(prog, o, fi.cu_offset, fi.file, fi.low) == f.file:
                return f"{loc.file}:{loc.line}"
    return f.name
