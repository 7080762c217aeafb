"""The soak of bench/soak.py, short: ~10 s of random stepping, every command answered in
one line or less, no hang, tdbg's RSS flat (issue 12)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _soak_module():
    spec = importlib.util.spec_from_file_location("tdbg_bench_soak", ROOT / "bench" / "soak.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod              # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


async def test_ten_seconds_of_random_stepping(build):
    soak = _soak_module()
    rep = await soak.soak(build("hard_loop"), seconds=8, seed=7, warmup=2)
    print("\n" + rep.text())
    assert not rep.problems, rep.problems
    assert rep.commands > 100 and rep.stops > 20 and rep.restarts >= 1
    assert rep.slowest < 10
    assert rep.rss_end - rep.rss_start < 20, rep.text()
