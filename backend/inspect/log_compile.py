"""A dprintf's capture compiled for the jump pad: its arguments into a ring of records.

The code runs where a condition would (inspect/cond_compile.py explains the frame):
it evaluates the dprintf's condition if any, takes a record slot with `lock xadd`
(threads may race through one site), stores each argument's value widened to 64
bits and commits the record by writing the breakpoint's number last. The ring is
drained by breaks/fast_sites.py at stops, at thread exits and when it is full.
"""
from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ..errors import TdbgError
from ..program.target import Target
from ..symbols import cexpr
from .cond_compile import Compiled, NotFast, _Compiler, _s32

if TYPE_CHECKING:
    from ..symbols.cexpr.parse import Node


RECORD = 64                           # a logpoint record: id, then up to 7 values
MAX_ARGS = RECORD // 8 - 1


def compile_logpoint(target: Target, cond: str | None, args: tuple[str, ...], addr: int,
                     head: int, records: int, capacity: int, ident: int) -> Compiled:
    """A dprintf's capture: (its condition, then) one record of the arguments' values in
    the ring at `records` (slot from `head`, taken with lock xadd). The result is 0, or
    1 when the ring is full: then the debugger drains it and prints this hit itself."""
    if len(args) > MAX_ARGS:
        raise NotFast(f"more than {MAX_ARGS} arguments")
    if "$_" in (cond or "") or any("$_" in a for a in args):
        raise NotFast("convenience variable")
    c = _Compiler(target, addr)
    e = c.e

    def tree(text: str) -> Node:
        try:
            return cexpr.parse(text, lambda n: n not in c.visible and c.scope.lookup_type(n) is not None)
        except TdbgError as err:
            raise NotFast(f"does not parse: {err}") from None
    skip = -1
    try:
        if cond:
            c.rvalue(tree(cond))
            skip = e.jz()
        e.op(b"\x48\xb9" + struct.pack("<Q", head))            # mov rcx, head
        e.op(b"\xb8\x01\x00\x00\x00")                           # mov eax, 1
        e.op(b"\xf0\x48\x0f\xc1\x01")                           # lock xadd [rcx], rax
        e.op(b"\x48\x3d" + _s32(capacity))                      # cmp rax, capacity
        e.op(b"\x0f\x83\0\0\0\0")                               # jae full
        full = len(e.code)
        e.op(b"\x48\xc1\xe0\x06")                               # shl rax, 6 (RECORD)
        e.op(b"\x48\xb9" + struct.pack("<Q", records))         # mov rcx, records
        e.op(b"\x48\x01\xc8")                                   # add rax, rcx
        e.op(b"\x50", 8)                                        # push rax
        for i, a in enumerate(args):
            ct = c.rvalue(tree(a))
            if ct.pointer is not None and ct.size != 8:
                raise NotFast("argument type")
            e.op(b"\x48\x8b\x0c\x24")                           # mov rcx, [rsp]
            e.op(b"\x48\x89\x81" + _s32(8 + 8 * i))             # mov [rcx+8+8i], rax
        e.op(b"\x59", -8)                                       # pop rcx
        e.imm(ident)
        e.op(b"\x48\x89\x01")                                   # mov [rcx], rax: committed
        if skip >= 0:
            e.patch(skip)
        e.op(b"\x31\xc0\xeb\x05")                               # xor eax,eax; jmp end
        e.patch(full)
        e.op(b"\xb8\x01\x00\x00\x00")                           # full: mov eax, 1
    except NotFast:
        raise
    except (TdbgError, KeyError, ValueError, AttributeError) as err:
        raise NotFast(f"not compiled: {err}") from None
    return Compiled(bytes(e.code), e.depths)
