"""The selected frame and the stop snapshot: every pane shows the same frame of the same stop.

- picking a frame by any route (command line `frame N`/`up`/`down`, a stack row, u/d)
  moves source, disassembly, stack highlight, locals and registers together;
- steps faster than a paint end with every pane on the last stop, even when each stop's
  event reaches the app before the resuming call returns (as the worker publishes it).

Lines and addresses come from the source and the Session, never hard-coded.
"""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from test_tui_support import screen_text, wait_for

from tdbg.tui.app import make_app

SIZE = (160, 48)
DEMO = Path(__file__).resolve().parents[1] / "demo" / "demo.c"


def demo_line(text: str) -> int:
    return next(i for i, t in enumerate(DEMO.read_text().splitlines(), 1) if text in t)


@pytest.fixture
def demo(build):
    return str(build("demo"))


def panes(app):
    q = app.main.query_one
    return {name: q(f"#{name}") for name in ("source", "registers", "stack", "locals", "disasm")}


async def assert_frame_shown(pilot, app, level: int) -> None:
    """Every pane shows frame `level` of the current stop, as the Session tells it."""
    session, stop = app.session, app.stop
    frames = await session.frames.backtrace()
    frame = frames[level]
    p = panes(app)
    disasm_view = app.main.query_one("#disasm-view")
    stack_table = app.main.query_one("#stack-table")
    regs_view = app.main.query_one("#registers-view")
    view = p["source"].view
    variables = [(v.name, v.value) for v in await session.data.locals()]
    await wait_for(pilot, lambda: app.frame_level == level and view.cursor == frame.location.line
                   and stack_table.cursor_row == level and regs_view.regs.get("rip") == frame.pc
                   and any(getattr(ins, "addr", None) == frame.pc for _, ins in disasm_view.rows)
                   and [(v.name, v.value) for v in app.locals or ()] == variables,
                   what=f"frame {level} in the source, stack, registers, disassembly and locals")
    # source: the view is on the frame's line; ▶ stays on frame 0's, ▷ marks a caller's
    assert view.cursor == frame.location.line
    assert view.pc_line == stop.location.line
    assert view.frame_line == (frame.location.line if level else None)
    # disassembly: around the frame's pc, which is marked (a return address above frame 0)
    rows = [ins for kind, ins in disasm_view.rows if kind == "insn"]
    assert any(ins.addr == frame.pc for ins in rows)
    assert disasm_view.frame_pc == (frame.pc if level else None) and disasm_view.pc == stop.pc
    # on the screen (once scrolled into view): ▷ on the source line and the instruction
    if level:
        await wait_for(pilot, lambda: f"▷{frame.location.line}" in screen_text(app).replace(" ", "")
                       and f"▷ {frame.pc:#x}" in screen_text(app), what="the ▷ marks")
    else:
        assert "▷" not in screen_text(app)
    # stack: that row highlighted
    assert stack_table.cursor_row == level and p["stack"].shown_stop_id == stop.stop_id
    # locals: the frame's own variables
    tree = app.main.query_one("#locals-tree")
    assert [n.data["var"].name for n in tree.root.children] == [name for name, _ in variables]
    # registers: the frame's (unwound) ones, and the title says so
    regs = await session.frames.registers(sse=False)
    assert regs_view.regs == regs and regs_view.regs["rip"] == frame.pc
    title = str(p["registers"].border_title)
    assert title.endswith(f"(frame {level})") if level else "(frame" not in title
    # the status line names the frame
    status = str(app.main.query_one("#status").render())
    assert (f"frame {level}:" in status) == bool(level)
    # all of it from one snapshot
    key = app.frame.key
    assert p["source"].shown_key == key and p["registers"].shown_key == key


async def test_every_route_to_a_frame_moves_every_pane(isolated, demo):
    call = demo_line("int f = factorial(6);")
    recurse = demo_line("return n * factorial(n - 1);")
    app = make_app(program=demo, commands=["break factorial", "run"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.function == "factorial",
                       timeout=15)
        await pilot.press("c")                       # factorial(5): frames 0 and 1 in factorial
        await wait_for(pilot, lambda: app.stop.stop_id > 1 and app.backtrace and len(app.backtrace) == 3)
        await assert_frame_shown(pilot, app, 0)
        # the command line, in the backend's own language
        app.command_pane_run("frame 2")
        await assert_frame_shown(pilot, app, 2)
        assert app.frame_location.line == call
        app.command_pane_run("up")                   # main is the outermost: refused, nothing moves
        log = app.main.query_one("#command-log")
        await wait_for(pilot, lambda: any("cannot go up" in str(line.text) for line in log.lines))
        await assert_frame_shown(pilot, app, 2)
        app.command_pane_run("down")
        await assert_frame_shown(pilot, app, 1)
        assert app.frame_location.line == recurse
        # a click on a stack row
        table = app.main.query_one("#stack-table")
        await pilot.click("#stack-table", offset=(3, 1))     # row 0 (the header is line 0)
        await assert_frame_shown(pilot, app, 0)
        # keys: u and d anywhere, the cursor keys in the stack pane
        app.main.focus_pane("source")
        await pilot.press("u")
        await assert_frame_shown(pilot, app, 1)
        await pilot.press("u")
        await assert_frame_shown(pilot, app, 2)
        await pilot.press("d")
        await assert_frame_shown(pilot, app, 1)
        table.focus()
        await pilot.press("up")
        await assert_frame_shown(pilot, app, 0)
        await pilot.press("down", "down")
        await assert_frame_shown(pilot, app, 2)
        # the backend agrees with what is shown
        assert (await app.session.frames.frame_text()).startswith("#2 ")
        # the next stop is frame 0 again, everywhere
        await pilot.press("f10")
        await wait_for(pilot, lambda: app.stop.stop_id > 2, what="the step")
        await assert_frame_shown(pilot, app, 0)
        await app.session.close()


def slow_resume_return(session, delay: float = 0.04) -> None:
    """Widen a real window: the worker publishes a stop's event, then returns from the
    resuming call; until the loop sees that return the Session refuses calls (Running).
    Here every resuming call returns `delay` late, so every stop lands in that window."""
    link = session.link
    call = link.call

    async def late(fn):
        resuming = link.running
        result = await call(fn)
        if resuming:
            await asyncio.sleep(delay)
        return result
    link.call = late


async def settled(pilot, app, quiet: float = 0.4, timeout: float = 30.0) -> None:
    """No step running or queued, no fetch busy, and the stop unchanged for `quiet` seconds
    (not "the panes caught up": that is what is asserted)."""
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while True:
        busy = [w for w in app.workers if w.is_running and w.group != "bridge"]
        lock = app._control_lock
        stop_id = app.stop.stop_id if app.stop else None
        if busy or (lock is not None and lock.locked()) or app.session.state != "stopped" \
                or stop_id != last:
            last, since = stop_id, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        assert time.monotonic() < deadline, f"never settled: {[w.name for w in busy]}"
        await pilot.pause(0.02)


async def test_fast_steps_end_with_every_pane_on_the_last_stop(isolated, demo):
    start = demo_line("signal(SIGUSR1, on_usr1);")
    app = make_app(program=demo, commands=[f"break {start}", "run"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.location.line == start,
                       timeout=15)
        slow_resume_return(app.session)
        first = app.stop.stop_id
        # keys at the terminal's pace, then bursts faster than a paint
        for key in ("f10", "f10", "f11", "f7", "f10", "f10"):
            await pilot.press(key)
        await settled(pilot, app)
        for action in ("next", "step", "stepi", "next", "next", "stepi", "next", "next"):
            getattr(app, f"action_{action}")()
        await settled(pilot, app)
        for _ in range(3):
            app.action_next()
            await pilot.pause(0.03)
        await settled(pilot, app)
        stop = app.stop
        assert stop.stop_id > first + 3
        p = panes(app)
        # each pane shows that stop's pc and line
        assert p["source"].view.pc_line == stop.location.line
        regs = app.main.query_one("#registers-view")
        assert regs.regs["rip"] == stop.pc
        frames = await app.session.frames.backtrace()
        assert tuple(p["stack"].frames) == tuple(frames) and p["stack"].frames[0].pc == stop.pc
        table = app.main.query_one("#stack-table")
        assert str(table.get_row_at(0)[2]) == stop.location.short()
        disasm = app.main.query_one("#disasm-view")
        assert disasm.pc == stop.pc
        # the disassembly's marker is on screen once it has painted (later under load)
        await wait_for(pilot, lambda: any(f"▶ {stop.pc:#x}" in line
                                          for line in screen_text(app).splitlines()))
        variables = await app.session.data.locals()
        assert [(v.name, v.value) for v in app.locals] == [(v.name, v.value) for v in variables]
        shown = {n.data["var"].name: n.data["var"].value
                 for n in app.main.query_one("#locals-tree").root.children}
        assert shown == {v.name: v.value for v in variables}
        status = str(app.main.query_one("#status").render())
        assert f"stopped at {stop.location.short()}" in status
        # all from that one stop
        for name, pane in p.items():
            assert pane.shown_stop_id == stop.stop_id, (name, pane.shown_stop_id, stop.stop_id)
        assert app.main.query_one("#memory-view").shown_stop_id == stop.stop_id
        await app.session.close()
