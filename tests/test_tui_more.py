"""More of the screen over real tracees: search, open file, stdin, attach, SSE toggle."""
from __future__ import annotations

import subprocess
import textwrap

from test_tui_support import screen_text, wait_for

from tdbg.tui.app import make_app
from tdbg.tui.prompt import ConfirmScreen

SIZE = (160, 48)


def compile_c(tmp_path, name: str, code: str) -> str:
    src = tmp_path / f"{name}.c"
    src.write_text(textwrap.dedent(code))
    exe = tmp_path / name
    subprocess.run(["gcc", "-g", "-O0", str(src), "-o", str(exe)], check=True)
    return str(exe)


def loaded(app) -> bool:
    return app.main is not None and app.main.query_one("#source").view.path is not None \
        and app.run_state == "idle"


async def test_source_search_and_n(isolated, build):
    app = make_app(program=str(build("demo")))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        view = app.main.query_one("#source").view
        view.goto(1)
        view.focus()
        await pilot.press("slash", *"factorial", "enter")
        first = view.cursor
        assert "factorial" in view.lines[first - 1]
        await pilot.press("n")                         # next match, not "next line"
        second = view.cursor
        assert second > first and "factorial" in view.lines[second - 1]
        assert app.run_state == "idle"                 # n did not start the program
        await pilot.press("N")
        assert view.cursor == first
        await pilot.press("escape")                    # search off: n steps again
        assert view.search is None
        await app.session.close()


async def test_open_source_file_by_fuzzy_name(isolated, tmp_path):
    (tmp_path / "helper.h").write_text("static int helper(int x)\n{\n    return x - 2;\n}\n")
    exe = compile_c(tmp_path, "twofiles", """
        #include "helper.h"
        int main(void) { return helper(2); }
    """)
    app = make_app(program=exe)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("ctrl+o")
        await pilot.pause(0.2)
        await pilot.press(*"helpr")                    # fuzzy
        await pilot.pause(0.3)
        await pilot.press("enter")
        view = app.main.query_one("#source").view
        await wait_for(pilot, lambda: view.path and view.path.endswith("helper.h"))
        assert "return x - 2;" in screen_text(app)
        await app.session.close()


async def test_console_sends_stdin(isolated, tmp_path):
    exe = compile_c(tmp_path, "greet", """
        #include <stdio.h>
        int main(void) {
            char buf[64];
            printf("name? ");
            fflush(stdout);
            if (fgets(buf, sizeof buf, stdin))
                printf("\\033[32mhello\\033[0m %s", buf);
            return 0;
        }
    """)
    app = make_app(program=exe)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.press("f5")
        console = app.main.query_one("#console")
        await wait_for(pilot, lambda: "name?" in console.text_seen)
        assert "name?" in screen_text(app)            # a prompt without newline shows at once
        app.main.focus_pane("console")
        await pilot.press(*"bob", "enter")
        await wait_for(pilot, lambda: "hello" in console.text_seen and app.run_state == "exited")
        assert "hello bob" in screen_text(app)        # ANSI colours decoded, not shown raw
        assert "\x1b" not in screen_text(app)
        await app.session.close()


async def test_attach_and_detach(isolated, tmp_path):
    exe = compile_c(tmp_path, "spin", """
        #include <unistd.h>
        volatile long counter;
        int main(void) { for (;;) { counter++; usleep(1000); } }
    """)
    child = subprocess.Popen([exe])
    try:
        app = make_app(pid=child.pid)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.run_state == "stopped" and app.attached, timeout=10)
            assert app.session.pid == child.pid
            await pilot.press("q")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            assert "Detach" in screen_text(app)
            await pilot.press("y")
            await wait_for(pilot, lambda: not app.is_running, timeout=10)
        assert child.poll() is None                    # still running after the detach
        status = open(f"/proc/{child.pid}/status").read()
        assert "TracerPid:\t0" in status
    finally:
        child.kill()
        child.wait()


async def test_registers_sse_toggle(isolated, build):
    app = make_app(program=str(build("demo")), start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped")
        view = app.main.query_one("#registers-view")
        view.focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: view.show_sse and (view.extra or "no SSE" in str(view.render())))
        await pilot.press("x")
        assert not view.show_sse
        await app.session.close()


async def test_config_overrides_a_key_by_id(isolated, build):
    from tdbg.tui import config
    config.save_config(keys={"next": "f10,v"})
    app = make_app(program=str(build("demo")), start=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.run_state == "stopped")
        app.main.focus_pane("source")
        line = app.stop.location.line
        await pilot.press("v")                          # the overridden key steps
        await wait_for(pilot, lambda: app.stop.location.line != line)
        await app.session.close()
