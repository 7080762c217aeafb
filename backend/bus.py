"""EventBus: immutable events from the worker thread to asyncio subscribers.

publish() may be called from any thread. Each subscriber has its own queue;
state snapshots (LATEST_WINS) replace an older queued one of the same type, so a
fast `step 1000` or a held F10 never queues stale repaints. Output, exits and
errors are never dropped.
"""
from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable

from .events import LATEST_WINS, Event


class Subscription:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._items: collections.deque[Event] = collections.deque()
        self._ready = asyncio.Event()
        self.closed = False

    def offer(self, ev: Event) -> None:
        if type(ev) in LATEST_WINS:
            for i, old in enumerate(self._items):
                if type(old) is type(ev):
                    del self._items[i]
                    break
        self._items.append(ev)
        self._ready.set()

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> Event:
        while not self._items:
            if self.closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._items.popleft()

    def get_nowait(self) -> Event | None:
        return self._items.popleft() if self._items else None

    def close(self) -> None:
        self.closed = True
        self._bus._subs.discard(self)
        self._ready.set()

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class EventBus:
    def __init__(self) -> None:
        self._subs: set[Subscription] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        # synchronous callbacks (batch mode), called on the loop thread
        self.listeners: list[Callable[[Event], object]] = []

    def bind_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def subscribe(self) -> Subscription:
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
        sub = Subscription(self)
        self._subs.add(sub)
        return sub

    def publish(self, ev: Event) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            self._fanout(ev)
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._fanout(ev)
        else:
            loop.call_soon_threadsafe(self._fanout, ev)

    def _fanout(self, ev: Event) -> None:
        for cb in list(self.listeners):
            cb(ev)
        for sub in list(self._subs):
            sub.offer(ev)
