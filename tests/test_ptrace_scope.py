"""Yama's ptrace_scope, worded once (backend/process/ptrace_scope.py) for `attach`'s refusal
and the TUI's attach picker. This machine may have no Yama at all, so a file of ours
stands in for /proc/sys/kernel/yama/ptrace_scope; the refusal itself is real: a child
of the test drops to user nobody and attaches to a process of root's."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
import pytest

from tdbg.backend.process import inferior, ptrace_scope
from tdbg.tui import procs
from tests.helpers import NOBODY, as_nobody


@pytest.fixture
def scope_files():
    """scope -> a world-readable file saying it (nobody must read them too)."""
    d = tempfile.mkdtemp(prefix="tdbg-scope-", dir="/tmp")
    os.chmod(d, 0o755)
    files = {}
    for scope in (0, 1, 2, 3):
        path = Path(d) / str(scope)
        path.write_text(f"{scope}\n")
        path.chmod(0o644)
        files[scope] = str(path)
    yield files
    shutil.rmtree(d)


def test_read_and_describe(scope_files, tmp_path):
    assert [ptrace_scope.read(scope_files[s]) for s in (0, 1, 2, 3)] == [0, 1, 2, 3]
    assert ptrace_scope.read(str(tmp_path / "absent")) is None
    (tmp_path / "junk").write_text("x\n")
    assert ptrace_scope.read(str(tmp_path / "junk")) is None
    assert ptrace_scope.describe(None).startswith("yama ptrace_scope: not present")
    assert ptrace_scope.describe(2) == "ptrace_scope: 2 (root only)"
    assert procs.ptrace_scope(scope_files[3]) == 3


def test_refusal_by_scope():
    r = ptrace_scope.refusal
    for privileged in (False, True):
        assert r(None, privileged=privileged, descendant=False) is None
        assert r(0, privileged=privileged, descendant=False) is None
    assert r(1, privileged=False, descendant=False) == (
        "kernel.yama.ptrace_scope=1: only our children",
        "sudo sysctl kernel.yama.ptrace_scope=0, or start it under tdbg")
    assert r(1, privileged=False, descendant=True) is None
    assert r(1, privileged=True, descendant=False) is None
    assert r(2, privileged=False, descendant=True) == (
        "kernel.yama.ptrace_scope=2: only root may attach",
        "sudo sysctl kernel.yama.ptrace_scope=1, or run tdbg as root")
    assert r(2, privileged=True, descendant=False) is None
    for privileged in (False, True):           # 3: nobody, not even root, until a reboot
        why, fix = r(3, privileged=privileged, descendant=True)
        assert why == "kernel.yama.ptrace_scope=3: attaching is disabled" and "reboot" in fix


def test_attach_picker_uses_the_same_words(scope_files):
    """tui/procs.py's reason and fix for a process, per scope, as a non-root user: the
    same words as `attach`'s; under scope 1 our own child is fine, another's is not."""
    child, sibling = subprocess.Popen(["sleep", "30"]), subprocess.Popen(["sleep", "30"])
    try:
        p = psutil.Process(child.pid)
        info = {"pid": child.pid, "status": p.status(), "uids": None, "cmdline": p.cmdline(),
                "ppid": p.ppid(), "username": "u"}
        for scope in (1, 2, 3):         # "me" a process it does not descend from
            got = procs.why_not(p, info, sibling.pid, 1000, scope_files[scope])
            assert got == ptrace_scope.refusal(scope, privileged=False, descendant=False), scope
        assert procs.why_not(p, info, os.getpid(), 1000, scope_files[1]) == (None, None)
        assert procs.why_not(p, info, sibling.pid, 1000, scope_files[0]) == (None, None)
        assert procs.why_not(p, info, sibling.pid, 0, scope_files[2]) == (None, None)
        assert procs.why_not(p, info, sibling.pid, 0, scope_files[3])[0].endswith("attaching is disabled")
    finally:
        for c in (child, sibling):
            c.kill()
            c.wait()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to drop to user nobody")
def test_real_eperm_as_nobody(scope_files):
    """A real refused attach: the one-line message names the owner, and per stand-in
    scope file the Yama reason and its fix."""
    def attach_then_texts() -> str:
        try:
            inferior.Inferior.attach(victim.pid)
            texts = ["attached?!"]
        except Exception as e:              # noqa: BLE001 - the message is the point
            texts = [str(e)]
        texts += [inferior.attach_failure_text(victim.pid, errno.EPERM, scope_files[s])
                  for s in (0, 1, 2, 3)]
        return "\0".join(texts)
    victim = subprocess.Popen(["sleep", "30"])
    try:
        real, *by_scope = as_nobody(attach_then_texts).split("\0")
    finally:
        victim.kill()
        victim.wait()
    head = f"ptrace: Operation not permitted: cannot attach to {victim.pid}: it belongs to uid 0 " \
           "(run as that user or as root)"
    assert real.startswith(head) and "\n" not in real, real
    assert by_scope[0] == head
    for scope, text in zip((1, 2, 3), by_scope[1:], strict=True):
        why, fix = ptrace_scope.refusal(scope, privileged=False, descendant=False)
        assert text == f"{head}; {why} ({fix})" and "\n" not in text


def test_no_yama_blame_for_root(scope_files):
    """As root (CAP_SYS_PTRACE) scopes 1 and 2 refuse nothing: only 3 is named."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    texts = {s: inferior.attach_failure_text(os.getpid(), errno.EPERM, scope_files[s]) for s in (1, 2, 3)}
    assert "yama" not in texts[1] and "yama" not in texts[2]
    assert "kernel.yama.ptrace_scope=3: attaching is disabled" in texts[3]


def test_batch_attach_as_nobody():
    """`tdbg --batch -p PID` run as nobody against root's process: one line, exit 1."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv")
    drop = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    if subprocess.run([*drop, sys.executable, "-c", "import tdbg"], capture_output=True).returncode:
        pytest.skip("user nobody cannot run this Python (it lives in a private home)")
    victim = subprocess.Popen(["sleep", "30"])
    try:
        res = subprocess.run([*drop, sys.executable, "-m", "tdbg.tui.cli", "--batch", "-p", str(victim.pid)],
                             capture_output=True, text=True, timeout=60)
    finally:
        victim.kill()
        victim.wait()
    assert res.returncode == 1
    lines = res.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith(
        f"ptrace: Operation not permitted: cannot attach to {victim.pid}: it belongs to uid 0"), res.stderr
