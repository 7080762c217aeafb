"""Opening a program fast: main's source on screen before the whole backend is loaded.

The CLI starts ``preview(path)`` before it imports textual. A thread asks
``tdbg.backend.program.preview`` for main's location and source (it loads only the ELF
reader and the DWARF index, from the on-disk cache when it has the program: no
ptrace, no capstone, no expression evaluator) and warms the lexer that will
colour it. The debugger screen shows that source in its first frame; the
Session, which loads the rest, is created after that frame, while the screen is
already interactive.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass


@dataclass(frozen=True)
class MainSource:
    file: str
    line: int
    lines: list[str]


def preview(path: str, style: str | None = None) -> Future[MainSource | None]:
    """main's file, line and text, computed in a daemon thread (None: no source for main)."""
    fut: Future[MainSource | None] = Future()

    def work() -> None:
        try:
            fut.set_result(_main_source(path, style))
        except BaseException:            # the Session will report the real problem
            fut.set_result(None)
    threading.Thread(target=work, name="tdbg-preview", daemon=True).start()
    return fut


def _main_source(path: str, style: str | None) -> MainSource | None:
    from tdbg.backend.program.preview import main_source
    found = main_source(path)
    if found is None:
        return None
    loc, lines = found
    from .lexers import warm
    warm(loc.file, style)
    return MainSource(loc.file, loc.line, lines)
