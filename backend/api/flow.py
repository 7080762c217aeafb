"""`session.flow`: changing where the program is or how it starts: calls into the
program (`call`), `jump`, `return`, `starti`, `start` and `attach` with gdb's words.

Each call hops once to the ptrace worker (link.py); the ones that let the program run
go through the Session's resume (its stop or exit arrives as an event).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from ..exec.report import Result

if TYPE_CHECKING:
    from ..debugger import Debugger
    from ..exec.flow import JumpPlan
    from ..exec.frame_return import ReturnPlan
    from .link import WorkerLink

Resume = Callable[[Callable[[], "Result | None"]], Awaitable[None]]


class FlowAPI:
    def __init__(self, link: WorkerLink, dbg: Debugger, resume: Resume) -> None:
        self._link = link
        self._dbg = dbg
        self._resume = resume

    # ---- calls -----------------------------------------------------------------------------
    async def call_text(self, expr: str, fmt: str | None = None) -> str:
        """gdb's `call EXPR`: print's text, or nothing for a void value."""
        def work() -> str:
            ev = self._dbg.evaluator
            v, body = ev.formatted(expr, fmt)
            if v.type.strip().kind == "void":
                return ""
            t = self._dbg.target              # as Evaluator.print_text records a value
            t.value_history.append(body)
            t.convenience[f"${len(t.value_history)}"] = v
            return f"${len(t.value_history)} = {body}"
        return await self._link.stopped_call(work)

    # ---- jump ------------------------------------------------------------------------------
    async def jump_plan(self, spec: str) -> JumpPlan:
        """Where `jump SPEC` goes and what gdb asks first (JumpPlan.question)."""
        return await self._link.stopped_call(lambda: self._dbg.flow.jump_plan(spec))

    async def jump(self, plan: JumpPlan, preface: str | None = None, from_tty: bool = True) -> None:
        """Resume at the plan's address; `preface` (the query answered) is said first."""
        await self._resume(lambda: self._dbg.flow.jump(plan, preface, from_tty))

    # ---- return ----------------------------------------------------------------------------
    async def return_plan(self, expr: str | None) -> ReturnPlan:
        """`return [EXPR]` up to gdb's query: EXPR evaluated once, the question to ask."""
        return await self._link.stopped_call(lambda: self._dbg.flow.return_plan(expr))

    async def do_return(self, plan: ReturnPlan, from_tty: bool = True,
                        preface: str | None = None) -> None:
        """Pop the frame (a Stopped event shows the new frame 0 when from_tty, after
        `preface`: the query answered)."""
        await self._link.stopped_call(lambda: self._dbg.flow.do_return(plan, from_tty, preface))

    # ---- starting ------------------------------------------------------------------------
    async def starti(self, args: Sequence[str] | None = None) -> None:
        """gdb's `starti`: stop at the program's first instruction."""
        await self._resume(lambda: self._dbg.flow.starti(list(args) if args is not None else None))

    async def start(self, args: Sequence[str] | None = None) -> None:
        """gdb's `start`: its temporary breakpoint's line, then run to main."""
        await self._resume(lambda: self._dbg.flow.start(list(args) if args is not None else None))

    async def attach(self, pid: int, from_tty: bool = True) -> None:
        """gdb's `attach PID` with its words ("Attaching to program: ..." when typed)."""
        await self._resume(lambda: self._dbg.flow.attach(pid, from_tty))
