"""The gdb-like command language: one interpreter for --batch, the TUI command line and tests.

registry.py holds the command table and the interpreter; each group module adds its commands
to the table when imported, which happens here (and only here), so the registry never
imports a group module.
"""
from __future__ import annotations

from . import (  # noqa: F401 -- each group module registers its commands
    breakpoints,
    catch,
    core,
    data,
    dprintf,
    flow,
    inferiors,
    info,
    running,
    scripts,
    signals,
    source,
    stack,
    support,
    threads,
    watch,
)
from .registry import (
    ALIASES,
    COMMANDS,
    GROUPS,
    Command,
    CommandInterpreter,
    Handler,
    command,
    query_text,
)

__all__ = ["ALIASES", "COMMANDS", "GROUPS", "Command", "CommandInterpreter", "Handler", "command",
           "query_text"]
