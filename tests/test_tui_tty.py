"""--tty / `tty DEV` / `set inferior-tty DEV`: the program's I/O on another terminal."""
from __future__ import annotations

import os
import select

from test_tui_support import screen_text, wait_for
from textual.notifications import Notify

from tdbg.tui import cli
from tdbg.tui.app import make_app

SIZE = (160, 48)


def read_all(fd: int, want: bytes, timeout: float = 5.0) -> bytes:
    out = b""
    while want not in out and select.select([fd], [], [], timeout)[0]:
        out += os.read(fd, 4096)
    return out


async def test_tty_option_sends_program_io_to_that_terminal(isolated, build):
    master, slave = os.openpty()
    device = os.ttyname(slave)
    try:
        app = make_app(program=str(build("demo")), tty=device)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.run_state == "idle")
            console = app.main.query_one("#console")
            await wait_for(pilot, lambda: f"The program's I/O is on {device}" in screen_text(app))
            assert not app.main.query_one("#console-input").display     # nothing to type here
            await pilot.press("f5")
            await wait_for(pilot, lambda: app.run_state == "stopped" and app.stop.reason == "signal")
            await pilot.press("c")
            await wait_for(pilot, lambda: app.run_state == "exited")
            got = read_all(master, b"counter")
            assert b"6! = 720" in got and b"sum of squares below 5: 30" in got
            assert "6! = 720" not in console.text_seen              # not in our console
            await wait_for(pilot, lambda: f"[its I/O is on {device}]" in screen_text(app))
            await app.session.close()
    finally:
        os.close(master)
        os.close(slave)


async def test_tty_command_bad_device_then_back_to_own_terminal(isolated, build):
    seen: list = []
    app = make_app(program=str(build("demo")))
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await wait_for(pilot, lambda: app.run_state == "idle")
        app.command_pane_run("tty /nonexistent/tty9")
        console_line = app.main.query_one("#console-tty")
        await wait_for(pilot, lambda: console_line.display)
        await pilot.press("f5")
        errors = lambda: [str(m.notification.message) for m in seen      # noqa: E731
                          if isinstance(m, Notify) and m.notification.severity == "error"]
        await wait_for(pilot, lambda: errors(), what="an error")
        assert errors() == ["Cannot open tty /nonexistent/tty9: No such file or directory."]
        assert app.run_state == "idle" and app.is_running and app.session.state == "idle"
        # the command language says the same in one line
        result = await app.session.execute("run")
        assert not result.ok and result.text == "Cannot open tty /nonexistent/tty9: No such file or directory."
        app.command_pane_run("set inferior-tty")       # no device: tdbg's own terminal again
        await wait_for(pilot, lambda: not console_line.display and app.session.settings.tty is None)
        assert app.main.query_one("#console-input").display
        await pilot.press("f5")
        console = app.main.query_one("#console")
        await wait_for(pilot, lambda: "6! = 720" in console.text_seen)
        await app.session.close()


def test_cli_tty_option(capsys, tmp_path):
    assert cli.split_argv(["--tty", "/dev/pts/9", "prog", "-x"]) == (["--tty", "/dev/pts/9"], ["prog", "-x"])
    assert cli.build_parser().parse_args(["--tty=/dev/pts/9"]).tty == "/dev/pts/9"
    prog = tmp_path / "prog"
    prog.write_bytes(b"\x7fELF")
    assert cli.main([f"--tty={tmp_path}/nope", str(prog)]) == 1
    err = capsys.readouterr().err
    assert err == f"Cannot open tty {tmp_path}/nope: No such file or directory.\n"


def test_batch_tty_runs_the_program_there(build, capfd):
    master, slave = os.openpty()
    try:
        status = cli.main(["--batch", f"--tty={os.ttyname(slave)}", "-ex", "run", "-ex", "continue",
                           str(build("demo"))])
        assert status == 0
        got = read_all(master, b"counter")
        assert b"6! = 720" in got
        assert "6! = 720" not in capfd.readouterr().out
    finally:
        os.close(master)
        os.close(slave)
