"""Palettes as data -> textual Themes.

``themes/<name>.toml`` holds colours only; this module turns each into a
``textual.theme.Theme`` so switching is ``app.theme = "tdbg-light"`` with no CSS
reload. No colour literal lives in Python: the defaults for tdbg's own
variables are the dark palette's, read from its file.
"""
from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:                 # the CLI's --help and --batch never load textual
    from textual.theme import Theme

PALETTES = ("dark", "light", "high_contrast")   # file stems under themes/
DEFAULT = "tdbg-dark"
_THEME_FIELDS = {"primary", "secondary", "warning", "error", "success", "accent",
                 "foreground", "background", "surface", "panel", "boost",
                 "luminosity_spread", "text_alpha"}


@cache
def load_palette(stem: str) -> dict[str, Any]:
    text = resources.files("tdbg.themes").joinpath(f"{stem}.toml").read_text("utf-8")
    return tomllib.loads(text)


def to_textual_theme(data: dict[str, Any]) -> Theme:
    from textual.theme import Theme
    colors = {k: v for k, v in data.get("colors", {}).items() if k in _THEME_FIELDS}
    variables = dict(data.get("variables", {}))
    # the syntax style travels as a theme variable so the source pane can ask the
    # current theme for it (a bare CSS token; unused by any rule)
    variables["tdbg-syntax"] = data.get("syntax", "monokai")
    return Theme(name=data["name"], dark=bool(data.get("dark", True)),
                 variables=variables, **colors)


def tdbg_themes() -> list[Theme]:
    return [to_textual_theme(load_palette(stem)) for stem in PALETTES]


def variable_defaults() -> dict[str, str]:
    """tdbg's $variables for themes that do not define them (e.g. textual's own)."""
    data = load_palette("dark")
    out = {k: v for k, v in data["variables"].items() if k.startswith("tdbg-")}
    out["tdbg-syntax"] = data.get("syntax", "monokai")
    return out


def resolve_name(name: str) -> str:
    """``dark`` / ``high-contrast`` / ``tdbg-light`` -> the registered theme name."""
    n = name.strip().lower().replace("_", "-")
    return n if n.startswith("tdbg-") or n not in short_names() else f"tdbg-{n}"


def short_names() -> list[str]:
    return [stem.replace("_", "-") for stem in PALETTES]


def theme_class(theme_name: str) -> str | None:
    """App class for a theme's non-colour deltas in themes/<stem>.tcss."""
    return f"-{theme_name}" if theme_name.startswith("tdbg-") else None
