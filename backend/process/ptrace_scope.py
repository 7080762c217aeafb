"""Yama's kernel.yama.ptrace_scope: what it forbids, and how a person lifts it.

One wording for `attach`'s EPERM (inferior.py attach_failure_text) and the TUI's attach
picker (tui/procs.py). The kernel's rules (Documentation/admin-guide/LSM/Yama.rst):
0 any process of the same user; 1 only descendants (or a process that named us with
PR_SET_PTRACER), unless CAP_SYS_PTRACE; 2 only with CAP_SYS_PTRACE; 3 no attaching at
all, and the setting cannot be lowered until a reboot. No file: no Yama, no limit.
"""
from __future__ import annotations

PATH = "/proc/sys/kernel/yama/ptrace_scope"


def read(path: str = PATH) -> int | None:
    """The scope, or None where there is no Yama (or the file says nothing we know)."""
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def describe(scope: int | None) -> str:
    """One line for a screen: what the setting allows."""
    if scope is None:
        return "yama ptrace_scope: not present (same-user attach allowed)"
    return "ptrace_scope: " + {0: "0 (any process of yours)", 1: "1 (only children, unless root)",
                               2: "2 (root only)", 3: "3 (disabled)"}.get(scope, str(scope))


def refusal(scope: int | None, *, privileged: bool, descendant: bool) -> tuple[str, str] | None:
    """(why attaching is refused, the fix), or None when the scope allows it.
    privileged: we have CAP_SYS_PTRACE (root); descendant: the process is our child."""
    if scope is None or scope <= 0:
        return None
    if scope == 1:
        if privileged or descendant:
            return None
        return ("kernel.yama.ptrace_scope=1: only our children",
                "sudo sysctl kernel.yama.ptrace_scope=0, or start it under tdbg")
    if scope == 2:
        if privileged:
            return None
        return ("kernel.yama.ptrace_scope=2: only root may attach",
                "sudo sysctl kernel.yama.ptrace_scope=1, or run tdbg as root")
    return (f"kernel.yama.ptrace_scope={scope}: attaching is disabled",
            "no fix but a reboot (the setting cannot be lowered once 3); start the program under tdbg")
