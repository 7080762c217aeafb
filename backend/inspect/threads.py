"""Threads as the user sees them: gdb's `info threads` and `thread N` (docs/hard-cases.md D1).

Thread numbers are gdb's: 1, 2 ... in order of appearance, never reused
(``Thread.num``, kept by the Inferior). Selecting a thread sets the current thread
(Target.tid), which every frame, register and stepping command then uses.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .. import events as ev
from ..errors import CommandError, TdbgError
from ..events import args_text
from ..process.inferior import Thread
from ..program.target import Target
from ..thread_ids import label, parse_id_list
from .frame_text import FrameText
from .frames import Frames
from .symbol_search import compile_regex


class ThreadRow(NamedTuple):
    inf: int
    num: int
    ident: str              # as shown: N or INF.N
    target: str             # `Thread 0x... (LWP N) "name"`
    frame: str
    current: bool


class Threads:
    """`info threads`, `thread N` and the threads pane's rows (worker thread)."""

    def __init__(self, target: Target, frames: Frames, text: FrameText) -> None:
        self.target = target
        self.frames = frames
        self.text = text
        # N of the IDs N.M once a fork left more than one inferior; set by the root
        # (debugger.py) from exec/inferiors.py, which this layer does not import
        self.inferior_num: Callable[[], int | None] = lambda: None

    def _threads_sorted(self) -> list[Thread]:
        inf = self.target.require_inferior()
        return sorted((t for t in inf.threads.values() if not t.exiting), key=lambda t: t.num)

    def target_id(self, tid: int) -> str:
        """`Thread 0x7ffff7d86740 (LWP 1234)`: pthread_self is the thread's fs_base."""
        inf = self.target.process
        try:
            base = inf.regs(tid).fs_base
        except TdbgError:
            base = 0
        return f"Thread {base:#x} (LWP {tid})" if base else f"LWP {tid}"

    def thread_frame_text(self, tid: int) -> str:
        """Frame 0 of another thread, as `info threads` prints it (one line)."""
        saved = self.target.tid, self.target.selected_frame
        self.target.tid, self.target.selected_frame = tid, 0
        try:
            prog = self.target.prog
            pc = self.target.process.regs(tid).rip
            loc = prog.location(pc)
            args = ""
            if loc is not None:
                try:
                    args = args_text(self.frames.args_of(0))
                except (TdbgError, AttributeError):
                    args = ""
            at_start = loc is not None and prog.line_start(pc)
            text = self.text.frame_line(pc, loc, with_addr=not at_start, args=args or " ")
            return text.split("\n")[0].replace("( )", "()")
        finally:
            self.target.tid, self.target.selected_frame = saved

    def rows(self, inf_num: int | None) -> list[ThreadRow]:
        """`info threads` rows of the current process; inf_num qualifies the IDs (N.M)."""
        inf = self.target.process
        out = []
        for th in self._threads_sorted():
            name = inf.thread_name(th.tid)
            out.append(ThreadRow(inf_num or 1, th.num, label(inf_num, th.num),
                                 self.target_id(th.tid) + (f' "{name}"' if name else ""),
                                 self.thread_frame_text(th.tid), th.tid == self.target.tid))
        return out

    @staticmethod
    def table(rows: list[ThreadRow], arg: str = "", current_inf: int = 1) -> str:
        """gdb's `info threads` table of rows, only those the ID list `arg` names."""
        if arg.strip():
            ranges = parse_id_list(arg, current_inf)
            rows = [r for r in rows if any(x.has(r.inf, r.num) for x in ranges)]
            if not rows:
                return f"No threads match '{arg.strip()}'."
        if not rows:
            return "No threads."
        width = max(len("Target Id"), *(len(r.target) for r in rows))
        out = [f"  Id   {'Target Id':<{width}} Frame "]
        for r in rows:
            out.append(f"{'*' if r.current else ' '} {r.ident:<4} {r.target:<{width}} {r.frame}")
        return "\n".join(out)

    def info_threads_text(self, arg: str = "") -> str:
        return self.table(self.rows(self.inferior_num()), arg)

    def threads_info(self) -> list[ev.ThreadInfo]:
        """Every live thread with its frame 0, for front ends (the TUI's threads pane)."""
        inf = self.target.require_inferior()
        prog = self.target.prog
        out = []
        for th in self._threads_sorted():
            state = "running" if th.running else "stopped"
            pc = fn = loc = None
            if not th.running:
                try:
                    pc = inf.regs(th.tid).rip
                    fn = prog.symbolize(pc)
                    loc = prog.location(pc)
                except TdbgError:
                    pc = None
            out.append(ev.ThreadInfo(th.num, th.tid, inf.thread_name(th.tid), state, pc, fn,
                                     loc, th.tid == self.target.tid))
        return out

    def find_text(self, regex: str) -> str:
        """gdb's `thread find REGEX`: the threads whose name or target id the regex (a
        POSIX basic one) matches: the name `thread name` gave it, the kernel's, its target id."""
        if not regex:
            raise CommandError("Command requires an argument.")
        try:
            pattern = compile_regex(regex)
        except CommandError as e:
            why = str(e).removeprefix("Invalid regexp: ")
            raise CommandError(f"Invalid regexp ({why}): {regex}") from None
        out: list[str] = []
        if self.target.alive:
            inf = self.target.process
            for th in self._threads_sorted():
                ident = label(self.inferior_num(), th.num)
                if th.user_name and pattern.search(th.user_name):
                    out.append(f"Thread {ident} has name '{th.user_name}'")
                name = inf.kernel_thread_name(th.tid)
                if name and pattern.search(name):
                    out.append(f"Thread {ident} has target name '{name}'")
                tid = self.target_id(th.tid)
                if pattern.search(tid):
                    out.append(f"Thread {ident} has target id '{tid}'")
        return "\n".join(out) or f"No threads match '{regex}'"

    def thread_numbered(self, num: int) -> Thread | None:
        inf = self.target.require_inferior()
        return next((t for t in inf.threads.values() if t.num == num and not t.exiting), None)

    def select_thread(self, num: int | None) -> str:
        inf = self.target.require_inferior()
        if num is None:
            th = inf.threads.get(self.target.tid)
            if th is None:
                raise CommandError("No thread selected.")
            return f"[Current thread is {label(self.inferior_num(), th.num)} ({self.target_id(th.tid)})]"
        th = self.thread_numbered(num)
        if th is None:
            raise CommandError(f"Unknown thread {label(self.inferior_num(), num)}.")
        self.target.tid, self.target.selected_frame = th.tid, 0
        self.target.publish(ev.ThreadsChanged(tuple(inf.threads), th.tid))
        head = f"[Switching to thread {label(self.inferior_num(), th.num)} ({self.target_id(th.tid)})]"
        try:
            frame = self.text.format_frame(self.frames.frame_info(self.frames.frame(0)), with_source=True)
        except TdbgError:
            frame = f"#0  {self.thread_frame_text(th.tid)}"
        return f"{head}\n{frame}"
