"""Command palette entries generated from the key table, plus themes and files."""
from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from . import keymap, theming
from .fuzzy import score


class TdbgCommands(Provider):
    def _commands(self) -> list[tuple[str, object, str]]:
        app = self.app
        out: list[tuple[str, object, str]] = []
        for b in keymap.DEBUGGER:
            if b.action in ("next_pane", "previous_pane"):
                continue
            keys = getattr(app, "_keymap", {}).get(b.id, b.key) if b.id else b.key
            out.append((b.tooltip or b.description, partial(app.run_action, b.action), keymap.key_label(keys)))
        for stem in theming.short_names():
            name = f"tdbg-{stem}"
            out.append((f"Theme: {stem}", partial(setattr, app, "theme", name),
                        "switch colours (remembered)"))
        return out

    async def discover(self) -> Hits:
        for name, cb, help_text in self._commands():
            yield DiscoveryHit(name, cb, help=help_text)   # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, cb, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), cb, help=help_text)  # type: ignore[arg-type]


class SourceFileCommands(Provider):
    """Ctrl+O: every source file of the program, fuzzy-filtered in linear time
    (a big program lists thousands of long paths)."""

    files: list[str] = []

    async def discover(self) -> Hits:
        for path in self.files[:200]:
            yield DiscoveryHit(path, partial(self.app.show_source, path), help="open")  # type: ignore[attr-defined]

    async def search(self, query: str) -> Hits:
        scored = sorted(((score(query, path), path) for path in self.files), reverse=True)
        for value, path in scored[:200]:
            if value <= 0:
                break
            yield Hit(value, path, partial(self.app.show_source, path), help="open")  # type: ignore[attr-defined]
