"""`return` typed in the TUI's command line asks first, in the y/n dialog (gdb's query,
session.confirm set by tui/app.py): no keeps the frame, yes pops it and every pane
follows the new frame 0."""
from __future__ import annotations

from test_tui_support import screen_text, wait_for

from tdbg.tui.app import make_app
from tdbg.tui.prompt import ConfirmScreen

SIZE = (160, 48)


def log_text(app) -> str:
    """The command pane's lines (cheaper to poll than the whole screen)."""
    return "\n".join(strip.text for strip in app.main.query_one("#command-log").lines)


async def test_return_asks_in_a_dialog(isolated, build):
    app = make_app(program=str(build("flow_calls")), start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.function == "main")
        app.command_pane_run("break add")
        await wait_for(pilot, lambda: len(app.breakpoints) == 1)
        app.command_pane_run("continue")
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.function == "add")
        stop = app.stop
        app.command_pane_run("return 42")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen._question == "Make add return now?"
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is app.main)
        await wait_for(pilot, lambda: "Not confirmed" in log_text(app))
        assert app.stop is stop
        app.command_pane_run("return 42")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.stop is not stop and app.stop.function == "main")
        await wait_for(pilot, lambda: app.frame is not None and app.frame.function == "main")
        # the new frame, as gdb shows it: in the stop, then in the log (painted later)
        await wait_for(pilot, lambda: "#0  0x" in (app.stop.message or ""))
        await wait_for(pilot, lambda: "#0  0x" in log_text(app), timeout=20)
        popped = app.stop
        app.command_pane_run("next")
        await wait_for(pilot, lambda: app.stop is not popped and app.run_state == "stopped")
        app.command_pane_run("print r")
        await wait_for(pilot, lambda: "= 42" in log_text(app))
        assert "Make add return now?" not in screen_text(app)
        await app.session.close()
