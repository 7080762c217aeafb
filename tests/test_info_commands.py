"""`info address`, `info symbol`, `info line`, `info source`, `info proc`, `info watchpoints`
and `watch -l`, diffed against gdb 13 on tests/programs/info_cmds.c (file names as the
compiler was given them: the binary is built from the repository root, as gdb sees it)."""
from __future__ import annotations

import subprocess
import sys
from functools import partial

import batch_diff
import pytest
from conftest import ROOT, find_source, needs_gdb

assert_same = partial(batch_diff.assert_same, cwd=ROOT, exits=False)


def _build(tmp_path_factory, opt: str):
    """Built from the repository root with a relative source path, as a user would:
    gdb's names (`info source`, `info line`) are then the relative ones."""
    out = tmp_path_factory.mktemp("info") / f"info_cmds{opt}"
    src = find_source("info_cmds").relative_to(ROOT)
    subprocess.run(["gcc", "-g", opt, str(src), "-o", str(out)], cwd=ROOT, check=True)
    return out


@pytest.fixture(scope="module")
def prog(tmp_path_factory):
    return _build(tmp_path_factory, "-O0")


# Each script runs tdbg and gdb once (their start-up is most of a test's time): a few
# long scripts rather than many short ones.
@needs_gdb
def test_info_address_and_info_symbol_like_gdb(prog):
    out = assert_same(prog, ["info address g", "info address s_count", "info address add",
                             "info address main", "info address nosuch", "info address printf",
                             "info address puts", "info address",
                             "info symbol g", "info symbol &g", "info symbol main", "info symbol 0",
                             "info symbol", "info symbol nosuch", "break add", "run",
                             "info address a", "info address sum", "info address calls",
                             "info address printf", "info address puts", "info address main",
                             # once libraries are loaded, info symbol names the object
                             "info symbol &g", "info symbol $pc", "info symbol printf",
                             "info symbol &s_count", "info symbol $sp", "info symbol 1 2",
                             "up", "info address here", "info address calls", "info address $pc",
                             "info address 1"])
    assert 'Symbol "g" is static storage at address 0x' in "\n".join(out)
    assert any(line.startswith("     0: DW_OP_fbreg -") for line in out)
    assert f"g in section .data of {prog}" in out


@needs_gdb
def test_info_address_of_optimized_code_like_gdb(tmp_path_factory):
    """-O2: registers, constants, pieces, location lists ("multi-location") and a
    parameter with no location at all."""
    out = assert_same(_build(tmp_path_factory, "-O2"), [
        "break add", "break weigh", "break move", "info address main", "info address add", "run",
        "info address a", "info address b", "info address sum", "up", "info address here",
        "info address calls", "continue", "info address b", "info address c", "info address p",
        "info address scale", "info address w", "continue", "info address p", "info address local"])
    assert 'Symbol "a" is multi-location:' in out and 'Symbol "b" is optimized out.' in out


@needs_gdb
def test_info_symbol_of_a_static_program_like_gdb(build):
    """One object only, yet gdb says "of FILE" once a process ran: the vDSO counts."""
    binary = build("info_cmds", "-static")
    out = assert_same(binary, ["info symbol main", "break add", "run", "info symbol $pc",
                               "kill", "info symbol main"])
    assert out[0] == "main in section .text" and out[-1] == f"main in section .text of {binary}"


@needs_gdb
def test_info_line_and_info_source_like_gdb(prog):
    """Every form of `info line`; without an argument, gdb's last_line_listed: the line
    after the last `info line`, the first line of the last `list`, the line of a frame
    just shown, nothing without a current source file; `info source` before and after."""
    out = assert_same(prog, [
        "info source", "info line", "info line add", "info line", "info line 23",
        "info line info_cmds.c:1", "info line 1000", "info line nosuch", "info line *",
        "break add", "info source", "list add", "info source", "info line", "info line",
        "run", "info source", "info line", "info line *$pc", "info line *0", "info line 2",
        "up", "info source", "info line", "info line", "list", "info line", "frame 1", "info line",
        "info line *$pc", "info line", "info line main", "info line *main+4", "frame 0",
        "info line 30", "info line", "info line info_cmds.c:40", "info line"])
    assert out[0] == "No current source file."
    assert "Current source file is tests/programs/info_cmds.c" in out
    assert "Compiled with DWARF 5 debugging format." in out


@needs_gdb
def test_info_proc_like_gdb(prog):
    out = assert_same(prog, ["info proc", "info proc mappings", "break add", "run", "info proc",
                         "info proc mappings", "info proc cmdline", "info proc exe", "info proc cwd",
                         "info proc foo", "info proc c", "info proc mappings 1 2", "info proc 999999"])
    assert "Mapped address spaces:" in out and any(line.endswith("[stack]") for line in out)


@needs_gdb
def test_watch_location_and_info_watchpoints_like_gdb(prog):
    out = assert_same(prog, ["info watchpoints", "break move", "run", "watch -l p->x", "watch g",
                             "rwatch sink", "info watchpoints", "info breakpoints", "continue",
                             "continue", "continue", "info watchpoints", "info watchpoints 2",
                             "info watchpoints 9", "info watchpoints foo", "watch -location",
                             "watch -l 5", "watch 5", "watch -l g+1", "watch -location nosuch"])
    # -l watches the address: it goes on firing in main after move returned
    assert out.count("Hardware watchpoint 2: -location p->x") == 3
    assert "main () at tests/programs/info_cmds.c:51" in out


@needs_gdb
def test_without_a_program_like_gdb(tmp_path):
    cmds = ["info address x", "info symbol 0", "info line 3", "info source", "info proc",
            "info watchpoints", "show args", "show print pretty"]
    ex = [a for c in cmds for a in ("-ex", c)]
    run = dict(stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    theirs = subprocess.run(["gdb", "-nx", "-batch", *ex], **run).stdout
    ours = subprocess.run([sys.executable, "-m", "tdbg.tui.cli", "--batch", *ex], **run).stdout
    assert "Traceback" not in ours
    assert ours.splitlines() == batch_diff.lines(theirs, exits=False)
