"""The breakpoints pane with thousands of breakpoints: every one is a row, and deleting
one (command line, the pane's `d`) takes its row away while the others stay.

Waits on facts (wait_for), never on sleeps.
"""
from __future__ import annotations

import pytest
from many_lines_program import build as build_many
from test_tui_support import wait_for

from tdbg.backend.session import Session
from tdbg.tui import bpstore
from tdbg.tui.app import make_app

SIZE = (160, 48)
COUNT = 2000
MORE = 40


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    return build_many(tmp_path_factory.mktemp("many_tui"), 600)


def row_ids(table) -> list[int]:
    return [int(str(table.get_row_at(i)[0])) for i in range(table.row_count)]


async def test_pane_lists_thousands_and_follows_changes(isolated, many):
    exe, lines = many
    session = Session(str(exe))
    await session.load()
    for n in lines[:COUNT]:             # before the screen: it starts with them all
        res = await session.execute(f"break many.c:{n}")
        assert res.ok, res.text
    app = make_app(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.main is not None and app.run_state == "idle",
                       timeout=120, what="the program loaded")
        app.main.focus_pane("breakpoints")
        table = app.main.query_one("#breakpoints-table")
        pane = app.main.query_one("#breakpoints")
        want = list(range(1, COUNT + 1))
        await wait_for(pilot, lambda: table.row_count == COUNT and row_ids(table) == want,
                       timeout=120, what=f"{COUNT} rows")
        assert sorted(pane.shown) == want and pane.border_subtitle == str(COUNT)
        assert str(table.get_row_at(COUNT - 1)[2]) == f"many.c:{lines[COUNT - 1]} in f{(COUNT - 1) // 4}"

        # more while the screen shows them: each snapshot (or the newest of several) is taken
        for n in lines[COUNT:COUNT + MORE]:
            app.command_pane_run(f"break many.c:{n}")
        want += range(COUNT + 1, COUNT + MORE + 1)
        await wait_for(pilot, lambda: row_ids(table) == want, timeout=120, what=f"{MORE} rows more")

        # the command line deletes one in the middle
        app.command_pane_run("delete 1000")
        want.remove(1000)
        await wait_for(pilot, lambda: row_ids(table) == want, timeout=120, what="row 1000 gone")
        assert 1000 not in pane.shown and len(app.breakpoints) == len(want)
        # with many breakpoints saving waits a moment to share one write; quitting
        # (shutdown, SIGTERM) writes a waiting save at once
        app.flush_breakpoints()
        saved = bpstore.load(str(exe))
        assert len(saved) == len(want) and f"many.c:{lines[999]}" not in {b.spec for b in saved}

        # the pane's own keys: disable the first row, then delete it
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space")
        await wait_for(pilot, lambda: str(table.get_row_at(0)[1]) == "○" and not app.breakpoints[0].enabled,
                       timeout=120, what="breakpoint 1 disabled")
        await pilot.press("d")
        want.remove(1)
        await wait_for(pilot, lambda: row_ids(table) == want and app.breakpoints[0].id == 2,
                       timeout=120, what="row 1 gone")
        assert pane.border_subtitle == str(len(want))

        # everything at once: the table empties
        app.command_pane_run("delete")
        await wait_for(pilot, lambda: table.row_count == 0 and not app.breakpoints,
                       timeout=120, what="every row gone")
        assert pane.border_subtitle == ""
        await session.close()
