"""Where tdbg remembers things: theme, key overrides, recent programs.

Paths follow XDG (tests point XDG_CONFIG_HOME/XDG_STATE_HOME at a tmp dir), and
every read tolerates a missing or broken file: a bad config must never stop the
debugger from opening.
"""
from __future__ import annotations

import json
import os
import time
import tomllib
from pathlib import Path
from typing import Any

RECENT_MAX = 20


def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var) or os.path.join(os.path.expanduser("~"), fallback)
    return Path(base) / "tdbg"


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config")


def state_dir() -> Path:
    return _xdg("XDG_STATE_HOME", os.path.join(".local", "state"))


def cache_dir() -> Path:
    return _xdg("XDG_CACHE_HOME", ".cache")


def config_path() -> Path:
    return config_dir() / "config.toml"


def load_config() -> dict[str, Any]:
    try:
        return tomllib.loads(config_path().read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(str(v))      # a JSON string is a valid TOML basic string


def dump_toml(data: dict[str, Any]) -> str:
    """Tiny writer for our flat config (scalars + one level of tables)."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, table in data.items():
        if isinstance(table, dict):
            lines += ["", f"[{k}]"]
            lines += [f"{json.dumps(str(kk))} = {_toml_value(vv)}" for kk, vv in table.items()]
    return "\n".join(lines) + "\n"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)


def save_config(**updates: Any) -> None:
    data = load_config()
    data.update(updates)
    try:
        _atomic_write(config_path(), dump_toml(data))
    except OSError:
        pass                         # read-only home: remembering is best effort


def recent_path() -> Path:
    return config_dir() / "recent.json"


def load_recent() -> list[dict[str, Any]]:
    try:
        items = json.loads(recent_path().read_text("utf-8"))
        return [i for i in items if isinstance(i, dict) and isinstance(i.get("path"), str)]
    except (OSError, ValueError):
        return []


def add_recent(program: str, args: list[str] | tuple[str, ...] = ()) -> None:
    path = os.path.realpath(program)
    items = [i for i in load_recent() if i["path"] != path]
    items.insert(0, {"path": path, "args": list(args), "opened": time.time()})
    try:
        _atomic_write(recent_path(), json.dumps(items[:RECENT_MAX], indent=1))
    except OSError:
        pass
