"""gdb's `inferior [N]`: say which inferior is current, or switch to another one.

The processes a fork leaves under tdbg (`set detach-on-fork off`, forks.py) are held
stopped with none of our INT3s in them (forks.py strips a held copy). Switching moves
the one Inferior record (and so the Controller, which drives it) to the other pid, as
following a fork's child does: the breakpoints leave the process switched away from
and go into the one switched to, whose thread records come back as they were left.
When the current process is gone already (exited, killed), the one switched to is
adopted as a new process would be (ProcessControl._adopt) and its breakpoints resolved
again. The switch ends in a silent stop of the new thread, so every view follows.
Worker thread only.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ..breaks.breakpoints import Breakpoints
from ..breaks.manager import Manager
from ..errors import CommandError, TdbgError
from ..inspect.frame_text import FrameText
from ..inspect.frames import Frames
from ..inspect.threads import ThreadRow, Threads
from ..numbers import parse_int
from ..process.inferior import Inferior
from ..program.target import Target
from ..thread_ids import label, parse_thread_id
from .inferiors import Entry
from .process_control import ProcessControl
from .stop import Stop, StopKind

Report = Callable[..., None]


class InferiorSwitch:
    def __init__(self, target: Target, proc: ProcessControl, bps: Manager,
                 breakpoints: Breakpoints, frames: Frames, text: FrameText, threads: Threads,
                 evaluate: Callable[[str], int], report: Report) -> None:
        self.target = target
        self.proc = proc
        self.bps = bps
        self.breakpoints = breakpoints
        self.frames = frames
        self.text = text
        self.threads = threads
        self.evaluate = evaluate          # gdb reads N as an expression
        self.report = report              # the Reporter's report (debugger.py)

    # ---- what gdb prints ------------------------------------------------------------------
    def _exe(self, e: Entry) -> str:
        prog = self.target.program
        return e.exe or (prog.path if prog is not None else "") or "<noexec>"

    def _pid(self, e: Entry) -> int | None:
        if e.num == self.proc.inferiors.current:
            inf = self.target.inf
            return inf.pid if inf is not None and inf.alive else None
        return e.pid

    def _describe(self, e: Entry) -> str:
        pid = self._pid(e)
        return f"{e.num} [{f'process {pid}' if pid else '<null>'}] ({self._exe(e)})"

    def _selected_text(self) -> str:
        """gdb's "[Switching to thread N.M (...)]" and the selected frame with its line."""
        t = self.target
        inf = t.require_inferior()
        th = inf.threads.get(t.tid)
        if th is None:
            return ""
        infs = self.proc.inferiors
        num = f"{infs.current}.{th.num}" if infs.many else str(th.num)
        head = f"[Switching to thread {num} ({self.threads.target_id(th.tid)})]"
        try:
            frame = self.text.format_frame(
                self.frames.frame_info(self.frames.frame(t.selected_frame)), with_source=True)
        except TdbgError:
            return head
        return f"{head}\n{frame}"

    # ---- the command ---------------------------------------------------------------------
    def select(self, arg: str) -> str:
        infs = self.proc.inferiors
        arg = arg.strip()
        cur = infs.get(infs.current)
        if not arg:
            if cur is None:
                raise CommandError("No inferior selected.")
            return f"[Current inferior is {self._describe(cur)}]"
        try:
            num = parse_int(arg)
        except (ValueError, TdbgError):
            num = self.evaluate(arg)
        if num >= 1 << 64:
            raise CommandError("Numeric constant too large.")
        e = infs.get(num)
        if e is None:
            raise CommandError(f"Inferior ID {num} not known.")
        if e is not cur:
            if e.pid is not None:
                self._switch(cur, e)
            else:
                self._leave(cur)
                infs.current = e.num
                # no process in this inferior: commands say so, the one left stays held
                self.target.inf, self.target.stop = None, None
                self.frames.forget()
        head = f"[Switching to inferior {self._describe(e)}]"
        if not self.target.alive:
            return head
        body = self._selected_text()
        return f"{head}\n{body}" if body else head

    # ---- threads of every inferior ----------------------------------------------------------
    def info_threads_text(self, arg: str = "") -> str:
        """gdb's `info threads [ID...]`: with more than one inferior, every held process's
        threads too, read in place (a held process is stopped and has none of our INT3s)."""
        infs = self.proc.inferiors
        if not infs.many:
            if not self.target.alive:        # gdb: no threads, but the ID list is still read
                return self.threads.table([], arg, infs.current)
            return self.threads.info_threads_text(arg)
        rows: list[ThreadRow] = []
        for e in sorted(infs.entries, key=lambda x: x.num):
            if e.num == infs.current:
                if self.target.alive:
                    rows += self.threads.rows(e.num)
            elif e.pid is not None:
                with self._viewing(e):
                    rows += [r._replace(current=False) for r in self.threads.rows(e.num)]
        return self.threads.table(rows, arg, infs.current)

    @contextmanager
    def _viewing(self, e: Entry) -> Iterator[None]:
        """The target reads held process e for a moment (its threads as they were left)."""
        t = self.target
        pid = e.pid
        assert pid is not None
        saved = t.inf, t.tid, t.selected_frame
        view = Inferior(pid=pid, launched=True)
        self._restore_threads(view, e)
        t.inf, t.tid, t.selected_frame = view, e.tid if e.tid is not None and e.tid in view.threads else pid, 0
        self.frames.forget()
        try:
            yield
        finally:
            view.new_image()                # closes its /proc/PID/mem
            t.inf, t.tid, t.selected_frame = saved
            self.frames.forget()

    def thread_text(self, arg: str) -> str:
        """gdb's `thread [ID]`, where ID may name another inferior's thread (INF.N)."""
        infs = self.proc.inferiors
        if not arg.strip():
            if not self.target.alive:
                raise CommandError("No thread selected")
            return self.threads.select_thread(None)
        inf_num, num, given = parse_thread_id(arg, infs.current)
        e = infs.get(inf_num)
        if e is None:
            raise CommandError(f"No inferior number '{inf_num}'")
        unknown = CommandError(f"Unknown thread {label(inf_num if given or infs.many else None, num)}.")
        if e.num != infs.current:
            nums = [th.num for th in e.threads.values()] if e.threads else \
                list(range(1, len(self._held_tids(e)) + 1))      # as _restore_threads numbers them
            if e.pid is None or num not in nums:
                raise unknown
            self._switch(infs.get(infs.current), e)
        elif not self.target.alive or self.threads.thread_numbered(num) is None:
            raise unknown
        return self.threads.select_thread(num)

    # ---- switching -----------------------------------------------------------------------
    def _leave(self, cur: Entry | None) -> None:
        """What stays of the current process: held stopped, without our INT3s."""
        t = self.target
        inf = t.inf
        if cur is None:
            return
        if inf is None or not inf.alive:
            cur.pid, cur.tids, cur.threads, cur.tid = None, [], None, None
            return
        self.bps.remove_all()
        cur.pid, cur.tids = inf.pid, list(inf.threads)
        cur.threads, cur.next_num, cur.tid = dict(inf.threads), inf._next_num, t.tid

    def _switch(self, cur: Entry | None, e: Entry) -> None:
        t = self.target
        pid = e.pid
        assert pid is not None
        inf = t.inf
        live = inf is not None and inf.alive
        self._leave(cur)
        self.proc.inferiors.current = e.num
        if live and inf is not None:
            inf.pid = pid
            self._restore_threads(inf, e)
            inf.new_image()                 # /proc/PID/mem of this process from now on
            if self.bps.fast is not None:
                self.bps.fast.forget()      # its jump pads are not the other process's
            self.bps.insert_all()
        else:
            # The current process is gone: this one is adopted like a new process.
            inf = Inferior(pid=pid, launched=True)
            self._restore_threads(inf, e)
            self.proc._adopt(inf)
            self.breakpoints.insert_user_breakpoints()
        tid = e.tid if e.tid in inf.threads else pid
        e.threads, e.tid = None, None
        t.tid, t.selected_frame = tid, 0
        self.frames.forget()
        # a silent stop of the thread switched to: views repaint, `x`/`bt` read this process
        self.report(Stop(StopKind.STEPPED, tid, inf.regs(tid).rip), message="")

    @staticmethod
    def _restore_threads(inf: Inferior, e: Entry) -> None:
        if e.threads:
            inf.threads, inf._next_num = dict(e.threads), e.next_num
            return
        inf.threads, inf._next_num = {}, 1
        for tid in InferiorSwitch._held_tids(e):
            inf.add_thread(tid)

    @staticmethod
    def _held_tids(e: Entry) -> list[int]:
        """A held process's threads when it has no Thread records yet: a fork's child has one."""
        return e.tids or ([e.pid] if e.pid is not None else [])
