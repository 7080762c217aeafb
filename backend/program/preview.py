"""main's source before a Session exists: what a front end paints first.

Importing ``session`` loads the whole engine (ptrace, stepping, capstone, the
expression evaluator). A front end opening a program wants main's source on
screen before that, so this module needs only the ELF reader and the DWARF
index (read from the on-disk cache when it has the program). The answer is the
one the Session gives: ``Program.main_location()`` and the file's lines, read
as ``Target.source_lines`` (program/target.py) reads them. Any thread; nothing is kept.
"""
from __future__ import annotations

from ..events import SourceLocation


def main_source(path: str) -> tuple[SourceLocation, list[str]] | None:
    """(where main's first line is, that file's lines), or None when there is no source."""
    from .program import Program
    program = Program(path)
    try:
        loc = program.main_location()
        if loc is None:
            return None
        try:
            with open(loc.file, "rb") as f:
                lines = f.read().decode("utf-8", errors="replace").splitlines()
        except OSError:
            return None
        return loc, lines
    finally:
        program.main.elf.close()


def core_executable(path: str) -> str | None:
    """The program a core file names, for `tdbg -c CORE` without a program (None: not a
    core, or that program is gone); front ends ask before any Session exists."""
    from ..process.core_file import executable_of
    return executable_of(path)
