"""Each location of a breakpoint has its own state, as in gdb 13.

`disable 1.2` turns one location off (``n`` in `info breakpoints`); a condition
that names something unknown at a location turns that location off instead of
failing (``N*``, with a warning per location). Either way the location owns no
INT3 site (breakpoints.py), so it costs nothing at hits.

States are kept in ``Breakpoint.off`` / ``Breakpoint.bad``, keyed by the address
of the location (after the process is gone the executable keeps the addresses of
its last run, program.unrelocate, as in gdb). When locations are
resolved again (run, a library loaded), a disabled location's state is carried over
as gdb's update_breakpoint_locations does: by the name of the function containing
it when those names are unambiguous, else by address. So a location disabled before
the first run of a PIE comes back enabled when its function name is shared (gdb's
heuristic, not ours).
"""
from __future__ import annotations

from collections.abc import Iterable

from ..errors import CommandError, ExpressionError
from ..inspect.conditions import validate as validate_condition
from ..program.target import Target
from .manager import Breakpoint


def key(addr: int) -> int:
    """The key of the location at addr (its address, as gdb keys it)."""
    return addr


def numbered(bp: Breakpoint, addresses: tuple[int, ...]) -> list[int]:
    """bp's locations (addresses: where it is or would be) in gdb's order: location N.M
    is numbered[M-1]."""
    if bp.kind != "breakpoint":
        return []
    return sorted(set(addresses))


# ---- carrying states over a re-resolution ---------------------------------------------------
def relocate(target: Target, bp: Breakpoint, addrs: Iterable[int]) -> None:
    """bp is about to get the locations addrs (live addresses): the condition is parsed
    again at each (silently, as gdb's re-set does) and disabled locations carried over."""
    if bp.kind != "breakpoint":
        return
    addrs = sorted(set(addrs))
    bad = set()
    if bp.condition:
        for a in addrs:
            try:
                validate_condition(target, bp.condition, a)
            except ExpressionError:
                bad.add(a)
    bp.bad = bad
    if not bp.off:
        return
    prog = target.require_program()
    names = {a: prog.function_name(a) for a in addrs}
    named = [n for n in names.values() if n is not None]
    ambiguous = len(set(named)) != len(named)
    off: dict[int, str | None] = {}
    for old, fname in bp.off.items():
        if fname is None:
            continue                     # gdb carries only locations with a function name
        if ambiguous:
            hit = old if old in names else None
        else:
            hit = next((a for a in addrs if names[a] == fname), None)
        if hit is not None:
            off[hit] = names[hit]
    bp.off = off


# ---- conditions ---------------------------------------------------------------------------------
def break_warnings(addrs: Iterable[int], errors: dict[int, Exception]) -> str:
    """`break LOC if COND`: one warning per location the condition does not parse at."""
    out = []
    for i, a in enumerate(sorted(set(addrs)), 1):
        if a in errors:
            out.append(f"warning: failed to validate condition at location {i}, disabling:\n"
                       f"  {errors[a]}")
    return "\n".join(out)


def condition_changed(bp: Breakpoint, addrs: Iterable[int], errors: dict[int, Exception]) -> list[str]:
    """`condition N [EXPR]` was accepted: update where it parses, gdb's words for each
    location that changes (only user-enabled ones are reported)."""
    if bp.kind != "breakpoint":
        return []
    notes = []
    for i, a in enumerate(sorted(set(addrs)), 1):
        k = key(a)
        enabled = k not in bp.off
        if a in errors:
            if enabled:
                notes.append(f"warning: failed to validate condition at location {bp.id}.{i}, "
                             f"disabling:\n  {errors[a]}")
            bp.bad.add(k)
        elif k in bp.bad:
            if enabled:
                notes.append(f"Breakpoint {bp.id}'s condition is now valid at location {i}, "
                             "enabling.")
            bp.bad.discard(k)
    return notes


# ---- enable / disable N, N-M, N.M, N.M-L ---------------------------------------------------
def _number(s: str, i: int, trailer: str) -> tuple[int, int]:
    """gdb's get_number_trailer on s[i:]: (value, end); 0 for anything not a number."""
    neg = i < len(s) and s[i] == "-"
    j = start = i + neg
    while j < len(s) and "0" <= s[j] <= "9":
        j += 1
    if j == start:
        while j < len(s) and not s[j].isspace():
            j += 1
        val = 0
    else:
        val = int(s[start:j])
    if j < len(s) and not (s[j].isspace() or s[j] == trailer):
        while j < len(s) and not (s[j].isspace() or s[j] == trailer):
            j += 1
        val = 0
    return (-val if neg else val), j


def _num(kind: str, s: str, i: int, trailer: str) -> tuple[int, int]:
    val, end = _number(s, i, trailer)
    if val < 0:
        raise CommandError(f"Negative breakpoint {kind}number '{s[i:end]}'")
    if val == 0:
        raise CommandError(f"Bad breakpoint {kind}number '{s[i:end]}'")
    return val, end


def _range(kind: str, s: str, i: int) -> tuple[int, int]:
    dash = s.find("-", i + 1)
    if dash < 0:
        v = _num(kind, s, i, "")[0]
        return v, v
    if dash == len(s) - 1:
        raise CommandError(f"Bad breakpoint {kind}number at or near: '{s[i:]}'")
    first = _num(kind, s, i, "-")[0]
    second, end = _num(kind, s, dash + 1, "")
    if first > second:
        raise CommandError(f"Inverted breakpoint {kind}range at '{s[i:end]}'")
    return first, second


def parse(token: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """gdb's extract_bp_number_or_range: ((first bp, last bp), (first loc, last loc)),
    locations (0, 0) when the token names whole breakpoints."""
    dot = token.find(".")
    if dot < 0:
        return _range("", token, 0), (0, 0)
    if dot == 0 or dot == len(token) - 1:
        raise CommandError(f"Bad breakpoint number at or near: '{token}'")
    num = _num("", token, 0, ".")[0]
    return (num, num), _range("location ", token, dot + 1)
