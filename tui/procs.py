"""Processes for the attach picker, each marked with why we could not trace it.

Reasons come from /proc (TracerPid, state, owner) and the yama ptrace_scope
setting; every reason carries the fix a person can apply.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class ProcInfo:
    pid: int
    name: str
    user: str
    cmdline: str
    reason: str | None = None    # None: we can try to attach
    fix: str | None = None

    @property
    def traceable(self) -> bool:
        return self.reason is None


def tracer_pid(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("TracerPid:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def ptrace_scope(path: str | None = None) -> int | None:
    """Yama's setting (None: no Yama). backend/process/ptrace_scope.py reads and words
    it for `attach` too; path: a stand-in for the sysctl file (tests)."""
    from tdbg.backend.session import ptrace_scope as rules  # the backend, once needed
    return rules.read() if path is None else rules.read(path)


def _cmd(pid: int) -> str:
    try:
        return " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return "?"


def why_not(p: psutil.Process, info: dict, me: int, my_uid: int,
            scope_path: str | None = None) -> tuple[str | None, str | None]:
    pid = info["pid"]
    if pid == me:
        return "this is tdbg itself", "pick another process"
    if info.get("status") == psutil.STATUS_ZOMBIE:
        return "zombie: it has already exited", "nothing to debug; its parent must reap it"
    uids = info.get("uids")
    if my_uid != 0 and uids is not None and uids.real != my_uid:
        return f"owned by {info.get('username') or uids.real}", "run tdbg as that user (or with sudo)"
    if not info.get("cmdline") and info.get("ppid") in (0, 2):
        return "kernel thread", "kernel threads cannot be traced"
    tracer = tracer_pid(pid)
    if tracer:
        return (f"already traced by {tracer} ({_cmd(tracer)[:40]})",
                f"detach that debugger first (or kill {tracer})")
    scope = ptrace_scope(scope_path)
    from tdbg.backend.session import ptrace_scope as rules
    refused = rules.refusal(scope, privileged=my_uid == 0,
                            descendant=bool(scope == 1 and my_uid != 0 and _is_descendant(p, me)))
    return refused if refused is not None else (None, None)


def _is_descendant(p: psutil.Process, ancestor: int) -> bool:
    try:
        return any(a.pid == ancestor for a in p.parents())
    except psutil.Error:
        return False


def list_processes() -> list[ProcInfo]:
    me, my_uid = os.getpid(), os.getuid()
    out: list[ProcInfo] = []
    attrs = ["pid", "name", "username", "cmdline", "status", "uids", "ppid"]
    for p in psutil.process_iter(attrs):
        try:
            info = p.info
            reason, fix = why_not(p, info, me, my_uid)
            out.append(ProcInfo(info["pid"], info.get("name") or "?", info.get("username") or "?",
                                " ".join(info.get("cmdline") or []) or f"[{info.get('name')}]",
                                reason, fix))
        except psutil.Error:
            continue
    return out
