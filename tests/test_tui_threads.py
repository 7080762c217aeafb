"""The threads pane (1) and the memory map pane (0) over real tracees."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_tui_support import screen_text, wait_for

from tdbg.tui.app import make_app

SIZE = (160, 48)
ROOT = Path(__file__).resolve().parents[1]


def line_of(path: Path, text: str) -> int:
    return next(i for i, t in enumerate(path.read_text().splitlines(), 1) if text in t)


def stopped_in(app, fn: str) -> bool:
    return app.run_state == "stopped" and (app.stop.function or "").split("+")[0] == fn


def table_rows(table) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


@pytest.fixture
def panes_prog(build):
    return str(build("thr_panes"))


async def test_threads_pane_lists_and_switches_threads(isolated, panes_prog):
    src = ROOT / "tests" / "programs" / "thr_panes.c"
    spin_line = line_of(src, "while (!go) spins[id]++;")
    app = make_app(program=panes_prog, commands=["break all_parked", "run"])
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: stopped_in(app, "all_parked"), timeout=15)
        pane = app.main.query_one("#threads")
        assert pane.has_class("-hidden") and pane.fetches == 0      # hidden: costs nothing
        app.main.focus_pane("source")
        await pilot.press("1")
        table = app.main.query_one("#threads-table")
        await wait_for(pilot, lambda: table.row_count == 4, what="main + 3 workers")
        rows = table_rows(table)
        by_tid = {int(r[2]): r for r in rows}
        main_tid = app.stop.tid
        # the stopping thread: marked current, its state is why the program stopped
        assert by_tid[main_tid][0] == "*" and by_tid[main_tid][4] == "breakpoint"
        assert by_tid[main_tid][5].startswith("all_parked (thr_panes.c:")
        workers = [r for r in rows if r[3].startswith("worker-")]
        assert sorted(r[3] for r in workers) == ["worker-0", "worker-1", "worker-2"]
        for r in workers:
            assert r[0] == "" and r[4] == "stopped"
            assert r[5] == f"worker_wait (thr_panes.c:{spin_line})", r
        # the tids are the kernel's: /proc agrees
        assert sorted(by_tid) == sorted(int(t) for t in os.listdir(f"/proc/{app.session.pid}/task"))
        assert "worker-1" in screen_text(app)
        # moving the cursor to a worker switches to it: source, registers, stack follow
        target = next(i for i, r in enumerate(rows) if r[3] == "worker-1")
        worker_tid = int(rows[target][2])
        table.focus()
        table.move_cursor(row=target)
        await wait_for(pilot, lambda: app.selected_thread is not None
                       and app.selected_thread.tid == worker_tid, what="thread switch")
        view = app.main.query_one("#source").view
        await wait_for(pilot, lambda: view.pc_line == spin_line, what="source follows the thread")
        regs = app.main.query_one("#registers-view")
        await wait_for(pilot, lambda: regs.regs.get("rip") == app.selected_thread.pc)
        assert app.selected_thread.pc != app.stop.pc
        await wait_for(pilot, lambda: app.backtrace and app.backtrace[0].function == "worker_wait")
        await wait_for(pilot, lambda: table_rows(table)[target][0] == "*", what="current mark moved")
        assert (await app.session.execute("thread")).text.startswith(f"[Current thread is {rows[target][1]} ")
        # `thread 1` on the command line: the panes follow back to main
        app.command_pane_run("thread 1")
        await wait_for(pilot, lambda: app.selected_thread is not None and app.selected_thread.tid == main_tid)
        await wait_for(pilot, lambda: (app.frame_location.function or "") == "all_parked")
        await wait_for(pilot, lambda: regs.regs.get("rip") == app.stop.pc)
        # the program still runs to its end from here
        await pilot.press("c")
        await wait_for(pilot, lambda: app.run_state == "exited", timeout=15)
        await wait_for(pilot, lambda: table.row_count == 0)
        await app.session.close()


def proc_maps(pid: int) -> list[tuple[int, int, str, str]]:
    out = []
    for line in open(f"/proc/{pid}/maps"):
        parts = line.split(maxsplit=5)
        lo, hi = (int(x, 16) for x in parts[0].split("-"))
        out.append((lo, hi, parts[1], parts[5].strip() if len(parts) > 5 else ""))
    return out


async def test_maps_pane_shows_proc_maps_and_refreshes(isolated, build):
    demo = str(build("demo"))
    after_pushes = line_of(ROOT / "demo" / "demo.c", 'printf("sum of squares below')
    app = make_app(program=demo, start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: stopped_in(app, "main"), timeout=15)
        pane = app.main.query_one("#maps")
        assert pane.fetches == 0
        app.main.focus_pane("source")
        await pilot.press("0")
        table = app.main.query_one("#maps-table")
        await wait_for(pilot, lambda: table.row_count > 0 and pane.fetches == 1)

        def shown():
            return [(int(r[1], 16), int(r[2], 16), r[3], r[5]) for r in table_rows(table)]

        def expected():
            return [(lo, hi, perms, path.rsplit("/", 1)[-1] if path.startswith("/") else path)
                    for lo, hi, perms, path in proc_maps(app.session.pid)]
        pid = app.session.pid
        names = [(lo, hi, p, n.rsplit("/", 1)[-1]) for lo, hi, p, n in shown()]
        assert names == expected()
        pc_rows = [r for r in table_rows(table) if r[0] == "▶"]
        assert len(pc_rows) == 1 and pc_rows[0][3] == "r-xp"
        assert os.path.basename(pc_rows[0][5]) == os.path.basename(demo)
        assert int(pc_rows[0][1], 16) <= app.stop.pc < int(pc_rows[0][2], 16)
        assert any(r[5] == "[stack]" for r in table_rows(table))
        assert any("libc" in r[5] for r in table_rows(table))
        # the next stop re-reads the map: malloc has made a heap by then
        app.command_pane_run(f"break {after_pushes}")
        await wait_for(pilot, lambda: app.breakpoints)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.location.line == after_pushes)
        await wait_for(pilot, lambda: pane.fetches == 2 and any(r[5] == "[heap]" for r in table_rows(table)))
        names = [(lo, hi, p, n.rsplit("/", 1)[-1]) for lo, hi, p, n in shown()]
        assert names == expected() and app.session.pid == pid
        await app.session.close()
