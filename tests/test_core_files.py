"""Core files (gdb's `core-file`, `tdbg PROG CORE`, `generate-core-file`/`gcore`), diffed
against gdb 13 on tests/programs/core_crash.c.

Two independent producers freeze the same crash: gdb's `gcore` (read by tdbg) and
tdbg's `generate-core-file` (read by gdb, whose `bt` must equal its `bt` on the live
process). Both debuggers then read the same file, so thread ids and addresses agree
and outputs are compared as they are. gdb reads libraries' symbols before any -ex
command, so its debug-file-directory is set with -iex (no libc debug info on either side).
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from batch_diff import _GDB_ONLY
from conftest import find_source, needs_gdb
from test_tui_support import screen_text, wait_for

from tdbg.tui.app import make_app
from tdbg.tui.cli import is_core_file
from tdbg.tui.cli import main as cli_main

pytestmark = needs_gdb

GDB = ["gdb", "-nx", "-batch", "-iex", "set debug-file-directory /nonexistent",
       "-ex", "set pagination off", "-ex", "set width 0"]


def _exes(commands) -> list[str]:
    return [a for c in commands for a in ("-ex", c)]


def gdb_run(args, commands) -> str:
    out = subprocess.run([*GDB, *_exes(commands), *map(str, args)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=60).stdout
    return _GDB_ONLY.sub("", out)


def tdbg_run(args, commands) -> str:
    """`tdbg --batch -ex ... ARGS` in this process (tdbg.tui.cli.main, as the `tdbg` script
    runs it), stdout and stderr merged in order. (A program started here writes to the
    real stdout, not into this text.)"""
    buf = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        cli_main(["--batch", *_exes(commands), *map(str, args)])
    out = buf.buffer.getvalue().decode()   # type: ignore[attr-defined]
    assert "Traceback" not in out, out
    return out


def mark_line(tag: str) -> int:
    lines = find_source("core_crash").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if f"MARK:{tag}" in line)


@pytest.fixture(scope="module")
def prog(build):
    return build("core_crash")


@pytest.fixture(scope="module")
def cores(prog, tmp_path_factory):
    """(gdb's core, tdbg's core, gdb's `bt` on the live crash), made once."""
    d = tmp_path_factory.mktemp("cores")
    live = gdb_run([prog], ["run", f"gcore {d / 'gdb.core'}", "echo @@bt\\n", "bt"])
    assert (d / "gdb.core").exists(), live
    made = tdbg_run(["--args", prog], ["run", f"gcore {d / 'tdbg.core'}"])
    assert f"Saved corefile {d / 'tdbg.core'}" in made, made
    # what gcore says on the way (the vsyscall page cannot be read): gdb's lines
    said = [ln for ln in made.splitlines() if ln.startswith(("warning: ", "Saved corefile"))]
    assert said == [ln.replace("gdb.core", "tdbg.core") for ln in live.split("@@bt")[0].splitlines()
                    if ln.startswith(("warning: ", "Saved corefile"))]
    return d / "gdb.core", d / "tdbg.core", live.split("@@bt\n", 1)[1]


def test_tdbg_reads_gdbs_core_as_gdb_does(prog, cores):
    gdb_core = cores[0]
    cmds = ["bt", "info threads", "x/2i $pc", "frame 1", "info locals", "info args", "print banner",
            "print word", "x/8xb &banner", "info registers rip", "up", "list",
            "print $rsp", "thread 2", "bt", "frame 1", "print id", "thread", "thread 1",
            "info sharedlibrary", "print local * 2", "disassemble crash"]
    ours, theirs = tdbg_run([prog, gdb_core], cmds), gdb_run([prog, gdb_core], cmds)
    # the opening lines name the signal and the faulting line, once per thread "[New LWP]"
    assert "Program terminated with signal SIGSEGV, Segmentation fault." in ours
    assert f"{mark_line('fault')}\t    *p = 1;" in ours
    assert ours.count("[New LWP ") == 3 and "[Current thread is 1 (Thread 0x" in ours
    assert ours.splitlines() == theirs.splitlines()


def test_gdb_reads_tdbgs_core_as_the_live_process(prog, cores):
    _, tdbg_core, live_bt = cores
    opened = gdb_run([prog, tdbg_core], ["echo @@bt\\n", "bt"])
    head, bt = opened.split("@@bt\n", 1)
    assert bt == live_bt and "crash (p=0x0)" in bt
    assert "Program terminated with signal SIGSEGV, Segmentation fault." in head
    assert head.count("[New LWP ") == 3
    # and both debuggers read that file alike
    cmds = ["bt", "info threads", "frame 2", "info locals", "print banner", "thread 3", "bt",
            "info registers rip rsp", "info sharedlibrary"]
    assert tdbg_run([prog, tdbg_core], cmds).splitlines() == \
        gdb_run([prog, tdbg_core], cmds).splitlines()


def test_gcore_at_a_breakpoint_keeps_the_original_code(prog, tmp_path):
    """Stopped at a breakpoint: the core holds the code, not the INT3, and the signal is
    the stop's (SIGTRAP), as in gdb's own gcore there."""
    ours, theirs = tmp_path / "ours.core", tmp_path / "theirs.core"
    tdbg_run(["--args", prog], ["break middle", "run", f"gcore {ours}"])
    gdb_run([prog], ["break middle", "run", f"gcore {theirs}"])
    look = ["x/2i $pc", "info registers rip", "bt"]
    seen = [re.sub(r"LWP \d+", "LWP N", gdb_run([prog, core], look)) for core in (ours, theirs)]
    assert "Program terminated with signal SIGTRAP, Trace/breakpoint trap." in seen[0]
    assert "=> 0x" in seen[0] and "int3" not in seen[0]
    assert seen[0] == seen[1]


def test_core_file_command_and_what_a_core_refuses(prog, cores):
    core = cores[0]
    cmds = [f"core-file {core}", "bt 1", "continue", "step", "next", "finish", "stepi",
            "set var banner[0] = 1", "print banner[0] = 2", "print banner[0]",
            "gcore /tmp/never-written.core", "info registers rip", "core-file", "bt"]
    ours, theirs = tdbg_run([prog], cmds), gdb_run([prog], cmds)
    assert ours.count("The program is not being run.") == 5
    assert re.search(r"Cannot access memory at address 0x[0-9a-f]+", ours)
    assert "You can't do that without a process to debug." in ours
    assert not Path("/tmp/never-written.core").exists()
    # `bt 1` says more frames follow: compared without that line (bt's own business)
    strip = re.compile(r"^\(More stack frames follow\.\.\.\)\n", re.M)
    assert strip.sub("", ours).splitlines() == strip.sub("", theirs).splitlines()


def test_breakpoints_on_a_core_then_run_starts_the_program_afresh(prog, cores):
    out = tdbg_run([prog, cores[0]], ["break middle", "info breakpoints", "bt 1", "run", "bt 1"])
    opened, after = out.split("[Current thread is 1", 1)
    assert "Program terminated with signal SIGSEGV" in opened
    # the breakpoint has its location; nothing is written into the core; the core stays
    assert re.search(r"Breakpoint 1 at 0x[0-9a-f]+: file .*core_crash.c, line \d+\.", after)
    assert "in middle at " in after and "#0  0x" in after
    assert re.search(r'Thread 1 "core_crash-\w+" hit Breakpoint 1, middle \(depth=2', after), after
    ran = after.split(" hit Breakpoint 1, ", 1)[1]
    assert "#0  middle (depth=2" in ran


def test_a_kernel_core_reads_text_from_the_mapped_files(prog, tmp_path):
    """The kernel dumps no read-only file pages: code comes from the files NT_FILE names."""
    import resource

    def unlimited() -> None:
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    app = tmp_path / "app"
    shutil.copy2(prog, app)                      # its own copy: moved away below
    subprocess.run([str(app)], cwd=tmp_path, preexec_fn=unlimited, capture_output=True, timeout=30)
    core = next(iter(tmp_path.glob("core*")), None)
    if core is None:
        pytest.skip("the kernel's core_pattern does not write a core in the working directory")
    # The file the core names is gone (gdb says so): its code is read from the program
    # given (same build-id: no "may not match" although the names differ).
    moved = app.rename(tmp_path / "moved")
    cmds = ["bt", "x/2i $pc", "disassemble crash", "frame 2", "info locals", "print banner",
            "info sharedlibrary"]
    ours = tdbg_run([moved, core], cmds)
    assert f"warning: Can't open file {app} during file-backed mapping note processing" in ours
    assert "may not match" not in ours and "movl   $0x1,(%rax)" in ours
    # gdb warns about the kernel's xstate note size: its warnings are not ours to copy
    theirs = re.sub(r"\n?warning: Section `.reg-xstate/\d+' in core file too small.\n", "\n",
                    gdb_run([moved, core], cmds))
    assert [ln for ln in ours.splitlines() if ln] == [ln for ln in theirs.splitlines() if ln]


def test_bad_cores_get_gdbs_one_line(prog, cores, tmp_path):
    truncated = tmp_path / "truncated.core"
    truncated.write_bytes(cores[0].read_bytes()[:200_000])
    missing = tmp_path / "missing.core"
    # a relative name is shown joined to the working directory (not normalised), as gdb does
    relative = os.path.relpath(tmp_path / "nothing-here.core")
    bad = [prog, missing, truncated, tmp_path, relative]
    cmds = [c for b in bad for c in (f"core-file {b}", "bt")]
    ours, theirs = tdbg_run([prog], cmds), gdb_run([prog], cmds)
    assert ours.splitlines() == [
        f'"{prog}" is not a core dump: file format not recognized', "No stack.",
        f"{missing}: No such file or directory.", "No stack.",
        f'"{truncated}" is not a core dump: file format not recognized', "No stack.",
        f'"{tmp_path}" is not a core dump: file format not recognized', "No stack.",
        f"{os.path.join(os.getcwd(), relative)}: No such file or directory.", "No stack."]
    assert sorted(ours.splitlines()) == sorted(theirs.splitlines())   # gdb's stderr lags


def test_a_core_of_another_program_warns_first(prog, cores, build):
    other = build("core_crash", "-O1")         # another build: another build-id, another name
    warning = "warning: core file may not match specified executable file."
    ours, theirs = tdbg_run([other], [f"core-file {cores[0]}"]), gdb_run([other], [f"core-file {cores[0]}"])
    assert ours.splitlines()[0] == warning == theirs.splitlines()[0]
    assert "Program terminated with signal SIGSEGV" in ours
    # (given on the command line, gdb's startup warnings begin with an empty line: not copied)


def test_positional_core_and_dash_c(prog, cores):
    assert is_core_file(str(cores[0])) and is_core_file(str(cores[1]))
    assert not is_core_file(str(prog))
    by_flag = tdbg_run(["-c", cores[0], prog], ["bt 1"])
    assert "Program terminated with signal SIGSEGV" in by_flag and "#0  0x" in by_flag
    # without a core, a lone word after PROG is still the program's argument
    assert '"x".' in tdbg_run([prog, "x"], ["show args"])


async def test_tui_opens_on_the_crashing_frame(isolated, prog, cores):
    app = make_app(program=str(prog), commands=[f"core-file {cores[0]}"])
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop is not None
                       and app.stop.function == "crash", timeout=20, what="the core's stop")
        fault = mark_line("fault")
        assert app.stop.signal_name == "SIGSEGV" and app.stop.location.line == fault
        source = app.main.query_one("#source").view
        regs_view = app.main.query_one("#registers-view")
        stack = app.main.query_one("#stack-table")
        await wait_for(pilot, lambda: source.cursor == fault and source.pc_line == fault
                       and regs_view.regs.get("rip") == app.stop.pc and stack.row_count == 5
                       and [v.name for v in app.locals or ()] == ["p"],
                       what="source, registers, stack and locals of the crash")
        # banner, console and status line, once painted (later under load); the stack's rows
        await wait_for(pilot, lambda: all(w in screen_text(app) for w in (
            "Program terminated with signal SIGSEGV", "core file", "stopped at core_crash.c:")),
            what="the core on screen")
        functions = " ".join(str(stack.get_row_at(i)[1]) for i in range(stack.row_count))
        assert "middle" in functions and "main" in functions, functions
        # running commands say why not, the screen stays on the core
        app.command_pane_run("continue")
        await wait_for(pilot, lambda: "The program is not being run." in screen_text(app),
                       what="continue refused")
        assert app.run_state == "stopped"
        # run (r, F5): the core goes, the program starts afresh and crashes live
        core_stop = app.stop
        app.action_run()
        await wait_for(pilot, lambda: app.stop is not None and app.stop is not core_stop
                       and app.stop.function == "crash" and not app.session.core.active,
                       timeout=20, what="the live crash after run")
        assert "core file" not in screen_text(app).splitlines()[0]
