"""README's command reference, made from the command table so the two cannot drift apart
(tests/test_commands_table.py compares them)."""
from __future__ import annotations

from .registry import COMMANDS, GROUPS


def markdown_commands() -> str:
    """One table row per command, grouped by gdb's classes in `help`'s order."""
    rows = ["| class | command | aliases | what it does |", "| --- | --- | --- | --- |"]
    for group in GROUPS:
        for name, c in sorted(COMMANDS.items()):
            if c.group == group:
                aliases = ", ".join(f"`{a}`" for a in c.aliases)
                rows.append(f"| {group} | `{name}` | {aliases} | {c.help.replace('|', '/')} |")
    return "\n".join(rows) + "\n"
