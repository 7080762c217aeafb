"""`set` and `show` from one settings table (backend/commands/settings_table.py), diffed
against gdb 13 on tests/programs/info_cmds.c: every setting's show sentence before and
after a change, bad values, `set print pretty`, `set print frame-arguments`, `set listsize`
and the run modes the exec layer reads (stored on the worker)."""
from __future__ import annotations

import threading
from functools import partial

import batch_diff
import pytest
from conftest import needs_gdb

from tdbg.backend.commands.settings_table import SETTINGS
from tests.helpers import session_for

# batch_diff's gdb starts with its settings: tdbg gets them too, so `show` agrees
assert_same = partial(batch_diff.assert_same, settings=True, exits=False)


@pytest.fixture(scope="module")
def prog(build):
    return build("info_cmds")


# tdbg's own settings (no gdb to compare with): tests/test_fast_conditions.py shows them
GDBS = [s for s in SETTINGS if s.name != "fast-conditions"]


# Each script runs tdbg and gdb once (their start-up is most of a test's time): a few
# long scripts rather than many short ones.
@needs_gdb
def test_show_every_setting_before_and_after_set_and_bad_values(prog):
    cmds = ["show args", "set args x", "show args"]            # args from the command line first
    cmds += [f"show {s.name}" for s in GDBS]
    cmds += ['set args a "b c"', "set inferior-tty /dev/null", "set breakpoint pending of",
             "set disable-randomization off", "set disassembly-flavor intel", "set confirm off",
             "set print pretty", "set print frame-arguments none", "set follow-fork-mode ch",
             "set detach-on-fork off", "set listsize 3+4", "set pagination off", "set width 80",
             "set height 20"]
    cmds += [f"show {s.name}" for s in GDBS]
    cmds += ["set listsize unlimited", "show listsize", "set listsize 0", "show listsize",
             "set listsize -1", "show listsize", "set inferior-tty", "show inferior-tty",
             "set args", "show args", "show print pre", "show scheduler", "show confirm extra",
             "set p pretty off", "show p pretty", "set pr elem 4"]
    # bad values and unknown names
    cmds += ["set breakpoint pending foo", "set breakpoint pending",
             "set disassembly-flavor intel x", "set disassembly-flavor foo",
             "set disassembly-flavor", "set confirm foo", "set print pretty maybe",
             "set print frame-arguments x", "set print frame-arguments all x",
             "set print frame-arguments", "set follow-fork-mode foo",
             "set follow-fork-mode", "set detach-on-fork foo", "set listsize x",
             "set width -1", "set width", "set scheduler-locking foo",
             "set scheduler-locking", "show foo", "show print foo",
             "show breakpoint foo", "set breakpoint foo", "set print foo on",
             "set foo", "set", "set print elements 4", "show args"]
    out = assert_same(prog, cmds, args=("a", "b c", 'd"e', "f'g", "h\\i"))
    assert out[0].endswith('is "a b\\ c d\\"e f\\\'g h\\\\i".')
    assert "Pretty formatting of structures is on." in out


@needs_gdb
def test_running_program_settings_pretty_and_frame_arguments_like_gdb(prog):
    out = assert_same(prog, [
        # scheduler-locking needs a process; `set EXPR` warns when it assigns nothing
        "set scheduler-locking step", "show scheduler-locking", "break add", "break weigh",
        "break move", "run", "set scheduler-locking step", "show scheduler-locking",
        "set scheduler-locking on", "show scheduler-locking", "set sum = 5", "print sum",
        "set var sum", "print sum",
        # frame arguments: bt, stop lines, frame, info frame
        "continue", "bt", "set print frame-arguments all", "bt", "frame", "info frame",
        "set print frame-arguments none", "bt", "frame 1", "frame 0",
        "set print frame-arguments scalars", "bt", "set print pretty on",
        "set print frame-arguments all", "bt", "info args", "info frame",
        "set print frame-arguments scalars",
        # pretty structures, arrays of structures, locals
        "continue", "print the_box", "print points", "print *p", "print the_box.inner",
        "print the_box.ids", "info locals", "up", "info locals", "print $_siginfo",
        "set print pretty off", "print the_box"])
    assert any(line.startswith("#0  weigh (b={name = ") for line in out)
    assert any(line.startswith("#0  weigh (b=..., p=..., scale=..., c=...)") for line in out)
    assert "  corner = {{" in out and "      x = 1," in out


async def test_run_modes_are_stored_on_the_worker(prog):
    async with session_for(prog) as (s, rec):
        settings = s.dbg.target.settings
        writes: list[threading.Thread] = []
        base = type(settings)
        settings.__class__ = type("Spied", (base,), {
            "__slots__": (), "__setattr__": lambda o, n, v: (writes.append(threading.current_thread()),
                                                              base.__setattr__(o, n, v))[1]})
        for line in ("set follow-fork-mode child", "set detach-on-fork off", "break add", "run",
                     "set scheduler-locking step"):
            r = await s.execute(line)
            assert r.ok, (line, r.text)
        assert (settings.follow_fork_mode, settings.detach_on_fork, settings.scheduler_locking) == \
            ("child", False, "step")
        assert writes and threading.main_thread() not in writes
        assert (await s.execute("show follow-fork-mode")).text == \
            'Debugger response to a program call of fork or vfork is "child".'
        bad = await s.execute("set detach-on-fork maybe")
        assert not bad.ok and bad.text == '"on" or "off" expected.'
        assert settings.detach_on_fork is False


@needs_gdb
def test_listsize_like_gdb(prog):
    cmds = []
    for size in ("5", "unlimited", "10"):
        cmds += [f"set listsize {size}", "list", "list", "list add", "list", "list 30",
                 "list info_cmds.c:10"]
    assert_same(prog, [*cmds, "break add", "run", "list", "list", "up", "list",
                       "set listsize 4", "list", "frame 0", "list"])


async def test_help_set_and_show_list_the_table(prog):
    async with session_for(prog) as (s, rec):
        for verb in ("set", "show"):
            text = (await s.execute(f"help {verb}")).text
            for row in SETTINGS:
                assert f"{verb} {row.name} -- {verb.capitalize()} {row.help}" in text


@needs_gdb
async def test_print_format_letters_inside_structures_match_gdb(prog):
    """value_format's fmt (print/FMT applied to every scalar inside an aggregate, pretty
    or not) against gdb's `output/FMT`; `print/x STRUCT` itself reaches it once
    inspect/evaluate.py passes fmt to format_value for aggregates."""
    from tdbg.backend.symbols import value_format
    exprs = [("x", "the_box"), ("x", "points"), ("d", "the_box.inner"), ("o", "points[1]"),
             ("t", "the_box.ids"), ("z", "points[0]")]
    script = ["break move", "run"]
    for pretty in ("off", "on"):
        script += [f"set print pretty {pretty}", *(f"output/{f} {e}" for f, e in exprs)]
    theirs = batch_diff.gdb(prog, script)
    theirs = theirs[theirs.index("\n35\t"):].split("\n", 2)[2]      # what follows the stop's line
    ours = []
    async with session_for(prog) as (s, rec):
        await s.execute("break move")
        await s.run()
        dbg = s.dbg

        def text(e: str, f: str, pretty: bool) -> str:
            v = dbg.evaluator.evaluate_value(e)
            return value_format.format_value(v, dbg.target.read_memory, dbg.target.prog.symbolize,
                                             fmt=f, pretty=pretty)
        for pretty in (False, True):
            for f, e in exprs:
                ours.append(await s.link.call(lambda e=e, f=f, p=pretty: text(e, f, p)))
    assert "".join(ours) == theirs
