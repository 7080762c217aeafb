"""The debugger screen over a real tracee (demo.c): keys, gutter clicks, panes.

Every test waits on facts (wait_for), never on fixed sleeps.
"""
from __future__ import annotations

import os
import subprocess
import textwrap

import pytest
from test_tui_support import screen_text, wait_for
from textual.notifications import Notify

from tdbg.backend.session import Session
from tdbg.tui import config
from tdbg.tui.app import make_app
from tdbg.tui.help_screen import HelpScreen
from tdbg.tui.messages import DebuggeeResumed, DebuggeeStopped
from tdbg.tui.pane_picker import PanePicker
from tdbg.tui.prompt import ConfirmScreen, PromptScreen

SIZE = (160, 48)


def demo_line(text: str) -> int:
    """1-based line of demo.c holding text (never hard-code a line number)."""
    from pathlib import Path
    src = Path(__file__).resolve().parents[1] / "demo" / "demo.c"
    for i, line in enumerate(src.read_text().splitlines(), 1):
        if text in line:
            return i
    raise LookupError(text)


@pytest.fixture
def demo(build):
    return str(build("demo"))


def source(app):
    return app.main.query_one("#source")


def loaded(app) -> bool:
    return app.main is not None and source(app).view.path is not None and app.run_state == "idle"


def stopped_at(app, line: int) -> bool:
    return (app.run_state == "stopped" and app.stop is not None and app.stop.location is not None
            and app.stop.location.line == line)


def notes(seen) -> list[str]:
    return [str(m.notification.message) for m in seen if isinstance(m, Notify)]


async def click_gutter(pilot, app, line: int) -> None:
    view = source(app).view
    view.goto(line, center=True)
    await pilot.pause()
    row = line - 1 - int(view.scroll_y)
    await pilot.click("#source-view", offset=(0, row))


async def test_gutter_click_sets_breakpoint_that_is_hit(isolated, demo):
    seen: list = []
    app = make_app(program=demo)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="main's source")
        line = demo_line("box.area = shape_area(&box);")
        await click_gutter(pilot, app, line)
        await wait_for(pilot, lambda: any(b.location and b.location.line == line for b in app.breakpoints),
                       what="breakpoint in the table")
        assert source(app).view.marks.get(line) == "enabled"
        # a line without code: the breakpoint moves and says so
        blank = demo_line("int f = factorial(6);") - 1
        assert not source(app).read(source(app).view.path)[blank - 1].strip()
        await click_gutter(pilot, app, blank)
        await wait_for(pilot, lambda: source(app).view.marks.get(blank + 1) == "enabled",
                       what="the breakpoint moved to the next line with code")
        assert any(f"line {blank}" in n and str(blank + 1) in n for n in notes(seen)), notes(seen)
        await pilot.press("f5")
        await wait_for(pilot, lambda: stopped_at(app, line), what="the breakpoint hit")
        view = source(app).view
        assert view.pc_line == line and view.scroll_y <= line - 1 < view.scroll_y + view.size.height
        text = screen_text(app)
        assert f"▶{line}" in text.replace(" ", "") and "shape_area(&box)" in text
        assert any(isinstance(m, DebuggeeStopped) for m in seen)


async def test_every_debugger_key(isolated, demo):
    seen: list = []
    app = make_app(program=demo)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        view = source(app).view
        call = demo_line("int f = factorial(6);")
        after = demo_line('printf("6! = %d\\n", f);')
        # F9 / b toggle at the cursor line
        view.goto(call)
        await pilot.press("f9")
        await wait_for(pilot, lambda: view.marks.get(call) == "enabled")
        await pilot.press("b")
        await wait_for(pilot, lambda: call not in view.marks)
        await pilot.press("b")
        await wait_for(pilot, lambda: view.marks.get(call) == "enabled")
        # F5 runs (not started yet), stops on the breakpoint
        await pilot.press("f5")
        await wait_for(pilot, lambda: stopped_at(app, call))
        # F11 steps into factorial, Shift+F11 finishes back to main
        await pilot.press("f11")
        await wait_for(pilot, lambda: app.stop.function and app.stop.function.startswith("factorial"))
        await wait_for(pilot, lambda: app.backtrace and len(app.backtrace) >= 2, what="backtrace")
        await pilot.press("shift+f11")
        await wait_for(pilot, lambda: app.stop.function and app.stop.function.startswith("main")
                       and app.stop.location.line == call)
        # F10 next, F7 stepi
        await pilot.press("f10")
        await wait_for(pilot, lambda: stopped_at(app, after))
        pc = app.stop.pc
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.stop.pc != pc)
        # c continues: the demo raises SIGUSR1 (a signal stop, with a banner), then exits
        await pilot.press("c")
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.reason == "signal")
        assert "SIGUSR1" in str(app.main.query_one("#banner").render())
        await pilot.press("c")
        await wait_for(pilot, lambda: app.run_state == "exited")
        banner = app.main.query_one("#banner")
        assert banner.display and "exited normally" in str(banner.render())
        # r runs again with the same breakpoints; the letter keys step too
        await pilot.press("r")
        await wait_for(pilot, lambda: stopped_at(app, call))
        assert not app.main.query_one("#banner").display
        await pilot.press("s")
        await wait_for(pilot, lambda: app.stop.function.startswith("factorial"))
        await pilot.press("f")
        await wait_for(pilot, lambda: app.stop.function.startswith("main"))
        await pilot.press("n")
        await wait_for(pilot, lambda: stopped_at(app, after))
        pc = app.stop.pc
        await pilot.press("i")
        await wait_for(pilot, lambda: app.stop.pc != pc)
        # r while stopped restarts
        pid = app.session.pid
        await pilot.press("r")
        await wait_for(pilot, lambda: stopped_at(app, call) and app.session.pid != pid)
        # ? help and back
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Shift+F11" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
        # : focuses the command line; pressed there again it types nothing, but a colon
        # inside a command is text
        cmd = app.main.query_one("#command-input")
        await pilot.press("colon")
        await wait_for(pilot, lambda: app.focused is cmd)
        await pilot.press("colon", "colon")
        assert cmd.value == ""
        await pilot.press(*"list demo.c", "colon", "1")
        assert cmd.value == "list demo.c:1"
        cmd.value = ""
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is view)
        # Tab / Shift+Tab walk the panes
        await pilot.press("tab")
        first = app.main.current_pane()
        assert first is not None and first.id != "source"
        await pilot.press("shift+tab")
        await wait_for(pilot, lambda: app.main.current_pane().id == "source")
        # a digit goes to its pane, as its title ("6 Memory") says; v then the digit hides
        # and shows it
        memory = app.main.query_one("#memory")
        await pilot.press("6")
        await wait_for(pilot, lambda: app.main.current_pane() is memory)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, PanePicker))
        assert "6 Memory" in screen_text(app).replace("  ", " ")
        await pilot.press("6")
        await wait_for(pilot, lambda: app.screen is app.main and memory.has_class("-hidden"))
        assert app.focused is view                                      # focus left it
        await pilot.press("v", "escape")                                # Esc: nothing changes
        await wait_for(pilot, lambda: app.screen is app.main)
        assert memory.has_class("-hidden")
        await pilot.press("6")                                          # hidden: shown and focused
        await wait_for(pilot, lambda: not memory.has_class("-hidden")
                       and app.main.current_pane() is memory)
        await pilot.press("v", "6")
        await wait_for(pilot, lambda: memory.has_class("-hidden"))
        await pilot.press("v", "6")
        await wait_for(pilot, lambda: not memory.has_class("-hidden"))
        for n in "2345789":
            app.main.focus_pane("source")       # digits typed in an input are text
            await pilot.press(n)
            await wait_for(pilot, lambda n=n: app.main.current_pane().number == n)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.focused is view)
        # threads (1) and the memory map (0) start hidden; their digits show them
        assert app.main.query_one("#threads").has_class("-hidden")
        assert app.main.query_one("#maps").has_class("-hidden")
        for n, pane in (("1", "threads"), ("0", "maps")):
            app.main.focus_pane("source")
            await pilot.press(n)
            await wait_for(pilot, lambda pane=pane: app.main.current_pane().id == pane)
        assert not any(p.has_class("-hidden") for p in app.main.query(".pane"))
        await pilot.press("escape")                # Esc: back to the source from any pane
        await wait_for(pilot, lambda: app.focused is view)
        # q asks while the program lives; y kills it and quits
        tracee = app.session.pid
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, timeout=10)
    assert not os.path.exists(f"/proc/{tracee}") or "zombie" in open(f"/proc/{tracee}/status").read().lower() \
        or "Z" in open(f"/proc/{tracee}/stat").read().split()[2]


SPIN = textwrap.dedent("""
    #include <unistd.h>
    volatile long counter;
    int main(void) { for (;;) { counter++; usleep(1000); } }
""")


async def test_ctrl_c_interrupts_a_running_program(isolated, tmp_path):
    src = tmp_path / "spin.c"
    src.write_text(SPIN)
    exe = tmp_path / "spin"
    subprocess.run(["gcc", "-g", "-O0", str(src), "-o", str(exe)], check=True)
    app = make_app(program=str(exe))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.run_state == "running")
        await pilot.press("f5")                      # a second continue is refused politely
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.reason == "interrupted")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is app.main)
        await app.session.close()


async def test_panes_follow_a_stop(isolated, demo):
    app = make_app(program=demo, start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.function.startswith("main"))
        line = demo_line("int f = factorial(6);")
        app.command_pane_run(f"break {line}")
        await wait_for(pilot, lambda: any(b.location and b.location.line == line for b in app.breakpoints))
        await pilot.press("c")
        await wait_for(pilot, lambda: stopped_at(app, line))
        await wait_for(pilot, lambda: app.locals and any(v.name == "box" for v in app.locals))
        text = screen_text(app)
        assert "rip" in text and "eflags" in text and "[ " in text          # registers
        assert f"demo.c:{line}" in text                                        # stack + breakpoints
        assert "box: struct shape" in text                                     # locals
        # the breakpoints pane: space disables, e sets a condition, d deletes
        table = app.main.query_one("#breakpoints-table")
        table.focus()
        await pilot.press("space")
        await wait_for(pilot, lambda: not app.breakpoints[0].enabled)
        assert source(app).view.marks[line] == "disabled"
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"f == 0", "enter")
        await wait_for(pilot, lambda: app.breakpoints[0].condition == "f == 0")
        await pilot.press("space")
        await wait_for(pilot, lambda: source(app).view.marks.get(line) == "cond")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is source(app).view and source(app).view.cursor == line)
        table.focus()
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.breakpoints)
        # locals expand lazily
        tree = app.main.query_one("#locals-tree")
        box = next(n for n in tree.root.children if n.data["var"].name == "box")
        box.expand()
        await wait_for(pilot, lambda: len(box.children) > 0)
        # step into factorial, pick frame 1: source and locals follow
        await pilot.press("s")
        await wait_for(pilot, lambda: app.stop.function.startswith("factorial"))
        await wait_for(pilot, lambda: app.backtrace and len(app.backtrace) >= 2)
        app.main.query_one("#stack-table").focus()
        await pilot.press("down")                      # frame 1: main
        await wait_for(pilot, lambda: app.frame_level == 1 and app.frame_location.line == line)
        # ▷ on the caller's line, ▶ stays on frame 0's
        assert source(app).view.frame_line == line and source(app).view.pc_line == app.stop.location.line
        await wait_for(pilot, lambda: any(v.name == "box" for v in app.locals))
        await app.session.close()


async def test_memory_goto(isolated, demo):
    app = make_app(program=demo, start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped")
        mem = app.main.query_one("#memory-view")
        await wait_for(pilot, lambda: mem.base is not None and mem.data)
        mem.focus()
        rsp = app.stop.regs["rsp"]
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"$rsp", "enter")
        await wait_for(pilot, lambda: mem.cursor == rsp and mem.data.get(rsp) is not None)
        assert mem.base == rsp - rsp % mem.per_row
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"&rounds", "enter")
        expected = int((await app.session.data.evaluate("&rounds")).split()[-1], 16)
        await wait_for(pilot, lambda: mem.cursor == expected and mem.data.get(expected) is not None)
        # unmapped rows show ??
        mem.goto(0)
        await wait_for(pilot, lambda: 0 in mem.data and mem.data[0] is None)
        assert "??" in str(mem.render())
        # edit a byte
        mem.goto(expected)
        await wait_for(pilot, lambda: mem.data.get(expected) is not None)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("ctrl+a", "ctrl+k", *"2a", "enter")
        await wait_for(pilot, lambda: mem.data.get(expected) == 0x2A)
        assert (await app.session.data.read_memory(expected, 1)) == b"\x2a"
        await app.session.close()


async def test_command_line_history_and_completion(isolated, demo):
    app = make_app(program=demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("colon")
        inp = app.main.query_one("#command-input")
        await wait_for(pilot, lambda: app.focused is inp)
        await pilot.press(*"break tick", "enter")
        await wait_for(pilot, lambda: any(b.spec == "tick" for b in app.breakpoints))
        await pilot.press(*"info breakpoints", "enter")
        log = app.main.query_one("#command-log")
        await wait_for(pilot, lambda: any("tick" in str(line.text) for line in log.lines[2:]))
        await pilot.press("up")
        assert inp.value == "info breakpoints"
        await pilot.press("up")
        assert inp.value == "break tick"
        await pilot.press("down")
        assert inp.value == "info breakpoints"
        await pilot.press("down")
        assert inp.value == ""
        # Tab completes a command, then a symbol
        await pilot.press(*"brea", "tab")
        assert inp.value.startswith("break")
        inp.value = "break facto"
        inp.cursor_position = len(inp.value)
        await pilot.press("tab")
        await wait_for(pilot, lambda: inp.value.rstrip() == "break factorial")
        # the history is remembered for the next session
        assert "break tick" in (config.state_dir() / "history").read_text()
        await app.session.close()


async def test_theme_switch_is_remembered(isolated, demo):
    app = make_app(program=demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        dark_pc = app.theme_variables["tdbg-pc-line"]
        await pilot.press("ctrl+p")
        await pilot.press(*"Theme: light")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "tdbg-light")
        assert app.theme_variables["tdbg-pc-line"] != dark_pc
        assert app.has_class("-tdbg-light")
        app.theme = "tdbg-high-contrast"
        await pilot.pause()
        await app.session.close()
    assert config.load_config()["theme"] == "tdbg-high-contrast"
    again = make_app(program=demo)
    assert again.theme == "tdbg-high-contrast"


async def test_narrow_terminal_layout(isolated, demo):
    app = make_app(program=demo, start=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.location is not None)
        assert app.main.has_class("-narrow")
        line = app.stop.location.line
        await wait_for(pilot, lambda: f"▶{line}" in screen_text(app).replace(" ", ""))
        await pilot.press("2")
        await wait_for(pilot, lambda: "rip" in screen_text(app))
        assert "Regs" in screen_text(app)            # the tab bar
        await pilot.press("f10")
        await wait_for(pilot, lambda: app.stop.location.line != line)
        await pilot.press("5")
        await wait_for(pilot, lambda: app.main.query_one("#breakpoints").display)
        await pilot.resize_terminal(160, 48)
        await wait_for(pilot, lambda: not app.main.has_class("-narrow"))
        await app.session.close()


async def test_held_f10_does_not_queue_stale_stops(isolated, demo):
    seen: list = []
    app = make_app(program=demo, start=True)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped")
        stop_id = app.stop.stop_id
        before = len([m for m in seen if isinstance(m, DebuggeeStopped)])
        for _ in range(12):                       # a burst of repeats, faster than a step
            app.action_next()
        await wait_for(pilot, lambda: app.stop.stop_id > stop_id and app._control_lock is not None
                       and not app._control_lock.locked())
        await pilot.pause(0.2)
        stops = [m for m in seen if isinstance(m, DebuggeeStopped)][before:]
        assert 1 <= len(stops) <= 2               # one running + one queued; the rest dropped
        # at key-repeat pace every press steps, and nothing complains
        for _ in range(8):
            await pilot.press("f10")
        await wait_for(pilot, lambda: not app._control_lock.locked())
        errors = [m.notification.message for m in seen
                  if isinstance(m, Notify) and m.notification.severity == "error"]
        assert not errors
        # state messages supersede each other
        a, b = stops[0], DebuggeeResumed(None)   # type: ignore[arg-type]
        assert a.can_replace(b) and b.can_replace(a)
        await app.session.close()


async def test_no_color_is_honoured(isolated, demo, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(program=demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        assert app.no_color
        assert any(type(f).__name__ in ("Monochrome", "NoColor") for f in app._filters)
        await app.session.close()


async def test_bad_program_exits_with_one_line(isolated, tmp_path):
    notelf = tmp_path / "notes.txt"
    notelf.write_text("hello\n")
    app = make_app(program=str(notelf))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: not app.is_running, timeout=10)
    assert app.return_code == 1
    assert app.exit_message and "notes.txt" in app.exit_message and "\n" not in app.exit_message


async def test_session_factory_keeps_breakpoints_between_runs(isolated, demo):
    """Breakpoints are remembered per program and restored on the next open."""
    line = demo_line("int f = factorial(6);")
    app = make_app(program=demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        source(app).view.goto(line)
        await pilot.press("b")
        await wait_for(pilot, lambda: source(app).view.marks.get(line) == "enabled")
        await app.session.close()
    session = Session(demo)
    app2 = make_app(session)
    async with app2.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app2) and source(app2).view.marks.get(line) == "enabled")
        await session.close()
