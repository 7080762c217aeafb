"""`info breakpoints` as gdb 13 prints it.

A breakpoint with several locations (an inlined function, a line the compiler
duplicated, a function in two objects) gets a ``<MULTIPLE>`` row, its condition
and counts, then one ``N.M`` row per location in address order: the numbers
that stop reports use (``Breakpoint 1.2, ...``). Column widths follow gdb: the
Type column grows for "read watchpoint", the Address column is narrow while no
breakpoint has an address (all pending).
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace

from ..events import BreakpointInfo, BreakpointLocation
from ..inspect.file_names import display_name
from ..program.program import Program


def innermost_function(prog: Program, addr: int) -> str | None:
    """The function gdb names for a code address: an inlined one's own name."""
    o = prog.objfile_for(addr)
    if o is None or o.debug is None:
        return None
    link = addr - o.bias
    chain = o.debug.inlined_chain(link)
    if chain:
        return chain[0][0]
    f = o.debug.function_at(link)
    return f.name if f else None


def _function_part(spec: str) -> str | None:
    """`break helper` names its locations "helper" (gdb's sal.symbol), a line does not."""
    spec = spec.strip()
    if not spec or spec.startswith("*"):
        return None
    name = spec.rpartition(":")[2].strip()
    return None if not name or name.isdigit() or "+" in name else name


def _line_part(spec: str) -> int | None:
    """`break f.c:14` shows line 14 at each location (gdb's sal.line), even where the
    line table also puts another line at that address."""
    rest = spec.strip().rpartition(":")[2].strip()
    return int(rest) if rest.isdigit() and not spec.strip().startswith("*") else None


def locations(prog: Program | None, spec: str, addrs: Iterable[int]) -> tuple[BreakpointLocation, ...]:
    if prog is None:
        return ()
    named, line = _function_part(spec), _line_part(spec)
    out = []
    for a in sorted(set(addrs)):
        loc = prog.location(a)
        if loc is not None and line is not None and loc.line != line:
            loc = replace(loc, line=line)
        if loc is not None:
            out.append(BreakpointLocation(a, named or innermost_function(prog, a), loc,
                                          file_shown=display_name(prog, loc.file, a)))
        else:
            out.append(BreakpointLocation(a, None, None, prog.symbolize(a)))
    return tuple(out)


def _what(loc: BreakpointLocation) -> str:
    if loc.location is not None:
        where = f"{loc.file_shown or os.path.basename(loc.location.file)}:{loc.location.line}"
        return f"in {loc.function} at {where}" if loc.function else where
    return f"<{loc.symbol}>" if loc.symbol else ""


def table(infos: tuple[BreakpointInfo, ...], unloaded: frozenset[int] = frozenset(),
          unresolved: frozenset[int] = frozenset(), extra: dict[int, list[str]] | None = None,
          inferiors: tuple[int, ...] = (), qualify: bool = False) -> str:
    """unloaded: breakpoints whose every location went with a dlclose'd library; gdb
    keeps those locations (shown <PENDING>) and so the wide Address column.
    inferiors: the inferiors whose program space holds the program (exec/inferiors.py):
    each has its own copy of every location, and gdb lists one row per address and
    inferior, in that order. qualify: the session has several inferiors, so each row
    ends with the one it is in (" inf 2").
    unresolved: pending since they were set; gdb has not parsed their condition yet,
    so it is part of the location text, not a "stop only if" line."""
    if not infos:
        return "No breakpoints or watchpoints."
    tw = max(14, *(len(b.kind) for b in infos))
    # gdb's exception catchpoints are breakpoints underneath: they widen the column
    aw = 18 if any((b.addresses and b.kind != "catchpoint") or "watchpoint" in b.kind or b.id in unloaded
                   or b.spec.startswith("exception ") and b.kind == "catchpoint"
                   for b in infos) else 10
    rows = [f"{'Num':<7} {'Type':<{tw}} {'Disp':<4} {'Enb':<3} {'Address':<{aw}} What"]
    invalid = False
    for b in infos:
        watch = "watchpoint" in b.kind
        catch = b.kind == "catchpoint"      # What is its spec, as catchpoints.py words it
        locs = () if catch else b.locations
        places = [(loc, f" inf {k}" if qualify else "") for loc in locs for k in inferiors or (0,)]
        # gdb shows a lone location that is disabled as a location row too
        multiple = len(places) > 1 or (len(locs) == 1 and not (locs[0].enabled
                                                               and locs[0].condition_ok))
        if watch or catch:
            addr, what = "", b.spec
        elif not locs:
            addr, what = "<PENDING>", b.spec + (f" if {b.condition}" if b.condition else "")
        elif multiple:
            addr, what = "<MULTIPLE>", ""
        else:
            addr, what = f"{locs[0].address:#018x}", _what(locs[0]) + places[0][1]
        disp = "del" if b.temporary else "keep"
        rows.append(f"{b.id:<7} {b.kind:<{tw}} {disp:<4} {'y' if b.enabled else 'n':<3} "
                    f"{addr:<{aw}} {what}")
        if b.condition and (locs or catch or b.id not in unresolved):
            rows.append(f"\tstop only if {b.condition}")
        if b.hit_count:
            rows.append(f"\t{'catchpoint' if catch else 'breakpoint'} already hit "
                        f"{b.hit_count} time{'s' if b.hit_count != 1 else ''}")
        if b.ignore_count:
            rows.append(f"\tignore next {b.ignore_count} hits")
        if extra and b.id in extra:
            rows.extend(extra[b.id])           # dprintf's printf line (breaks/dprintf.py)
        if multiple and not (watch or catch):
            for i, (loc, inf) in enumerate(places, 1):
                # gdb 13: N* condition invalid there, n disabled, y- its breakpoint is not
                enb = "N*" if not loc.condition_ok else "n" if not loc.enabled else \
                    "y" if b.enabled else "y-"
                invalid = invalid or not loc.condition_ok
                rows.append(f"{f'{b.id}.{i}':<7} {'':<{tw}} {'':<4} {enb:<3} "
                            f"{loc.address:#018x} {_what(loc)}{inf}")
    if invalid:
        rows.append("(*): Breakpoint condition is invalid at this location.")
    return "\n".join(rows)
