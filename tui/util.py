"""Small helpers the panes share: error reporting and path matching."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from textual.dom import DOMNode

from tdbg.backend.errors import NotRunning, ProcessGone, Running, TdbgError


@contextmanager
def reported(node: DOMNode, title: str = "", *, background: bool = False) -> Iterator[None]:
    """Turn any error from a Session call into one notification, never a traceback.

    background: a fetch nobody asked for (stack/locals after a stop). If the
    program started running meanwhile, that is no news: stay quiet.
    """
    try:
        yield
    except (Running, NotRunning, ProcessGone) as e:
        if not background:
            node.app.notify(str(e), severity="error", title=title)
    except TdbgError as e:
        _say(node, str(e), title, background)
    except Exception as e:          # a backend bug must not take the screen down
        node.app.log.error(f"internal error: {e!r}")
        _say(node, f"internal error: {type(e).__name__}: {e}", title, background)


def _say(node: DOMNode, text: str, title: str, background: bool) -> None:
    """Background fetches repeat on every stop: say each distinct failure once."""
    if background:
        said: set[str] = node.app.__dict__.setdefault("_background_errors", set())
        if text in said:
            return
        said.add(text)
    node.app.notify(text, severity="error", title=title)


@lru_cache(maxsize=512)
def _real(path: str) -> str:
    return os.path.realpath(path)


def same_file(a: str | None, b: str | None) -> bool:
    """DWARF paths may be absolute, relative to the build dir, or just a name."""
    if not a or not b:
        return False
    if a == b:
        return True
    if os.path.isabs(a) and os.path.isabs(b):
        return _real(a) == _real(b)
    pa, pb = os.path.normpath(a).split(os.sep), os.path.normpath(b).split(os.sep)
    n = min(len(pa), len(pb))
    return pa[-n:] == pb[-n:]


def display_path(path: str) -> str:
    """A path as a person wants to read it: relative to the working directory when it
    lies below it ('demo.c', 'src/util.c'), else as it is."""
    if not os.path.isabs(path):
        return path
    try:
        cwd = os.getcwd()
    except OSError:
        return path
    if path.startswith(cwd.rstrip(os.sep) + os.sep):
        return path[len(cwd.rstrip(os.sep)) + 1:]
    return path


def short_path(path: str, width: int = 40) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]
