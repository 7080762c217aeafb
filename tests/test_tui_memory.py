"""The memory pane follows its expression at every stop, like gdb's `display`."""
from __future__ import annotations

from pathlib import Path

from test_tui_support import screen_text, wait_for

from tdbg.tui.app import make_app
from tdbg.tui.panes.memory import parse_address
from tdbg.tui.prompt import PromptScreen

SIZE = (160, 48)
DEMO = Path(__file__).resolve().parents[1] / "demo" / "demo.c"


def demo_line(text: str) -> int:
    return next(i for i, t in enumerate(DEMO.read_text().splitlines(), 1) if text in t)


async def value_of(app, expr: str) -> int:
    return parse_address(await app.session.data.evaluate(expr))


async def test_memory_pane_follows_its_expression(isolated, build):
    app = make_app(program=str(build("demo")), start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped")
        mem = app.main.query_one("#memory-view")
        pane = app.main.query_one("#memory")
        # nothing chosen yet: the view follows the stack pointer
        await wait_for(pilot, lambda: mem.cursor == app.stop.regs["rsp"] and mem.data)
        assert mem.expr == "$rsp" and pane.border_subtitle == f"$rsp = {app.stop.regs['rsp']:#x}"
        loop = demo_line("sum += n->value;")
        app.command_pane_run(f"break {loop}")
        await wait_for(pilot, lambda: app.breakpoints)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.location.line == loop)
        await wait_for(pilot, lambda: mem.cursor == app.stop.regs["rsp"], what="$rsp followed")
        # go to `n` (a list node): every stop moves the view to the next node
        mem.focus()
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("n", "enter")
        first = await value_of(app, "n")
        await wait_for(pilot, lambda: mem.cursor == first and mem.data.get(first) is not None)
        seen = [first]
        for _ in range(2):
            stop_id = app.stop.stop_id
            await pilot.press("c")
            await wait_for(pilot, lambda stop_id=stop_id: app.run_state == "stopped"
                           and app.stop.stop_id != stop_id)
            now = await value_of(app, "n")
            await wait_for(pilot, lambda now=now: mem.cursor == now and mem.data.get(now) is not None,
                           what="the view follows n")
            assert pane.border_subtitle == f"n = {now:#x}"
            seen.append(now)
        assert len(set(seen)) == 3                  # three different nodes
        # n->value is the first int of the node: the bytes shown are the node's
        value = int(await app.session.data.evaluate("n->value"))
        assert mem.data[seen[-1]] == value & 0xFF
        # a user's scroll is kept relative to the expression
        await pilot.press("down")
        assert mem.cursor == seen[-1] + mem.per_row
        stop_id = app.stop.stop_id
        await pilot.press("c")
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.stop_id != stop_id)
        now = await value_of(app, "n")
        await wait_for(pilot, lambda: mem.anchor == now and mem.cursor == now + mem.per_row)
        # out of n's scope: the view stays put and says why, in one line
        kept = mem.anchor
        app.command_pane_run("delete")
        await wait_for(pilot, lambda: not app.breakpoints)
        stop_id = app.stop.stop_id
        await pilot.press("f")                      # finish: back in main, no `n` there
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.stop_id != stop_id)
        note = app.main.query_one("#memory-note")
        await wait_for(pilot, lambda: note.display, what="the note")
        assert mem.anchor == kept and mem.expr == "n"
        text = str(note.render())
        assert "\n" not in text.strip() and f"still showing {kept:#x}" in text and 'No symbol "n"' in text
        assert "still showing" in screen_text(app)
        # a plain address stays where it is
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*f"{kept:#x}", "enter")
        await wait_for(pilot, lambda: mem.expr is None and not note.display)
        stop_id = app.stop.stop_id
        await pilot.press("f10")
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.stop_id != stop_id)
        await pilot.pause(0.1)
        assert mem.anchor == kept and mem.cursor == kept
        await app.session.close()
