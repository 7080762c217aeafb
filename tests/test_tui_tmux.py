"""One smoke test in a real terminal: tmux runs `python -m tdbg.tui.cli` on the demo."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")


class Session:
    """A tmux session on its own private server (no other session's sizes). One server per
    session: a server an earlier test killed can still be exiting on a shared socket, and a
    new session started there fails with "server exited unexpectedly"."""

    def __init__(self, name: str, cmd: str, x: int = 160, y: int = 48):
        self.name = name
        self.socket = f"tdbg-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.run("new-session", "-d", "-s", name, "-x", str(x), "-y", str(y), cmd, check=True)
        self.run("resize-window", "-t", name, "-x", str(x), "-y", str(y))  # may start at 80x24

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=check)

    def capture(self) -> str:
        return self.run("capture-pane", "-t", self.name, "-p").stdout

    def wait(self, pred, timeout: float = 15.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            if pred(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError("screen never showed it:\n" + screen)
            time.sleep(0.05)

    def keys(self, *k: str) -> None:
        self.run("send-keys", "-t", self.name, *k, check=True)

    def close(self) -> None:
        self.run("kill-server")


def test_real_terminal_smoke(build, tmp_path):
    demo = build("demo")
    line = next(i for i, t in enumerate((ROOT / "demo" / "demo.c").read_text().splitlines(), 1)
                if "int f = factorial(6);" in t)
    name = f"tdbg-smoke-{os.getpid()}"
    # COLUMNS/LINES leak in from pytest's environment and would pin the app to 80x24
    env = f"-u COLUMNS -u LINES XDG_CONFIG_HOME={tmp_path}/cfg XDG_STATE_HOME={tmp_path}/state"
    cmd = (f"cd {ROOT} && env {env} {sys.executable} -m tdbg.tui.cli -ex 'break {line}' {demo}"
           f"; echo TDBG-EXIT-$?; sleep 30")
    t = Session(name, cmd)
    try:
        screen = t.wait(lambda s: "int main" in s and "not started" in s)
        assert "Source" in screen and "5 Breakpoints" in screen and "F10" in screen
        t.wait(lambda s: f"demo.c:{line}" in s)       # the -ex breakpoint, in the table
        t.keys("F5")
        screen = t.wait(lambda s: f"▶{line}" in s.replace(" ", ""))
        assert "rip" in screen and "eflags" in screen and "factorial(6)" in screen
        t.keys("F10")
        screen = t.wait(lambda s: f"▶{line + 1}" in s.replace(" ", ""))
        assert "6! = 720" in screen or "sum of squares" in screen     # the program's output pane
        quit_cleanly(t)
    finally:
        t.close()


def quit_cleanly(t: Session) -> None:
    """q, confirm, and tdbg exits 0 with no traceback on the screen."""
    t.keys("q")
    t.wait(lambda s: "and quit?" in s)
    t.keys("y")
    screen = t.wait(lambda s: "TDBG-EXIT-0" in s)
    assert "Traceback" not in screen


def escape(t: Session) -> None:
    """Esc, then a pause: a key sent right behind it would arrive as Alt+that key (a
    terminal sends Alt+x as ESC x; the app tells them apart by the delay)."""
    t.keys("Escape")
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
    t = Session(name, cmd)

    def flat(s: str) -> str:
        return s.replace(" ", "")
    try:
        t.wait(lambda s: "not started" in s and "demo.c:" in s)
        t.keys("F5")
        t.wait(lambda s: f"▶{body}" in flat(s) and "factorial(n=6)" in s)
        # `:` again in the command line types nothing: the command below is not ":frame 1"
        t.keys(":")
        t.keys(":")
        t.keys("frame 1", "Enter")
        screen = t.wait(lambda s: "Registers (frame 1)" in s and f"▷{call}" in flat(s)
                             and "rounds: int" in s)
        assert "Undefined command" not in screen and "frame 1: main at demo.c" in screen
        assert "<main+" in screen and "not saved:" in screen       # rip of main's frame, unwound
        escape(t)
        t.keys("d")                                             # down: back to frame 0
        screen = t.wait(lambda s: "Registers (frame" not in s and "n: int = 6" in s)
        assert f"▶{body}" in flat(screen) and "▷" not in screen
        t.keys("u")
        t.wait(lambda s: "Registers (frame 1)" in s)
        t.keys("3", "Up")                                       # the stack pane: row 0
        t.wait(lambda s: "Registers (frame" not in s and "n: int = 6" in s)
        # v then a digit shows a hidden pane; the digit alone then goes to it
        t.keys("v")
        t.wait(lambda s: "Show or hide which pane?" in s)
        t.keys("1")
        t.wait(lambda s: "1 Threads" in s and "Show or hide" not in s)
        t.keys("v", "7")
        t.wait(lambda s: "7 Disassembly" not in s)
        escape(t)
        t.keys("7")
        t.wait(lambda s: "7 Disassembly" in s)
        # the help dialog: no scrollbar glyphs among its rows
        escape(t)
        t.keys("?")
        screen = t.wait(lambda s: "tdbg keys" in s and "Go to the Threads pane" in s)
        rows = [line for line in screen.splitlines() if "Debugger" in line or "Source" in line]
        assert rows and not [r for r in rows if set("▁▂▃▅▆▇") & set(r)], "\n".join(rows)
        escape(t)
        quit_cleanly(t)
    finally:
        t.close()
