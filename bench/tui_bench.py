"""TUI latency on the demo: open-to-first-paint and F10-to-painted-stop.

    python bench/tui_bench.py [--steps 30] [--mode both|headless|tmux]

headless: the app in-process (App.run_test); "painted" = the compositor's full
          render shows the new pc line.
tmux:     the real `python -m tdbg.tui.cli` in a 160x48 tmux pane; "painted" =
          `tmux capture-pane` shows it (so it includes the terminal, ~2-5 ms of
          polling resolution).
Targets (issue): F10 -> painted stop median <= 50 ms, open -> first paint <= 1 s.
Run by hand; never part of CI timing.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def build_demo(tmp: Path) -> Path:
    out = tmp / "demo"
    subprocess.run(["gcc", "-g", "-O0", str(ROOT / "demo" / "demo.c"), "-o", str(out)], check=True)
    return out


def pc_line_in(text: str) -> int | None:
    m = re.search(r"▶\s*(\d+)\s", text)
    return int(m.group(1)) if m else None


# -- headless ---------------------------------------------------------------------------
async def headless(demo: Path, steps: int, gap: float) -> dict[str, float]:
    """Key event posted -> the first screen update (App._display) that carries the new pc line."""
    from textual import events

    from tdbg.tui.app import make_app
    t0 = time.perf_counter()
    app = make_app(program=str(demo))
    result: dict[str, float] = {}
    displays: list[float] = []
    async with app.run_test(size=(160, 48)) as pilot:
        original = app._display
        view = None

        def display(screen, renderable):
            # (when, the pc line this update shows)
            displays.append((time.perf_counter(), view.pc_line if view is not None else None))
            return original(screen, renderable)
        app._display = display                       # type: ignore[method-assign]
        while not (app.main is not None and app.main.query_one("#source").view.path):
            await asyncio.sleep(0.001)
        n = len(displays)
        while len(displays) == n:
            await asyncio.sleep(0.001)
        result["open_to_first_paint_s"] = displays[-1][0] - t0
        app.command_pane_run("start")                  # run to main
        while not (app.run_state == "stopped" and app.stop is not None):
            await pilot.pause(0.005)
        app.main.focus_pane("source")
        await pilot.pause(0.3)
        view = app.main.query_one("#source").view
        lat = []
        for _ in range(steps):
            old = view.pc_line
            t = time.perf_counter()
            app.post_message(events.Key("f10", None))
            while view.pc_line == old and app.run_state != "exited":
                await asyncio.sleep(0.0005)
            new = view.pc_line
            painted = None
            while painted is None and app.run_state != "exited":
                painted = next((when for when, line in displays if when >= t and line == new), None)
                await asyncio.sleep(0.0005)
            if painted is None:
                break
            lat.append(painted - t)
            await asyncio.sleep(gap)
        result["f10_to_paint_median_ms"] = statistics.median(lat) * 1000
        result["f10_to_paint_p90_ms"] = sorted(lat)[max(0, int(len(lat) * 0.9) - 1)] * 1000
        result["steps"] = len(lat)
        await app.session.close()
    return result


# -- a real terminal ---------------------------------------------------------------------
SOCKET = f"tdbg-bench-{os.getpid()}"     # a private tmux server (one per run: see tmux_bench)


def tmux(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["tmux", "-L", SOCKET, "-f", "/dev/null", *args], capture_output=True,
                          text=True)


def capture(name: str) -> str:
    return tmux("capture-pane", "-t", name, "-p").stdout


def tmux_bench(demo: Path, steps: int, tmp: Path, run: int = 0) -> dict[str, float]:
    global SOCKET
    SOCKET = f"tdbg-bench-{os.getpid()}-{run}"    # a killed server's socket may linger
    name = f"tdbg-bench-{os.getpid()}"
    env = f"-u COLUMNS -u LINES XDG_CONFIG_HOME={tmp}/cfg XDG_STATE_HOME={tmp}/state"
    # the pane stays after tdbg ends, so a failure shows why
    cmd = f"cd {ROOT} && env {env} {sys.executable} -m tdbg.tui.cli {demo}; echo TDBG-EXIT-$?; sleep 30"
    t0 = time.perf_counter()
    tmux("new-session", "-d", "-s", name, "-x", "160", "-y", "48", cmd)
    tmux("resize-window", "-t", name, "-x", "160", "-y", "48")   # tmux may start it at 80x24
    result: dict[str, float] = {}
    try:
        while "5 Breakpoints" not in capture(name):
            if time.perf_counter() - t0 > 20:
                raise RuntimeError("no first paint in 20 s:\n" + capture(name))
            time.sleep(0.005)
        result["open_to_first_paint_s"] = time.perf_counter() - t0
        while "int main" not in capture(name):
            if time.perf_counter() - t0 > 20:
                raise RuntimeError("main's source never shown")
            time.sleep(0.005)
        result["open_to_main_source_s"] = time.perf_counter() - t0
        while "not started" not in capture(name):     # the Session loaded: F5 runs at once
            if time.perf_counter() - t0 > 20:
                raise RuntimeError("never ready")
            time.sleep(0.005)
        result["open_to_ready_s"] = time.perf_counter() - t0
        tmux("send-keys", "-t", name, ":", "start", "Enter")
        deadline = time.perf_counter() + 10
        while pc_line_in(capture(name)) is None:
            if time.perf_counter() > deadline:
                raise RuntimeError("never stopped at main")
            time.sleep(0.01)
        tmux("send-keys", "-t", name, "Escape")
        time.sleep(0.2)
        lat = []
        for _ in range(steps):
            screen = capture(name)
            old = pc_line_in(screen)
            t = time.perf_counter()
            tmux("send-keys", "-t", name, "F10")
            while True:
                screen = capture(name)
                new = pc_line_in(screen)
                if new is not None and new != old:
                    break
                if "exited" in screen or time.perf_counter() - t > 5:
                    new = None
                    break
                time.sleep(0.001)
            if new is None:
                break
            lat.append(time.perf_counter() - t)
            time.sleep(0.3)                     # one press at a time, as a person steps
        if lat:
            result["f10_to_paint_median_ms"] = statistics.median(lat) * 1000
            result["f10_to_paint_p90_ms"] = sorted(lat)[max(0, int(len(lat) * 0.9) - 1)] * 1000
        result["steps"] = len(lat)
    finally:
        tmux("kill-server")
    return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--mode", choices=("both", "headless", "tmux"), default="both")
    ap.add_argument("--runs", type=int, default=1, help="tmux: open this many times, report medians")
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        os.environ["XDG_CONFIG_HOME"] = str(tmp / "cfg")
        os.environ["XDG_STATE_HOME"] = str(tmp / "state")
        demo = build_demo(tmp)
        if ns.mode in ("both", "headless"):
            for gap, label in ((0.3, "one press"), (0.035, "held key (35 ms repeat)")):
                r = asyncio.run(headless(demo, ns.steps, gap))
                print(f"headless, {label}:", {k: round(v, 3) for k, v in r.items()})
        if ns.mode in ("both", "tmux"):
            if shutil.which("tmux") is None:
                print("tmux: not installed, skipped")
            else:
                runs = [tmux_bench(demo, ns.steps, tmp, i) for i in range(max(1, ns.runs))]
                for r in runs:
                    print("tmux:    ", {k: round(v, 3) for k, v in r.items()})
                if len(runs) > 1:
                    med = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
                    print(f"tmux median of {len(runs)}:", med)
    print("targets:  f10_to_paint_median_ms <= 50, open_to_first_paint_s <= 1.0")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
