"""gdb's thread notices: ``[New Thread 0x... (LWP n)]``, ``[Thread 0x... (LWP n) exited]``,
``[Switching to Thread 0x... (LWP n)]`` and the ``Thread N "name" hit`` prefix of stop reports.

0x... is the pthread_t, which gdb reads through libthread_db. On x86-64 glibc it
is the thread pointer, i.e. the thread's fs_base, set by clone (CLONE_SETTLS)
before the new thread's first stop, where we read it once and keep it for the
exit notice (a thread that is gone has no registers to read). Threads are
announced in creation order, as gdb does at the clone event: a thread whose first
stop overtakes an older sibling's waits for it (both have stopped before any stop
is reported, so nothing is announced late).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import events as ev
from ..errors import TdbgError
from ..process.inferior import Thread
from ..program.target import Target

if TYPE_CHECKING:
    from .control import Controller


class ThreadEvents:
    def __init__(self, target: Target, target_id: Callable[[int], str]) -> None:
        self.target = target
        self._target_id = target_id              # `Thread 0x... (LWP n)` (inspect/threads.py)
        self.pthread: dict[int, int] = {}      # tid -> pthread_t of threads we announced
        # (num, tid, pthread_t) started, not announced: an older one is not yet
        self._waiting: list[tuple[int, int, int]] = []
        # Catchpoint stops are breakpoint stops whose words differ (catch_stops.py):
        # bp id -> "call to syscall write"; head_of names a site-owning one (catch throw).
        self.catch_heads: dict[int, str] = {}
        self._followed = False
        self.head_of: Callable[[int], str | None] = lambda bp_id: None
        self.inferior_num: Callable[[], int | None] = lambda: None   # N of "Thread N.M" (forks)

    def target_id(self, tid: int) -> str:
        return self._target_id(tid)

    def forget(self) -> None:
        """The process followed is another one (forks.py): its threads start afresh, and
        the next stop says "[Switching to ...]" even though the selected tid moved along."""
        self.pthread, self._waiting = {}, []
        self._followed = True

    def attach(self, ctl: Controller) -> None:
        """A new process: announce its threads from now on."""
        self.pthread, self._waiting = {}, []
        ctl.allstop.on_thread_change = self._changed
        ctl.allstop.on_thread_start = self._started

    @staticmethod
    def _target(base: int, tid: int) -> str:
        return f"Thread {base:#x} (LWP {tid})" if base else f"LWP {tid}"

    def _started(self, th: Thread) -> None:
        inf = self.target.process
        if th.tid == inf.pid:
            return                             # gdb never announces the main thread
        try:
            base = inf.regs(th.tid).fs_base
        except TdbgError:
            base = 0
        self._waiting.append((th.num, th.tid, base))
        self._announce()

    def _announce(self, everyone: bool = False) -> None:
        inf = self.target.process
        older = min((t.num for t in inf.threads.values() if t.fresh and t.tid != inf.pid),
                    default=None)
        self._waiting.sort()
        while self._waiting and (everyone or older is None or self._waiting[0][0] < older):
            _, tid, base = self._waiting.pop(0)
            self.pthread[tid] = base
            self.target.publish(ev.Message(f"[New {self._target(base, tid)}]"))

    def _changed(self, tids: tuple[int, ...]) -> None:
        if self._waiting:
            self._announce(everyone=any(t not in tids for _, t, _ in self._waiting))
        for tid in [t for t in self.pthread if t not in tids]:
            base = self.pthread.pop(tid)
            self.target.publish(ev.Message(f"[{self._target(base, tid)} exited]"))
        self.target.publish(ev.ThreadsChanged(tids, self.target.tid))

    # ---- stop reports -----------------------------------------------------------------
    def _catch_words(self, message: str) -> str:
        """ "Breakpoint 3, " of a catchpoint's stop becomes gdb's "Catchpoint 3 (...), "."""
        heads = dict(self.catch_heads)          # catch_stops.py holds this dict: clear, keep
        self.catch_heads.clear()
        if not message.startswith(("\nBreakpoint ", "\nTemporary breakpoint ")):
            return message
        word, _, rest = message[1:].partition(", ")
        temporary = word.startswith("Temporary")
        num = word.rpartition(" ")[2]
        if not num.isdigit():
            return message
        head = heads.get(int(num)) or self.head_of(int(num))
        if head is None:
            return message
        return f"\n{'Temporary catchpoint' if temporary else 'Catchpoint'} {num} ({head}), {rest}"

    def stop_text(self, message: str, previous_tid: int, tid: int) -> str:
        """gdb's normal_stop: name the thread once the program has had two, and say
        when the stop is in another thread than the one selected when it resumed."""
        inf = self.target.process
        th = inf.threads.get(tid)
        message = self._catch_words(message)
        nxt = getattr(inf, "_next_num", None)      # gdb's highest thread number so far + 1
        highest = nxt - 1 if nxt else max((t.num for t in inf.threads.values()), default=1)
        qualified = self.inferior_num()
        if th is not None and (highest > 1 or qualified is not None):
            name = inf.thread_name(tid)
            num = f"{qualified}.{th.num}" if qualified is not None else str(th.num)
            who = f"Thread {num}" + (f' "{name}"' if name else "")
            for head, verb in (("\nProgram received signal ", " received signal "),
                               ("\nProgram stopped.", " stopped.")):
                if message.startswith(head):
                    message = f"\n{who}{verb}{message[len(head):]}"
                    break
            else:
                if message.startswith(("\nBreakpoint ", "\nTemporary breakpoint ", "\nHardware ",
                                       "\nCatchpoint ", "\nTemporary catchpoint ")):
                    message = f"\n{who} hit {message[1:]}"
        followed, self._followed = self._followed, False
        if previous_tid == tid and not followed:
            return message
        switching = f"[Switching to {self._target_id(tid)}]"
        if message.startswith("\n") and " received signal " in message.split("\n", 2)[1]:
            # The signal is announced as it arrives, the switch after it (gdb's order).
            first, _, rest = message[1:].partition("\n")
            return f"\n{first}\n{switching}\n{rest}" if rest else f"\n{first}\n{switching}"
        return f"{switching}\n{message}"
