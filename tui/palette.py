"""Command palette entries generated from the key table, plus themes, the command language's
commands and files."""
from __future__ import annotations

from functools import partial

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.widgets import Input

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
        menu = keymap.key_label(getattr(app, "_keymap", {}).get("pane-menu", keymap.PANE_MENU_KEY))
        for pid, (n, title) in keymap.PANES.items():
            if n:
                out.append((f"Show/hide the {title} pane", partial(app.run_action, f"toggle_pane('{pid}')"),
                            f"{menu} then {n}"))
        for stem in theming.short_names():
            name = f"tdbg-{stem}"
            out.append((f"Theme: {stem}", partial(setattr, app, "theme", name),
                        "switch colours (remembered)"))
        if getattr(app, "main", None) is not None:      # the debugger screen: it has a command line
            out += command_entries(app)
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


def command_entries(app: App) -> list[tuple[str, object, str]]:
    """One entry per command of the command language: choosing it starts that command line."""
    # here, not at the top: tdbg.backend.commands imports the whole backend, which the app
    # imports off the event loop at startup (app.py)
    from tdbg.backend.commands import COMMANDS
    return [(f"Command: {c.name}", partial(type_command, app, c.name),
             c.help + (f"  ({', '.join(c.aliases)})" if c.aliases else ""))
            for _, c in sorted(COMMANDS.items())]


def type_command(app: App, name: str) -> None:
    """`NAME ` in the focused command line, for the user to finish."""
    main = getattr(app, "main", None)
    if main is None:
        return
    main.focus_pane("command")
    inp = main.query_one("#command-input", Input)
    inp.value = f"{name} "
    inp.cursor_position = len(inp.value)


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
