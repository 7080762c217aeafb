"""Breakpoints remembered per program, restored the next time it is opened.

Keyed by the program's real path. Each source breakpoint is anchored by file,
line *and that line's text*, so after a small edit (lines inserted above) it
lands on the same statement rather than on whatever now sits at the old line.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from tdbg.backend.events import BreakpointInfo

from .config import state_dir

SEARCH_RADIUS = 200          # how far an anchored line may have moved


@dataclass(frozen=True)
class SavedBreakpoint:
    spec: str
    file: str | None = None
    line: int | None = None
    text: str | None = None
    condition: str | None = None
    enabled: bool = True


def store_path(program: str) -> Path:
    real = os.path.realpath(program)
    return state_dir() / "breakpoints" / (hashlib.sha1(real.encode()).hexdigest()[:20] + ".json")


def to_saved(bp: BreakpointInfo, line_text: Callable[[str, int], str | None]) -> SavedBreakpoint | None:
    if bp.temporary or bp.kind != "breakpoint":
        return None              # watchpoints, catchpoints and tbreaks are per run
    loc = bp.location
    if loc is not None:
        return SavedBreakpoint(bp.spec, loc.file, loc.line, line_text(loc.file, loc.line),
                               bp.condition, bp.enabled)
    if bp.spec.startswith("*"):
        return None              # raw addresses do not survive a rebuild
    return SavedBreakpoint(bp.spec, condition=bp.condition, enabled=bp.enabled)


def save(program: str, bps: Iterable[BreakpointInfo],
         line_text: Callable[[str, int], str | None]) -> None:
    saved = [asdict(s) for bp in bps if (s := to_saved(bp, line_text)) is not None]
    path = store_path(program)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"program": os.path.realpath(program), "breakpoints": saved},
                                  indent=1), "utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def load(program: str) -> list[SavedBreakpoint]:
    try:
        data = json.loads(store_path(program).read_text("utf-8"))
        return [SavedBreakpoint(**item) for item in data.get("breakpoints", [])]
    except (OSError, ValueError, TypeError):
        return []


def anchor(saved: SavedBreakpoint, lines: list[str] | None) -> int | None:
    """The line the saved breakpoint belongs on now (None: its text is gone)."""
    line = saved.line
    if line is None:
        return None
    if lines is None or not saved.text or not saved.text.strip():
        return line
    want = saved.text.strip()

    def matches(n: int) -> bool:
        return 1 <= n <= len(lines) and lines[n - 1].strip() == want

    for d in range(SEARCH_RADIUS + 1):   # nearest match wins; ties prefer below
        if matches(line + d):
            return line + d
        if d and matches(line - d):
            return line - d
    return None
