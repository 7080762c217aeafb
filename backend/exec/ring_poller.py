"""Dprintf lines while the program runs: the pad's ring drained every few ms.

The ptrace worker blocks in waitpid while the program runs, so a logpoint in a long
loop would print nothing until the next stop. This thread drains the ring
(breaks/log_ring.py) meanwhile, without a single ptrace call (those belong to the
worker): it reads and writes the tracee through its own /proc/PID/mem descriptor,
opened on the worker. pread/pwrite there need no stopped tracee and no tracer
thread; a descriptor of its own cannot be closed under it by the worker
(Inferior.mark_dead, new_image) and always names the address space it was opened
on, never a later one. The worker's drains and this one take turns under
FastSites.lock, which also orders their lines.

It polls only while the worker is inside Controller.cont (pad_setup.install wraps it):
`start` before, `pause` after; `close` when the address space goes (FastSites.forget).
The period (5 ms) bounds how late a line is; a ring filled sooner than that is not
lost (its writer's fault makes the worker drain it, inspect/log_compile.py).
"""
from __future__ import annotations

import os
import threading

from ..breaks.fast_sites import FastSites
from ..errors import BadAddress


class ProcMem:
    """The tracee's memory through a descriptor of our own (any thread)."""

    def __init__(self, pid: int) -> None:
        self.fd = os.open(f"/proc/{pid}/mem", os.O_RDWR | os.O_CLOEXEC)

    def read(self, addr: int, n: int) -> bytes:
        try:
            data = os.pread(self.fd, n, addr) if self.fd >= 0 else b""
        except OSError:
            data = b""
        if len(data) < n:
            raise BadAddress(addr + len(data))
        return data

    def write(self, addr: int, data: bytes) -> None:
        try:
            done = os.pwrite(self.fd, data, addr) if self.fd >= 0 else 0
        except OSError:
            done = 0
        if done < len(data):
            raise BadAddress(addr + done)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class RingPoller:
    period = 0.005                       # seconds between drains (tests may slow it)
    idle = 2.0                           # seconds paused before the thread ends

    def __init__(self, fast: FastSites, pid: int) -> None:
        self.fast, self.pid = fast, pid
        self._mem: ProcMem | None = None
        self._active = threading.Event()
        self._state = threading.Lock()       # hands over between `start` and an idle thread
        self._stop: threading.Event | None = None     # the running thread's, None: none runs

    def start(self) -> None:
        """Worker, before the program runs: poll while it does (a dprintf in the pad)."""
        if self.fast.ring is None:
            return
        if self._mem is None:
            try:
                self._mem = ProcMem(self.pid)
            except OSError:
                return
        with self._state:
            if self._stop is None:
                self._stop = threading.Event()
                threading.Thread(target=self._run, args=(self._mem, self._stop),
                                 name="tdbg-ring", daemon=True).start()
            self._active.set()

    def pause(self) -> None:
        """Worker, once the program stopped: no poll from now on (one under way ends first)."""
        self._active.clear()
        with self.fast.lock:
            pass

    def close(self) -> None:
        """The address space is gone or changed: the thread ends, the descriptor closes."""
        with self._state:
            stop, self._stop = self._stop, None
            if stop is not None:
                stop.set()
                self._active.set()          # wakes it to see its stop
        mem, self._mem = self._mem, None
        if mem is not None:
            with self.fast.lock:            # not under a drain reading through it
                mem.close()

    def _run(self, mem: ProcMem, stop: threading.Event) -> None:
        # A thread per process would outlive a killed one (kill keeps the pads' state
        # until the next run): one paused for `idle` ends, `start` makes another.
        while not stop.is_set():
            if not self._active.wait(self.idle):
                with self._state:
                    if not self._active.is_set() and self._stop is stop:
                        self._stop = None
                        return
                continue
            if stop.is_set():
                return
            try:
                self.fast.drain(mem=mem)
            except Exception:           # never a traceback from a daemon thread: stops drain
                with self._state:
                    if self._stop is stop:
                        self._stop = None
                return
            stop.wait(self.period)
