"""The `?` help dialog: every binding of the key table, nothing written by hand, and no
scrollbar drawn inside the dialog."""
from __future__ import annotations

import io

import pytest
from rich.console import Console
from test_tui_support import screen_text, wait_for

from tdbg.tui import keymap
from tdbg.tui.app import make_app
from tdbg.tui.help_screen import HelpScreen

SIZE = (160, 48)
BAR_GLYPHS = set("▁▂▃▄▅▆▇█▀▔▕▏")       # scrollbar thumbs (and the dialog's own border)


@pytest.fixture
def demo(build):
    return str(build("demo"))


def plain(renderable, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(renderable)
    return console.export_text()


def dialog_interior(app) -> list[str]:
    """The help dialog's inside (its border excluded), as text."""
    dialog = app.screen.query_one(".dialog")
    r = dialog.region
    lines = screen_text(app).splitlines()
    return [line[r.x + 1:r.right - 1] for line in lines[r.y + 1:r.bottom - 1]]


async def test_help_lists_every_binding_and_no_stray_scrollbar(isolated, demo):
    app = make_app(program=demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.main is not None and app.run_state == "idle")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        # the dialog's inside shows no scrollbar, wherever it is scrolled to
        for _ in range(6):
            await pilot.pause()
            inside = dialog_interior(app)
            assert not [line for line in inside if BAR_GLYPHS & set(line)], "\n".join(inside)
            await pilot.press("pagedown")
        assert "until" in screen_text(app)            # the commands table's end came into view
        keys = app.screen.query_one("#help-keys")
        text = plain(keys.content, 120)
        rows = [line for line in text.splitlines()[1:] if line.strip()]
        bindings = [(s, b) for s, bs in keymap.SECTIONS for b in bs]
        # one row per binding, then one per mouse gesture: nothing else
        assert len(rows) == len(bindings) + len(keymap.MOUSE)
        for row, (section, b) in zip(rows, bindings, strict=False):
            assert row.split()[0] == section.split()[0]
            assert keymap.key_label(b.key) in row and keymap.what(b) in row, (row, b)
        for n, title in keymap.PANES.values():
            if n:
                assert f"Go to the {title} pane" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        await app.session.close()


async def test_palette_shows_and_hides_panes(isolated, demo):
    app = make_app(program=demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.main is not None and app.run_state == "idle")
        threads = app.main.query_one("#threads")
        assert threads.has_class("-hidden")
        await pilot.press("ctrl+p")
        await pilot.press(*"Show/hide the Threads")
        await wait_for(pilot, lambda: "v then 1" in screen_text(app), what="the palette's entry")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.main and not threads.has_class("-hidden"))
        await app.session.close()
