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
        keys(name, "q")
        wait_screen(name, lambda s: "and quit?" in s)
        keys(name, "y")
        screen = wait_screen(name, lambda s: "TDBG-EXIT-0" in s)
        assert "Traceback" not in screen
    finally:
        tmux("kill-server")
