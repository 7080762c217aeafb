"""gdb's inferiors: the numbered processes of one session (`info inferiors`).

Inferior 1 is the process `run` or `attach` made; a fork adds one when tdbg keeps
the child (`set detach-on-fork off`) or follows it (`set follow-fork-mode child`).
A process let go keeps its number, shown as `<null>`, as gdb does. Worker thread only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Entry:
    num: int
    pid: int | None                 # None: no process (never run, exited, detached)
    exe: str = ""
    tids: list[int] = field(default_factory=list)   # a held process's threads (forks.py)
    # What `inferior N` left of a process it switched away from (inferior_switch.py): its
    # Thread records (numbers, pending signals, breakpoint step-overs), the next thread
    # number, the selected thread. None: a fork's child never selected, one thread.
    threads: dict[int, Any] | None = None
    next_num: int = 1
    tid: int | None = None
    removable: bool = False         # a fork's: forgotten once its process is gone (prune)
    # Its program space still holds the program, so it has a copy of every breakpoint
    # location. gdb gives the parent's to the child a fork is followed into (forks.py).
    program: bool = True


class Inferiors:
    def __init__(self) -> None:
        self.entries: list[Entry] = [Entry(1, None)]
        self.current = 1

    def reset(self, pid: int, exe: str) -> None:
        """A new run or attach: inferior 1 again (gdb reuses it), the others forgotten."""
        self.entries = [Entry(1, pid, exe)]
        self.current = 1

    def add(self, pid: int, exe: str) -> Entry:
        e = Entry(max(x.num for x in self.entries) + 1, pid, exe, removable=True)
        self.entries.append(e)
        return e

    def get(self, num: int) -> Entry | None:
        return next((e for e in self.entries if e.num == num), None)

    def of_pid(self, pid: int) -> Entry | None:
        return next((e for e in self.entries if e.pid == pid), None)

    def gone(self, pid: int) -> None:
        e = self.of_pid(pid)
        if e is not None:
            e.pid = None
            e.tids = []
            e.threads, e.tid = None, None

    def prune(self) -> None:
        """gdb's prune_inferiors as the program resumes: a fork's inferior whose process
        is gone and which is not the current one goes from the list."""
        self.entries = [e for e in self.entries
                        if not (e.removable and e.pid is None and e.num != self.current)]

    @property
    def current_num(self) -> int:
        return self.current

    @property
    def many(self) -> bool:
        """gdb names threads N.M (inferior.thread) once there is more than one inferior."""
        return len(self.entries) > 1

    def with_program(self) -> tuple[int, ...]:
        return tuple(sorted(e.num for e in self.entries if e.program))

    def location_number(self, addrs: list[int], pc: int) -> int | None:
        """gdb's L of "Breakpoint N.L" for a hit at pc: locations are ordered by address,
        then inferior (each fork has its own copy of every location). None: the
        breakpoint has a single location, so gdb says plain N."""
        nums = self.with_program()
        places = len(addrs) * len(nums)
        if places < 2 or pc not in addrs or self.current not in nums:
            return None
        return sorted(addrs).index(pc) * len(nums) + nums.index(self.current) + 1

    def held(self) -> list[Entry]:
        """Processes kept stopped under tdbg that are not the current one."""
        return [e for e in self.entries if e.pid is not None and e.num != self.current]

    def table(self, exe_now: str | None, alive_pid: int | None) -> str:
        """`info inferiors` in gdb 13's columns."""
        rows = [f"  {'Num':<4} {'Description':<17} {'Connection':<20} {'Executable':<17} "]
        for e in self.entries:
            cur = e.num == self.current
            pid = alive_pid if cur else e.pid
            exe = (exe_now or e.exe) if cur else e.exe
            desc = f"process {pid}" if pid else "<null>"
            conn = "1 (native)" if pid else ""
            rows.append(f"{'*' if cur else ' '} {e.num:<4} {desc:<17} {conn:<20} {exe:<17} ")
        return "\n".join(rows)
