"""PtraceWorker: the one thread that owns every ptrace call.

Linux binds a tracee to the tracer *thread*, so launch, attach, every request
and every waitpid run here. Other threads submit callables and get a
concurrent.futures.Future; exceptions travel inside the future.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from .process import ptrace

T = TypeVar("T")
_STOP = object()


class PtraceWorker(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="tdbg-ptrace", daemon=True)
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()   # (fn, future) jobs, or _STOP
        self.busy = False

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        fut: Future[T] = Future()
        self._jobs.put((fn, fut))
        return fut

    def call(self, fn: Callable[[], T]) -> T:
        """Run fn on the worker and wait (from a non-worker thread), or inline if already on it."""
        if threading.current_thread() is self:
            return fn()
        return self.submit(fn).result()

    def run(self) -> None:
        ptrace.bind_tracer_thread()
        while (job := self._jobs.get()) is not _STOP:
            fn, fut = job
            if not fut.set_running_or_notify_cancel():
                continue
            self.busy = True
            try:
                fut.set_result(fn())
            except BaseException as e:       # delivered to the awaiting caller
                fut.set_exception(e)
            finally:
                self.busy = False

    def stop(self) -> None:
        self._jobs.put(_STOP)
