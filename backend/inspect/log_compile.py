"""A dprintf's capture compiled for the jump pad: its arguments into a ring of records.

The code runs where a condition would (inspect/cond_compile.py explains the frame).
The ring (read by breaks/log_ring.py, while the program runs and at stops) is safe
for any number of writing threads and one reader:

- the page starts with ``head`` (tickets taken, monotonic) and, in its own cache
  line, ``tail`` (tickets the reader has consumed; only the reader writes it);
- a writer evaluates the condition and every argument first (pushed: a bad pointer
  faults before anything is claimed), then takes ticket ``head`` with `lock cmpxchg`
  only while ``head - tail < CAPACITY``: a full ring claims nothing (an `xadd` would
  leave a ticket nobody fills and the reader waiting on it forever);
- it stores the values into slot ``ticket % CAPACITY``, then the record's first word,
  the breakpoint's number, last: non-zero means "ready" (x86 keeps stores in order);
- a full ring reads address 0: the fault is turned into a hit at the site by
  exec/pad_setup.py, where the debugger drains the ring and prints this hit itself.

From the claim on, nothing may roll the thread back to the site (it would run the
capture twice, or leave a claimed slot empty): ``LogCompiled.window`` says where the
offsets without a rollback depth start (breaks/fast_sites.py drops the stub's own
ones after it); a thread stopped there is stepped out of the pad instead.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import TdbgError
from ..program.target import Target
from ..symbols import cexpr
from .cond_compile import Compiled, NotFast, _Compiler, _s32

if TYPE_CHECKING:
    from ..symbols.cexpr.parse import Node


RECORD = 64                           # a logpoint record: id, then up to 7 values
MAX_ARGS = RECORD // 8 - 1
HEAD, TAIL = 0, 64                    # offsets of the two counters in the ring's first page
SLOTS = 4096                          # where the records start
CAPACITY = 4096                       # records (a power of two: the slot is ticket & (CAPACITY-1))
RING_BYTES = SLOTS + CAPACITY * RECORD


@dataclass
class LogCompiled(Compiled):
    window: int = 0                   # offsets from here on: no rollback (see the module's doc)


def compile_logpoint(target: Target, cond: str | None, args: tuple[str, ...], addr: int,
                     ring: int, ident: int) -> LogCompiled:
    """A dprintf's capture: (its condition, then) one record of the arguments' values in
    the ring at `ring`. The result in rax is always 0 (no stop)."""
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
    n = len(args)
    try:
        if cond:
            c.rvalue(tree(cond))
            skip = e.jz()
        for a in args:
            ct = c.rvalue(tree(a))
            if ct.pointer is not None and ct.size != 8:
                raise NotFast("argument type")
            e.op(b"\x50", 8)                                    # push rax
        e.op(b"\xe9\0\0\0\0")                                   # jmp claim
        to_claim = len(e.code)
        full = len(e.code)
        e.op(b"\x8b\x04\x25\0\0\0\0")                           # full: mov eax, [0] (faults)
        e.patch(to_claim)
        e.op(b"\x48\xb9" + struct.pack("<Q", ring))            # mov rcx, ring
        retry = len(e.code)
        e.op(b"\x48\x8b\x01")                                   # mov rax, [rcx]: head
        e.op(b"\x48\x89\xc2")                                   # mov rdx, rax
        e.op(b"\x48\x2b\x51" + bytes([TAIL]))                   # sub rdx, [rcx+TAIL]
        e.op(b"\x48\x81\xfa" + _s32(CAPACITY))                  # cmp rdx, CAPACITY
        e.op(b"\x0f\x83" + struct.pack("<i", full - (len(e.code) + 6)))   # jae full
        e.op(b"\x48\x8d\x50\x01")                               # lea rdx, [rax+1]
        e.op(b"\xf0\x48\x0f\xb1\x11")                           # lock cmpxchg [rcx], rdx
        window = len(e.code)
        # The window: plain bytes, no depth recorded (no rollback from here on).
        code = e.code
        code += b"\x75" + struct.pack("<b", retry - (len(code) + 2))       # jne retry (lost the race)
        code += b"\x25" + struct.pack("<I", CAPACITY - 1)                  # and eax, CAPACITY-1
        code += b"\x48\xc1\xe0\x06"                                         # shl rax, 6 (RECORD)
        code += b"\x48\x01\xc8"                                             # add rax, rcx
        for i in range(n):
            code += b"\x48\x8b\x94\x24" + _s32(8 * (n - 1 - i))             # mov rdx, [rsp+..]: arg i
            code += b"\x48\x89\x90" + _s32(SLOTS + 8 + 8 * i)               # mov [rax+..], rdx
        code += b"\x48\xba" + struct.pack("<Q", ident)                      # mov rdx, ident
        code += b"\x48\x89\x90" + _s32(SLOTS)                               # mov [rax+SLOTS], rdx: ready
        if n:
            code += b"\x48\x81\xc4" + _s32(8 * n)                          # add rsp, 8n
        if skip >= 0:
            e.patch(skip)
        code += b"\x31\xc0"                                                 # xor eax, eax
    except NotFast:
        raise
    except (TdbgError, KeyError, ValueError, AttributeError) as err:
        raise NotFast(f"not compiled: {err}") from None
    return LogCompiled(bytes(code), e.depths, window)
