"""Convenience variables gdb sets itself: `$_exitcode`/`$_exitsignal` when the
program ends, `$_`/`$__` after `x`, and plain integers such as `$bpnum` (the
breakpoint code sets that one with set_int).

They live in Target.convenience, the dict cexpr reads `$name` from (regs.py);
`$_siginfo` is not stored: it is read from the thread at each use (siginfo.py).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..disasm.decode import instructions
from ..errors import TdbgError
from ..program.target import Target
from ..symbols.cexpr.ops import INT
from ..symbols.cexpr.regs import I8, I16, I32
from ..symbols.types import VOID, Type, pointer_to
from ..symbols.values import Value

I64 = Type("int", "int64_t", 8, signed=True)
_UNIT_TYPES = {"b": I8, "h": I16, "w": I32, "g": I64}
_UNIT_SIZES = {"b": 1, "h": 2, "w": 4, "g": 8}


def set_int(target: Target, name: str, n: int) -> None:
    """`$name` = n as an int (gdb's set_internalvar_integer): `set_int(t, "bpnum", 3)`."""
    target.convenience[name] = Value.from_int(INT, n)


def record_exit(target: Target, code: int | None, sig: int | None) -> None:
    """gdb keeps one of $_exitcode and $_exitsignal: the way the program ended."""
    conv = target.convenience
    if sig is None:
        conv["_exitcode"] = Value.from_int(INT, code or 0)
        conv.pop("_exitsignal", None)
    else:
        conv["_exitsignal"] = Value.from_int(INT, sig)
        conv.pop("_exitcode", None)


def record_hit(target: Target, hit: Sequence[Any], pc: int,
               addresses: Callable[[Any], tuple[int, ...]]) -> None:
    """At a breakpoint stop: gdb 13's `$_hit_bpnum` and `$_hit_locno` (the location's
    number, N.M's M, in breaks/locations.py's order: by address)."""
    bp = next((b for b in hit if b.registered), None)
    if bp is None:
        return
    locs = sorted(set(addresses(bp)))
    set_int(target, "_hit_bpnum", bp.id)
    set_int(target, "_hit_locno", locs.index(pc) + 1 if pc in locs else 1)


def record_next_address(target: Target, addr: int) -> None:
    """gdb's set_next_address, for `info line` and `info breakpoints`: `$_` = (void *) addr."""
    target.convenience["_"] = Value.from_int(pointer_to(VOID), addr)


def record_examined(target: Target, addr: int, fmt: str, unit: str, count: int) -> None:
    """After `x/COUNT FMT UNIT ADDR`: `$_` points at the last unit shown, typed by the unit
    (gdb's x_command: int8_t for i, s and c), and `$__` holds it; gdb leaves `$__` void
    where it showed no unit's value (instructions, strings)."""
    if count <= 0:
        return
    if fmt in ("i", "s"):
        last = _last_instruction(target, addr, count) if fmt == "i" else _last_string(target, addr, count)
        if last is None:
            return
        target.convenience["_"] = Value.from_int(pointer_to(I8), last)
        target.convenience.pop("__", None)
        return
    letter = "b" if fmt == "c" else "g" if fmt == "a" else unit
    t = _UNIT_TYPES.get(letter, I32)
    last = addr + (count - 1) * _UNIT_SIZES.get(letter, 4)
    target.convenience["_"] = Value.from_int(pointer_to(t), last)
    try:
        target.convenience["__"] = Value(t, target.read_memory(last, t.size), last, target.read_memory)
    except TdbgError:
        target.convenience.pop("__", None)


def _last_instruction(target: Target, addr: int, count: int) -> int | None:
    try:
        if target.alive or target.program is None:
            data = target.read_memory_partial(addr, count * 15)[0]
        else:                            # before `run` x/i reads the file (memview.py)
            o = target.program.objfile_for(addr)
            data = o.elf.read_code(addr - o.bias, count * 15) if o else b""
    except TdbgError:
        return None
    last = None
    for insn in instructions(data, addr, count):
        last = insn.addr
    return last


def _last_string(target: Target, addr: int, count: int) -> int | None:
    last = None
    for _ in range(count):
        try:
            data = target.read_memory_partial(addr, 200)[0]      # memview.py's step
        except TdbgError:
            return last
        if not data:
            return last
        last = addr
        end = data.find(b"\0")
        addr += (len(data) if end < 0 else end) + 1
    return last
