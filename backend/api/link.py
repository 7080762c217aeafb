"""The hop to the ptrace worker that every Session and API call makes (backend/worker.py).

The event loop never touches worker-owned state: it submits a function and awaits its
future. `running` is the event loop's own flag (set by Session._resume while a resuming
command owns the worker): calls that need a stopped program refuse then instead of waiting.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from ..bus import EventBus
from ..errors import Running
from ..worker import PtraceWorker

T = TypeVar("T")


class WorkerLink:
    def __init__(self, worker: PtraceWorker, bus: EventBus) -> None:
        self.worker = worker
        self.bus = bus
        self.running = False

    async def call(self, fn: Callable[[], T]) -> T:
        """Run fn on the worker, after whatever it is doing now."""
        if self.bus._loop is None:
            self.bus.bind_loop(asyncio.get_running_loop())
        return await asyncio.wrap_future(self.worker.submit(fn))

    async def stopped_call(self, fn: Callable[[], T]) -> T:
        """Run fn on the worker; refuse (Running) while the program runs."""
        if self.running:
            raise Running()
        return await self.call(fn)

    def wait(self, fn: Callable[[], T]) -> T:
        """Run fn on the worker from a caller that is not a coroutine (blocks that thread)."""
        return self.worker.call(fn)
