"""Soak: random stepping for a while, through the Session API, on a real program.

    python bench/soak.py --seconds 600        # the issue's 10 minutes
    python bench/soak.py --seconds 10 --seed 3

Each round picks one of step / next / stepi / finish / continue / up / bt / info locals /
break / delete, restarting the program when it ends. It prints tdbg's RSS after a
warm-up and at the end, and the counts; it fails (exit 1) when a command raises
anything but a one-line error, a command hangs, or RSS grows by more than --max-growth MB.
tests/test_hardening_soak.py runs a short version.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tdbg.backend import events as ev  # noqa: E402
from tdbg.backend.session import Session  # noqa: E402

SOURCE = ROOT / "tests" / "programs" / "hard_loop.c"
MOVES = ("step", "next", "stepi", "nexti", "finish", "continue", "up", "down", "bt", "info locals",
         "info registers rip", "x/4xg $sp", "print total", "break", "delete", "disable", "enable")
SPOTS = ("hit", "mix", "main")


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kb / 1024


@dataclass
class Report:
    commands: int = 0
    errors: int = 0            # one-line errors (expected: finish in main, up at the top ...)
    restarts: int = 0
    stops: int = 0
    rss_start: float = 0.0
    rss_end: float = 0.0
    slowest: float = 0.0       # seconds, the longest command
    problems: list[str] = field(default_factory=list)

    def text(self) -> str:
        return (f"soak: {self.commands} commands, {self.stops} stops, {self.restarts} restarts, "
                f"{self.errors} one-line errors, slowest {self.slowest:.2f}s; RSS {self.rss_start:.1f} -> {self.rss_end:.1f} MB"
                + (f"; PROBLEMS: {self.problems[:5]}" if self.problems else ""))


def build(out_dir: Path) -> Path:
    out = out_dir / "hard_loop"
    subprocess.run(["gcc", "-g", "-O0", str(SOURCE), "-o", str(out)], check=True)
    return out


async def soak(binary: Path, seconds: float, seed: int = 0, warmup: float = 1.0,
               command_timeout: float = 30.0) -> Report:
    rng = random.Random(seed)
    rep = Report()
    s = Session(str(binary), ["mix", "200000"], use_pty=False)
    s.bus.bind_loop(asyncio.get_running_loop())
    s.bus.listeners.append(lambda e: setattr(rep, "stops", rep.stops + isinstance(e, ev.Stopped)))
    try:
        await s.execute("break mix")
        await s.execute("run")
        start = time.monotonic()
        warm = False
        while time.monotonic() - start < seconds:
            if not warm and time.monotonic() - start >= min(warmup, seconds / 4):
                warm = True
                rep.rss_start = rss_mb()
            if s.state != "stopped":
                rep.restarts += 1
                line = "run"
            else:
                move = rng.choice(MOVES)
                ids = [b.id for b in s.breakpoints.info()]
                if move == "break":
                    line = f"break {rng.choice(SPOTS)}"
                elif move in ("delete", "disable", "enable"):
                    line = f"{move} {rng.choice(ids)}" if ids else "break hit"
                else:
                    line = move
            t0 = time.monotonic()
            try:
                r = await asyncio.wait_for(s.execute(line), command_timeout)
                rep.slowest = max(rep.slowest, time.monotonic() - t0)
            except TimeoutError:
                rep.problems.append(f"{line!r} hung")
                break
            except Exception as e:        # noqa: BLE001 - a traceback for the user: the finding
                rep.problems.append(f"{line!r}: {type(e).__name__}: {e}")
                continue
            rep.commands += 1
            if not r.ok:
                rep.errors += 1
                if "\n" in r.text.strip() or "Traceback" in r.text:
                    rep.problems.append(f"{line!r}: {r.text[:200]!r}")
            if not any(b.enabled for b in s.breakpoints.info()):
                await s.execute("break mix")      # something to stop at before the program ends
        rep.rss_end = rss_mb()
        if not warm:
            rep.rss_start = rep.rss_end
    finally:
        await s.close()
    return rep


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-growth", type=float, default=50.0, help="MB of RSS growth allowed")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rep = asyncio.run(soak(build(Path(tmp)), a.seconds, a.seed, warmup=min(30.0, a.seconds / 4)))
    print(rep.text())
    bad = rep.problems or rep.rss_end - rep.rss_start > a.max_growth
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
