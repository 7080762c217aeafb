"""gdb's commands over stacks and threads, diffed against gdb 13 on
tests/programs/stack_threads.c (two named workers parked in a pause syscall, main
recursing with locals in nested blocks): `thread apply` and `taas` (also across two
inferiors, tests/programs/inferior_switch.c), `thread find`, `backtrace full` and `bt -N`,
`frame level/function/address`, `printf`; bad input to each gets gdb's message.
`settings=True`: tdbg runs gdb's opening settings too (libc's debug info hidden in both).
"""
from __future__ import annotations

from functools import partial

import batch_diff
import pytest
from conftest import needs_gdb

pytestmark = needs_gdb

# LWP numbers differ between two runs; the pause() syscall leaves both at the same pc
assert_same = partial(batch_diff.assert_same, settings=True, names=True, exits=False)
STOP = ["break bottom", "run"]


@pytest.fixture(scope="module")
def prog(build):
    return build("stack_threads")


def test_thread_apply_all_and_lists_in_gdbs_order(prog):
    got = "\n".join(assert_same(prog, [
        *STOP, "up", "thread apply all bt", "thread apply all -ascending p $_thread",
        "thread apply all -asc -q p 1", "thread apply 2 3 1 p $_thread", "thread apply 1-2 frame",
        "thread apply 1.2 p 2", "thread apply 1.* p 3", "thread apply * -q p 4",
        "thread apply 2-5 p 5", "thread apply 1 bt full", "thread apply 2 bt full",
        "thread apply 3 thread",
        "taas p $_thread", "thread apply all -s p nosuch", "thread apply all -c p nosuch",
        "thread apply all p $_thread + nosuch", "thread apply 2 -- p 6",
        "frame", "thread"]))
    # descending for `all`, the named order for a list, and the selection restored
    assert got.index("Thread 3 (Thread 0x") < got.index("Thread 2 (Thread 0x") \
        < got.index("Thread 1 (Thread 0x")
    assert '"worker-1"):\n#0  0x' in got and "warning: Unknown thread 4" in got
    assert "        r = 0\n#1  0x" in got and "\nNo symbol table info available.\n" in got
    last = got.splitlines()
    assert last[-3].startswith("#1  0x") and last[-1].startswith("[Current thread is 1 (Thread 0x")


def test_thread_apply_bad_input(prog):
    assert_same(prog, [
        "thread apply all p 1", "thread apply", "thread apply 1 p 1", "thread apply 1", "taas p 1",
        *STOP, "thread apply", "thread apply all", "thread apply 1", "thread apply 1 -q",
        "thread apply x p 1", "thread apply 0 p 1", "thread apply -1 p 1", "thread apply 3-1 p 1",
        "thread apply 1 2,3 p 1", "thread apply 1. p 1", "thread apply 2.1 p 1",
        "thread apply 2.* p 1", "thread apply all -c -s p 1", "thread apply 1 -s -c p 1",
        "thread apply all -x p 1", "taas", "thread apply 5 p 1"])


def test_backtrace_full_and_counts(prog):
    got = "\n".join(assert_same(prog, [
        *STOP, "bt full", "bt -full", "where full 2", "bt full -2", "bt -2", "bt -full -1",
        "backtrace f 1", "bt full full", "bt 1+1", "bt 0", "bt -0", "bt -- -1", "bt -no-filters 1",
        "bt hide 1", "up 2", "bt full 2", "frame"]))
    assert "#1  0x" in got and "        deepest = 8\n        inner = 4\n        local = 3" in got
    assert "#0  bottom () at stack_threads.c:" in got and "\nNo locals.\n" in got


def test_backtrace_bad_input(prog):
    assert_same(prog, ["bt full", "bt -2", *STOP, "bt x", "bt 2 full", "bt 1 2", "bt -x",
                       "bt 2 -full", "bt -f 1", "bt -f", "where full nosuch"])


def test_frame_level_function_address(prog):
    got = "\n".join(assert_same(prog, [
        "frame", "frame 1", "frame foo", "frame function main", "frame level 1", "frame level x",
        "frame address 0x1", *STOP,
        "frame function recurse", "frame function main", "frame function  bottom ",
        "frame fu recurse", "frame level 2", "frame l 1+2", "frame level 0",
        "up 2", "frame address $sp", "info frame", "frame",
        "frame function nosuch", "frame function worker", "frame function recurse extra",
        "frame function", "frame level", "frame level 9", "frame level -1", "frame level x",
        "frame level 1 2", "frame address 0x1234", "frame address 0x1000+0x234", "frame address",
        "frame a", "frame foo", "frame 1+1", "frame -1", "frame 1 2", "frame"]))
    # `frame address $sp` in frame 2: frame 1's stack address (its CFA) is that $sp
    assert "\n#1  0x" in got and "No frame for function \"worker\"." in got


def test_printf(prog):
    got = "\n".join(assert_same(prog, [
        'printf "%s|%d|%5.1f|%c\\n", label, 42, ratio, 65', *STOP,
        'printf "%d %s|%5.2f|%c|%x|%lu|%%|%p\\n", 42, greeting, ratio, 65, 255, 7, &label',
        'up', 'printf "local=%d deepest=%d inner=%d\\n", local, deepest, inner',
        'printf "%s|%s|%5s|%-6s|\\n", 0, greeting, greeting, label',
        'printf "%#x %#o|%#6o|%-#6o|%#o|%p|%p\\n", 255, 8, 8, 8, 0, 0, 16',
        'printf "%d %i %u|%lu %lx %ld|%zd\\n", -1, 3000000000, -1, -1, -1, 3000000000, -1',
        'printf "%5c|%-3c|%e %g %E %G\\n", 65, 66, ratio, ratio, ratio, ratio',
        'printf "tab\\there \\"quoted\\" back\\\\slash\\n"', 'printf "%d\\n", ratio',
        # gdb reads a 4- or 8-byte value that is not a float as the float of its size
        'printf "%f %f %e|%f|%f|%f\\n", 3, 1078530011, (char)1, (short)1, 1099511627776, &label']))
    assert "local=3 deepest=8 inner=4" in got and "(null)|hello|hello|abc   |" in got


def test_printf_bad_input(prog):
    assert_same(prog, [
        "printf", 'printf "%d\\n"', 'printf "%d\\n", 1, 2', "printf x", 'printf "abc',
        'printf "a" 1', 'printf "\\q"', 'printf "%y\\n", 1', 'printf "%hhd\\n", 1',
        'printf "%n\\n", 1', 'printf "%", 1', 'printf "%d\\n",', 'printf "%*d\\n", 3, 4',
        'printf "%lf\\n", ratio', 'printf "%#p\\n", 1', 'printf "%+u\\n", 1', 'printf "%.2c\\n", 1',
        'printf "%d\\n", nosuch', *STOP, 'printf "%s\\n", (char *)5', 'printf "%d\\n", nosuch'])


def test_thread_find(prog):
    got = "\n".join(assert_same(prog, [
        "thread find x", "thread find", *STOP, "thread find worker", "thread find LWP",
        "thread find ^work.*-1$", "thread find st", "thread find nomatch", "thread find [",
        "thread find \\(", "thread find worker\\|st"]))
    assert "Thread 3 has target name 'worker-1'" in got


def test_thread_apply_across_inferiors(build):
    """With `set detach-on-fork off` gdb's `thread apply all` runs in every inferior's
    threads (inferiors descending too); the current inferior and thread come back."""
    assert_same(build("inferior_switch"), [
        "set detach-on-fork off", "break parent_work", "run", "thread apply all bt 1",
        "thread apply all -ascending p $_inferior", "thread apply 2.1 1.1 p 5", "thread apply 1 p 6",
        "thread", "taas p 7", "thread apply 2.* 1.3 3.* p 8", "info inferiors", "bt"])
