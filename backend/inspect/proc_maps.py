"""gdb's `info proc [mappings|cmdline|cwd|exe] [PID]` (linux-tdep.c linux_info_proc),
read from /proc: the debugged process's, or any process named by its pid."""
from __future__ import annotations

import os

from ..errors import CommandError
from ..process.inferior import read_maps

_WHAT = ("mappings", "cmdline", "cwd", "exe")
_NOT_SHOWN = ("all", "files", "stat", "status")      # gdb's, which tdbg does not print
_DEFAULT = ("cmdline", "cwd", "exe")


def info_proc(arg: str, current_pid: int | None) -> str:
    words = arg.split()
    what = "default"
    if words and not words[0].lstrip("-").isdigit():
        if any(w.startswith(words[0]) for w in _NOT_SHOWN):
            raise CommandError(f"tdbg does not show `info proc {words[0]}`: "
                               "try `info proc` or `info proc mappings`.")
        matches = [w for w in _WHAT if w.startswith(words[0])]
        if len(matches) > 1:
            raise CommandError(f'Ambiguous info proc command "{arg.strip()}": {", ".join(sorted(matches))}.')
        if len(matches) == 1:
            what = matches[0]
            words = words[1:]
    pid = current_pid
    if words:
        if len(words) > 1 or not words[0].isdigit():
            if current_pid is None:
                raise CommandError("No current process: you must name one.")
            raise CommandError(f"Too many parameters: {' '.join(words[1:] if words[0].isdigit() else words)}")
        pid = int(words[0])
    if pid is None:
        raise CommandError("No current process: you must name one.")
    parts = [f"process {pid}"]
    shown = _DEFAULT if what == "default" else (what,)
    for item in shown:
        parts.append(_ITEMS[item](pid))
    return "\n".join(p for p in parts if p)


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            raw = f.read()
    except OSError:
        return f"warning: unable to open /proc file '/proc/{pid}/cmdline'"
    return "cmdline = '" + raw.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace") + "'"


def _link(pid: int, name: str) -> str:
    try:
        return f"{name} = '{os.readlink(f'/proc/{pid}/{name}')}'"
    except OSError:
        return f"warning: unable to read link '/proc/{pid}/{name}'"


def _mappings(pid: int) -> str:
    if not os.path.exists(f"/proc/{pid}/maps"):
        return f"warning: unable to open /proc file '/proc/{pid}/maps'"
    # gdb's 64-bit layout: "  %18s %18s %10s %10s  %-5s  %s"
    rows = ["Mapped address spaces:", "",
            f"  {'Start Addr':>18} {'End Addr':>18} {'Size':>10} {'Offset':>10}  Perms  objfile"]
    for r in read_maps(pid):
        rows.append(f"  {r.start:>#18x} {r.end:>#18x} {r.end - r.start:>#10x} {r.offset:>#10x}  "
                    f"{r.perms:<5}  {r.path}")
    return "\n".join(rows)


_ITEMS = {"cmdline": _cmdline, "cwd": lambda pid: _link(pid, "cwd"),
          "exe": lambda pid: _link(pid, "exe"), "mappings": _mappings}
