"""gdb's $_thread and $_inferior (backend/symbols/cexpr/regs.py, read at each use), diffed
against gdb 13: without a process, at a stop, after `thread N`, and in a breakpoint
condition, where they are the hitting thread's."""
from __future__ import annotations

from batch_diff import assert_same
from conftest import needs_gdb

pytestmark = needs_gdb


def test_thread_and_inferior_variables(build):
    prog = build("thr_fair")
    ours = "\n".join(assert_same(prog, [
        "p $_thread", "p $_inferior", "break tick_b if $_thread == 2", "break tick_a if $_thread == 2",
        "run", "p $_thread", "p $_inferior", "p $_thread * 10 + $_inferior", "bt 1", "thread 1",
        "p $_thread", "kill", "p $_thread"], names=True))
    assert 'hit Breakpoint 2, tick_a ()' in ours and "$3 = 2" in ours and "$7 = 0" in ours


def test_thread_name(build):
    """`thread name NAME` names the selected thread in `info threads`, `thread find` and
    stop lines; `thread name` alone gives it back the kernel's name. The program's `locked`
    mode: main calls tick_a while one other thread spins forever (no thread exits, so the
    notices' order does not depend on scheduling)."""
    prog = build("thr_fair")
    ours = "\n".join(assert_same(prog, [
        "thread name early", "break tick_a", "run", "thread name worker one", "info threads 1",
        "thread find worker", "thread", "thread name", "info threads 1", "thread find worker",
        "thread name zz", "continue", "thread name main-thread", "info threads 1", "thread find main"],
        ["locked"], names=True))
    assert '"worker one" tick_a ()' in ours and 'Thread 1 "zz" hit Breakpoint 1, tick_a ()' in ours
