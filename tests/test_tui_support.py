"""Shared helpers for the TUI tests (imported by the other test_tui_* files)."""
from __future__ import annotations

import time

from conftest import isolated  # noqa: F401  (the fixture is conftest.py's; kept importable from here)


async def wait_for(pilot, predicate, timeout: float = 8.0, what: str = "condition") -> None:
    """Wait on a fact, not a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


def screen_text(app) -> str:
    """What the screen shows, as plain text (for asserting on what a person sees)."""
    import io

    from rich.console import Console
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system=None, record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def test_wait_for_helper_is_importable():
    assert callable(wait_for)
