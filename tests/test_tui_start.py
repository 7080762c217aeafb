"""`tdbg` alone: the start screen lists processes, filters them, explains refusals."""
from __future__ import annotations

import subprocess

from test_tui_support import wait_for

from tdbg.tui import config
from tdbg.tui.app import make_app
from tdbg.tui.main_screen import MainScreen
from tdbg.tui.start_screen import StartScreen


async def test_process_picker_lists_and_filters(isolated):
    child = subprocess.Popen(["sleep", "60"])
    try:
        config.add_recent("/bin/true", ["x"])
        app = make_app()
        async with app.run_test(size=(160, 48)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, StartScreen))
            screen = app.screen
            await wait_for(pilot, lambda: len(screen.procs) > 2, what="process list")
            assert any(p.pid == child.pid and p.traceable for p in screen.procs)
            me = next(p for p in screen.procs if p.reason and "tdbg itself" in p.reason)
            assert me.fix
            recent = screen.query_one("#start-recent")
            assert "/bin/true" in str(recent.get_option_at_index(0).prompt)
            screen.query_one("#start-filter").focus()
            await pilot.press(*str(child.pid))
            await wait_for(pilot, lambda: screen.shown and screen.shown[0].pid == child.pid)
            table = screen.query_one("#start-procs")
            assert table.row_count >= 1
            await pilot.press(*"zzzqqqxxx")
            await wait_for(pilot, lambda: not screen.shown and table.row_count == 0)
            # picking a process we cannot trace explains why instead of failing
            screen._attach_process(me)
            assert isinstance(app.screen, StartScreen)
    finally:
        child.kill()
        child.wait()


async def test_open_program_from_start_screen(isolated, build):
    demo = str(build("demo"))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, StartScreen))
        app.screen.query_one("#start-path").focus()
        await pilot.press(*demo, "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen) and app.run_state == "idle")
        assert config.load_recent()[0]["path"].endswith(demo.rsplit("/", 1)[-1])
        await app.session.close()
