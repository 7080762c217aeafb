"""One smoke test in a real terminal: tmux runs `python -m tdbg.tui.cli` on the demo."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")


SOCKET = f"tdbg-test-{os.getpid()}"      # a private tmux server: no other session's sizes


def tmux(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], capture_output=True,
                          text=True, check=check)


def capture(name: str) -> str:
    return tmux("capture-pane", "-t", name, "-p").stdout


def wait_screen(name: str, pred, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        screen = capture(name)
        if pred(screen):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError("screen never showed it:\n" + screen)
        time.sleep(0.05)


def keys(name: str, *k: str) -> None:
    tmux("send-keys", "-t", name, *k, check=True)


def test_real_terminal_smoke(build, tmp_path):
    demo = build("demo")
    line = next(i for i, t in enumerate((ROOT / "demo" / "demo.c").read_text().splitlines(), 1)
                if "int f = factorial(6);" in t)
    name = f"tdbg-smoke-{os.getpid()}"
    # COLUMNS/LINES leak in from pytest's environment and would pin the app to 80x24
    env = f"-u COLUMNS -u LINES XDG_CONFIG_HOME={tmp_path}/cfg XDG_STATE_HOME={tmp_path}/state"
    cmd = (f"cd {ROOT} && env {env} {sys.executable} -m tdbg.tui.cli -ex 'break {line}' {demo}"
           f"; echo TDBG-EXIT-$?; sleep 30")
    tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "48", cmd, check=True)
    tmux("resize-window", "-t", name, "-x", "160", "-y", "48")   # tmux may start it at 80x24
    try:
        screen = wait_screen(name, lambda s: "int main" in s and "not started" in s)
        assert "Source" in screen and "5 Breakpoints" in screen and "F10" in screen
        wait_screen(name, lambda s: f"demo.c:{line}" in s)       # the -ex breakpoint, in the table
        keys(name, "F5")
        screen = wait_screen(name, lambda s: f"▶{line}" in s.replace(" ", ""))
        assert "rip" in screen and "eflags" in screen and "factorial(6)" in screen
        keys(name, "F10")
        screen = wait_screen(name, lambda s: f"▶{line + 1}" in s.replace(" ", ""))
        assert "6! = 720" in screen or "sum of squares" in screen     # the program's output pane
        quit_cleanly(name)
    finally:
        tmux("kill-server")


def quit_cleanly(name: str) -> None:
    """q, confirm, and tdbg exits 0 with no traceback on the screen."""
    keys(name, "q")
    wait_screen(name, lambda s: "and quit?" in s)
    keys(name, "y")
    screen = wait_screen(name, lambda s: "TDBG-EXIT-0" in s)
    assert "Traceback" not in screen


def escape(name: str) -> None:
    """Esc, then a pause: a key sent right behind it would arrive as Alt+that key (a
    terminal sends Alt+x as ESC x; the app tells them apart by the delay)."""
    keys(name, "Escape")
    time.sleep(0.3)


def test_real_terminal_frames_and_pane_keys(build, tmp_path):
    """In a real terminal: `:` twice then `frame 1` picks main's frame and every pane shows
    it; u/d and the stack pane's keys pick frames; a digit goes to a pane, `v` then the digit
    shows or hides one; the help dialog draws no scrollbar inside."""
    demo = build("demo")
    src = (ROOT / "demo" / "demo.c").read_text().splitlines()
    body = next(i for i, t in enumerate(src, 1) if "if (n <= 1)" in t)
    call = next(i for i, t in enumerate(src, 1) if "int f = factorial(6);" in t)
    name = f"tdbg-frames-{os.getpid()}"
    env = f"-u COLUMNS -u LINES XDG_CONFIG_HOME={tmp_path}/cfg XDG_STATE_HOME={tmp_path}/state"
    cmd = (f"cd {ROOT} && env {env} {sys.executable} -m tdbg.tui.cli -ex 'break factorial' {demo}"
           f"; echo TDBG-EXIT-$?; sleep 30")
    tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "48", cmd, check=True)
    tmux("resize-window", "-t", name, "-x", "160", "-y", "48")

    def flat(s: str) -> str:
        return s.replace(" ", "")
    try:
        wait_screen(name, lambda s: "not started" in s and "demo.c:" in s)
        keys(name, "F5")
        wait_screen(name, lambda s: f"▶{body}" in flat(s) and "factorial(n=6)" in s)
        # `:` again in the command line types nothing: the command below is not ":frame 1"
        keys(name, ":")
        keys(name, ":")
        keys(name, "frame 1", "Enter")
        screen = wait_screen(name, lambda s: "Registers (frame 1)" in s and f"▷{call}" in flat(s)
                             and "rounds: int" in s)
        assert "Undefined command" not in screen and "frame 1: main at demo.c" in screen
        assert "<main+" in screen and "not saved:" in screen       # rip of main's frame, unwound
        escape(name)
        keys(name, "d")                                             # down: back to frame 0
        screen = wait_screen(name, lambda s: "Registers (frame" not in s and "n: int = 6" in s)
        assert f"▶{body}" in flat(screen) and "▷" not in screen
        keys(name, "u")
        wait_screen(name, lambda s: "Registers (frame 1)" in s)
        keys(name, "3", "Up")                                       # the stack pane: row 0
        wait_screen(name, lambda s: "Registers (frame" not in s and "n: int = 6" in s)
        # v then a digit shows a hidden pane; the digit alone then goes to it
        keys(name, "v")
        wait_screen(name, lambda s: "Show or hide which pane?" in s)
        keys(name, "1")
        wait_screen(name, lambda s: "1 Threads" in s and "Show or hide" not in s)
        keys(name, "v", "7")
        wait_screen(name, lambda s: "7 Disassembly" not in s)
        escape(name)
        keys(name, "7")
        wait_screen(name, lambda s: "7 Disassembly" in s)
        # the help dialog: no scrollbar glyphs among its rows
        escape(name)
        keys(name, "?")
        screen = wait_screen(name, lambda s: "tdbg keys" in s and "Go to the Threads pane" in s)
        rows = [line for line in screen.splitlines() if "Debugger" in line or "Source" in line]
        assert rows and not [r for r in rows if set("▁▂▃▅▆▇") & set(r)], "\n".join(rows)
        escape(name)
        quit_cleanly(name)
    finally:
        tmux("kill-server")
