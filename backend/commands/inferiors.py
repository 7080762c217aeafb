"""Inferior commands: inferior [N] (switch between the processes a fork left under tdbg)."""
from __future__ import annotations

from .registry import CommandInterpreter, command


@command("inferior", group="running", help="Use this command to switch between inferiors.",
         usage="Usage: inferior ID\n"
               "The new inferior ID must be currently known.")
async def _inferior(ci: CommandInterpreter, arg: str) -> str | None:
    return await ci.s.processes.inferior_text(arg)      # exec/inferior_switch.py
