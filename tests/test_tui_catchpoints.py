"""Catchpoints in the TUI: the breakpoints pane lists them (what they catch, hits), a
catchpoint stop reads like a breakpoint stop in the command pane, and the pane's keys
disable and delete them, over tests/programs/catch_events.c."""
from __future__ import annotations

import pytest
from test_tui_support import screen_text, wait_for

from tdbg.tui.app import make_app

SIZE = (160, 48)


@pytest.fixture
def prog(build):
    return str(build("catch_events"))


def rows(table) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_catchpoint_rows_and_stop(isolated, prog):
    app = make_app(program=prog, args=["write"], commands=["catch syscall write", "catch fork", "run"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop is not None,
                       timeout=20, what="the catchpoint stop")
        assert app.stop.breakpoint_id == 1
        assert "Catchpoint 1 (call to syscall write), " in app.stop.message
        table = app.main.query_one("#breakpoints-table")
        await wait_for(pilot, lambda: [r[2] for r in rows(table)] == ['catch syscall "write"', "catch fork"],
                       what="both catchpoints listed", timeout=20)
        await wait_for(pilot, lambda: rows(table)[0][4] == "1", what="the hit counted", timeout=20)
        await wait_for(pilot, lambda: "Catchpoint 1 (call to syscall write)" in screen_text(app)
                       and 'catch syscall "write"' in screen_text(app), timeout=20,
                       what="the stop in the command pane, the row in the breakpoints pane")
        # space disables the catchpoint; the program then runs to its end without stopping
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space")
        await wait_for(pilot, lambda: not app.breakpoints[0].enabled, what="disabled", timeout=20)
        assert not app.session.dbg.target.inf.trace_syscalls
        await pilot.press("d")
        await wait_for(pilot, lambda: len(app.breakpoints) == 1, what="deleted", timeout=20)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.run_state == "exited", timeout=20, what="the program's end")
