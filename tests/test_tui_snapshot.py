"""SVG snapshots of the debugger screen stopped in the demo (pytest-textual-snapshot).

`pytest tests/test_tui_snapshot.py --snapshot-update` rewrites the files under
tests/__snapshots__/ after a deliberate change of the screen; look at them first.

The picture must be the same on every machine of one type, and on every run, so
everything that could vary is pinned rather than masked after the fact:

- ASLR is off (tdbg's default), so code, heap and stack addresses repeat;
- the demo is built and run as `./demo` in a fresh /tmp/tdbg-snap-XXXXXXXX (a
  fixed-length name: the kernel puts the program's path and environment on the
  stack, so their lengths move every stack address the screen shows);
- the program gets a fixed environment (the test's own variables are removed);
- config, state and the symbol cache live in that directory (no cache from an
  earlier run, no user settings);
- paths are shown relative to the working directory (`demo.c`);
- process ids are the one thing that cannot be fixed: the app masks them
  (`mask_pids`), as it would for any screenshot;
- the screenshot is taken once every pane has what it asks for after a stop,
  with no notification on screen.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tdbg.tui.app import make_app

ROOT = Path(__file__).resolve().parents[1]
SIZE = (160, 48)


@pytest.fixture
def pinned(monkeypatch):
    work = Path(tempfile.mkdtemp(prefix="tdbg-snap-", dir="/tmp"))
    shutil.copyfile(ROOT / "demo" / "demo.c", work / "demo.c")
    # the plugin keeps its report data in a directory named by this variable: point it
    # into `work` (a fixed length) and hand the data back to the plugin afterwards
    plugin_dir = os.environ.get("TEXTUAL_SNAPSHOT_TEMPDIR")
    report = work / "report"
    report.mkdir()
    for name in list(os.environ):
        monkeypatch.delenv(name)
    for name, value in {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "XDG_CONFIG_HOME": "cfg",
                        "XDG_STATE_HOME": "state", "XDG_CACHE_HOME": "cache",
                        "TEXTUAL_SNAPSHOT_TEMPDIR": str(report)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(work)
    subprocess.run(["gcc", "-g", "-O0", "demo.c", "-o", "demo"], check=True, capture_output=True)
    yield work
    if plugin_dir and os.path.isdir(plugin_dir):
        for f in report.iterdir():
            shutil.move(str(f), os.path.join(plugin_dir, f.name))
    shutil.rmtree(work, ignore_errors=True)


def unsettled(app, function: str) -> list[str]:
    """What is still missing before the screen is the stop's final picture ([] when none)."""
    main, stop = app.main, app.stop
    if main is None or app.run_state != "stopped" or stop is None or stop.function != function:
        return [f"a stop in {function} (state {app.run_state})"]
    memory, disasm = main.query_one("#memory-view"), main.query_one("#disasm-view")
    checks = {
        "first paint done": app.stop_settled is stop,
        "backtrace": bool(app.backtrace),
        "locals": app.locals is not None and bool(main.query_one("#locals-tree").root.children),
        "memory at $rsp": memory.base is not None and bool(memory.data)
        and memory.anchor == stop.regs["rsp"],
        "disassembly at the pc": any(getattr(v, "addr", None) == stop.pc for _, v in disasm.rows),
        "program output": "sum of squares" in main.query_one("#console").text_seen,
        "no worker busy": not [w.name for w in app.workers if w.is_running and w.group != "bridge"],
    }
    return [name for name, ok in checks.items() if not ok]


async def until_settled(pilot, function: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while missing := unsettled(pilot.app, function):
        assert time.monotonic() < deadline, f"the stop never settled: missing {missing}, workers " \
            f"{[(w.name, w.state.name) for w in pilot.app.workers]}"
        await pilot.pause(0.02)


def test_main_screen_stopped_in_the_demo(pinned, snap_compare):
    os.environ.pop("PYTEST_CURRENT_TEST", None)      # pytest sets it again per phase
    app = make_app(program="demo", commands=["break shape_area", "run"], mask_pids=True)

    async def settle(pilot) -> None:
        await until_settled(pilot, "shape_area")
        app.clear_notifications()
        app.main.focus_pane("source")
        await pilot.pause(0.1)
        await until_settled(pilot, "shape_area")

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=settle)
    finally:
        if app.session is not None:
            app.session.close_sync()


def caller_unsettled(app) -> list[str]:
    """What is still missing before the screen shows frame 1 of the stop in factorial."""
    missing = [m for m in unsettled(app, "factorial")        # these two are frame 0's
               if not m.startswith(("memory", "disassembly"))]
    frame, main = app.frame, app.main
    if frame is None or frame.level != 1 or main is None:
        return missing + ["frame 1 selected"]
    memory = main.query_one("#memory-view")
    checks = {
        "disassembly of frame 1": main.query_one("#disasm").shown_key == frame.key,
        "locals of frame 1": main.query_one("#locals").shown_key == frame.key,
        "registers of frame 1": main.query_one("#registers").shown_key == frame.key,
        "stack highlight": main.query_one("#stack-table").cursor_row == 1,
        "memory at frame 1's $rsp": memory.anchor == frame.regs["rsp"] and bool(memory.data),
    }
    return missing + [name for name, ok in checks.items() if not ok]


def test_main_screen_with_a_caller_frame_selected(pinned, snap_compare):
    """Stopped in factorial(5) called by factorial(6), `frame 1` picked: every pane on the
    caller's frame; in the source ▷ marks its line and ▶ frame 0's, in the disassembly ▷
    the return address and ▶ the pc."""
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    app = make_app(program="demo", commands=["break factorial", "run"], mask_pids=True)

    async def settle(pilot) -> None:
        await until_settled(pilot, "factorial")
        first = app.stop.stop_id
        app.command_pane_run("continue")
        deadline = time.monotonic() + 20
        while app.stop is None or app.stop.stop_id == first:
            assert time.monotonic() < deadline, "continue never stopped"
            await pilot.pause(0.02)
        await until_settled(pilot, "factorial")
        app.command_pane_run("frame 1")
        deadline = time.monotonic() + 20
        while missing := caller_unsettled(app):
            assert time.monotonic() < deadline, f"frame 1 never settled: missing {missing}"
            await pilot.pause(0.02)
        app.clear_notifications()
        app.main.focus_pane("source")
        await pilot.pause(0.1)
        assert not caller_unsettled(app)

    try:
        assert snap_compare(app, terminal_size=SIZE, run_before=settle)
    finally:
        if app.session is not None:
            app.session.close_sync()
