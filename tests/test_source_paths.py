"""Sources that are not where the debug info says, or changed since the build (issue 12):
gdb's "FILE: No such file or directory." once then "in FILE", `directory DIR` (and
`set/show directories`) finding the moved file, "warning: Source file is more recent than
executable." once per file, and `list FIRST,LAST`. Diffed against gdb 13."""
from __future__ import annotations

import os
import shutil
import subprocess
import time

import batch_diff
import pytest
from conftest import find_source, needs_gdb

pytestmark = needs_gdb


def assert_same(binary, commands, cwd) -> str:
    return "\n".join(batch_diff.assert_same(binary, commands, cwd=cwd, strip=False))


@pytest.fixture
def moved(tmp_path):
    """step_flow.c built in build/ by its relative name, then moved to elsewhere/."""
    build, elsewhere = tmp_path / "build", tmp_path / "elsewhere"
    build.mkdir()
    elsewhere.mkdir()
    shutil.copy(find_source("step_flow"), build / "moved.c")
    subprocess.run(["gcc", "-g", "-O0", "moved.c", "-o", str(tmp_path / "moved")], cwd=build,
                   check=True)
    (build / "moved.c").rename(elsewhere / "moved.c")
    return tmp_path


def test_a_missing_source_is_said_once_then_in_file(moved):
    ours = assert_same(moved / "moved", ["break main", "run", "next", "next", "frame", "list",
                                         "info source"], moved)
    assert ours.count("moved.c: No such file or directory.") == 1


def test_directory_finds_the_moved_source(moved):
    ours = assert_same(moved / "moved", [
        "directory /nonexistent-dir", "show directories", f"directory {moved}:/usr",
        f"directory {moved}", "show directories", "directory", "show directories",
        "set directories /nope-a:/nope-b", "show directories", "directory",
        "break main", f"directory {moved / 'elsewhere'}", "run", "list 1,3", "info source"],
        moved)
    assert f"Located in {moved / 'elsewhere' / 'moved.c'}" in ours


def test_a_source_newer_than_the_program_is_warned_about_once(moved):
    src = moved / "elsewhere" / "moved.c"
    later = time.time() + 5
    os.utime(src, (later, later))
    ours = assert_same(moved / "moved", [f"directory {moved / 'elsewhere'}", "break main", "run",
                                         "next", "list", "frame"], moved)
    assert ours.count("warning: Source file is more recent than executable.") == 1
