"""The reader's side of the dprintf ring (the writers' side: inspect/log_compile.py).

One reader at a time (FastSites.lock): the debugger's worker at stops and exits, or
exec/ring_poller.py's thread while the program runs. The reader keeps its own tail;
it consumes slots in ticket order while their ready word is set, zeroes them, then
publishes the new tail in the page, which is what lets writers reuse the slots.

A slot claimed and not yet ready stops a running drain there (its writer is between
its claim and its ready word; the records after it wait for it, so each thread's lines
keep their order). Only a ``final`` drain, when no thread of the program can run again
(it is exiting, or tdbg detaches), passes over such slots: their writers are gone.
"""
from __future__ import annotations

import struct
from collections.abc import Sequence

from ..inspect.log_compile import CAPACITY, HEAD, RECORD, SLOTS, TAIL
from ..process.tracee import Memory

# From the ticket of the first: (breakpoint number, its values) of each slot consumed,
# number 0 for a slot a final drain passed over.
Records = list[tuple[int, Sequence[int]]]


class LogRing:
    def __init__(self, base: int) -> None:
        self.base = base
        self.tail = 0

    def head(self, mem: Memory) -> int:
        return int.from_bytes(mem.read(self.base + HEAD, 8), "little")

    def take(self, mem: Memory, final: bool = False) -> tuple[int, Records]:
        """The ticket of the first record and the ready records from the tail on,
        consumed (BadAddress: the memory went)."""
        start = self.tail
        n = min(self.head(mem) - start, CAPACITY)
        if n <= 0:
            return start, []
        data = self._read(mem, start, n)
        words = struct.unpack(f"<{n * 8}Q", data)
        k = n
        if not final:
            k = next((i for i in range(n) if not words[i * 8]), n)
            if not k:
                return start, []
            # Read again: a copy is not promised to load the ready word before the
            # words after it; once seen ready, a second read gets the whole record.
            words = struct.unpack(f"<{k * 8}Q", self._read(mem, start, k))
        out: Records = [(words[i], words[i + 1:i + 8]) for i in range(0, k * 8, 8)]
        self._write(mem, start, bytes(k * RECORD))
        self.tail = start + k
        mem.write(self.base + TAIL, struct.pack("<Q", self.tail))   # after the zeroes
        return start, out

    def _spans(self, ticket: int, n: int) -> list[tuple[int, int]]:
        """(address, bytes) of n slots from `ticket`: one span, two when they wrap."""
        i = ticket % CAPACITY
        first = min(n, CAPACITY - i)
        spans = [(self.base + SLOTS + i * RECORD, first * RECORD)]
        if n > first:
            spans.append((self.base + SLOTS, (n - first) * RECORD))
        return spans

    def _read(self, mem: Memory, ticket: int, n: int) -> bytes:
        return b"".join(mem.read(a, size) for a, size in self._spans(ticket, n))

    def _write(self, mem: Memory, ticket: int, data: bytes) -> None:
        pos = 0
        for a, size in self._spans(ticket, len(data) // RECORD):
            mem.write(a, data[pos:pos + size])
            pos += size
