"""Driving a real Session from tests: collect events, wait for facts."""
from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable

from tdbg.backend import events as ev
from tdbg.backend.session import Session


class Recorder:
    def __init__(self, session: Session) -> None:
        self.events: list = []
        session.bus.bind_loop(asyncio.get_running_loop())
        session.bus.listeners.append(self.events.append)

    def of(self, kind) -> list:
        return [e for e in self.events if isinstance(e, kind)]

    @property
    def last_stop(self) -> ev.Stopped | None:
        stops = self.of(ev.Stopped)
        return stops[-1] if stops else None

    def output(self) -> bytes:
        return b"".join(e.data for e in self.of(ev.Output))

    async def wait_output(self, needle: bytes, timeout: float = 5.0) -> bytes:
        deadline = asyncio.get_running_loop().time() + timeout
        while needle not in self.output():
            assert asyncio.get_running_loop().time() < deadline, f"no {needle!r} in {self.output()!r}"
            await asyncio.sleep(0.01)
        return self.output()


@contextlib.asynccontextmanager
async def session_for(binary, *args: str, use_pty: bool = True):
    s = Session(str(binary), list(args), use_pty=use_pty)
    rec = Recorder(s)
    try:
        yield s, rec
    finally:
        await s.close()


def text_of(binary) -> tuple[int, bytes]:
    """The link-time address and bytes of the file's .text: what the tracee's code must be
    wherever tdbg has no breakpoint (and after a detach, everywhere)."""
    from elftools.elf.elffile import ELFFile
    with open(binary, "rb") as f:
        text = ELFFile(f).get_section_by_name(".text")
        return text["sh_addr"], text.data()


def load_base(pid: int, binary) -> int:
    """Where the process mapped the binary's first page (its load bias for a PIE)."""
    real = os.path.realpath(binary)
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) > 5 and os.path.realpath(parts[5]) == real and int(parts[2], 16) == 0:
                return int(parts[0].split("-")[0], 16)
    raise AssertionError("binary not mapped")


def proc_state(pid: int) -> str:
    """The process's state letter from /proc ("Z" once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def assert_tracee_gone(pid: int, timeout: float = 5) -> None:
    """The tracee did not outlive its debugger: gone or a zombie within `timeout`."""
    deadline = time.monotonic() + timeout
    while os.path.exists(f"/proc/{pid}") and proc_state(pid) != "Z":
        assert time.monotonic() < deadline, f"tracee {pid} outlived the debugger"
        time.sleep(0.02)


NOBODY = 65534


def as_nobody(work: Callable[[], str]) -> str:
    """work()'s text, run in a forked child that became user nobody and is its own
    tracer thread (a real EPERM attach needs an unprivileged tracer); its exception's
    message if it raised."""
    from tdbg.backend.process import ptrace
    read, write = os.pipe()
    try:
        pid = os.fork()
        if pid == 0:
            try:
                os.close(read)
                os.setgroups([])
                os.setresgid(NOBODY, NOBODY, NOBODY)
                os.setresuid(NOBODY, NOBODY, NOBODY)
                ptrace.bind_tracer_thread()
                try:
                    text = work()
                except Exception as e:              # noqa: BLE001 - the message is the point
                    text = str(e)
                os.write(write, text.encode())
            finally:
                os._exit(0)
        os.close(write)
        os.waitpid(pid, 0)
        chunks = []
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
        return b"".join(chunks).decode()
    finally:
        os.close(read)
