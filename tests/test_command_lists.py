"""Breakpoint command lists (`commands ... end`), user commands (`define`, `document`) and
`source`, diffed against gdb 13 on tests/programs/cmd_lists.c: the blocks come from a -x
script (both debuggers run the same file), and for tdbg --batch also from the -ex
arguments that follow (gdb would read them from stdin). One Pilot test enters a block in
the TUI's command line and sees it run at the next stops.
"""
from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from batch_diff import GDB, assert_same, lines
from conftest import find_source, needs_gdb
from test_tui_support import wait_for

from tdbg.backend.commands.blocks import NESTED

SIZE = (160, 48)


def marker(text: str) -> int:
    """The line of cmd_lists.c holding text (never a hard-coded number)."""
    src = find_source("cmd_lists").read_text().splitlines()
    return next(i for i, line in enumerate(src, 1) if text in line)


@pytest.fixture(scope="module")
def prog(tmp_path_factory):
    # built here rather than with conftest's function-scoped `build`: every test shares it
    out = tmp_path_factory.mktemp("cmdlists") / "cmd_lists"
    subprocess.run(["gcc", "-g", "-O0", str(find_source("cmd_lists")), "-o", str(out)], check=True,
                   capture_output=True)
    return out


def _run(cmd: list[str]) -> str:
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=60).stdout


def script_same(binary, tmp_path, script: str, **how) -> list[str]:
    """`tdbg --batch -x FILE` and `gdb -batch -x FILE` on the same script (batch_diff runs
    only -ex commands): the same lines, no traceback; tdbg's lines are returned."""
    path = tmp_path / "cmds.gdb"
    path.write_text(script)
    ours_cmd = [sys.executable, "-m", "tdbg.tui.cli", "--batch", "-x", str(path), "--args", str(binary)]
    with ThreadPoolExecutor(2) as pool:
        mine = pool.submit(_run, ours_cmd)
        theirs = lines(_run([*GDB, "-x", str(path), "--args", str(binary)]), **how)
        ours = mine.result()
    assert "Traceback" not in ours, ours
    got = lines(ours, **how)
    assert got == theirs, "\n".join(["gdb:", *theirs, "", "tdbg:", *got])
    return got


@needs_gdb
def test_silent_list_prints_and_continues_at_each_hit(prog, tmp_path):
    end = marker("end line")
    got = script_same(prog, tmp_path, f"""\
break bump
commands
silent
print v
continue
end
break cmd_lists.c:{end}
commands 2
print total
end
info breakpoints
run
info breakpoints
""")
    # each hit printed only what its list printed, then the program went on by itself
    assert got.count("        silent") == 2
    assert [ln for ln in got if ln.startswith("$")] == ["$1 = 0", "$2 = 1", "$3 = 2", "$4 = 3", "$5 = 6"]
    assert not any(ln.startswith("Breakpoint 1,") for ln in got)
    assert any(ln.startswith("Breakpoint 2, main () at ") and ln.endswith(f"cmd_lists.c:{end}")
               for ln in got)
    assert "\tbreakpoint already hit 4 times" in got


@needs_gdb
def test_lists_on_two_breakpoints_cleared_and_on_a_tbreak(prog, tmp_path):
    got = script_same(prog, tmp_path, """\
break bump if v == 1
break bump if v == 3
commands 1 2
print v * 10
end
info breakpoints
commands 1
print v
next
print total
end
commands 2
silent
print v + 100
end
commands 2
end
tbreak main
commands
print 42
end
run
continue
info breakpoints
continue
""")
    assert "$1 = 42" in got                   # the tbreak's list ran, though its stop deleted it
    assert got.count("        print v * 10") == 2
    # `next` resumed: the rest of breakpoint 1's list was not run
    assert "$2 = 1" in got and not any(ln.startswith("$3") for ln in got)
    table = got[got.index("Num     Type           Disp Enb Address            What", 5):]
    assert any(ln.startswith("Breakpoint 2, bump (v=3) at ") for ln in table)
    # `commands 2` + `end` cleared its list: no line under it, and its stop was reported
    assert table[table.index("\tstop only if v == 3") + 1] == ""


@needs_gdb
def test_list_goes_with_its_breakpoint_and_missing_numbers(prog, tmp_path):
    """A deleted breakpoint's list is gone; `commands 1` then names no breakpoint, reads no
    block, and the lines meant for it run as commands, as gdb's do."""
    got = script_same(prog, tmp_path, """\
break bump
commands 3 1 4
print 3
end
delete 1
break bump
info breakpoints
commands 1
print 2
end
""")
    assert got[1:3] == ["No breakpoint number 3.", "No breakpoint number 4."]
    assert "        print 3" not in got and "$1 = 2" in got
    assert got[-1] == "This command cannot be used at the top level."


@needs_gdb
def test_define_with_arguments_document_and_help(prog, tmp_path):
    got = script_same(prog, tmp_path, """\
define addup
print $arg0 + $arg1
print $argc
end
document addup
Add two numbers.
Second line of doc.
end
define noargs
print $argc
end
addup 2 3
noargs
help addup
help noargs
help user-defined
define noargs
print 7
end
noargs
define print
end
addup 1
""")
    assert got[:3] == ["$1 = 5", "$2 = 2", "$3 = 0"]
    assert "addup -- Add two numbers." in got and "noargs -- User-defined." in got
    assert 'Redefine command "noargs"? (y or n) [answered Y; input not from terminal]' in got
    assert 'Really redefine built-in command "print"? (y or n) [answered Y; input not from terminal]' in got
    assert got[-1] == "Missing argument 1 in user function."


@needs_gdb
def test_source_a_file_with_a_block_and_an_error(prog, tmp_path):
    sourced = tmp_path / "more.gdb"
    sourced.write_text("break bump\ncommands\nsilent\nprint v\nend\nrun\nprint nosuch\nprint 99\n")
    assert_same(prog, [f"source {tmp_path}/nosuch.gdb", f"source {sourced}", "info breakpoints",
                       "print 1", "source"])


@needs_gdb
def test_bad_input(prog):
    assert_same(prog, ["commands", "end", "break bump", "commands 99", "commands abc", "commands 0",
                       "commands 2-1", "commands -1", "define", "document", "document print",
                       "document nosuch", "print 1", "help commands", "help define", "help document",
                       "help source"])


@needs_gdb
def test_batch_blocks_from_the_following_ex_arguments(prog, tmp_path):
    """gdb -batch reads a block from stdin; tdbg --batch takes the -ex arguments that follow,
    and prints what gdb prints for the same lines in a -x script."""
    cmds = ["break bump", "commands", "silent", "print v * 2", "continue", "end", "define show2",
            "print $arg0", "end", "show2 5", "run"]
    script = tmp_path / "same.gdb"
    script.write_text("\n".join(cmds) + "\n")
    theirs = lines(_run([*GDB, "-x", str(script), "--args", str(prog)]))
    ours = _run([sys.executable, "-m", "tdbg.tui.cli", "--batch",
                 *(x for c in cmds for x in ("-ex", c)), "--args", str(prog)])
    assert "Traceback" not in ours, ours
    assert lines(ours) == theirs
    assert "$5 = 6" in theirs


@needs_gdb
def test_recursive_user_command_is_stopped(prog, tmp_path):
    got = script_same(prog, tmp_path, "define rec\nrec\nend\nrec\nprint 1\n")
    assert got[-1] == "Max user call depth exceeded -- command aborted."


def test_nested_block_is_refused_in_one_line(prog):
    out = _run([sys.executable, "-m", "tdbg.tui.cli", "--batch", "-ex", "break bump", "-ex", "commands",
                "-ex", "if v == 2", "-ex", "print v", "-ex", "end", "-ex", "print 1", "-ex", "end",
                "-ex", "info breakpoints", "-ex", "print 2", "--args", str(prog)])
    assert "Traceback" not in out, out
    assert NESTED in out.splitlines()
    assert "        print 1" not in out and "$1 = 2" in out        # no list was set


async def test_tui_command_line_enters_a_block_that_runs_at_the_next_stops(isolated, prog):
    from tdbg.tui.app import make_app

    app = make_app(program=str(prog))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.main is not None and app.session is not None
                       and app.run_state == "idle", timeout=30, what="the program loaded")
        log = app.main.query_one("#command-log")
        cmd = app.main.query_one("#command-input")

        def logged() -> str:
            # the log wraps long lines at a blank, which it keeps: joined, they read whole
            return "".join(str(line.text) + ("" if str(line.text).endswith(" ") else "\n")
                           for line in log.lines)

        async def enter(line: str) -> None:
            cmd.value = line
            await pilot.press("enter")

        await pilot.press("colon")
        await wait_for(pilot, lambda: app.focused is cmd, what="the command line focused")
        await enter("break bump")
        await wait_for(pilot, lambda: "Breakpoint 1 at" in logged(), timeout=30,
                       what="the breakpoint set")
        # Esc drops an open block and keeps the command line
        await enter("commands")
        await wait_for(pilot, lambda: app.session.commands.block is not None, timeout=30)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.session.commands.block is None)
        assert app.focused is cmd
        await enter("commands")
        await wait_for(pilot, lambda: app.session.commands.block is not None
                       and 'End with a line saying just "end".' in logged(), timeout=30)
        assert "Type commands for breakpoint(s) 1, one per line.\n" in logged()
        for line in ("silent", "print v * 100", "end"):
            await enter(line)
        await wait_for(pilot, lambda: app.session.commands.block is None, timeout=30,
                       what="the block closed")
        assert ">silent\n" in logged() and ">end\n" in logged()
        await enter("info breakpoints")
        await wait_for(pilot, lambda: "        print v * 100" in logged(), timeout=30)
        await enter("run")
        await wait_for(pilot, lambda: "$1 = 0\n" in logged(), timeout=30, what="the list at the first hit")
        # a stop from a key runs the list too
        await wait_for(pilot, lambda: app.run_state == "stopped", timeout=30)
        app.main.focus_pane("source")
        await wait_for(pilot, lambda: app.focused is not cmd)
        await pilot.press("f5")
        await wait_for(pilot, lambda: "$2 = 100\n" in logged(), timeout=30, what="the list after F5")
        assert "Breakpoint 1, bump" not in logged()       # silent: no stop report
